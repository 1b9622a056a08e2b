/**
 * A case's state is a function of the set of events it received (docs/semantics.md): the events
 * are applied in version order — their own `time`, ties by `id` — never in arrival order. Each
 * event is kept in the case's history with a projection of its data (what the rules read, no
 * more), and every new event folds the whole history again with the newcomer in its place. An
 * event whose prerequisite is missing at its place (a consent before its case) is held and tried
 * again after each later event; still held at the end, it waits (on its queue) or stays inert.
 */
import { eventTypes } from '../../events/contracts/types.ts';
import { applyCaseCreated } from './case.ts';
import { type CaseState, emptyState, type FoldEvent, type Step, type StepResult } from './case-state.ts';
import { applyConsentRegistered, applyConsentWithdrawn } from './consent.ts';
import type { County } from './county.ts';
import { stockholmMorning } from './dates.ts';
import { derivedId } from './ids.ts';
import {
  applyClose,
  applyConsentDue,
  applyMeetingDue,
  applyFollowUp,
  applyPhoneTask,
  applyPlan,
  applyProtection,
  applyResponse,
  applyTick,
  consentDueEventType,
  type DueMarker,
  dueMarkers,
  meetingDueEventType,
  tickEventType,
} from './lifecycle.ts';
import { sanitizeData } from './protected.ts';
import { applySummons } from './summons.ts';
import { compareVersions, type Version, versionOf } from './version.ts';

const steps: Record<string, Step<never>> = {
  [eventTypes.caseCreated]: applyCaseCreated,
  [eventTypes.consentRegistered]: applyConsentRegistered,
  [eventTypes.consentWithdrawn]: applyConsentWithdrawn,
  [eventTypes.summonsSent]: applySummons,
  [eventTypes.followupDue]: applyFollowUp,
  [eventTypes.planEstablished]: applyPlan,
  [eventTypes.invitationResponded]: applyResponse,
  [eventTypes.caseClosed]: applyClose,
  [eventTypes.caseProtectionChanged]: applyProtection,
  [eventTypes.phoneTaskCompleted]: applyPhoneTask,
  [tickEventType]: applyTick,
  [consentDueEventType]: applyConsentDue,
  [meetingDueEventType]: applyMeetingDue,
};

export type FoldOutcome =
  | { kind: 'applied'; summary: string; warnings?: string[] }
  | { kind: 'rejected'; reason: string }
  | { kind: 'held'; reason: string };

export interface FoldResult {
  state: CaseState;
  outcomes: Map<string, FoldOutcome>;
}

const step = (county: County, state: CaseState, event: FoldEvent): StepResult => {
  const rule = steps[event.type] as Step | undefined;
  return rule ? rule(county, state, event) : { kind: 'rejected', reason: `no rule for ${event.type}` };
};

const outcomeOf = (r: StepResult): FoldOutcome =>
  r.kind === 'applied'
    ? { kind: 'applied', summary: r.summary, ...(r.warnings?.length ? { warnings: r.warnings } : {}) }
    : r.kind === 'held'
      ? { kind: 'held', reason: r.reason }
      : r;

/**
 * What falls due by the clock, as an event in the case's order: the morning (06:00 Stockholm) of
 * its day, with an id of its own. A follow-up reminder is a followup.due like upstream's; a consent
 * reminder or expiry is the rules' own event. Deterministic: the same marker, the same event.
 */
const dueEvent = (county: County, m: DueMarker): FoldEvent => {
  const time = stockholmMorning(m.date);
  if (m.kind === 'unconfirmed') {
    const startsAt = m.startsAt ?? '';
    const id = derivedId('sweep.unconfirmed', m.caseId, m.ref, startsAt);
    const data = { county: county.id, meetingId: m.ref, startsAt };
    return { id, type: meetingDueEventType, subject: m.caseId, time, version: versionOf({ time, id }), data };
  }
  const id =
    m.kind === 'follow-up'
      ? derivedId('sweep.followup', m.caseId, m.ref)
      : derivedId(`sweep.${m.kind}`, m.caseId, m.ref);
  const data =
    m.kind === 'follow-up'
      ? { county: county.id, followUpId: m.ref, dueOn: m.dueOn ?? m.date }
      : { county: county.id, kind: m.kind, consentId: m.ref };
  const type = m.kind === 'follow-up' ? eventTypes.followupDue : consentDueEventType;
  return { id, type, subject: m.caseId, time, version: versionOf({ time, id }), data };
};

/** Where a fold stands: enough to go on with the next events (states are immutable). */
interface Progress {
  state: CaseState;
  outcomes: Map<string, FoldOutcome>;
  waiting: FoldEvent[];
  done: Set<string>;
}

/** One fold in progress: events go in, in version order; `fork` copies it (states are immutable). */
const machine = (county: County, clock: Version | undefined, from?: Progress) => {
  let state = from?.state ?? emptyState();
  const outcomes = new Map(from?.outcomes);
  const waiting = [...(from?.waiting ?? [])];
  const done = new Set(from?.done);
  /** After a change, the held events (in version order) get another try, until none moves. */
  const retryHeld = () => {
    for (let i = 0; i < waiting.length;) {
      const e = waiting[i] as FoldEvent;
      const r = step(county, state, e);
      if (r.kind === 'held') {
        i++;
        if (r.state) {
          state = r.state;
          i = 0;
        }
        continue;
      }
      waiting.splice(i, 1);
      outcomes.set(e.id, outcomeOf(r));
      if (r.kind === 'applied') {
        state = r.state;
        i = 0;
      }
    }
  };
  /** Everything due up to `until`, in order, each once. */
  const fallDue = (until: Version) => {
    // A marker's event is on its day's morning (UTC date = the marker's date): later days cannot be due.
    const lastDay = until.slice(0, 10);
    for (;;) {
      const next = dueMarkers(county, state)
        .filter((m) => m.date <= lastDay)
        .map((m) => dueEvent(county, m))
        .filter((e) => !done.has(e.id) && e.version <= until)
        .sort((a, b) => compareVersions(a.version, b.version))[0];
      if (!next) return;
      done.add(next.id);
      const r = step(county, state, next);
      if (r.kind === 'applied') {
        state = r.state;
        retryHeld();
      }
    }
  };
  return {
    push(e: FoldEvent) {
      if (outcomes.has(e.id)) return; // the same event twice: once is enough
      if (clock !== undefined) fallDue(e.version < clock ? e.version : clock);
      const r = step(county, state, e);
      outcomes.set(e.id, outcomeOf(r));
      if (r.kind === 'held') {
        waiting.push(e);
        if (r.state) {
          state = r.state;
          retryHeld();
        }
        return;
      }
      if (r.kind === 'applied') {
        state = r.state;
        retryHeld();
      }
    },
    finish(): FoldResult {
      if (clock !== undefined) fallDue(clock);
      return { state, outcomes };
    },
    fork() {
      return machine(county, clock, { state, outcomes, waiting, done });
    },
    /** A copy of where it stands (before `finish`), to go on from later. */
    progress(): Progress {
      return { state, outcomes: new Map(outcomes), waiting: [...waiting], done: new Set(done) };
    },
  };
};

/** The same event, as the memo compares them: version (its time and id) and type (see FoldMemo for its data). */
const sameEvent = (a: FoldEvent, b: FoldEvent): boolean => a.version === b.version && a.type === b.type;

interface MemoEntry {
  county: County;
  clocked: boolean;
  /** The events it folded, in order. */
  events: FoldEvent[];
  progress: Progress;
}

/**
 * What a Lambda container remembers of its last folds (module state lives between invocations):
 * per case, where the fold stood after the events it saw. The next event of the case, usually the
 * newest, then folds only what came after them instead of the whole history again.
 *
 * It is used only when the remembered events (by version, that is time and id, and type) are the
 * first events of the new fold, for the same county, and none of them is later than either fold's
 * clock: then every step, and what fell due before each, is the same as from nothing. An older
 * event arriving late misses and folds from the start. Comparing the data too would cost more than
 * the steps it saves, so the caller passes a memo only while an event's data cannot change under
 * the same id: functions/runtime/apply-event.ts writes a history entry once and rewrites it only
 * when the case is protected, and folds a protected case without the memo.
 * test/unit/fold-memo.test.ts compares it with the fold from nothing.
 */
export class FoldMemo {
  private readonly cases = new Map<string, MemoEntry>();
  /** How many folds went on from a remembered one. */
  resumed = 0;
  constructor(private readonly capacity = 100) {}

  get size(): number {
    return this.cases.size;
  }

  /** The remembered progress, if the new fold's `sorted` events start with its events (at most `max` of them). */
  resume(
    county: County,
    caseId: string,
    sorted: readonly FoldEvent[],
    clock: Version | undefined,
    max: number,
  ) {
    const entry = this.cases.get(caseId);
    if (!entry || entry.county !== county || entry.clocked !== (clock !== undefined)) return undefined;
    const n = entry.events.length;
    if (n === 0 || n > max) return undefined;
    // Every remembered event is at or before the clock (they are in version order).
    if (clock !== undefined && (entry.events[n - 1] as FoldEvent).version > clock) return undefined;
    for (let i = 0; i < n; i++)
      if (!sameEvent(entry.events[i] as FoldEvent, sorted[i] as FoldEvent)) return undefined;
    // Most recently used last: the first entry is the one to forget.
    this.cases.delete(caseId);
    this.cases.set(caseId, entry);
    this.resumed++;
    return { length: n, progress: entry.progress };
  }

  remember(entry: MemoEntry & { caseId: string }): void {
    const { caseId, ...kept } = entry;
    this.cases.delete(caseId);
    this.cases.set(caseId, kept);
    if (this.cases.size > this.capacity) this.cases.delete(this.cases.keys().next().value as string);
  }
}

/**
 * Folds a case's events in version order. With `clock` (the case's now), what falls due by then
 * — reminders, expiry — takes its place among the events too, so the state is a function of the
 * events and the clock alone, never of when a sweep managed to run.
 *
 * `without`: also the state of the same fold without that event, when it is the newest (the
 * usual case: events arrive in order) — the fold up to it, finished without it. Otherwise (it is
 * older than some other event) `withoutState` is left out and the caller folds again.
 */
export const foldCase = (
  county: County,
  events: readonly FoldEvent[],
  clock?: Version,
  options: { without?: string; memo?: FoldMemo } = {},
): FoldResult & { withoutState?: CaseState } => {
  const sorted = [...events].sort((a, b) => compareVersions(a.version, b.version));
  const last = sorted.at(-1);
  const withoutLast = options.without !== undefined && last?.id === options.without;
  const { memo } = options;
  const caseId = last?.subject;
  const resumed =
    memo && caseId !== undefined
      ? memo.resume(county, caseId, sorted, clock, withoutLast ? sorted.length - 1 : sorted.length)
      : undefined;
  const m = machine(county, clock, resumed?.progress);
  let without: ReturnType<typeof machine> | undefined;
  // Remembered: the fold of every event but the newcomer when there is one (it may yet be
  // deferred and come again, or lose a race), else of them all.
  const remember = (n: number) => {
    const upTo = sorted[n - 1];
    if (memo && caseId !== undefined && upTo && (clock === undefined || upTo.version <= clock))
      memo.remember({
        caseId,
        county,
        clocked: clock !== undefined,
        events: sorted.slice(0, n),
        progress: m.progress(),
      });
  };
  for (let i = resumed?.length ?? 0; i < sorted.length; i++) {
    if (withoutLast && i === sorted.length - 1) {
      without = m.fork();
      remember(i);
    }
    m.push(sorted[i] as FoldEvent);
  }
  if (!withoutLast) remember(sorted.length);
  const result = m.finish();
  return without ? { ...result, withoutState: without.finish().state } : result;
};

/** A canonical text of a state: two states are the same when their texts are. */
export const stateKey = (state: CaseState): string =>
  JSON.stringify(state, (_k, v: unknown) =>
    v instanceof Map ? [...v.entries()].sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)) : v,
  );

export interface IncomingEvent {
  id: string;
  type: string;
  time: string;
  subject: string;
  data: unknown;
}

/**
 * The part of an event the history keeps and the rules read: the event's data, except that a
 * protected case keeps only the allow-list (./protected.ts). (The summons' purpose, long-term goal
 * and questions are kept since issue 13: the invitation page shows them.)
 */
export const projectEvent = (county: County, event: IncomingEvent, protectedCase: boolean): FoldEvent => {
  let data = event.data;
  if (protectedCase) data = sanitizeData(event.type, data).event;
  return {
    id: event.id,
    type: event.type,
    subject: event.subject,
    time: event.time,
    version: versionOf(event),
    data,
  };
};

/**
 * A summons flagged protected protects its case at its place in time (seed 004), also while it
 * waits (consent not complete yet; see applySummons) and whether or not it is ever applied: the
 * protection it carries, as an event of its own to keep in the history while the summons waits.
 * Undefined when there is nothing to protect: no stored case yet, or one already protected.
 */
export const protectionCarriedBy = (
  county: County,
  event: IncomingEvent,
  stored: { protectedIdentity: boolean } | undefined,
): IncomingEvent | undefined => {
  if (event.type !== eventTypes.summonsSent) return undefined;
  if ((event.data as { protectedIdentity?: boolean }).protectedIdentity !== true) return undefined;
  if (!stored || stored.protectedIdentity) return undefined;
  return {
    id: derivedId('protect', event.id),
    type: eventTypes.caseProtectionChanged,
    time: event.time,
    subject: event.subject,
    data: { county: county.id, protectedIdentity: true, reason: 'protected-personal-data' },
  };
};
