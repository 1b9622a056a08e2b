/** se.sip.phone-task.completed.v1: the coordinator's system reports a call on the phone-only path. */
import { phoneTaskCompletedContract } from '../../events/contracts/phone-task-completed.ts';
import type { InvitationStatus } from '../core/meeting.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

const statusOf: Record<'agreed' | 'declined' | 'unreachable', InvitationStatus> = {
  agreed: 'called',
  declined: 'declined',
  unreachable: 'unreachable',
};

export const createPhoneTaskCompletedHandler = caseConsumer(
  phoneTaskCompletedContract,
  (_county, loaded, event) => {
    const { meetingId, inviteeId, outcome } = event.data;
    const task = loaded.invitations.find((i) => i.meetingId === meetingId && i.inviteeId === inviteeId);
    if (!task) return { kind: 'wait', reason: `no phone task for ${inviteeId} in meeting ${meetingId} yet` };
    if (task.channel !== 'phone') {
      return {
        kind: 'reject',
        reason: `invitation ${inviteeId} of meeting ${meetingId} is on the email path, not a phone task`,
      };
    }
    return {
      kind: 'apply',
      case: loaded.case,
      invitations: [{ ...task, status: statusOf[outcome] }],
      summary: `phone task for ${inviteeId} (${meetingId}): ${outcome}`,
    };
  },
);
