/**
 * The daily sweep (06:00 Europe/Stockholm): reads what falls due from the sparse `due` index — never
 * a scan — and acts on it idempotently:
 *  - a follow-up → publishes se.sip.followup.due.v1 with a deterministic id to the follow-up
 *    queue, so our reminder and upstream's are the same follow-up and nobody is reminded twice;
 *  - a consent about to lapse → a reminder notice to the coordinator;
 *  - a consent that lapsed → marked expired.
 * Days missed (an outage) are caught up: it looks back `lookbackDays`.
 */
import { eventTypes } from '../../events/contracts/common.ts';
import type { CaseStore } from '../adapters/case-store.ts';
import type { Outbox } from '../adapters/outbox.ts';
import type { County } from '../core/county.ts';
import { addDays, stockholmDate } from '../core/dates.ts';
import { decideConsentDue } from '../core/lifecycle.ts';
import { applyToCase } from '../runtime/apply-to-case.ts';
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
            id: `sweep.followup.${marker.caseId}.${marker.ref}`,
            source: `urn:sip:${deps.county.id}:sweep`,
            type: eventTypes.followupDue,
            time: now.toISOString(),
            subject: marker.caseId,
            datacontenttype: 'application/json',
            data: { county: deps.county.id, followUpId: marker.ref, dueOn: marker.dueOn ?? marker.date },
          }),
        );
        result.followUpsPublished++;
        continue;
      }
      const outcome = await applyToCase(
        deps.store,
        {
          id: `sweep.${marker.kind}.${marker.caseId}.${marker.ref}`,
          type: 'se.sip.sweep',
          time: now.toISOString(),
          subject: marker.caseId,
        },
        (loaded) => decideConsentDue(loaded.case, loaded.consents.get(marker.ref), marker),
        deps.now,
        deps.outbox,
      );
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
