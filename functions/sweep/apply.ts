/**
 * The daily sweep (06:00 Europe/Stockholm): finds, in the sparse `due` index — never a scan — the
 * cases with something due in the last week (a follow-up to remind, a consent about to lapse or
 * lapsed), and asks for one visit of each on the sweep-visit queue (se.sip.sweep.v1). The visit,
 * a case consumer like any other (functions/sweep-visit/), moves the case's clock to this morning
 * and the rules do what fell due by then, each in its place among the case's events
 * (functions/core/fold.ts). The queue is what makes a visit safe to lose a Lambda in: a visit
 * that dies after its commit is redelivered, and the emails it made owed reach the mailer. A
 * sweep run twice, or again after an outage, asks for the same visits (one id per case and day);
 * days missed are caught up: it looks back `lookbackDays`.
 */
import type { EntryStore } from '../adapters/entry-store.ts';
import type { VisitQueue } from '../adapters/outbox.ts';
import { addDays, stockholmDate } from '../core/dates.ts';
import { logger } from '../runtime/observability.ts';

export interface SweepDeps {
  store: Pick<EntryStore, 'dueOn'>;
  visits: VisitQueue;
  now: () => Date;
  lookbackDays?: number;
}

export interface SweepResult {
  /** The days looked at (the last `lookbackDays`, today included). */
  days: string[];
  /** Cases with something due: one visit asked for each. */
  cases: number;
  /** Their ids (opaque; never personal data: ids holding a personal number are refused). */
  caseIds: string[];
  /** The visits' day (their id is derived from the case and this day). */
  day: string;
}

export const runSweep = async (deps: SweepDeps): Promise<SweepResult> => {
  const today = stockholmDate(deps.now());
  const lookback = deps.lookbackDays ?? 7;
  const days = Array.from({ length: lookback }, (_, i) => addDays(today, i - lookback + 1));
  const cases = new Set<string>();
  for (const day of days) for (const marker of await deps.store.dueOn(day)) cases.add(marker.caseId);
  const caseIds = [...cases].sort();
  await deps.visits.enqueue(caseIds.map((caseId) => ({ caseId, day: today })));
  logger.info('sweep done', { days: `${days[0]}..${days.at(-1)}`, cases: cases.size });
  return { days, cases: cases.size, caseIds, day: today };
};
