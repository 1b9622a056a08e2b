/**
 * Meeting evaluation and the family survey through the page function (issue 15) against DynamoDB
 * Local: a unit's link answers once; the printable page gives a QR code and a short link; the
 * family survey takes the child once and two guardians; answers are stored without a case.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import { linkToken } from '../../functions/core/invitation-link.ts';
import { createEvaluationPageHandler } from '../../functions/evaluation-page/apply.ts';
import { createPlanEstablishedHandler } from '../../functions/plan-established/apply.ts';
import { createSummonsSentHandler } from '../../functions/summons-sent/apply.ts';
import { countyById } from '../../lib/counties.ts';
import { createDocumentClient } from '../../functions/adapters/dynamodb.ts';
import { freshTable } from '../support/dynamo.ts';
import {
  freshCaseCreated,
  freshConsent,
  freshSummons,
  invokeBatch,
  loadExample,
  sqsRecord,
  uniqueId,
} from '../support/fixtures.ts';

const KEY = 'test-link-key-0123456789abcdef0123456789abcdef';
const county = countyById('halland');
let t: Awaited<ReturnType<typeof freshTable>>;
const now = new Date('2026-12-10T10:00:00Z'); // the day after the example meeting
const clock = () => now;

beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

/** A case whose meeting (9 December 2026) was held: its plan established. */
const heldMeeting = async (protectedIdentity = false) => {
  const deps = { county, store: t.store, now: clock };
  const c = freshCaseCreated(protectedIdentity ? { data: { protectedIdentity: true } } : {});
  await invokeBatch(createCaseCreatedHandler(deps), [sqsRecord(JSON.stringify(c))]);
  const a = freshConsent(c.subject);
  const b = {
    ...a,
    id: uniqueId('evt'),
    data: { ...a.data, givenBy: [{ partyId: `${c.subject}-g-b`, role: 'guardian' }] },
  };
  await invokeBatch(createConsentRegisteredHandler(deps), [
    sqsRecord(JSON.stringify(a)),
    sqsRecord(JSON.stringify(b)),
  ]);
  const s = freshSummons(c.subject);
  await invokeBatch(createSummonsSentHandler(deps), [sqsRecord(JSON.stringify(s))]);
  const plan = loadExample<Record<string, unknown>>('normal', '06-plan-established.json');
  const p = {
    ...plan,
    id: uniqueId('evt'),
    subject: c.subject,
    data: { ...(plan.data as object), meetingId: (s.data as { meetingId: string }).meetingId },
  };
  const r = await invokeBatch(createPlanEstablishedHandler(deps), [sqsRecord(JSON.stringify(p))]);
  expect(r.batchItemFailures).toEqual([]);
  return { caseId: c.subject, meetingId: (s.data as { meetingId: string }).meetingId };
};

const handler = () =>
  createEvaluationPageHandler({
    county,
    store: t.store,
    now: clock,
    linkKey: async () => KEY,
    nonce: () => uniqueId('n'),
  });

const request = (method: 'GET' | 'POST', path: string, body?: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: {
      host: 'sip.example.se',
      ...(method === 'POST'
        ? { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://sip.example.se' }
        : {}),
    },
    requestContext: { http: { method, path }, domainName: 'sip.example.se' },
    body,
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

type Result = APIGatewayProxyStructuredResultV2 & { body: string };
const call = async (e: APIGatewayProxyEventV2) => (await handler()(e)) as Result;
const hidden = (html: string) => ({
  nonce: /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '',
  form: /name="form" value="([^"]+)"/.exec(html)?.[1] ?? '',
});
const answerAll = (ids: string[], v = '5') => Object.fromEntries(ids.map((id) => [id, v]));
const post = async (path: string, fields: Record<string, string>) => {
  const shown = await call(request('GET', path));
  return call(request('POST', path, new URLSearchParams({ ...hidden(shown.body), ...fields }).toString()));
};
const UNIT = ['purpose-clear', 'right-functions', 'voice-heard', 'plan-clear'];
const FAMILY = {
  barn: ['understood', 'listened', 'helps'],
  vardnadshavare: ['understood', 'listened', 'child-heard'],
};

describe('a unit’s evaluation of a held meeting', () => {
  it('shows the questions, records one answer per link, and says so the second time', async () => {
    const { caseId, meetingId } = await heldMeeting();
    const path = `/e/${linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-soc' }, 'evaluation')}`;
    const form = await call(request('GET', path));
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Var syftet med mötet tydligt?');
    const missing = await post(path, { 'purpose-clear': '4' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('aria-describedby="right-functions-error"');
    const page = await call(request('GET', path));
    expect((await post(path, answerAll(UNIT))).statusCode).toBe(200);
    // The same form posted again (a second tab, Back): refused, the first answer stands.
    const again = await call(
      request(
        'POST',
        path,
        new URLSearchParams({ ...hidden(page.body), ...answerAll(UNIT, '1') }).toString(),
      ),
    );
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('redan besvarad');
    expect((await call(request('GET', path))).body).toContain('redan besvarad');
  });

  it('a link for another purpose, a forged one, a protected case’s or a meeting not held is "not valid"', async () => {
    const { caseId, meetingId } = await heldMeeting();
    for (const token of [
      linkToken(KEY, { caseId, meetingId, inviteeId: 'inv-soc' }), // the invitation page's
      linkToken(
        'another-key-0123456789abcdef0123456789',
        { caseId, meetingId, inviteeId: 'inv-soc' },
        'evaluation',
      ),
      linkToken(KEY, { caseId, meetingId: 'no-such-meeting', inviteeId: 'inv-soc' }, 'evaluation'),
    ])
      expect((await call(request('GET', `/e/${token}`))).statusCode).toBe(404);
    const prot = await heldMeeting(true);
    const token = linkToken(KEY, { ...prot, inviteeId: 'inv-soc' }, 'evaluation');
    expect((await call(request('GET', `/e/${token}`))).statusCode).toBe(404);
  });
});

describe('the family survey (child and guardians, anonymous)', () => {
  it('the printable page has a QR code and a short link; the child answers once, two guardians once each', async () => {
    const { caseId, meetingId } = await heldMeeting();
    const print = await call(
      request('GET', `/p/${linkToken(KEY, { caseId, meetingId, inviteeId: 'family' }, 'family')}`),
    );
    expect(print.statusCode).toBe(200);
    expect(print.body).toMatch(/<svg aria-hidden="true"/);
    const short = /https:\/\/sip\.example\.se(\/f\/[A-Z2-9]{12})/.exec(print.body)?.[1] ?? '';
    expect(short).not.toBe('');
    expect((await call(request('GET', short))).body).toContain('Vem svarar?');
    expect((await post(`${short}/barn`, answerAll(FAMILY.barn, '3'))).body).toContain('Tack');
    expect((await post(`${short}/barn`, answerAll(FAMILY.barn, '3'))).body).toContain('redan fått alla svar');
    expect((await post(`${short}/vardnadshavare`, answerAll(FAMILY.vardnadshavare))).body).toContain('Tack');
    expect((await post(`${short}/vardnadshavare`, answerAll(FAMILY.vardnadshavare))).body).toContain('Tack');
    expect((await call(request('GET', `${short}/vardnadshavare`))).body).toContain('redan fått alla svar');
    // Stored without the case, the meeting or anyone's id.
    const items =
      (await createDocumentClient(t.client).send(new ScanCommand({ TableName: t.tableName }))).Items ?? [];
    const answers = items.filter((i) => i.type === 'evaluation' && i.respondent !== 'unit');
    expect(answers.map((a) => a.respondent).sort()).toEqual(['child', 'guardian', 'guardian']);
    expect(JSON.stringify(answers)).not.toContain(caseId);
    expect(JSON.stringify(answers)).not.toContain(meetingId);
  });

  it('a protected case’s coordinator may still hand out the family survey', async () => {
    const prot = await heldMeeting(true);
    const print = await call(
      request('GET', `/p/${linkToken(KEY, { ...prot, inviteeId: 'family' }, 'family')}`),
    );
    expect(print.statusCode).toBe(200);
  });

  it('an unknown short code is "not valid"', async () => {
    expect((await call(request('GET', '/f/ABCDEFGHJKLM'))).statusCode).toBe(404);
  });
});
