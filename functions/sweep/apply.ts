/**
 * The daily sweep (06:00 Europe/Stockholm): finds, in the sparse `due` index — never a scan — the
 * cases with something due in the last week (a follow-up to remind, a consent about to lapse or
 * lapsed), and visits each once: a tick event in the case's history moves its clock to this
 * morning, and the rules do what fell due by then, each in its place among the case's events
 * (functions/core/fold.ts). A sweep run twice, or again after an outage, visits once per day;
 * days missed are caught up: it looks back `lookbackDays`.
 */
import type { CaseStore } from '../adapters/case-store.ts';
import type { Outbox } from '../adapters/outbox.ts';
import type { County } from '../core/county.ts';
import { addDays, stockholmDate, stockholmMorning } from '../core/dates.ts';
import { derivedId } from '../core/ids.ts';
import { tickEventType } from '../core/lifecycle.ts';
import { applyEvent } from '../runtime/apply-event.ts';
import { logger } from '../runtime/observability.ts';

export interface SweepDeps {
  county: County;
  store: CaseStore;
  outbox?: Outbox;
  now: () => Date;
  lookbackDays?: number;
}

export interface SweepResult {
  days: string[];
  /** Cases visited (each had something due). */
  cases: number;
  /** Visits that changed a case (a reminder, an expiry). */
  changed: number;
}

export const runSweep = async (deps: SweepDeps): Promise<SweepResult> => {
  const now = deps.now();
  const today = stockholmDate(now);
  const lookback = deps.lookbackDays ?? 7;
  const days = Array.from({ length: lookback }, (_, i) => addDays(today, i - lookback + 1));
  const cases = new Set<string>();
  for (const day of days) for (const marker of await deps.store.dueOn(day)) cases.add(marker.caseId);
  const result: SweepResult = { days, cases: 0, changed: 0 };
  for (const caseId of [...cases].sort()) {
    const outcome = await applyEvent(deps, {
      id: derivedId('sweep', caseId, today),
      type: tickEventType,
      time: stockholmMorning(today),
      subject: caseId,
      data: { county: deps.county.id },
    });
    result.cases++;
    if (outcome.kind === 'applied') result.changed++;
    else if (outcome.kind === 'rejected')
      logger.warn('sweep visit rejected', { caseId, reason: outcome.reason });
  }
  logger.info('sweep done', { ...result, days: `${days[0]}..${days.at(-1)}` });
  return result;
};
