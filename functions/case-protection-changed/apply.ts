/**
 * se.sip.case.protection.changed.v1: a case flagged after creation moves to the phone-only path.
 * What it stored is scrubbed to the protected allow-list; email invitations become phone tasks,
 * and no email is ever sent again (the mailer refuses protected cases). Protection is never
 * cleared by an event.
 */
import { caseProtectionChangedContract } from '../../events/contracts/case-protection-changed.ts';
import { scrubMeeting, toPhoneTask } from '../core/protected.ts';
import { caseConsumer } from '../runtime/case-consumer.ts';

export const createCaseProtectionChangedHandler = caseConsumer(
  caseProtectionChangedContract,
  (_county, loaded, event) => {
    const c = loaded.case;
    if (!event.data.protectedIdentity) {
      return c.protectedIdentity
        ? {
            kind: 'reject',
            reason: `case ${c.caseId} has protected identity, which an event may set but never clear (seed 004); an administrator must lift it`,
          }
        : { kind: 'reject', reason: `case ${c.caseId} is not protected; there is nothing to clear` };
    }
    if (c.protectedIdentity) {
      return {
        kind: 'apply',
        case: c,
        summary: `protection confirmed (${event.data.reason}); already on the phone-only path`,
      };
    }
    const meetings = [...loaded.meetings.values()].map(scrubMeeting);
    const invitations = loaded.invitations.map(toPhoneTask);
    return {
      kind: 'apply',
      case: { ...c, protectedIdentity: true },
      meetings,
      invitations,
      summary: `protected identity set (${event.data.reason}); phone-only path: ${invitations.length} invitation(s) became phone tasks, stored places and names removed`,
    };
  },
);
