/**
 * SES message tags that name what an email is, so SES's events about it (Send, Delivery, Bounce,
 * Complaint, Reject) find their delivery without a lookup table: the case, the invitation or
 * notice, the sequence, what was sent and the claim that sent it. SES allows only letters,
 * digits, `_` and `-` in tag values (at most 256): ids travel base64url-encoded.
 */
import type { DeliveryRef } from './case-store.ts';

export interface MailTags {
  ref: DeliveryRef;
  sequence: number;
  action: 'request' | 'cancel';
  /** The claim whose send this was (docs/semantics.md, "in doubt"). */
  token: string;
  /** `previous`: the cancellation sent to an address the invitee no longer has. */
  step: 'current' | 'previous';
}

const enc = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const dec = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

export const mailTags = (t: MailTags, county: string, kind: string): Record<string, string> => ({
  county,
  kind,
  sipCase: enc(t.ref.caseId),
  ...('noticeId' in t.ref
    ? { sipNotice: enc(t.ref.noticeId), sipTo: enc(t.ref.recipient) }
    : { sipMeeting: enc(t.ref.meetingId), sipInvitee: enc(t.ref.inviteeId) }),
  sipSeq: String(t.sequence),
  sipAction: t.action,
  sipClaim: t.token,
  sipStep: t.step,
});

/** SES event publishing gives tags as `{ name: [value, …] }`. */
export const readMailTags = (
  tags: Record<string, string[] | undefined> | undefined,
): MailTags | undefined => {
  const one = (name: string) => tags?.[name]?.[0];
  const caseId = one('sipCase');
  const sequence = Number(one('sipSeq'));
  const action = one('sipAction');
  const token = one('sipClaim');
  if (!caseId || !Number.isInteger(sequence) || (action !== 'request' && action !== 'cancel') || !token)
    return undefined;
  const notice = one('sipNotice');
  const to = one('sipTo');
  const meeting = one('sipMeeting');
  const invitee = one('sipInvitee');
  const ref: DeliveryRef | undefined =
    notice && to
      ? { caseId: dec(caseId), noticeId: dec(notice), recipient: dec(to) }
      : meeting && invitee
        ? { caseId: dec(caseId), meetingId: dec(meeting), inviteeId: dec(invitee) }
        : undefined;
  if (!ref) return undefined;
  return { ref, sequence, action, token, step: one('sipStep') === 'previous' ? 'previous' : 'current' };
};
