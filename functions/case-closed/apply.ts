/** se.sip.case.closed.v1: closed with a reason of seed 002; everyone is told, reminders cancelled. */
import { caseClosedContract } from '../../events/contracts/case-closed.ts';
import { decideClose } from '../core/lifecycle.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createCaseClosedHandler = caseConsumer(caseClosedContract, (_county, loaded, event) =>
  decideClose(loaded.case, loaded, loaded.due, event),
);
