/**
 * From a case's state as the fold computed it to the items to write (docs/data-model.md): only
 * what changed is written, and the calendar SEQUENCE of a meeting (and an invitee's own offset)
 * goes up with every change an invitee's calendar shows, whatever the order events arrived in.
 * What a fold no longer produces (an event that counted was outweighed by an earlier one that
 * arrived late) is not forgotten: a meeting is cancelled, a notice voided, so what was sent can be
 * taken back. Pure.
 */
import type { CaseRecord } from './case.ts';
import type { CaseState } from './case-state.ts';
import type { ConsentRecord } from './consent.ts';
import type { DueMarker, PlanRecord } from './lifecycle.ts';
import { type Invitee, type Meeting, type Notice, shownDetails } from './meeting.ts';
import { scrubInvitee, scrubMeeting } from './protected.ts';

export interface StoredState {
  case?: CaseRecord;
  consents: ReadonlyMap<string, ConsentRecord>;
  meetings: ReadonlyMap<string, Meeting>;
  plans: ReadonlyMap<string, PlanRecord>;
  notices: ReadonlyMap<string, Notice>;
  due: readonly DueMarker[];
}

export interface Writes {
  case: CaseRecord;
  consents: ConsentRecord[];
  meetings: Meeting[];
  plans: PlanRecord[];
  notices: Notice[];
  due: DueMarker[];
  deleteConsents: string[];
  deletePlans: string[];
  deleteDue: DueMarker[];
}

/**
 * Whether two stored records hold the same data, as DynamoDB would store them (an undefined
 * attribute is not stored). Compared in place: a JSON round trip of both sides, for every record
 * of every commit, was a few per cent of a consumer's time in allocations alone.
 */
export const same = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b || Array.isArray(a) !== Array.isArray(b))
    return false;
  // Arrays too: their indices are their keys, and one longer than the other has a key the other lacks.
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) if (x[k] !== undefined && !same(x[k], y[k])) return false;
  for (const k in y) if (y[k] !== undefined && x[k] === undefined) return false;
  return true;
};

/** What a meeting's calendar entry (and its email) shows: a change raises the SEQUENCE. */
const calendarKey = (m: Meeting) => JSON.stringify([m.status === 'cancelled', ...shownDetails(m)]);

/** What one invitee receives on their own: a change raises only their offset. */
const inviteeKey = (i: Invitee) =>
  JSON.stringify([
    i.email ?? null,
    i.unitName ?? null,
    i.locale ?? null,
    i.removed ?? false,
    i.substitutedBy ?? null,
  ]);

const withCounters = (m: Meeting, stored: Meeting | undefined, protectedCase: boolean): Meeting => {
  const sequence = stored ? stored.sequence + (calendarKey(stored) === calendarKey(m) ? 0 : 1) : 0;
  const invitees = m.invitees.map((i) => {
    const before = stored?.invitees.find((s) => s.inviteeId === i.inviteeId);
    return { ...i, offset: before ? before.offset + (inviteeKey(before) === inviteeKey(i) ? 0 : 1) : 0 };
  });
  // An invitee the state no longer knows (its summons, or the answer that named a substitute, no
  // longer counts) is owed a cancellation; a protected case keeps only its allow-list, as for all.
  const gone = (stored?.invitees ?? [])
    .filter((s) => !m.invitees.some((i) => i.inviteeId === s.inviteeId))
    .map((s) => (s.removed ? s : { ...s, removed: true, offset: s.offset + 1 }))
    .map((s) => (protectedCase ? scrubInvitee(s) : s));
  return { ...m, sequence, invitees: [...invitees, ...gone] };
};

const dueKey = (d: DueMarker) => `${d.kind}\u0000${d.ref}`;

export const materialize = (stored: StoredState, state: CaseState, due: readonly DueMarker[]): Writes => {
  const c = state.case;
  if (!c) throw new Error('materialize: the state has no case');
  const meetings: Meeting[] = [];
  for (const m of state.meetings.values()) {
    const before = stored.meetings.get(m.meetingId);
    const next = withCounters(m, before, c.protectedIdentity === true);
    if (!before || !same(next, before)) meetings.push(next);
  }
  for (const before of stored.meetings.values()) {
    if (state.meetings.has(before.meetingId)) continue;
    const cancelled: Meeting = { ...before, status: 'cancelled' };
    const next = withCounters(
      c.protectedIdentity ? scrubMeeting(cancelled) : cancelled,
      before,
      c.protectedIdentity === true,
    );
    if (!same(next, before)) meetings.push(next);
  }
  const notices: Notice[] = [...state.notices.values()].filter(
    (n) => !same(n, stored.notices.get(n.noticeId)),
  );
  for (const before of stored.notices.values())
    if (!state.notices.has(before.noticeId) && !before.void) notices.push({ ...before, void: true });
  const changed = <T>(items: ReadonlyMap<string, T>, before: ReadonlyMap<string, T>) =>
    [...items.entries()].filter(([k, v]) => !same(v, before.get(k))).map(([, v]) => v);
  const storedDue = new Map(stored.due.map((d) => [dueKey(d), d]));
  const nextDue = new Map(due.map((d) => [dueKey(d), d]));
  return {
    case: c,
    consents: changed(state.consents, stored.consents),
    deleteConsents: [...stored.consents.keys()].filter((k) => !state.consents.has(k)),
    meetings,
    plans: changed(state.plans, stored.plans),
    deletePlans: [...stored.plans.keys()].filter((k) => !state.plans.has(k)),
    notices,
    due: [...nextDue.values()].filter((d) => !same(d, storedDue.get(dueKey(d)))),
    deleteDue: [...storedDue.values()].filter((d) => !nextDue.has(dueKey(d))),
  };
};

/** The number of items a commit of these writes touches (the case and the history entry included). */
export const itemCount = (w: Writes): number =>
  2 +
  w.consents.length +
  w.meetings.length +
  w.plans.length +
  w.notices.length +
  w.due.length +
  w.deleteConsents.length +
  w.deletePlans.length +
  w.deleteDue.length;
