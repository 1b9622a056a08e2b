/**
 * The daily sweep (06:00 Europe/Stockholm): reads what falls due from the sparse `due` index — never
 * a scan — and acts on it idempotently:
 *  - a follow-up → publishes se.sip.followup.due.v1 with a deterministic id to the follow-up
 *    queue, so our reminder and upstream's are the same follow-up and nobody is reminded twice;
 *  - a consent about to lapse → a reminder notice to the coordinator;
 *  - a consent that lapsed → marked expired.
 * Each is an event of the case with a deterministic id and the time of its day (06:00 Stockholm),
 * so a sweep run twice, or again after an outage, does each once, in its place in the case's order.
 * Days missed (an outage) are caught up: it looks back `lookbackDays`.
 */

/** 06:00 in Stockholm on a day, as an RFC 3339 time (the offset of that day: CET or CEST). */
export const morningOf = (day: string): string => {
  const noon = new Date(`${day}T12:00:00Z`);
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', hour: '2-digit', hour12: false }).format(
      noon,
    ),
  );
  const offset = hour - 12; // +1 (CET) or +2 (CEST)
  return `${day}T06:00:00+0${offset}:00`;
};
import { eventTypes } from '../../events/contracts/common.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import type { Outbox } from '../adapters/outbox.ts';
import type { County } from '../core/county.ts';
import { addDays, stockholmDate } from '../core/dates.ts';
import { derivedId } from '../core/ids.ts';
import { sweepEventType } from '../core/lifecycle.ts';
import { applyEvent } from '../runtime/apply-event.ts';
import { logger } from '../runtime/observability.ts';

export interface SweepDeps {
  county: County;
  store: CaseStore;
  outbox?: Outbox;
  publishFollowUp: (body: string) => Promise<void>;
  now: () => Date;
  lookbackDays?: number;
}

export interface SweepResult {
  days: string[];
  followUpsPublished: number;
  consentReminders: number;
  consentsExpired: number;
}

export const runSweep = async (deps: SweepDeps): Promise<SweepResult> => {
  const now = deps.now();
  const today = stockholmDate(now);
  const lookback = deps.lookbackDays ?? 7;
  const days = Array.from({ length: lookback }, (_, i) => addDays(today, i - lookback + 1));
  const result: SweepResult = { days, followUpsPublished: 0, consentReminders: 0, consentsExpired: 0 };
  for (const day of days) {
    for (const marker of await deps.store.dueOn(day)) {
      if (marker.kind === 'follow-up') {
        await deps.publishFollowUp(
          JSON.stringify({
            specversion: '1.0',
            id: derivedId('sweep.followup', marker.caseId, marker.ref),
            source: `urn:sip:${deps.county.id}:sweep`,
            type: eventTypes.followupDue,
            time: morningOf(marker.date),
            subject: marker.caseId,
            datacontenttype: 'application/json',
            data: { county: deps.county.id, followUpId: marker.ref, dueOn: marker.dueOn ?? marker.date },
          }),
        );
        result.followUpsPublished++;
        continue;
      }
      const outcome = await applyEvent(deps, {
        id: derivedId(`sweep.${marker.kind}`, marker.caseId, marker.ref),
        type: sweepEventType,
        time: morningOf(marker.date),
        subject: marker.caseId,
        data: { county: deps.county.id, kind: marker.kind, consentId: marker.ref },
      });
      if (outcome.kind === 'applied') {
        if (marker.kind === 'consent-reminder') result.consentReminders++;
        else result.consentsExpired++;
      } else if (outcome.kind === 'rejected') {
        logger.warn('sweep item rejected', {
          caseId: marker.caseId,
          kind: marker.kind,
          reason: outcome.reason,
        });
      }
    }
  }
  logger.info('sweep done', { ...result, days: `${days[0]}..${days.at(-1)}` });
  return result;
};
