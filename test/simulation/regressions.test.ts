/**
 * One regression test per defect of issue 12 that takes a schedule to show: each a scenario shaped
 * like the defect (the case params say which), played under many schedules (faults, crashes,
 * reordering, duplicates from a fixed seed) and checked by the whole oracle. Each was failing
 * before its fix (docs/semantics.md says what holds; the closing note of issue 12 names the seeds
 * the free simulation found them with).
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSchedule, type Schedule, scheduleArb } from './property.ts';
import { buildScenario, type CaseParams } from './scenario.ts';

const plain: CaseParams = {
  ageGroup: 'child',
  guardians: 2,
  consentStyle: 'separate',
  shortConsent: false,
  meetings: 1,
  versions: [],
  invitees: 3,
  responses: [],
  plan: 'one',
  upstreamFollowUp: 'none',
  protection: 'none',
  withdrawal: 'none',
  close: 'none',
  correction: false,
  longIds: false,
  sdkStyle: false,
  digital: false,
  duplicates: [],
  malformed: 0,
  ruleBroken: false,
  longest: false,
  seed: 4711,
};

/** `n` schedules (fixed seed) of a one-case scenario; every one must pass the oracle. */
const holds = async (shape: Partial<CaseParams>, n = 10, seed = 12, profile?: string) => {
  const scenario = buildScenario({ county: 'halland', cases: [{ ...plain, ...shape }] });
  const schedules = (fc.sample(scheduleArb, { seed, numRuns: n }) as Schedule[]).map((s, i) =>
    profile && i % 2 === 0 ? { ...s, profile } : s,
  );
  const failures: string[] = [];
  let emails = 0;
  for (const [i, s] of schedules.entries()) {
    const r = await runSchedule(scenario, s);
    emails += r.stats.emails;
    if (r.violations.length > 0)
      failures.push(
        `schedule ${i} (${s.profile}): ${r.violations.map((v) => `[${v.oracle}] ${v.detail}`).join('; ')}`,
      );
  }
  expect(failures).toEqual([]);
  return { emails };
};

describe('issue 12 defects, each under many schedules (oracle: test/simulation/oracle.ts)', () => {
  it('arrival order decides: a reschedule and an older version sent late; answers arriving out of order', async () => {
    await holds({
      versions: ['reschedule', 'older-late'],
      responses: [
        { invitee: 0, value: 'accepted', lateOlder: true },
        { invitee: 1, value: 'declined', lateOlder: true },
      ],
    });
  });

  it('arrival order decides: a guardian’s older refusal arriving after the newer consent (seed 002)', async () => {
    await holds({ consentStyle: 'late-refusal' });
  });

  it('a failed send loses no email: SES throttles, times out after accepting, Lambdas crash after the claim', async () => {
    const { emails } = await holds({ invitees: 4 }, 16, 99);
    expect(emails).toBeGreaterThan(0);
  });

  it('cancellation is never skipped: consent withdrawn while invitations are being sent', async () => {
    await holds({ withdrawal: 'racing-emails' }, 10, 12, 'sluggish');
  });

  it('cancellation is never skipped: the case closes while invitations are being sent', async () => {
    await holds({ close: 'racing-emails' }, 10, 12, 'sluggish');
  });

  it('late protection keeps no location data: a case emailed normally, then a flagged summons', async () => {
    await holds({ protection: 'flagged-summons' });
  });

  it('late protection keeps no location data: protection changed while invitations are being sent', async () => {
    await holds({ protection: 'racing-emails', versions: ['reschedule'] }, 10, 12, 'sluggish');
  });

  it('the longest realistic case (10 invitees, 12 meetings) made protected after all its emails: the scrub and the fence fit DynamoDB’s limits', async () => {
    await holds({ longest: true, protection: 'changed-after-emails' }, 4);
  });

  it('64-character upstream ids: every id the system derives fits its own contracts', async () => {
    await holds({ longIds: true, versions: ['drop-invitee'], close: 'after-plan' });
  });

  it('repeats and wording: a repeat with a new id after an invitee was dropped, an invitee added later', async () => {
    await holds({
      versions: ['drop-invitee', 'repeat', 'add-invitee'],
      responses: [{ invitee: 0, value: 'accepted', lateOlder: false }],
    });
  });

  it('a follow-up after consent lapsed reminds only the coordinator; a revised plan leaves no stale reminder', async () => {
    await holds({ shortConsent: true, plan: 'revised', upstreamFollowUp: 'untimed' });
  });

  it('a sweep visit that dies after its commit: the follow-up reminders still go out that morning', async () => {
    await holds({ plan: 'one', upstreamFollowUp: 'none', meetings: 1 }, 16, 7);
  });

  it('events built like the CloudEvents SDK builds them (no datacontenttype, UTC, traceparent) are applied', async () => {
    await holds({ sdkStyle: true, duplicates: [0, 3] });
  });

  it('a substitute named by an answer that a case closed earlier undoes, then protection: the substitute’s name and address go too (seed 1736358627)', async () => {
    await holds({
      guardians: 1,
      invitees: 2,
      responses: [{ invitee: 0, value: 'substitute', lateOlder: false }],
      plan: 'revised',
      upstreamFollowUp: 'timed-early',
      protection: 'changed-after-plan',
      close: 'early',
      seed: 0,
    });
  });
});
