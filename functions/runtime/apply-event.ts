/**
 * The one path every event of a case takes (docs/semantics.md): read the case partition (one
 * Query), fold its history with the newcomer in its place (functions/core/fold.ts), write what
 * changed with the new history entry (one transaction, version-checked), then the effects the
 * stored state calls for. A lost race re-reads and folds again.
 */
import type { CaseStore, DeliveryRef, HistoryRecord, LoadedCase } from '../adapters/case-store.ts';
import type { Outbox } from '../adapters/outbox.ts';
import type { FoldEvent } from '../core/case-state.ts';
import {
  type FoldMemo,
  foldCase,
  type IncomingEvent,
  projectEvent,
  protectionCarriedBy,
  stateKey,
} from '../core/fold.ts';
import { dueMarkers, tickEventType } from '../core/lifecycle.ts';
import { versionOf } from '../core/version.ts';
import { addDays, stockholmDate, stockholmMorning } from '../core/dates.ts';
import { itemCount, materialize } from '../core/materialize.ts';
import {
  DEFAULT_CLAIM_LEASE_SECONDS,
  deliveryKey,
  type Meeting,
  type Notice,
  pendingMailJobs,
} from '../core/meeting.ts';
import { outboundChanges, outboundEvents } from '../core/outbound.ts';
import { sanitizeData } from '../core/protected.ts';
import type { County } from '../core/county.ts';
import type { Outcome } from './consumer.ts';

export interface ApplyDeps {
  county: County;
  store: Pick<CaseStore, 'loadCase' | 'commit' | 'fenceDeliveries' | 'rewriteHistoryData'> &
    Partial<Pick<CaseStore, 'caseVersion'>>;
  now: () => Date;
  outbox?: Outbox;
  /** How long a mailer's claim may be held by a live send (its Lambda's timeout, with margin). */
  claimLeaseSeconds?: number;
  /** This container's memory of its last folds (functions/core/fold.ts): an event folds only what is new. */
  foldMemo?: FoldMemo;
}

export interface ApplyContext {
  /** Called as soon as the case is known to be protected: a retry or a wait must carry only the allow-list. */
  markProtected?: () => void;
}

/** The wait key of a case read at this version (a case not there yet has none). */
const waitKeyOf = (version: number | undefined): string => (version === undefined ? 'none' : `v${version}`);

/** The latest 06:00 Stockholm at or before `now`: when the clock's events fall due (functions/core/fold.ts). */
const lastMorning = (now: Date): number => {
  const today = stockholmDate(now);
  const morning = Date.parse(stockholmMorning(today));
  return morning <= now.getTime() ? morning : Date.parse(stockholmMorning(addDays(today, -1)));
};

/**
 * A waiting event looks at the case item first: the fold is a function of the case's events and
 * its clock, so if no event was committed since the last look (the case's version is the same)
 * and no morning passed (nothing fell due by the clock), the outcome is the last look's — it still
 * waits, for the same thing — and the partition is not read or folded again; the consumer puts
 * the copy back as it came, unparsed (functions/runtime/consumer.ts). Otherwise (or on the first
 * look) the whole path runs. Most looks of a wait find nothing new (docs/semantics.md).
 */
export const stillWaiting = async (
  deps: ApplyDeps,
  caseId: string,
  waited: { key: string; lookedAt: number },
): Promise<boolean> => {
  const now = deps.now();
  if (!deps.store.caseVersion) return false;
  if (!(waited.lookedAt <= now.getTime() && waited.lookedAt >= lastMorning(now))) return false;
  return waitKeyOf(await deps.store.caseVersion(caseId)) === waited.key;
};

const MAX_ATTEMPTS = 4;

export class ConcurrentChangeError extends Error {
  override name = 'ConcurrentChangeError';
}

/** A history entry as the fold reads it. */
export const toFoldEvent = (h: HistoryRecord): FoldEvent => ({
  id: h.eventId,
  type: h.eventType,
  subject: h.caseId,
  time: h.occurredAt,
  version: h.version,
  data: h.data,
});

/** Every recipient the mailer has worked or could work on for this case: what a protection must fence. */
const emailRecipients = (loaded: LoadedCase): DeliveryRef[] => {
  const refs = new Map<string, DeliveryRef>();
  const add = (ref: DeliveryRef) => refs.set(deliveryKey(ref), ref);
  for (const m of loaded.meetings.values())
    for (const i of m.invitees)
      if (i.email) add({ caseId: m.caseId, meetingId: m.meetingId, inviteeId: i.inviteeId });
  for (const n of loaded.notices.values())
    for (const r of n.recipients) add({ caseId: n.caseId, noticeId: n.noticeId, recipient: r.key });
  for (const d of loaded.deliveries.values())
    add(
      d.noticeId !== undefined
        ? { caseId: d.caseId, noticeId: d.noticeId, recipient: d.recipient ?? '' }
        : { caseId: d.caseId, meetingId: d.meetingId ?? '', inviteeId: d.inviteeId ?? '' },
    );
  return [...refs.values()];
};

/**
 * What the stored state calls for, after a commit and again on a duplicate delivery (the first may
 * have died before it got here): every email still owed goes to the mailer (which sends each
 * sequence once); a protected case's history is rewritten down to the allow-list.
 */
const effects = async (
  deps: ApplyDeps,
  caseId: string,
  after: { protectedCase: boolean; meetings: Iterable<Meeting>; notices: Iterable<Notice> },
  loaded: LoadedCase,
) => {
  if (after.protectedCase) {
    // What an earlier commit's fence may not have reached (it is idempotent): no address stays.
    const unfenced = [...loaded.deliveries.values()].filter((d) => d.sentTo || d.claimTo || !d.fenced);
    if (unfenced.length > 0) {
      const stale = new Date(
        deps.now().getTime() - (deps.claimLeaseSeconds ?? DEFAULT_CLAIM_LEASE_SECONDS) * 1000,
      );
      await deps.store.fenceDeliveries(
        emailRecipients({ ...loaded, meetings: new Map(), notices: new Map() }),
        stale.toISOString(),
      );
    }
    for (const h of loaded.history) {
      if (h.data === undefined) continue;
      const { event, dropped } = sanitizeData(h.eventType, h.data);
      if (dropped.length > 0) await deps.store.rewriteHistoryData(caseId, h.eventId, event);
    }
    return;
  }
  const jobs = pendingMailJobs(false, after.meetings, after.notices, loaded.deliveries);
  if (deps.outbox && jobs.length > 0) await deps.outbox.enqueue(jobs);
};

export const applyEvent = async (
  deps: ApplyDeps,
  incoming: IncomingEvent,
  ctx: ApplyContext = {},
): Promise<Outcome> => {
  const caseId = incoming.subject;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const loaded = await deps.store.loadCase(caseId);
    const wasProtected = loaded.case?.protectedIdentity ?? false;
    if (wasProtected) ctx.markProtected?.();
    if (loaded.history.some((h) => h.eventId === incoming.id)) {
      await effects(
        deps,
        caseId,
        { protectedCase: wasProtected, meetings: loaded.meetings.values(), notices: loaded.notices.values() },
        loaded,
      );
      return { kind: 'duplicate' };
    }
    const logged = loaded.history.filter((h) => h.data !== undefined).map(toFoldEvent);
    const event = projectEvent(deps.county, incoming, wasProtected);
    const now = deps.now();
    // The case's clock: what fell due by it happens in the fold. A sweep's visit carries its
    // morning, which may be later than this process's clock (npm run sweep -- --now …); the case's
    // time never goes back, and everything due at that instant falls due (whatever its id).
    const clockOf = (events: FoldEvent[]) =>
      events
        .filter((e) => e.type === tickEventType)
        .map((e) => versionOf({ time: e.time, id: '~' }))
        .reduce((a, b) => (b > a ? b : a), versionOf({ time: now.toISOString(), id: '~' }));
    // A protected case's history is rewritten to the allow-list (effects): the memo, which
    // knows an event by its id, is only for a case whose entries never change.
    const memo = wasProtected ? undefined : deps.foldMemo;
    const folded = foldCase(deps.county, [...logged, event], clockOf([...logged, event]), {
      without: event.id,
      memo,
    });
    const outcome = folded.outcomes.get(event.id);
    if (!outcome) throw new Error(`the fold lost event ${event.id}`);
    if (outcome.kind === 'held') {
      // A flagged summons that waits protects the case now, not when (or if) it is applied.
      const protection = protectionCarriedBy(deps.county, incoming, loaded.case);
      if (protection) {
        const protecting = await applyEvent(deps, protection, ctx);
        if (protecting.kind === 'deferred') return protecting;
        return { kind: 'deferred', reason: outcome.reason };
      }
      return { kind: 'deferred', reason: outcome.reason, waitKey: waitKeyOf(loaded.case?.version) };
    }
    const state = folded.state;
    // Without a case there is nothing to keep the event in: only a creation can be refused here.
    if (!state.case) {
      return outcome.kind === 'rejected'
        ? { kind: 'rejected', reason: outcome.reason }
        : { kind: 'rejected', reason: `case ${caseId} does not exist` };
    }
    const nowProtected = state.case.protectedIdentity;
    if (nowProtected) ctx.markProtected?.();
    let kind: 'applied' | 'superseded' | 'rejected' = outcome.kind;
    const writes = materialize(loaded, state, dueMarkers(deps.county, state));
    // A sweep's visit counts when it changed what is stored (what fell due by the clock); any
    // other event when the state with it differs from the state without it.
    if (
      kind === 'applied' &&
      (incoming.type === tickEventType
        ? itemCount(writes) <= 2
        : stateKey(folded.withoutState ?? foldCase(deps.county, logged, clockOf(logged), { memo }).state) ===
          stateKey(state))
    )
      kind = 'superseded';

    if (nowProtected && !wasProtected && loaded.case) {
      // No email may go out once the case is protected: fence every recipient first, and wait
      // for a send that holds a claim right now rather than race it.
      const stale = new Date(now.getTime() - (deps.claimLeaseSeconds ?? DEFAULT_CLAIM_LEASE_SECONDS) * 1000);
      if (!(await deps.store.fenceDeliveries(emailRecipients(loaded), stale.toISOString())))
        return {
          kind: 'deferred',
          reason: 'an email of this case is being sent; protection waits until it is done',
        };
    }

    const appliedAt = now.toISOString();
    const history: HistoryRecord = {
      caseId,
      eventId: incoming.id,
      eventType: incoming.type,
      occurredAt: incoming.time,
      summary: outcome.kind === 'applied' ? outcome.summary : `rejected: ${outcome.reason}`,
      appliedAt,
      version: event.version,
      data: nowProtected ? sanitizeData(event.type, event.data).event : event.data,
      outcome: kind,
      ...(outcome.kind === 'rejected' ? { reason: outcome.reason } : {}),
    };
    const meetings = new Map(loaded.meetings);
    for (const m of writes.meetings) meetings.set(m.meetingId, m);
    const notices = new Map(loaded.notices);
    for (const n of writes.notices) notices.set(n.noticeId, n);
    // What upstream hears of this change (issue 14), committed with it. (A rejection is told from
    // the rejection the consumer stores, like every other rejection: functions/outbound/.)
    const lastSequence = loaded.case?.outboundSeq ?? 0;
    const outbound = outboundEvents(
      deps.county.id,
      caseId,
      lastSequence,
      outboundChanges(
        deps.county.id,
        { case: loaded.case, meetings: loaded.meetings, notices: loaded.notices },
        { case: writes.case, meetings, notices },
      ),
      appliedAt,
    );
    const result = await deps.store.commit({
      // The case item carries the sequence read; the store adds what this change publishes.
      writes: { ...writes, case: { ...writes.case, outboundSeq: lastSequence } },
      expectedVersion: loaded.case?.version,
      history,
      appliedAt,
      outbound,
    });
    if (result.kind === 'conflict') continue;
    await effects(
      deps,
      caseId,
      { protectedCase: nowProtected, meetings: meetings.values(), notices: notices.values() },
      loaded,
    );
    if (result.kind === 'duplicate') return { kind: 'duplicate' };
    if (outcome.kind === 'rejected') return { kind: 'rejected', reason: outcome.reason };
    const deviations = nowProtected ? sanitizeData(incoming.type, incoming.data).dropped : [];
    return kind === 'superseded'
      ? { kind: 'superseded' }
      : {
          kind: 'applied',
          ...(outcome.kind === 'applied' && outcome.warnings ? { warnings: outcome.warnings } : {}),
          ...(deviations.length ? { deviations } : {}),
        };
  }
  // Retried through SQS: by then the competing change has settled.
  throw new ConcurrentChangeError(`case ${caseId} kept changing concurrently (${MAX_ATTEMPTS} attempts)`);
};
