/**
 * Calendar replies end to end (issue 13): the example case is summoned, then replies shaped like
 * Outlook's, Google's and Apple's, and RFC 5546's delegation, go in the way SES receiving hands
 * them over (an S3 object on the emulator and the SES notification through SNS to the queue).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { type StoredEmail, recentRejections, waitUntilDrained } from '../../local/inspect.ts';
import { feedInboundEmail } from '../../local/inbound-feed.ts';
import { publishBody } from '../../local/publisher.ts';
import { s3Client } from '../../local/runtime.ts';
import { inboundMailType } from '../../lib/topology.ts';
import { type TestEvent, eventually, examplesDir } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';
import { calendarOf, emailsFor } from '../support/mail.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => t?.stop());

const caseId = 'case-hl-1001';
const meetingId = 'meeting-case-hl-1001-1';
const repliesDir = join(examplesDir, 'calendar-replies');
const fixture = (name: string) => readFileSync(join(repliesDir, name));
const settle = () => waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 60_000);
const target = () => ({ endpoints: t.stack.endpoints, inbound: t.stack.inbound });
const invitation = async (inviteeId: string) =>
  (await t.store.loadCase(caseId)).invitations.find(
    (i) => i.meetingId === meetingId && i.inviteeId === inviteeId,
  );
const inboundRejections = async () =>
  (await recentRejections(t.store)).filter((r) => r.queueEventType === inboundMailType);

const hasCalendar = (m: StoredEmail) => m.attachments?.some((a) => /calendar/.test(a.contentType)) === true;

/** The calendar of a fixture, changed, in a plain reply email of its own. */
const variant = async (name: string, change: (ics: string) => string, from: string): Promise<string> => {
  const email = await PostalMime.parse(fixture(name), { attachmentEncoding: 'utf8' });
  const part = email.attachments.find((a) => a.method === 'REPLY') ?? email.attachments[0];
  const ics = change(String(part?.content ?? '')).replace(/\r?\n/g, '\r\n');
  return [
    `From: ${from}`,
    'To: sip-kalender@halland.example.se',
    'Subject: reply',
    'MIME-Version: 1.0',
    'Content-Type: text/calendar; charset=utf-8; method=REPLY',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(ics).toString('base64').replace(/.{76}/g, '$&\r\n'),
    '',
  ].join('\r\n');
};

describe('calendar replies through SES receiving (issue 13)', () => {
  beforeAll(async () => {
    for (const f of [
      '01-case-created.json',
      '02-consent-guardian-a.json',
      '03-consent-guardian-b.json',
      '04-summons-sent.json',
    ]) {
      const e = JSON.parse(readFileSync(join(examplesDir, 'normal', f), 'utf8')) as TestEvent;
      await publishBody(t.sqs, t.stack.queues, JSON.stringify(e), e.type as never);
      await settle();
    }
    await eventually(
      async () => (await t.store.loadCase(caseId)).invitations.filter((i) => i.status === 'sent').length,
      (n) => n === 3,
    );
  });

  it('every fixture names its source', () => {
    for (const f of readdirSync(repliesDir))
      expect(readFileSync(join(repliesDir, f), 'utf8'), f).toMatch(/^X-Fixture-Source: \S/m);
  });

  it('invitations name the county’s reply address as ORGANIZER, with the organiser’s name', async () => {
    const [mail] = (await emailsFor(caseId)).filter(
      (m) => m.destination.to.includes('bup@region.example.se') && hasCalendar(m),
    );
    expect(mail).toBeDefined();
    const ics = Buffer.from(
      mail?.attachments?.find((a) => /calendar/.test(a.contentType))?.content ?? '',
      'base64',
    ).toString('utf8');
    expect(ics.replace(/\r\n /g, '')).toMatch(
      /ORGANIZER;CN="?BUP Halland"?:mailto:sip-kalender@halland\.example\.se/,
    );
    expect(calendarOf(mail!).sequence).toBe(0);
  });

  it('Outlook Accept, Google Decline (through Google’s servers, DMARC failing) and Apple Tentative are applied; the stored email is deleted', async () => {
    const accepted = await feedInboundEmail(target(), fixture('outlook-accepted.eml'));
    await feedInboundEmail(target(), fixture('google-declined.eml'), { dmarc: 'FAIL' });
    await feedInboundEmail(target(), fixture('apple-tentative.eml'));
    await settle();
    await eventually(
      () => invitation('inv-bup'),
      (i) => i?.response === 'accepted',
    );
    await eventually(
      () => invitation('inv-skola'),
      (i) => i?.response === 'declined',
    );
    const soc = (await t.store.loadCase(caseId)).meetings
      .get(meetingId)
      ?.invitees.find((i) => i.inviteeId === 'inv-soc');
    expect(soc?.receivedVersion).toBeDefined(); // tentative: received, not an answer
    expect(soc?.response).toBeUndefined();
    const log = await t.store.listReplies(caseId);
    expect(log.map((r) => [r.inviteeId, r.outcome]).sort()).toEqual([
      ['inv-bup', 'applied'],
      ['inv-skola', 'applied'],
      ['inv-soc', 'applied'],
    ]);
    expect(JSON.stringify(log)).not.toMatch(/@/); // no address in the log
    const s3 = s3Client(t.stack.endpoints.s3);
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: t.stack.inbound.bucket, Key: accepted.key })),
    ).rejects.toThrow();
    s3.destroy();
  });

  it('the same email delivered twice is one answer (SES message id → event id)', async () => {
    const before = (await t.store.loadCase(caseId)).history.length;
    const raw = fixture('outlook-accepted.eml');
    const again = await feedInboundEmail(target(), raw);
    await settle();
    const history = (await t.store.loadCase(caseId)).history.length;
    expect(history).toBe(before + 1); // a second email is a second (identical) answer …
    await feedInboundEmail(target(), raw, { messageId: again.messageId });
    await settle();
    expect((await t.store.loadCase(caseId)).history.length).toBe(history); // … the same one is not
  });

  it('RFC 5546 delegation names a substitute: they get an invitation of their own, the unit’s entry is cancelled', async () => {
    await feedInboundEmail(target(), fixture('rfc5546-delegated.eml'));
    await settle();
    const loaded = await eventually(
      () => t.store.loadCase(caseId),
      (l) => l.invitations.some((i) => i.email === 'anna.ek@kommun.example.se' && i.status === 'sent'),
    );
    expect(loaded.invitations.find((i) => i.inviteeId === 'inv-soc')).toMatchObject({ action: 'cancel' });
    const mails = await eventually(
      async () =>
        (await emailsFor(caseId)).filter(
          (m) => m.destination.to.includes('anna.ek@kommun.example.se') && hasCalendar(m),
        ),
      (m) => m.length > 0,
    );
    expect(calendarOf(mails[0]!).method).toBe('REQUEST');
    await eventually(
      async () =>
        (await emailsFor(caseId)).filter(
          (m) =>
            m.destination.to.includes('socialtjanst@kommun.example.se') &&
            hasCalendar(m) &&
            calendarOf(m).method === 'CANCEL',
        ),
      (m) => m.length > 0,
    );
  });

  it('a reply to an older SEQUENCE is recorded and ignored; a newer one, a foreign UID, another METHOD and a non-reply are rejections with reasons', async () => {
    const before = await invitation('inv-bup');
    const declinedOld = await variant(
      'outlook-accepted.eml',
      (ics) => ics.replace('PARTSTAT=ACCEPTED', 'PARTSTAT=DECLINED').replace(/^SEQUENCE:0$/m, 'SEQUENCE:0'),
      'bup@region.example.se',
    );
    // A reschedule raises the sequence to 1: the reply to 0 is old.
    const summons = JSON.parse(
      readFileSync(join(examplesDir, 'normal', '04-summons-sent.json'), 'utf8'),
    ) as TestEvent;
    const moved = {
      ...summons,
      id: 'evt-normal-04-moved',
      time: '2026-11-24T09:00:00+01:00',
      data: { ...(summons.data as object), startsAt: '2026-12-10T09:00' },
    };
    await publishBody(t.sqs, t.stack.queues, JSON.stringify(moved), moved.type as never);
    await settle();
    await eventually(
      () => invitation('inv-bup'),
      (i) => i?.sequence === 1 && i.status === 'sent',
    );
    await feedInboundEmail(target(), declinedOld);
    await settle();
    expect((await invitation('inv-bup'))?.response).toBe(before?.response);
    await eventually(
      () => t.store.listReplies(caseId),
      (log) => log.some((r) => r.inviteeId === 'inv-bup' && r.outcome === 'ignored' && r.sequence === 0),
    );

    const future = await variant(
      'outlook-accepted.eml',
      (ics) => ics.replace(/^SEQUENCE:0$/m, 'SEQUENCE:7'),
      'bup@region.example.se',
    );
    const foreign = await variant(
      'outlook-accepted.eml',
      (ics) => ics.replace('@halland.sip', '@varmland.sip'),
      'bup@region.example.se',
    );
    const unknown = await variant(
      'outlook-accepted.eml',
      (ics) => ics.replace('inv-bup@', 'inv-nobody@'),
      'bup@region.example.se',
    );
    const request = await variant(
      'outlook-accepted.eml',
      (ics) => ics.replace('METHOD:REPLY', 'METHOD:REQUEST'),
      'bup@region.example.se',
    );
    const plain =
      'From: someone@example.org\r\nTo: sip-kalender@halland.example.se\r\nSubject: Hej\r\n\r\nTack för kallelsen!\r\n';
    const rejectedBefore = (await inboundRejections()).length;
    for (const raw of [future, foreign, unknown, request, plain]) await feedInboundEmail(target(), raw);
    await settle();
    const reasons = (await eventually(inboundRejections, (r) => r.length >= rejectedBefore + 5)).map(
      (r) => r.reason,
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/SEQUENCE 7 is newer than any invitation sent/),
        expect.stringMatching(/not one of this county’s/),
        expect.stringMatching(/names no invitation of this system/),
        expect.stringMatching(/METHOD is REQUEST, not REPLY/),
        expect.stringMatching(/no calendar part/),
      ]),
    );
    expect(reasons.join('\n')).not.toMatch(/@(region|skola|kommun)\.example/); // no address in a reason
    expect((await invitation('inv-bup'))?.response).toBe(before?.response);
  });

  it('a forwarded invitation accepted by someone not invited is a proposal: kept for the organiser, who is told with ids only', async () => {
    // The reschedule above made the sequence 1.
    const forwarded = await variant(
      'forwarded-accepted.eml',
      (ics) => ics.replace(/^SEQUENCE:0$/m, 'SEQUENCE:1'),
      'kim.larare@skola.example.org',
    );
    await feedInboundEmail(target(), forwarded);
    await settle();
    const loaded = await eventually(
      () => t.store.loadCase(caseId),
      (l) => l.meetings.get(meetingId)?.invitees.some((i) => i.proposal) === true,
    );
    const skola = loaded.meetings.get(meetingId)?.invitees.find((i) => i.inviteeId === 'inv-skola');
    expect(skola?.proposal).toMatchObject({ name: 'Kim Lärare', email: 'kim.larare@skola.example.org' });
    expect(skola?.response?.value).toBe('declined'); // the unit's own answer stands
    expect(loaded.invitations.some((i) => i.email === 'kim.larare@skola.example.org')).toBe(false);
    const notice = [...loaded.notices.values()].find((n) => n.kind === 'substitute-proposed');
    expect(notice?.params).toEqual({ meetingId, inviteeId: 'inv-skola', organisationType: 'school' });
    const mails = await eventually(
      async () =>
        (await emailsFor(caseId)).filter(
          (m) => m.destination.to.includes('sip-bup@region.example.se') && /ersätta/.test(m.subject),
        ),
      (m) => m.length > 0,
    );
    expect(`${mails[0]?.body.text}`).not.toMatch(/kim|Lärare/i);
  });
});
