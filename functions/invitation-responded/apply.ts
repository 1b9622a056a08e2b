/** se.sip.invitation.responded.v1: an invited unit confirms, declines or names a substitute. */
import { invitationRespondedContract } from '../../events/contracts/invitation-responded.ts';
import { decideResponse } from '../core/lifecycle.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createInvitationRespondedHandler = caseConsumer(
  invitationRespondedContract,
  (_county, loaded, event) => decideResponse(loaded.case, loaded.meetings, loaded.invitations, event),
);
