/**
 * Outbound events end to end (issue 14): both example scenarios through the embedded stack, the
 * table's stream, the publisher and the SNS FIFO topic on the emulator, read from the tap queue
 * the way an upstream subscriber's queue receives them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundEvent } from '../../functions/core/outbound.ts';
import { publishScenario, takeOutbound, waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import { snsClient } from '../../local/runtime.ts';
import { examplesDir, freshSummons, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
const received: OutboundEvent[] = [];
beforeAll(async () => {
  t = await startTestStack();
  await publishScenario(t.sqs, t.stack, join(examplesDir, 'normal'));
  await publishScenario(t.sqs, t.stack, join(examplesDir, 'protected'));
  received.push(...(await takeOutbound(t.sqs, t.stack.outbound.queueUrl, 3)));
}, 180_000);
afterAll(async () => t?.stop());

const summary = (events: OutboundEvent[]) =>
  events.map((e) => {
    const d = e.data as Record<string, unknown>;
    return [e.type.replace(/^se\.sip\.|\.v1$/g, ''), d.status ?? d.kind ?? '', d.inviteeId ?? '']
      .join(' ')
      .trim();
  });

const ofCase = (caseId: string) => received.filter((e) => e.subject === caseId);
/** The invitation's own status, not what became of an email about it (those carry `email`). */
const isEmail = (e: OutboundEvent) => (e.data as { email?: string }).email !== undefined;

describe('outbound events of the example scenarios', () => {
  it('the normal scenario tells upstream each status, invitation and reminder, in the case’s order', () => {
    expect(summary(ofCase('case-hl-1001').filter((e) => !isEmail(e)))).toEqual([
      'case.status-changed awaiting-consent',
      'case.status-changed consented',
      'case.status-changed summoned',
      'invitation.status-changed invited inv-bup',
      'invitation.status-changed invited inv-soc',
      'invitation.status-changed invited inv-skola',
      'invitation.status-changed accepted inv-soc',
      'case.status-changed plan-active',
      'family-survey.ready',
      'invitation.status-changed invited inv-bup',
      'invitation.status-changed invited inv-soc',
      'invitation.status-changed invited inv-skola',
      'invitation.status-changed invited coordinator',
      'reminder.due follow-up',
      'case.status-changed closed',
    ]);
  });

  it('the normal scenario tells that each invitation’s email was sent, once, with the SEQUENCE it carried', () => {
    const events = ofCase('case-hl-1001');
    const invited = events
      .filter((e) => !isEmail(e) && e.type === 'se.sip.invitation.status-changed.v1')
      .filter((e) => e.data.status === 'invited')
      .map(
        (e) => `${String(e.data.meetingId)} ${String(e.data.inviteeId)} ${String(e.data.meetingSequence)}`,
      );
    const sent = events
      .filter((e) => isEmail(e) && e.data.status === 'sent' && e.data.email === 'invitation')
      .map(
        (e) => `${String(e.data.meetingId)} ${String(e.data.inviteeId)} ${String(e.data.meetingSequence)}`,
      );
    expect(sent.sort()).toEqual(invited.sort());
    // Each email's status once: a redelivered report or send tells nothing again.
    const emails = events.filter(isEmail).map((e) => JSON.stringify(e.data));
    expect(new Set(emails).size).toBe(emails.length);
    // No email status of the protected case: nothing is emailed about it.
    expect(ofCase('case-hl-2001').filter(isEmail)).toEqual([]);
  });

  it('the protected scenario gives phone tasks, never an invitation, and nothing location-like, no text, no address', () => {
    const events = ofCase('case-hl-2001');
    expect(summary(events)).toEqual([
      'case.status-changed awaiting-consent',
      'case.status-changed consented',
      'case.status-changed summoned',
      'phone-task.created to-call inv-bup',
      'phone-task.created to-call inv-soc',
      'phone-task.created to-call inv-skola',
      'case.status-changed plan-active',
      'family-survey.ready',
      'phone-task.created to-call inv-bup',
      'phone-task.created to-call inv-soc',
      'phone-task.created to-call inv-skola',
      'reminder.due follow-up',
      'case.status-changed closed',
    ]);
    const text = JSON.stringify(events);
    expect(text).not.toMatch(/@/);
    expect(text).not.toMatch(/place|location|address|purpose|unitName|name"/i);
    for (const e of events)
      expect((e.data as { protectedIdentity?: boolean }).protectedIdentity ?? true).toBe(true);
  });

  it('numbers each case’s events 1, 2, 3 … without a gap or a repeat, in arrival order, as CloudEvents 1.0', () => {
    for (const caseId of ['case-hl-1001', 'case-hl-2001']) {
      const events = ofCase(caseId);
      expect(events.map((e) => Number(e.sequence))).toEqual(events.map((_, i) => i + 1));
      for (const e of events) {
        expect(e).toMatchObject({
          specversion: '1.0',
          source: 'urn:sip:halland',
          datacontenttype: 'application/json',
          subject: caseId,
          sequence: expect.stringMatching(/^\d{12}$/),
        });
      }
    }
    expect(new Set(received.map((e) => e.id)).size).toBe(received.length);
  });

  it('a protected case’s coordinator gets the family survey through upstream: its printable page works (issue 15)', async () => {
    const [ready] = ofCase('case-hl-2001').filter((e) => e.type === 'se.sip.family-survey.ready.v1');
    const printUrl = String(ready?.data.printUrl);
    expect(printUrl.startsWith(`${t.stack.endpoints.invitations}/p/`), printUrl).toBe(true);
    const page = await fetch(printUrl);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('<svg');
    const short = /https?:\/\/[^"<\s]+\/f\/[A-Za-z0-9]+/.exec(body)?.[0];
    expect(short, 'the printable page shows the short link').toBeDefined();
    expect((await fetch(short ?? '')).status).toBe(200);
    // The normal case's organiser has it by email too; upstream hears of it the same way.
    expect(ofCase('case-hl-1001').filter((e) => e.type === 'se.sip.family-survey.ready.v1')).toHaveLength(1);
  });

  it('each one is valid for its generated JSON Schema (events/schema/outbound/, ajv)', () => {
    const ajv = new Ajv2020.default({ strict: true, allErrors: true, strictTypes: false });
    addFormats.default(ajv);
    for (const e of received) {
      const validate =
        ajv.getSchema(e.type) ??
        ajv
          .addSchema(
            JSON.parse(readFileSync(join(examplesDir, '..', 'schema', 'outbound', `${e.type}.json`), 'utf8')),
            e.type,
          )
          .getSchema(e.type);
      expect(validate?.(e), `${e.type}: ${JSON.stringify(validate?.errors)}`).toBe(true);
    }
  });
});

describe('rejections reach their publisher (issue 14)', () => {
  it('a queue subscribed with a filter on its own source gets its rejections and no one else’s', async () => {
    const name = `${uniqueId('bup')}.fifo`;
    const queue = await t.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true' } }),
    );
    const arn = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const sns = snsClient(t.stack.endpoints.sns);
    await sns.send(
      new SubscribeCommand({
        TopicArn: t.stack.outbound.topicArn,
        Protocol: 'sqs',
        Endpoint: arn.Attributes?.QueueArn,
        Attributes: {
          RawMessageDelivery: 'true',
          FilterPolicy: JSON.stringify({
            type: ['se.sip.event.rejected.v1'],
            publisher: ['urn:se:halland:journal:bup-system'],
          }),
        },
      }),
    );
    sns.destroy();
    // Two summonses with an invalid meeting id, from two publishers: both rejected.
    const mine = freshSummons(uniqueId('case'), {
      source: 'urn:se:halland:journal:bup-system',
      data: { meetingId: 'x' },
    });
    const theirs = freshSummons(uniqueId('case'), {
      source: 'urn:se:halland:kommun:procapita',
      data: { meetingId: 'x' },
    });
    for (const e of [mine, theirs])
      await publishBody(t.sqs, t.stack.queues, JSON.stringify(e), e.type as never);
    await waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 60_000);
    const got: OutboundEvent[] = [];
    const deadline = Date.now() + 30_000;
    while (got.length === 0 && Date.now() < deadline)
      got.push(...(await takeOutbound(t.sqs, queue.QueueUrl ?? '', 1)));
    got.push(...(await takeOutbound(t.sqs, queue.QueueUrl ?? '', 2)));
    expect(
      got.map((e) => [
        e.type,
        (e.data as { eventId?: string }).eventId,
        (e.data as { source?: string }).source,
      ]),
    ).toEqual([['se.sip.event.rejected.v1', mine.id, 'urn:se:halland:journal:bup-system']]);
    expect((got[0]?.data as { reason?: string }).reason).toMatch(/^data\.meetingId: /);
  }, 120_000);
});
