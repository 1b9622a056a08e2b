/**
 * The sweep's visits (issue 12, found by the simulation, seed 1963577928 path 13): a visit that
 * died after its commit lost the reminders it made owed — the retried sweep no longer found the
 * case due. Visits now go through a queue of their own and are case events like any other: a
 * redelivered visit is a duplicate that still hands over what is owed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Outbox, sweepVisitEvent } from '../../functions/adapters/outbox.ts';
import { createCaseCreatedHandler } from '../../functions/case-created/apply.ts';
import { createConsentRegisteredHandler } from '../../functions/consent-registered/apply.ts';
import type { MailJob } from '../../functions/core/meeting.ts';
import { createPlanEstablishedHandler } from '../../functions/plan-established/apply.ts';
import { createSummonsSentHandler } from '../../functions/summons-sent/apply.ts';
import { runSweep } from '../../functions/sweep/apply.ts';
import { createSweepVisitHandler } from '../../functions/sweep-visit/apply.ts';
import { countyById } from '../../lib/counties.ts';
import { examplesDir, invokeBatch, sqsRecord, type TestEvent, uniqueId } from '../support/fixtures.ts';
import { freshTable } from '../support/dynamo.ts';

const county = countyById('halland');
let t: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  t = await freshTable();
});
afterAll(async () => t.drop());

const MORNING = '2027-03-03T06:00:00+01:00'; // a week before the plan's follow-up (2027-03-10)

/** The normal scenario up to its plan, for a fresh case. */
const plannedCase = async () => {
  const caseId = uniqueId('case');
  const dir = join(examplesDir, 'normal');
  const e = Object.fromEntries(
    readdirSync(dir).map((f) => {
      const ev = JSON.parse(readFileSync(join(dir, f), 'utf8')) as TestEvent;
      return [f.slice(0, 2), JSON.stringify({ ...ev, id: `${ev.id}-${caseId}`, subject: caseId })];
    }),
  ) as Record<string, string>;
  const outbox: Outbox = { enqueue: async () => undefined };
  const deps = { county, store: t.store, now: () => new Date('2026-12-09T12:00:00+01:00'), outbox };
  for (const [create, key] of [
    [createCaseCreatedHandler, '01'],
    [createConsentRegisteredHandler, '02'],
    [createConsentRegisteredHandler, '03'],
    [createSummonsSentHandler, '04'],
    [createPlanEstablishedHandler, '06'],
  ] as const) {
    const r = await invokeBatch(create(deps), [sqsRecord(e[key] as string)]);
    expect(r.batchItemFailures).toEqual([]);
  }
  return caseId;
};

describe('the sweep’s visits', () => {
  it('a sweep run twice asks for the same visit (one id per case and day)', async () => {
    const caseId = await plannedCase();
    const asked: { caseId: string; day: string }[] = [];
    const sweep = () =>
      runSweep({
        store: t.store,
        visits: { enqueue: async (v) => void asked.push(...v) },
        now: () => new Date(MORNING),
      });
    await sweep();
    await sweep();
    const mine = asked.filter((v) => v.caseId === caseId);
    expect(mine).toHaveLength(2);
    const ids = mine.map((v) => sweepVisitEvent(county.id, v.caseId, v.day).id);
    expect(ids[0]).toBe(ids[1]);
  });

  it('a visit that dies after its commit is redelivered, and the reminders it made owed reach the mailer', async () => {
    const caseId = await plannedCase();
    const visit = sqsRecord(JSON.stringify(sweepVisitEvent(county.id, caseId, '2027-03-03')));
    const jobs: MailJob[] = [];
    let crash = true;
    const outbox: Outbox = {
      async enqueue(more) {
        if (crash) {
          crash = false;
          throw new Error('the Lambda died after the commit, before the hand-off');
        }
        jobs.push(...more);
      },
    };
    const handler = createSweepVisitHandler({ county, store: t.store, now: () => new Date(MORNING), outbox });
    expect((await invokeBatch(handler, [visit])).batchItemFailures).toEqual([
      { itemIdentifier: visit.messageId },
    ]);
    expect(jobs).toEqual([]);
    // The case's reminders are committed (the follow-up meeting exists) but nobody was told yet.
    const followUp = [...(await t.store.loadCase(caseId)).meetings.values()].find(
      (m) => m.kind === 'follow-up',
    );
    expect(followUp?.invitees.length).toBeGreaterThan(0);

    // SQS redelivers the visit: a duplicate of an applied event, which hands over what is owed.
    expect((await invokeBatch(handler, [visit])).batchItemFailures).toEqual([]);
    const reminded = jobs.filter((j) => 'meetingId' in j && j.meetingId === followUp?.meetingId);
    expect(reminded.length).toBe(followUp?.invitees.length);
  });
});
