/**
 * The shared read → decide → commit loop of every consumer that changes an existing case:
 * one Query, one transaction (version-checked), re-decided on a concurrent change.
 */
import type { CaseCommit, CaseStore, LoadedCase } from '../adapters/case-store.ts';
import type { CaseRecord } from '../core/case.ts';
import type { CaseItems } from '../core/case-items.ts';
import { type Invitation, type Notice, pendingMailJobs } from '../core/meeting.ts';
import type { Outbox } from '../adapters/outbox.ts';
import type { Outcome } from './consumer.ts';

export type CaseDecision =
  | ({
      kind: 'apply';
      case: CaseRecord;
      summary: string;
      /** Counted as a metric and kept in the history summary (e.g. a county recommendation broken). */
      warnings?: string[];
      /** Forbidden fields dropped from a protected case's event (security deviation). */
      deviations?: string[];
    } & CaseItems)
  | { kind: 'reject'; reason: string }
  /** A prerequisite (another event) has not arrived yet; `replaceWith` is what waits (e.g. a sanitised copy). */
  | { kind: 'wait'; reason: string; replaceWith?: unknown };

export interface CaseEvent {
  id: string;
  type: string;
  time: string;
  subject: string;
}

const MAX_ATTEMPTS = 4;

export class ConcurrentChangeError extends Error {
  override name = 'ConcurrentChangeError';
}

export const applyToCase = async (
  store: Pick<CaseStore, 'loadCase' | 'commit' | 'hasApplied'>,
  event: CaseEvent,
  decide: (loaded: LoadedCase & { case: CaseRecord }) => CaseDecision,
  now: () => Date,
  outbox?: Outbox,
): Promise<Outcome> => {
  /**
   * Emails are effects after the transaction, driven by the stored invitations: after a commit,
   * and again on a duplicate delivery (the first delivery may have died before enqueueing),
   * every invitation still pending is handed to the mailer, which sends each sequence once.
   */
  const enqueue = async (invitations: Invitation[] | undefined, notices: Notice[] | undefined) => {
    const jobs = pendingMailJobs(invitations ?? [], notices ?? []);
    if (outbox && jobs.length > 0) await outbox.enqueue(jobs);
  };
  const enqueuePending = async () => {
    if (!outbox) return;
    const loaded = await store.loadCase(event.subject);
    const jobs = pendingMailJobs(loaded.invitations, loaded.notices);
    if (jobs.length > 0) await outbox.enqueue(jobs);
  };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const loaded = await store.loadCase(event.subject);
    if (!loaded.case) return { kind: 'deferred', reason: `case ${event.subject} has not been created yet` };
    const decision = decide(loaded as LoadedCase & { case: CaseRecord });
    if (decision.kind === 'wait') {
      return {
        kind: 'deferred',
        reason: decision.reason,
        ...(decision.replaceWith !== undefined ? { body: JSON.stringify(decision.replaceWith) } : {}),
      };
    }
    if (decision.kind === 'reject') {
      // The state may have moved on since this event was applied: a redelivery is a duplicate.
      if (await store.hasApplied(event.subject, event.id)) {
        await enqueuePending();
        return { kind: 'duplicate' };
      }
      return { kind: 'rejected', reason: decision.reason };
    }
    const appliedAt = now().toISOString();
    const commit: CaseCommit = {
      case: { ...decision.case, updatedAt: appliedAt },
      expectedVersion: loaded.case.version,
      consents: decision.consents,
      meetings: decision.meetings,
      invitations: decision.invitations,
      notices: decision.notices,
      plans: decision.plans,
      dueMarkers: decision.dueMarkers,
      removeDue: decision.removeDue,
      history: {
        caseId: event.subject,
        eventId: event.id,
        eventType: event.type,
        occurredAt: event.time,
        summary: decision.summary,
      },
      appliedAt,
    };
    const result = await store.commit(commit);
    if (result.kind === 'conflict') continue;
    if (result.kind === 'applied') await enqueue(decision.invitations, decision.notices);
    else await enqueuePending();
    return result.kind === 'applied'
      ? { kind: 'applied', warnings: decision.warnings, deviations: decision.deviations }
      : result;
  }
  // Retried through SQS: by then the competing change has settled.
  throw new ConcurrentChangeError(
    `case ${event.subject} kept changing concurrently (${MAX_ATTEMPTS} attempts)`,
  );
};
