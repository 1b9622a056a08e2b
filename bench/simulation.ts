/**
 * The simulation's own figures (issue 12's budget): schedules per minute of `npm run simulate`
 * in one process and in two (one per core), and the wall time of the simulation part of
 * `npm test` (vitest.simulation.config.ts), start-up included. Each as a child process, so the
 * simulated Lambdas' environment (test/simulation/env.ts) never touches the bench's own.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectRoot } from '../lib/bundling.ts';

const run = promisify(execFile);
const tsx = ['--import', 'tsx'];

/** One CLI run: its schedules and seconds (the CLI's own clock, module loading excluded). */
const cli = async (seed: number, runs: number) => {
  const { stdout } = await run(
    process.execPath,
    [
      ...tsx,
      'test/simulation/cli.ts',
      '--seed',
      String(seed),
      '--runs',
      String(runs),
      '--schedules',
      '8',
      '--no-shrink',
    ],
    { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  const m = /: (\d+) schedules of \d+ scenarios in ([\d.]+) s/.exec(stdout);
  if (!m) throw new Error(`the simulation printed no figure:\n${stdout.slice(-2000)}`);
  return { schedules: Number(m[1]), seconds: Number(m[2]) };
};

export const simulationFigures = async (runs = 100) => {
  await cli(99, 5); // warm the file cache and tsx's transform cache
  const one = await cli(11, runs);
  const two = await Promise.all([cli(12, runs), cli(13, runs)]);
  const twoSchedules = two.reduce((n, r) => n + r.schedules, 0);
  const twoSeconds = Math.max(...two.map((r) => r.seconds));
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '-c', 'vitest.simulation.config.ts'],
    { cwd: projectRoot, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } },
  );
  const testSeconds = (performance.now() - started) / 1000;
  const counted = [...stdout.matchAll(/: (\d+) schedules of \d+ scenarios/g)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  return {
    oneProcess: {
      schedules: one.schedules,
      seconds: one.seconds,
      schedulesPerMinute: Math.round((one.schedules / one.seconds) * 60),
    },
    twoProcesses: {
      schedules: twoSchedules,
      seconds: twoSeconds,
      schedulesPerMinute: Math.round((twoSchedules / twoSeconds) * 60),
    },
    npmTest: {
      // The pool's two files print their shares; regressions.test.ts runs 136 and
      // platform.test.ts 26 more (test/simulation/pool-a.test.ts says so).
      schedules: counted + 162,
      wallSeconds: +testSeconds.toFixed(1),
    },
  };
};
