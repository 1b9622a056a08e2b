/**
 * SES's reports about our emails (functions/mail-events/apply.ts) against a store that answers as
 * DynamoDB would at each step: the orders of a report, the send it is about and its record.
 */
import { describe, expect, it } from 'vitest';
import type { MailTags } from '../../functions/adapters/mail-tags.ts';
import type { Delivery } from '../../functions/core/meeting.ts';
import { outboundTypes } from '../../functions/core/outbound.ts';
import { applyMailEvent, type MailEvent } from '../../functions/mail-events/apply.ts';

const ref = { caseId: 'case-1', meetingId: 'm-1', inviteeId: 'inv-a' };
const tags: MailTags = { ref, sequence: 2, action: 'request', token: 'claim-1', step: 'current' };
const reject: MailEvent = { id: 'sns-1', subject: 'ses-1', kind: 'Reject', detail: 'Reject', tags };
const recorded: Delivery = {
  ...ref,
  status: 'sent',
  sesMessageId: 'ses-1',
  doneSequence: 2,
  sentSequence: 2,
};

/** A store whose update fails once (the send not recorded yet) and whose read then shows `read`. */
const store = (read: Delivery | undefined) => {
  const told: unknown[] = [];
  let updates = 0;
  return {
    told,
    get updates() {
      return updates;
    },
    confirmSend: async () => false,
    recordPreviousCancelled: async () => false,
    getDelivery: async () => read,
    updateDeliveryStatus: async (...args: unknown[]) => {
      updates++;
      told.push(args[6]);
      return false;
    },
  };
};
const now = () => new Date('2026-12-01T10:00:00.000Z');

describe('SES reports (mail-events)', () => {
  it('a Reject whose send was recorded between its update and its read waits and is applied, not dropped as a duplicate', async () => {
    // Found by the simulation (seed 1): the Send event settled the email in doubt just after the
    // Reject's update failed; the Reject read "sent" and was acknowledged, so the invitation said
    // sent for an email that never arrived.
    const s = store(recorded);
    expect(await applyMailEvent(reject, s, now, 'halland')).toMatchObject({ kind: 'deferred' });
  });

  it('a report on a send still claimed waits for its record', async () => {
    const s = store({ ...ref, claimToken: 'claim-1' });
    expect(await applyMailEvent(reject, s, now, 'halland')).toMatchObject({ kind: 'deferred' });
  });

  it('a report already recorded is a duplicate', async () => {
    const s = store({ ...recorded, status: 'failed' });
    expect(await applyMailEvent(reject, s, now, 'halland')).toEqual({ kind: 'duplicate' });
  });

  it('tells upstream what became of an invitation’s email, never of a notice’s', async () => {
    const s = store({ ...recorded, status: 'failed' });
    await applyMailEvent(reject, s, now, 'halland');
    expect(s.told[0]).toEqual({
      type: outboundTypes.invitationStatusChanged,
      data: { county: 'halland', ...ref, status: 'failed', email: 'invitation', meetingSequence: 2 },
    });
    const notice = store({ ...recorded, status: 'failed' });
    await applyMailEvent(
      { ...reject, tags: { ...tags, ref: { caseId: 'case-1', noticeId: 'n-1', recipient: 'organiser' } } },
      notice,
      now,
      'halland',
    );
    expect(notice.told).toEqual([undefined]);
  });
});
