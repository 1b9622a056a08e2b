/**
 * The invitation page (issue 13) against DynamoDB Local: the link shows the current state, every
 * answer goes through the pipeline, and forged, expired, revoked, cross-site, replayed, oversized
 * and odd input is refused the way the issue asks.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import { createSummonsSentHandler } from '../../functions/summons-sent/apply.ts';
import { createInvitationPageHandler } from '../../functions/invitation-page/apply.ts';
import { linkToken } from '../../functions/core/invitation-link.ts';
import { countyById } from '../../lib/counties.ts';
import { freshTable } from '../support/dynamo.ts';
import {
  freshCaseCreated,
  freshConsent,
  freshSummons,
  invokeBatch,
  sqsRecord,
  uniqueId,
} from '../support/fixtures.ts';

const KEY = 'test-link-key-0123456789abcdef0123456789abcdef';
const county = countyById('halland');
let t: Awaited<ReturnType<typeof freshTable>>;
let now = new Date('2026-12-01T10:00:00Z');
const clock = () => now;

beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

/** A case summoned to the example meeting (9 December 2026), all through the consumers. */
const summonedCase = async (summonsData: Record<string, unknown> = {}) => {
  const deps = { county, store: t.store, now: clock };
  const c = freshCaseCreated();
  await invokeBatch(createCaseCreatedHandler(deps), [sqsRecord(JSON.stringify(c))]);
  const a = freshConsent(c.subject);
  const b = {
    ...a,
    id: uniqueId('evt'),
    data: { ...a.data, givenBy: [{ partyId: `${c.subject}-guardian-b`, role: 'guardian' }] },
  };
  await invokeBatch(createConsentRegisteredHandler(deps), [
    sqsRecord(JSON.stringify(a)),
    sqsRecord(JSON.stringify(b)),
  ]);
  const s = freshSummons(c.subject, { data: summonsData });
  const r = await invokeBatch(createSummonsSentHandler(deps), [sqsRecord(JSON.stringify(s))]);
  expect(r.batchItemFailures).toEqual([]);
  const meetingId = (s.data as { meetingId: string }).meetingId;
  return { caseId: c.subject, meetingId };
};

const handler = () =>
  createInvitationPageHandler({
    county,
    rules: () => county.rules,
    store: t.store,
    now: clock,
    linkKey: async () => KEY,
    contact: 'sip@halland.example.se',
  });

const request = (
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: string; headers?: Record<string, string>; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: `${method} /i/{token}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers: {
      host: 'sip.example.se',
      ...(method === 'POST'
        ? { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://sip.example.se' }
        : {}),
      ...opts.headers,
    },
    queryStringParameters: opts.query,
    requestContext: { http: { method, path }, domainName: 'sip.example.se' },
    body: opts.body,
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

type Result = APIGatewayProxyStructuredResultV2 & { body: string; headers: Record<string, string> };
const call = async (h: ReturnType<typeof handler>, e: APIGatewayProxyEventV2) => (await h(e)) as Result;

/** The hidden fields of a rendered form (what a browser would post back). */
const hiddenOf = (html: string) => ({
  nonce: /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '',
  form: /name="form" value="([^"]+)"/.exec(html)?.[1] ?? '',
});
const post = async (
  h: ReturnType<typeof handler>,
  path: string,
  fields: Record<string, string>,
  headers = {},
) => {
  const shown = await call(h, request('GET', path));
  return call(
    h,
    request('POST', path, {
      body: new URLSearchParams({ ...hiddenOf(shown.body), ...fields }).toString(),
      headers,
    }),
  );
};

describe('the invitation page (issue 13)', () => {
  it('shows the current meeting with purpose, goal and questions, logs the access, and sets the security headers', async () => {
    const { caseId, meetingId } = await summonedCase();
    const h = handler();
    const path = `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-soc' })}`;
    const res = await call(h, request('GET', path));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('onsdag 9 december 2026 kl. 09:00–10:30');
    expect(res.body).toContain('Konferensrum Ätran');
    expect(res.body).toContain('Samordna stödet i skolan och hemma');
    expect(res.body).toContain('Vilket stöd behövs i skolan?');
    expect(res.body).toContain('Elevhälsan'); // the invited units
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers).toMatchObject({
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex, nofollow',
    });
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(Buffer.byteLength(res.body)).toBeLessThanOrEqual(30 * 1024);
    const access = await t.store.listAccess(caseId);
    expect(access).toMatchObject([
      { inviteeId: 'inv-soc', who: 'invitee:inv-soc', what: 'purpose-goal-questions' },
    ]);
  });

  it('shows English to an invitee with locale "en"', async () => {
    const { caseId, meetingId } = await summonedCase();
    const res = await call(
      handler(),
      request('GET', `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-skola' })}`),
    );
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('Wednesday 9 December 2026, 09:00–10:30');
  });

  it('applies each answer through the pipeline; a replayed POST is applied once', async () => {
    const { caseId, meetingId } = await summonedCase();
    const h = handler();
    const path = `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-skola' })}`;
    expect((await post(h, path, { answer: 'received' })).statusCode).toBe(303);
    const shown = await call(h, request('GET', path));
    const fields = { ...hiddenOf(shown.body), answer: 'accepted', name: 'Anna Ek', role: 'kurator' };
    const first = await call(h, request('POST', path, { body: new URLSearchParams(fields).toString() }));
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`${path}?done=1`);
    const replay = await call(h, request('POST', path, { body: new URLSearchParams(fields).toString() }));
    expect(replay.statusCode).toBe(303);
    // Another answer from the same page (its forms share one nonce; Back restores it) is not a
    // replay. (A second later: answers at the same instant are ordered by id.)
    now = new Date(now.getTime() + 1000);
    const otherAnswer = {
      ...fields,
      answer: 'substitute',
      name: 'Bo Ek',
      email: 'bo.ek@kommun.example.se',
    };
    expect(
      (await call(h, request('POST', path, { body: new URLSearchParams(otherAnswer).toString() })))
        .statusCode,
    ).toBe(303);
    expect(
      (await t.store.loadCase(caseId)).meetings
        .get(meetingId)
        ?.invitees.find((i) => i.inviteeId === 'inv-skola')?.response?.value,
    ).toBe('substitute');
    const back = { ...fields, answer: 'accepted', name: 'Anna Ek', role: 'kurator', nonce: fields.nonce };
    expect(
      (await call(h, request('POST', path, { body: new URLSearchParams(back).toString() }))).statusCode,
    ).toBe(303); // the same answer as the first: a replay of it, applied once
    expect(
      (await post(h, path, { answer: 'clarification', message: 'Vilka frågor gäller skolan?' })).statusCode,
    ).toBe(303);
    const loaded = await t.store.loadCase(caseId);
    const history = loaded.history.filter((x) => x.eventType === 'se.sip.invitation.responded.v1');
    expect(history).toHaveLength(4); // received, accepted (once), substitute, clarification
    const invitee = loaded.meetings.get(meetingId)?.invitees.find((i) => i.inviteeId === 'inv-skola');
    expect(invitee?.response).toMatchObject({
      value: 'substitute',
      substitute: { name: 'Bo Ek', email: 'bo.ek@kommun.example.se' },
    });
    expect(invitee?.receivedVersion).toBeDefined();
    expect([...loaded.notices.values()].map((n) => n.kind)).toEqual(['clarification-requested']);
    const after = await call(h, request('GET', path, { query: { done: '1' } }));
    expect(after.body).toContain('Thank you, your answer is recorded.');
    expect(after.body).toContain('You sent a substitute (Bo Ek).');
  });

  it('an obliged unit cannot decline: it is told to send a substitute or contact the organiser (seed 002)', async () => {
    const { caseId, meetingId } = await summonedCase();
    const h = handler();
    const path = `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-soc' })}`;
    const shown = await call(h, request('GET', path));
    expect(shown.body).not.toContain('value="declined"');
    const res = await post(h, path, { answer: 'declined' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('skyldig att delta');
    expect((await t.store.loadCase(caseId)).history.some((x) => x.eventType.includes('responded'))).toBe(
      false,
    );
  });

  it('ties every error to its field, keeps what was typed, and limits free text', async () => {
    const { caseId, meetingId } = await summonedCase();
    const h = handler();
    const path = `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-skola' })}`;
    const res = await post(h, path, {
      answer: 'substitute',
      name: 'Bo <b>Ek</b>\u202e',
      email: 'not-an-address',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="substitute-email" name="email"');
    expect(res.body).toMatch(/aria-describedby="substitute-email-error" aria-invalid="true"/);
    expect(res.body).toContain('value="Bo &lt;b&gt;Ek&lt;/b&gt;');
    // What the event's contract refuses, the page refuses on the field (never a bare 400).
    const dots = await post(h, path, { answer: 'substitute', name: 'Bo', email: 'anna..svensson@kommun.se' });
    expect(dots.statusCode).toBe(400);
    expect(dots.body).toMatch(/aria-describedby="substitute-email-error" aria-invalid="true"/);
    const long = await post(h, path, { answer: 'clarification', message: 'å'.repeat(1001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain(
      'Högst 1000 tecken'.replace('Högst', 'At most').replace('tecken', 'characters'),
    );
    const huge = await post(h, path, { answer: 'clarification', message: 'x'.repeat(20_000) });
    expect(huge.statusCode).toBe(403);
  });

  it('forged, other-invitee, revoked and expired links all get the same "not valid" page', async () => {
    const { caseId, meetingId } = await summonedCase();
    const h = handler();
    const genuine = linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-soc' });
    const forged = linkToken('another-key-0123456789abcdef0123456789', {
      caseId,
      meetingId,
      inviteeId: 'inv-soc',
    });
    const [payload = '', mac = ''] = genuine.split('.');
    const otherPayload = Buffer.from(
      Buffer.from(payload, 'base64url').toString().replace('inv-soc', 'inv-bup'),
    ).toString('base64url');
    const unknown = linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-nobody' });
    const bodies: string[] = [];
    for (const token of [
      forged,
      `${otherPayload}.${mac}`,
      unknown,
      'garbage',
      `${payload}.${mac.slice(1)}x`,
    ]) {
      const res = await call(h, request('GET', `/i/${token}`));
      expect(res.statusCode).toBe(404);
      bodies.push(res.body);
    }
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('Länken gäller inte');
    // Revoked: the invitee is dropped by a newer summons.
    const dropped = freshSummons(caseId, { time: '2026-11-24T09:00:00+01:00', id: uniqueId('evt') });
    const d = dropped.data as { invitees: { inviteeId: string }[] };
    d.invitees = d.invitees.filter((i) => i.inviteeId !== 'inv-skola');
    await invokeBatch(createSummonsSentHandler({ county, store: t.store, now: clock }), [
      sqsRecord(JSON.stringify(dropped)),
    ]);
    const revoked = await call(
      h,
      request('GET', `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-skola' })}`),
    );
    expect(revoked.statusCode).toBe(404);
    expect(revoked.body).toBe(bodies[0]);
    // Expired: 14 days after the meeting (9 December) the link still works; on the 15th it does not.
    now = new Date('2026-12-23T20:00:00Z');
    expect((await call(h, request('GET', `/i/${genuine}`))).statusCode).toBe(200);
    now = new Date('2026-12-24T08:00:00Z');
    const expired = await call(h, request('GET', `/i/${genuine}`));
    expect(expired.statusCode).toBe(404);
    expect(expired.body).toBe(bodies[0]);
    now = new Date('2026-12-01T10:00:00Z');
  });

  it('a forged link costs the same one read of the case as a genuine one (no timing tells them apart by work done)', async () => {
    const { caseId, meetingId } = await summonedCase();
    const reads: string[] = [];
    const counting = Object.create(t.store) as typeof t.store;
    counting.loadCase = async (id, opts) => {
      reads.push(id);
      return t.store.loadCase(id, opts);
    };
    const h = createInvitationPageHandler({
      county,
      rules: () => county.rules,
      store: counting,
      now: clock,
      linkKey: async () => KEY,
      contact: 'sip@halland.example.se',
    });
    const ref = { caseId, meetingId, inviteeId: 'inv-soc' };
    await call(h, request('GET', `/i/${linkToken(KEY, ref)}`));
    await call(h, request('GET', `/i/${linkToken('not-the-key-0123456789abcdef0123456789', ref)}`));
    await call(h, request('GET', '/i/garbage'));
    expect(reads).toEqual([caseId, caseId, '-']);
  });

  it('refuses a POST from another site or without the form token of a page it rendered', async () => {
    const { caseId, meetingId } = await summonedCase();
    const h = handler();
    const path = `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-skola' })}`;
    expect((await post(h, path, { answer: 'received' }, { origin: 'https://evil.example' })).statusCode).toBe(
      403,
    );
    expect((await post(h, path, { answer: 'received' }, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(
      403,
    );
    const noToken = await call(
      h,
      request('POST', path, {
        body: new URLSearchParams({ answer: 'received', nonce: 'n', form: 'x' }).toString(),
      }),
    );
    expect(noToken.statusCode).toBe(403);
    expect((await t.store.loadCase(caseId)).history.some((x) => x.eventType.includes('responded'))).toBe(
      false,
    );
  });

  it('no page for a protected case', async () => {
    const { caseId, meetingId } = await summonedCase({ protectedIdentity: true });
    const res = await call(
      handler(),
      request('GET', `/i/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-soc' })}`),
    );
    expect(res.statusCode).toBe(404);
  });

  it('serves the accessibility statement in both languages', async () => {
    const sv = await call(handler(), request('GET', '/tillganglighet'));
    expect(sv.body).toContain('Tillgänglighetsredogörelse');
    const en = await call(handler(), request('GET', '/tillganglighet', { query: { lang: 'en' } }));
    expect(en.body).toContain('Accessibility statement');
  });
});
