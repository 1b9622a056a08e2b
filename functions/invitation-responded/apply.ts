/** se.sip.invitation.responded.v1: an invited unit confirms, declines or names a substitute (rules: functions/core/lifecycle.ts). */
import { invitationRespondedContract } from '../../events/contracts/invitation-responded.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createInvitationRespondedHandler = caseConsumer(invitationRespondedContract);
