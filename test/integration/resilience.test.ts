/**
 * Resilience against the real emulators: duplicates (some concurrent), shuffled order, and a corpus
 * of malformed input. The same final state, one history entry per event, one email per invitation,
 * and every message accounted for.
 */
import { noticeView } from '../../functions/core/meeting.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventTypes } from '../../events/contracts.ts';
import { recentRejections, waitUntilDrained } from '../../local/inspect.ts';
import { publishBody } from '../../local/publisher.ts';
import { type TestEvent, examplesDir, freshCaseCreated, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';
import { emailsFor } from '../support/mail.ts';

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  t = await startTestStack({ orderingWaitSeconds: 120 });
});
afterAll(async () => t?.stop());

type Scenario = 'normal' | 'protected';
const settle = () => waitUntilDrained(t.sqs, t.stack.queues, t.stack.waitingTypes, 60_000);
const scenario = (name: Scenario, caseId: string): TestEvent[] =>
  readdirSync(join(examplesDir, name))
    .sort()
    .map((f) => {
      const e = JSON.parse(readFileSync(join(examplesDir, name, f), 'utf8')) as TestEvent;
      return { ...e, id: `${e.id}-${caseId}`, subject: caseId };
    });
const send = (e: TestEvent | string, type?: string) =>
  publishBody(
    t.sqs,
    t.stack.queues,
    typeof e === 'string' ? e : JSON.stringify(e),
    (type ?? (e as TestEvent).type) as never,
  );

/** The final state, without the case id, for comparing runs. */
const finalState = async (caseId: string) => {
  const loaded = await t.store.loadCase(caseId);
  const history = await t.store.listHistory(caseId);
  const emails = await emailsFor(caseId);
  return {
    case: {
      status: loaded.case?.status,
      consentStatus: loaded.case?.consentStatus,
      closeReason: loaded.case?.closeReason,
      version: loaded.case?.version,
    },
    history: history.map((h) => h.eventType).sort(),
    meetings: [...loaded.meetings.values()].map((m) => `${m.meetingId}:${m.status}:${m.sequence}`).sort(),
    invitations: loaded.invitations
      .map((i) => `${i.meetingId}:${i.inviteeId}:${i.channel}:${i.status}:${i.sequence}`)
      .sort(),
    notices: [...loaded.notices.values()]
      .map(
        (n) =>
          `${n.noticeId}:${noticeView(loaded.case?.protectedIdentity ?? false, n, loaded.deliveries).status}`,
      )
      .sort(),
    emails: emails.map((m) => `${m.destination.to.join()}|${m.subject.replace(caseId, 'CASE')}`).sort(),
  };
};
const dlqTotal = async () => {
  let n = 0;
  for (const q of Object.values(t.stack.queues)) {
    const out = await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    n += out.Messages?.length ?? 0;
  }
  return n;
};

const reference = new Map<Scenario, Awaited<ReturnType<typeof finalState>>>();
const referenceOf = async (name: Scenario) => {
  const cached = reference.get(name);
  if (cached) return cached;
  const caseId = uniqueId('ref');
  for (const e of scenario(name, caseId)) {
    await send(e);
    await settle();
  }
  const state = await finalState(caseId);
  reference.set(name, state);
  return state;
};

/** A seeded shuffle (mulberry32), so a failing order can be replayed. */
const shuffle = <T>(items: T[], seed: number): T[] => {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

describe.each(['normal', 'protected'] as Scenario[])('%s scenario', (name) => {
  it('every event delivered three times, the copies concurrently: the same final state, one history entry per event, one email per invitation', async () => {
    const expected = await referenceOf(name);
    const caseId = uniqueId('dup');
    for (const e of scenario(name, caseId)) {
      await Promise.all([send(e), send(e), send(e)]);
      await settle();
    }
    const state = await finalState(caseId);
    expect(state).toEqual(expected);
    expect(state.history).toHaveLength(8);
    expect(await dlqTotal()).toBe(0);
  });

  it.each([1, 7, 42])(
    'case, consents and summons shuffled (seed %i), later events in order but duplicated: the same final state',
    async (seed) => {
      const expected = await referenceOf(name);
      const caseId = uniqueId(`ord${seed}`);
      const events = scenario(name, caseId);
      for (const e of shuffle(events.slice(0, 4), seed)) await send(e);
      await settle();
      for (const e of events.slice(4)) {
        await Promise.all([send(e), send(e)]);
        await settle();
      }
      expect(await finalState(caseId)).toEqual(expected);
      expect(await dlqTotal()).toBe(0);
    },
  );
});

describe('bad input', () => {
  it('a corpus of over 200 malformed messages: no crash, every message applied, rejected with a reason, or parked', async () => {
    const valid = freshCaseCreated();
    const corpus: { body: string; type: string }[] = [];
    // SQS refuses characters outside XML's range (#xFFFE, #xFFFF …); JSON can carry them escaped.
    const sqsSafe = (body: string) =>
      body.replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
    const add = (body: string, type: string = eventTypes.caseCreated) =>
      corpus.push({ body: sqsSafe(body), type });
    // Invalid JSON.
    for (const body of [
      '\t', // SQS refuses an empty body, and characters outside XML's range
      ' ',
      '{',
      '}',
      '[',
      'null',
      'true',
      '42',
      '"text"',
      '{"a":}',
      "{'single':1}",
      '{"a":1,}',
      'NaN',
      '{"a":undefined}',
      '\u00a0',
      '{"a":"\\x"}',
      '<xml/>',
      '{"a":1}{"b":2}',
      '\ufeff{}',
      '{"specversion":"1.0"',
    ])
      add(body);
    // Wrong specversion, type, id, time, subject, datacontenttype.
    for (const specversion of ['0.3', '1', '2.0', 1, null, ''])
      add(JSON.stringify({ ...valid, id: uniqueId('e'), specversion }));
    for (const type of [
      'se.sip.unknown.v1',
      'se.sip.case.created.v2',
      '\t', // SQS refuses an empty body, and characters outside XML's range
      7,
      null,
      'SE.SIP.CASE.CREATED.V1',
      eventTypes.summonsSent,
      'x'.repeat(300),
    ])
      add(JSON.stringify({ ...valid, id: uniqueId('e'), type }));
    for (const id of [undefined, '', 7, null, 'x'.repeat(200), ['a'], { a: 1 }])
      add(JSON.stringify({ ...valid, id }));
    for (const time of ['yesterday', '2026-13-01T00:00:00Z', '2026-11-20T08:15:00', 1700000000, ''])
      add(JSON.stringify({ ...valid, id: uniqueId('e'), time }));
    for (const subject of ['', 'a', '19121212-1212', '../../etc', 'case with spaces', 'x'.repeat(100), 5])
      add(JSON.stringify({ ...valid, id: uniqueId('e'), subject }));
    for (const datacontenttype of ['text/plain', '', 'application/xml'])
      add(JSON.stringify({ ...valid, id: uniqueId('e'), datacontenttype }));
    // Wrong field types, every field of the data.
    const wrong = [null, 7, true, 'text', [], {}, -1, 1.5];
    for (const field of ['county', 'initiator', 'ageGroup', 'protectedIdentity', 'needDiscoveredOn'])
      for (const value of wrong) {
        if (field === 'protectedIdentity' && value === true) continue;
        add(JSON.stringify({ ...valid, id: uniqueId('e'), data: { ...valid.data, [field]: value } }));
      }
    for (const key of ['principal', 'organisationType', 'unitId'])
      for (const value of [null, 7, '', 'x'.repeat(80)])
        add(
          JSON.stringify({
            ...valid,
            id: uniqueId('e'),
            data: { ...valid.data, initiator: { ...(valid.data.initiator as object), [key]: value } },
          }),
        );
    // Missing fields, and fields we never asked for.
    for (const field of ['county', 'initiator', 'ageGroup', 'protectedIdentity', 'needDiscoveredOn']) {
      const { [field]: _omit, ...data } = valid.data;
      add(JSON.stringify({ ...valid, id: uniqueId('e'), data }));
    }
    for (const extra of ['personalIdentityNumber', 'name', 'address', 'diagnosis', 'notes'])
      add(JSON.stringify({ ...valid, id: uniqueId('e'), data: { ...valid.data, [extra]: 'x' } }));
    // Oversized payloads (SQS takes up to 256 KiB) and unicode edge cases.
    for (const size of [1_000, 50_000, 200_000])
      add(JSON.stringify({ ...valid, id: uniqueId('e'), source: 'x'.repeat(size) }));
    for (const s of [
      '💥',
      '\u202e',
      '\ud800',
      'e\u0301',
      '\u00a0',
      'ÅÄÖ',
      '𝔘𝔫𝔦',
      '\ufffd',
      'a\nb',
      '"quoted"',
    ])
      for (const field of ['id', 'subject', 'county'] as const) {
        const body =
          field === 'county'
            ? { ...valid, id: uniqueId('e'), data: { ...valid.data, county: s } }
            : { ...valid, id: `${s}${uniqueId('')}`, [field]: `${s}${field}` };
        add(JSON.stringify(body));
      }
    // Events for unknown counties, and for a county that is not this stack's.
    for (const county of [
      'atlantis',
      'stockholm',
      'varmland',
      'gavleborg',
      'HALLAND',
      'hal land',
      'h',
      'skåne',
    ])
      add(
        JSON.stringify({
          ...valid,
          id: uniqueId('e'),
          subject: uniqueId('case'),
          data: { ...valid.data, county },
        }),
      );
    // Property-based: arbitrary JSON values from fast-check, on every queue.
    const types = [
      eventTypes.caseCreated,
      eventTypes.consentRegistered,
      eventTypes.summonsSent,
      eventTypes.followupDue,
    ];
    fc.sample(fc.jsonValue(), { numRuns: 60, seed: 4242 }).forEach((v, n) =>
      add(JSON.stringify(v), types[n % types.length]),
    );
    // …and events generated from the contract with one field broken.
    fc.sample(
      fc.record({
        field: fc.constantFrom('county', 'ageGroup', 'needDiscoveredOn', 'protectedIdentity'),
        value: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      }),
      { numRuns: 40, seed: 7 },
    ).forEach(({ field, value }) =>
      add(
        JSON.stringify({
          ...valid,
          id: uniqueId('e'),
          data: { ...valid.data, [field]: value === 'halland' ? null : value },
        }),
      ),
    );

    expect(corpus.length).toBeGreaterThanOrEqual(200);
    const ids = new Set<string>();
    let refusedBySqs = 0;
    for (const m of corpus) {
      try {
        ids.add(await send(m.body, m.type));
      } catch (error) {
        // SQS itself refuses some bodies (characters outside XML's range): never published, never ours.
        if (!/InvalidMessageContents/.test((error as Error).name + (error as Error).message)) throw error;
        refusedBySqs++;
      }
    }
    expect(ids.size).toBeGreaterThanOrEqual(200);
    await settle();

    const rejected = (await recentRejections(t.store)).filter((r) => ids.has(r.messageId));
    const log = t
      .log()
      .split('\n')
      .filter((l) => /"outcome":"(applied|duplicate|superseded)"/.test(l));
    const applied = [...ids].filter((id) => log.some((l) => l.includes(`"messageId":"${id}"`))).length;
    const parked = await dlqTotal();
    console.log(
      `bad input: published ${ids.size} = applied ${applied} + rejected ${rejected.length} + parked in a DLQ ${parked} (SQS refused ${refusedBySqs} more at send)`,
    );
    expect(applied + rejected.length + parked).toBe(ids.size);
    for (const r of rejected) expect(r.reason.length).toBeGreaterThan(5);
    expect(t.log()).not.toMatch(/"level":"(ERROR|CRITICAL)".*worker failed|unhandled/i);
  });
});
