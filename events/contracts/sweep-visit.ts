/** se.sip.sweep.v1 (internal) */
import * as z from 'zod/mini';
import { contract, countyId, eventTypes } from './common.ts';

/**
 * Internal: the daily sweep asks for one visit of one case that has something due. The visit
 * moves the case's clock to the sweep's morning (the event's `time`), so what fell due by then —
 * a follow-up reminder, a consent reminder or expiry — happens in its place among the case's
 * events (docs/semantics.md). Its id is derived from the case and the day: one visit per day.
 */
export const sweepVisitData = z.strictObject({ county: countyId });

export const sweepVisitContract = contract(
  eventTypes.sweepVisit,
  sweepVisitData,
  'Internal: the daily sweep visits a case with something due. Published by this system, not by upstream.',
);
export type SweepVisit = z.infer<typeof sweepVisitContract.schema>;
