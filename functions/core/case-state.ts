/**
 * A case's state as the rules compute it: everything about the case but the history, the
 * mailer's deliveries and the store's counters. The fold (./fold.ts) computes it from the case's
 * events; the store keeps it as items (docs/data-model.md).
 */
import type { CaseRecord } from './case.ts';
import type { ConsentRecord } from './consent.ts';
import type { County } from './county.ts';
import type { PlanRecord } from './lifecycle.ts';
import type { Meeting, Notice } from './meeting.ts';
import type { Version } from './version.ts';

export interface CaseState {
  case?: CaseRecord;
  consents: ReadonlyMap<string, ConsentRecord>;
  meetings: ReadonlyMap<string, Meeting>;
  plans: ReadonlyMap<string, PlanRecord>;
  notices: ReadonlyMap<string, Notice>;
}

export const emptyState = (): CaseState => ({
  consents: new Map(),
  meetings: new Map(),
  plans: new Map(),
  notices: new Map(),
});

/** An event as the rules read it: its envelope and its data (the stored projection, docs/semantics.md). */
export interface FoldEvent<D = unknown> {
  id: string;
  type: string;
  /** The case id. */
  subject: string;
  time: string;
  version: Version;
  data: D;
}

export type StepResult =
  | { kind: 'applied'; state: CaseState; summary: string; warnings?: string[] }
  | { kind: 'rejected'; reason: string }
  /**
   * A prerequisite (another event) is missing at this point: tried again after each later event.
   * `state`: what the event changes at its place even while it waits (a flagged summons protects).
   */
  | { kind: 'held'; reason: string; state?: CaseState };

export type Step<D = unknown> = (county: County, state: CaseState, event: FoldEvent<D>) => StepResult;

export const rejected = (reason: string): StepResult => ({ kind: 'rejected', reason });
export const held = (reason: string): StepResult => ({ kind: 'held', reason });

/** A step's result when the case is there; `held` while it is not (no event but the creation may come first). */
export const withCase = (
  state: CaseState,
  event: { subject: string },
  then: (c: CaseRecord) => StepResult,
): StepResult => (state.case ? then(state.case) : held(`case ${event.subject} has not been created yet`));
