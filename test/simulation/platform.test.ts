/**
 * The simulated platform itself: the handlers reach their next simulated call within the step that
 * woke them (no real timer or I/O), a schedule replays exactly (same scenario and tape, same table, mailbox and steps),
 * and the simulated TextEncoder (test/simulation/env.ts) gives Node's bytes.
 */
import { TextEncoder as NodeTextEncoder } from 'node:util';
import * as fc from 'fast-check';
import { expect, it, test } from 'vitest';
import { encodeShort } from './env.ts';
import { optionsOf, scheduleArb } from './property.ts';
import { runScenario } from './run.ts';
import { buildScenario, scenarioArb } from './scenario.ts';

test('the handlers reach their next simulated call within the step that woke them: no real timer or I/O', async () => {
  const samples = fc.sample(fc.tuple(scenarioArb, scheduleArb), { seed: 8, numRuns: 24 });
  let steps = 0;
  for (const [params, schedule] of samples) {
    const run = await runScenario(buildScenario(params), schedule.tape, {
      ...optionsOf(schedule),
      verifyDrain: true,
    });
    steps += run.world.steps;
  }
  expect(steps).toBeGreaterThan(2_000);
});

test('a schedule replays exactly: same scenario and tape, same table, mailbox and steps', async () => {
  const [[params, schedule]] = fc.sample(fc.tuple(scenarioArb, scheduleArb), { seed: 7, numRuns: 1 }) as [
    [Parameters<typeof buildScenario>[0], { profile: string; tape: number[] }],
  ];
  const scenario = buildScenario(params);
  const fingerprint = async () => {
    const run = await runScenario(scenario, schedule.tape, optionsOf({ ...schedule, profile: 'heavy' }));
    return {
      steps: run.world.steps,
      tapeUsed: run.tapeUsed,
      items: JSON.stringify(run.dynamo.all()),
      // Message-IDs and MIME boundaries are random by design (RFC 5322 uniqueness): masked.
      mailbox: run.cloud.ses.mailbox.map((m) =>
        `${m.acceptedAt} ${m.raw}`.replace(
          /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
          'uuid',
        ),
      ),
    };
  };
  const [a, b] = [await fingerprint(), await fingerprint()];
  expect(a.steps).toBeGreaterThan(100);
  expect(b).toEqual(a);
});

// node:util's TextEncoder is Node's own (env.ts replaces only the global).
const node = new NodeTextEncoder();

it('one character or surrogate pair: the same bytes as Node’s encoder, lone surrogates included', () => {
  const differs = (s: string) => {
    const ours = encodeShort(s);
    return ours !== undefined && Buffer.compare(Buffer.from(ours), Buffer.from(node.encode(s))) !== 0;
  };
  // Every UTF-16 code unit alone, and every high surrogate before a spread of low ones (and the
  // reverse): compared directly (fast-check's binary strings took two seconds for 20,000).
  const wrong: string[] = [];
  for (let c = 0; c <= 0xffff; c++) if (differs(String.fromCharCode(c))) wrong.push(c.toString(16));
  for (let hi = 0xd800; hi <= 0xdbff; hi++)
    for (let lo = 0xdc00; lo <= 0xdfff; lo += 0x3f) {
      const pair = String.fromCharCode(hi, lo);
      if (differs(pair)) wrong.push(`${hi.toString(16)} ${lo.toString(16)}`);
      if (encodeShort(String.fromCharCode(lo, hi)) !== undefined) wrong.push(`reversed ${hi.toString(16)}`);
    }
  expect(encodeShort('ab')).toBeUndefined(); // two units that are no pair: Node's encoder
  expect(wrong).toEqual([]);
  for (const s of ['a', 'å', '€', '😀', '\ud800', '\udc00', '\u07ff', '\u0800', '\uffff'])
    expect([...(encodeShort(s) ?? [])]).toEqual([...node.encode(s)]);
});
