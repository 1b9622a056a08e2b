/**
 * Protected identity through the local runtime: markers planted in every forbidden field of the
 * protected scenario's events (in order, reordered, duplicated and malformed) must never reach the
 * table, a queue or DLQ, the SES emulator or the log.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb.ts';
import { recentDays, recentRejections, sesEmails, waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import { dynamoClient } from '../../local/runtime.ts';
import { type TestEvent, eventually, loadExample, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';
import { malformedWithMarkers, newMarkers, plantInSummons } from '../support/markers.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  t = await startTestStack({ orderingWaitSeconds: 120 });
});
afterAll(async () => t?.stop());

const publish = async (...bodies: string[]) => {
  for (const body of bodies) {
    let type = 'se.sip.summons.sent.v1';
    try {
      type = (JSON.parse(body) as { type?: string }).type ?? type;
    } catch {}
    await publishBody(t.sqs, t.stack.queues, body, type as never);
  }
};
const settle = () => waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 60_000);

/** The protected scenario's events under a fresh case id: by default up to the summons. */
const protectedScenario = (
  caseId: string,
  files = [
    '01-case-created.json',
    '02-consent-guardian-a.json',
    '03-consent-guardian-b.json',
    '04-summons-sent.json',
  ],
): TestEvent[] =>
  files.map((f) => {
    const e = loadExample<TestEvent>('protected', f);
    return { ...e, id: `${e.id}-${caseId}`, subject: caseId };
  });

const everythingWeWrote = async () => {
  const db = createDocumentClient(dynamoClient(t.stack.endpoints.dynamodb));
  const items: unknown[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: t.stack.tables[0], ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  const queued: string[] = [];
  for (const q of Object.values(t.stack.queues)) {
    for (const url of [q.url, q.dlqUrl]) {
      const out = await t.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
      queued.push(...(out.Messages ?? []).map((m) => m.Body ?? ''));
    }
  }
  return {
    table: JSON.stringify(items),
    queues: queued.join('\n'),
    ses: JSON.stringify(await sesEmails(t.stack.endpoints.ses)),
    log: t.log(),
  };
};

describe('protected identity end to end', () => {
  it('no marker from any forbidden field survives anywhere, in order, reordered, duplicated or malformed', async () => {
    const { all, mark } = newMarkers();
    const caseId = uniqueId('case');
    const [created, consentA, consentB, summons] = protectedScenario(caseId) as [
      TestEvent,
      TestEvent,
      TestEvent,
      TestEvent,
    ];
    const marked = plantInSummons(summons, mark);
    // Reordered (summons first, case last) and duplicated, with malformed variants.
    await publish(
      JSON.stringify(marked),
      JSON.stringify(marked),
      ...malformedWithMarkers(marked, mark),
      // Every other type of the scenario, with a field it must not carry.
      ...[created, consentA, consentB].map((e) =>
        JSON.stringify({ ...e, id: `${e.id}-notes`, data: { ...e.data, notes: mark(`notes-${e.type}`) } }),
      ),
      JSON.stringify(consentB),
      JSON.stringify(consentA),
      JSON.stringify(created),
    );
    await eventually(
      async () => (await t.store.loadCase(caseId)).case?.status,
      (s) => s === 'summoned',
      { timeoutMs: 40_000 },
    );
    await publish(JSON.stringify(marked), JSON.stringify(created)); // late duplicates
    await settle();

    // The rest of the case's life, each type carrying what it must not: the coordinator's email on
    // the plan, and an unknown free-text field on every type.
    const rest = protectedScenario(caseId, [
      '05-invitation-responded.json',
      '06-plan-established.json',
      '07-followup-due.json',
      '08-case-closed.json',
    ]);
    const [responded, plan, followUp, closed] = rest as [TestEvent, TestEvent, TestEvent, TestEvent];
    const planWithEmail = {
      ...plan,
      data: {
        ...plan.data,
        coordinator: {
          ...(plan.data.coordinator as object),
          email: `${mark('coordmail').toLowerCase()}@example.se`,
        },
      },
    };
    for (const e of rest) {
      await publish(
        JSON.stringify({ ...e, id: `${e.id}-notes`, data: { ...e.data, notes: mark(`notes-${e.type}`) } }),
      );
    }
    for (const e of [responded, planWithEmail, planWithEmail, followUp, followUp, closed]) {
      await publish(JSON.stringify(e));
      await settle();
    }
    expect((await t.store.loadCase(caseId)).case?.status).toBe('closed');

    const loaded = await t.store.loadCase(caseId);
    // Phone tasks only: three for the SIP meeting, one reminder each for the follow-up.
    expect(loaded.invitations.length).toBeGreaterThanOrEqual(6);
    expect(loaded.invitations.every((i) => i.channel === 'phone' && !i.email && !i.unitName)).toBe(true);
    expect(loaded.plans.get('plan-case-hl-2001-1')?.coordinator.email).toBeUndefined();
    expect(loaded.meetings.get(marked.data.meetingId as string)?.location).toBeUndefined();

    const written = await everythingWeWrote();
    for (const where of ['table', 'queues', 'ses', 'log'] as const) {
      for (const m of all)
        expect(written[where].toLowerCase(), `${m} found in the ${where}`).not.toContain(m.toLowerCase());
    }
    expect(written.ses).not.toContain(caseId);

    const deviations = (await Promise.all(recentDays().map((d) => t.store.listDeviations(d)))).flat();
    const mine = deviations.filter((d) => d.caseId === caseId);
    // The summons' place, free text and addresses, and the plan's address of the coordinator.
    expect(mine.map((d) => d.eventId).sort()).toEqual([marked.id, plan.id].sort());
    expect(mine.find((d) => d.eventId === marked.id)?.fields).toEqual(
      expect.arrayContaining(['location.place', 'purpose', 'invitees[].email']),
    );
    expect(mine.find((d) => d.eventId === plan.id)?.fields).toEqual(['coordinator.email']);
  });

  it('a case flagged later moves to the phone path: stored places and names go, no email is sent again', async () => {
    const caseId = uniqueId('case');
    const normal = [
      '01-case-created.json',
      '02-consent-guardian-a.json',
      '03-consent-guardian-b.json',
      '04-summons-sent.json',
    ].map((f) => {
      const e = loadExample<TestEvent>('normal', f);
      return { ...e, id: `${e.id}-${caseId}`, subject: caseId };
    });
    await publish(...normal.map((e) => JSON.stringify(e)));
    await settle();
    const before = (await sesEmails(t.stack.endpoints.ses)).filter((e) =>
      e.subject.includes(`${caseId})`),
    ).length;
    expect(before).toBe(3);

    const flag = {
      ...loadExample<TestEvent>('normal', '01-case-created.json'),
      id: uniqueId('evt'),
      type: 'se.sip.case.protection.changed.v1',
      subject: caseId,
      data: { county: 'halland', protectedIdentity: true, reason: 'violence-in-close-relationship' },
    };
    await publish(JSON.stringify(flag));
    await settle();
    const loaded = await t.store.loadCase(caseId);
    expect(loaded.case?.protectedIdentity).toBe(true);
    expect(JSON.stringify([...loaded.meetings.values(), ...loaded.invitations])).not.toMatch(
      /Konferensrum|BUP Halland|Elevhälsan|@region\.example|@kommun\.example|@skola\.example/,
    );
    expect(loaded.invitations.every((i) => i.channel === 'phone' && i.status === 'to-call')).toBe(true);

    // A reschedule after the flag: phone tasks only, still no email.
    const moved = {
      ...normal[3],
      id: uniqueId('evt'),
      time: '2026-11-23T10:00:00+01:00',
      data: { ...normal[3]?.data, startsAt: '2026-12-10T09:00' },
    };
    await publish(JSON.stringify(moved));
    await settle();
    expect(
      (await sesEmails(t.stack.endpoints.ses)).filter((e) => e.subject.includes(`${caseId})`)).length,
    ).toBe(before);

    // Protection is never cleared by an event.
    await publish(
      JSON.stringify({
        ...flag,
        id: uniqueId('evt'),
        time: '2026-12-01T10:00:00+01:00',
        data: { ...flag.data, protectedIdentity: false },
      }),
    );
    await settle();
    expect((await t.store.loadCase(caseId)).case?.protectedIdentity).toBe(true);
    const rejections = await recentRejections(t.store);
    expect(rejections.some((r) => r.caseId === caseId && /may set but never clear/.test(r.reason))).toBe(
      true,
    );
  });

  it('the coordinator’s system completes a phone task', async () => {
    const caseId = uniqueId('case');
    await publish(...protectedScenario(caseId).map((e) => JSON.stringify(e)));
    await settle();
    const task = {
      ...loadExample<TestEvent>('protected', '01-case-created.json'),
      id: uniqueId('evt'),
      // Reported after the summons it answers (a call reported before its task existed is void).
      time: '2026-11-24T10:00:00+01:00',
      type: 'se.sip.phone-task.completed.v1',
      subject: caseId,
      data: {
        county: 'halland',
        meetingId: 'meeting-case-hl-2001-1',
        inviteeId: 'inv-soc',
        outcome: 'agreed',
      },
    };
    await publish(JSON.stringify(task));
    await settle();
    const invitations = (await t.store.loadCase(caseId)).invitations;
    expect(invitations.find((i) => i.inviteeId === 'inv-soc')?.status).toBe('called');
  });
});
