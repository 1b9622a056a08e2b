/**
 * se.sip.sweep.v1, published by our own daily sweep (functions/sweep/): one visit of a case with
 * something due moves its clock to the sweep's morning; what fell due by then happens in the fold
 * (rules: functions/core/lifecycle.ts). On its own queue, so a visit that dies after its commit is
 * retried and the emails it made owed still reach the mailer.
 */
import { sweepVisitContract } from '../../events/contracts/sweep-visit.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createSweepVisitHandler = caseConsumer(sweepVisitContract);
