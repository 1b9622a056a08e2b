/**
 * npm run simulate [-- --seed <n>] [--runs <n>] [--schedules <k>] [--minutes <m> [--workers <w>]] [--path <p>] [--explain] [--no-shrink]
 *
 * Runs the deterministic simulation (test/simulation/): `--runs` scenarios of `--schedules`
 * schedules each (default 125 × 8), from `--seed` (default: random, printed). A failure prints
 * fast-check's seed and path and the shrunk counterexample: `--seed <n> --path <p>` replays exactly
 * it, `--explain` also prints each run's history and mailbox for that case. `--minutes <m>` soaks:
 * fresh seeds until the time is up, in `--workers` processes (default 1; one per core
 * is what a soak wants). Exits 1 on a failure.
 */
import './env.ts';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as fc from 'fast-check';
import { loadCases } from './oracle.ts';
import {
  describeFailure,
  newTotals,
  optionsOf,
  runSchedule,
  type Schedule,
  simulationProperty,
} from './property.ts';
import { referenceOptions, runScenario } from './run.ts';
import { buildScenario, type ScenarioParams } from './scenario.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    path: { type: 'string' },
    runs: { type: 'string', default: '125' },
    schedules: { type: 'string', default: '8' },
    minutes: { type: 'string' },
    workers: { type: 'string', default: '1' },
    explain: { type: 'boolean', default: false },
    'no-shrink': { type: 'boolean', default: false },
  },
});

const schedulesPer = Number(values.schedules);
const runs = Number(values.runs);

const explain = async (params: ScenarioParams, schedules: Schedule[]) => {
  const scenario = buildScenario(params);
  for (const [n, schedule] of schedules.entries()) {
    const result = await runSchedule(scenario, schedule);
    if (result.violations.length === 0) continue;
    console.log(`\nschedule ${n} (${schedule.profile}): ${result.violations.length} violation(s)`);
    for (const v of result.violations) console.log(`  [${v.oracle}] ${v.detail}`);
    const run = await runScenario(scenario, schedule.tape, optionsOf(schedule));
    const ref = await runScenario(scenario, [], referenceOptions);
    const [a, b] = [await loadCases(run), await loadCases(ref)];
    scenario.cases.forEach((c, i) => {
      const line = (h: {
        version: string;
        eventType: string;
        eventId: string;
        outcome: string;
        summary: string;
      }) =>
        `    ${h.version.slice(0, 23)} ${h.eventType.replace('se.sip.', '')} ${h.eventId.slice(0, 24)} ${h.outcome}: ${h.summary.slice(0, 140)}`;
      console.log(`\n  case ${c.caseId}\n   this run's history (in version order):`);
      for (const h of a[i]?.history.sort((x, y) => (x.version < y.version ? -1 : 1)) ?? [])
        console.log(line(h));
      console.log('   the reference run’s history:');
      for (const h of b[i]?.history.sort((x, y) => (x.version < y.version ? -1 : 1)) ?? [])
        console.log(line(h));
      console.log('   this run’s mailbox:');
      for (const m of run.cloud.ses.mailbox)
        console.log(
          `    ${new Date(m.acceptedAt).toISOString()} ${m.tags.sipSeq} ${m.tags.sipAction} ${/^Subject: (.*)$/m.exec(m.raw)?.[1]?.slice(0, 60)}`,
        );
    });
  }
};

const once = async (seed: number, path?: string) => {
  const totals = newTotals();
  const started = Date.now();
  const result = await fc.check(simulationProperty(schedulesPer, totals), {
    seed,
    numRuns: runs,
    ...(path ? { path } : {}),
    // Shrinking re-runs the scenario many times; --no-shrink reports the first failing one as found.
    endOnFailure: path !== undefined || values['no-shrink'],
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `seed ${seed}: ${totals.schedules} schedules of ${totals.scenarios} scenarios in ${seconds.toFixed(1)} s (${Math.round((totals.schedules / seconds) * 60)} schedules/min); ${totals.emails} emails, ${totals.explainedDuplicates} duplicate(s) in the documented doubt window, ${totals.parkedResidual} parked original(s) of a protected case that could not be read, ${totals.gaveUp} event(s) gave up waiting`,
  );
  if (result.failed) {
    console.log(describeFailure(result, schedulesPer));
    if (values.explain && result.counterexample)
      await explain(...(result.counterexample as [ScenarioParams, Schedule[]]));
    return false;
  }
  return true;
};

const main = async () => {
  if (values.minutes) {
    // More workers: the same soak in child processes (their own seeds), this one among them.
    const args = process.argv.slice(2);
    const w = args.indexOf('--workers');
    const childArgs = w >= 0 ? [...args.slice(0, w), ...args.slice(w + 2)] : args;
    const children = Array.from({ length: Math.max(0, Number(values.workers) - 1) }, () =>
      spawn(process.execPath, [...process.execArgv, process.argv[1] as string, ...childArgs], {
        stdio: 'inherit',
      }),
    );
    const exited = children.map(
      (c) => new Promise<boolean>((resolve) => c.on('exit', (code) => resolve(code === 0))),
    );
    const until = Date.now() + Number(values.minutes) * 60_000;
    while (Date.now() < until) {
      const seed = Math.floor(Math.random() * 2 ** 31);
      if (!(await once(seed))) {
        for (const c of children) c.kill();
        return false;
      }
    }
    return (await Promise.all(exited)).every(Boolean);
  }
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  return once(seed, values.path);
};

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (error: Error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
