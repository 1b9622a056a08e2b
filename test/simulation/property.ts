/**
 * The simulation as a fast-check property: a scenario (what upstream sends) and a few schedules
 * (each a choice tape and a fault profile); for each schedule the run is checked by the oracle,
 * its convergence against the calm, time-ordered run of the same events. fast-check's seed and
 * path replay any failure exactly, and its shrinking calms the scenario and the schedule down to
 * what it takes to fail.
 */
import * as fc from 'fast-check';
import { checkRun, loadCases, project, type Projection, type Stats, type Violation } from './oracle.ts';
import { referenceOptions, type RunOptions, runScenario } from './run.ts';
import { eventTypes } from '../../events/contracts/common.ts';
import { buildScenario, type Scenario, type ScenarioParams, scenarioArb } from './scenario.ts';
import type { FaultProfile } from './world.ts';

export const profiles: Record<string, { faults: FaultProfile; ses: RunOptions['ses'] }> = {
  calm: {
    faults: { failBefore: 0, failAfter: 0, crash: 0, slow: 0 },
    ses: { throttle: 0, rejectLater: 0, refuse: false },
  },
  moderate: {
    faults: { failBefore: 20, failAfter: 10, crash: 10, slow: 10 },
    ses: { throttle: 50, rejectLater: 20, refuse: true },
  },
  heavy: {
    faults: { failBefore: 60, failAfter: 30, crash: 30, slow: 30 },
    ses: { throttle: 150, rejectLater: 50, refuse: true },
  },
  // Every call takes up to 1.5 s: concurrent jobs of one recipient overlap (a cancellation read
  // while the invitation is being sent, and written after it was). Not in the default mix (it
  // costs a third more per schedule); regressions.test.ts runs the racing scenarios under it.
  sluggish: {
    faults: { failBefore: 10, failAfter: 5, crash: 5, slow: 10, latencyMs: 1_500 },
    ses: { throttle: 20, rejectLater: 10, refuse: false },
  },
};

export const scheduleArb = fc.record({
  profile: fc.constantFrom('calm', 'moderate', 'moderate', 'heavy'),
  tape: fc.array(fc.nat({ max: 65_535 }), { maxLength: 6_000, size: 'max' }),
});
export type Schedule = { profile: string; tape: number[] };

export const optionsOf = (s: Schedule): RunOptions => {
  const p = profiles[s.profile] ?? (profiles.calm as (typeof profiles)[string]);
  return {
    faults: p.faults,
    ses: p.ses,
    jitterMs: 120_000,
    straggle: { permille: 250, maxMs: 2 * 86_400_000 },
    duplicates: 100,
    concurrency: 2,
    sequential: false,
  };
};

const references = new Map<string, Projection[]>();

type Flagged = { protectedIdentity?: boolean; county?: string };

/** The scenario with each of these summonses (by case and index) replaced by the protection it carries. */
const withProtectionOnly = (scenario: Scenario, keys: ReadonlySet<string>): Scenario =>
  keys.size === 0
    ? scenario
    : {
        ...scenario,
        cases: scenario.cases.map((c, ci) => ({
          ...c,
          events: c.events.map((e, ei) => {
            if (!keys.has(`${ci}/${ei}`) || typeof e.body !== 'object') return e;
            const body = e.body;
            return {
              ...e,
              type: eventTypes.caseProtectionChanged,
              body: {
                ...body,
                type: eventTypes.caseProtectionChanged,
                data: {
                  county: (body.data as Flagged).county,
                  protectedIdentity: true,
                  reason: 'protected-personal-data',
                },
              },
            };
          }),
        })),
      };

/** The calm, time-ordered run of the same events (without those that gave up waiting), cached. */
const referenceOf = async (scenario: Scenario, leaveOut: Set<string>): Promise<Projection[]> => {
  const key = `${JSON.stringify(scenario)}|${[...leaveOut].sort().join(',')}`;
  const cached = references.get(key);
  if (cached) return cached;
  const run = await runScenario(scenario, [], { ...referenceOptions, leaveOut });
  const projection = (await loadCases(run)).map(project);
  if (references.size > 200) references.clear();
  references.set(key, projection);
  return projection;
};

export interface ScheduleResult {
  violations: Violation[];
  stats: Stats;
  steps: number;
}

export const runSchedule = async (scenario: Scenario, schedule: Schedule): Promise<ScheduleResult> => {
  const run = await runScenario(scenario, schedule.tape, optionsOf(schedule));
  // Events that gave up waiting for a prerequisite (parked longer than the wait) count as never sent.
  const gaveUp = new Set<string>();
  const carriedProtection = new Set<string>();
  const gaveUpIds = new Set(
    run.dynamo
      .all()
      .filter((i) => i.type === 'rejection' && /gave up after waiting/.test(String(i.reason)))
      .map((i) => String(i.eventId)),
  );
  scenario.cases.forEach((c, ci) =>
    c.events.forEach((e, ei) => {
      if (typeof e.body !== 'object' || !gaveUpIds.has(String(e.body.id))) return;
      // A flagged summons that gave up still protected the case (functions/core/fold.ts,
      // protectionCarriedBy): in the reference it is the protection it carried.
      if (e.type === eventTypes.summonsSent && (e.body.data as Flagged).protectedIdentity === true)
        carriedProtection.add(`${ci}/${ei}`);
      else gaveUp.add(`${ci}/${ei}`);
    }),
  );
  const reference = await referenceOf(withProtectionOnly(scenario, carriedProtection), gaveUp);
  const { violations, stats } = await checkRun(run, reference);
  return { violations, stats, steps: run.world.steps };
};

export interface Totals {
  schedules: number;
  scenarios: number;
  emails: number;
  explainedDuplicates: number;
  parkedResidual: number;
  gaveUp: number;
}

export const newTotals = (): Totals => ({
  schedules: 0,
  scenarios: 0,
  emails: 0,
  explainedDuplicates: 0,
  parkedResidual: 0,
  gaveUp: 0,
});

/**
 * The property: for a scenario and its schedules, every schedule passes the oracle. `take` says
 * whether this process runs the scenario (test/simulation/suite.ts shares them between workers).
 */
export const simulationProperty = (schedulesPerScenario: number, totals: Totals, take = () => true) =>
  fc.asyncProperty(
    scenarioArb,
    fc.array(scheduleArb, { minLength: schedulesPerScenario, maxLength: schedulesPerScenario }),
    async (params: ScenarioParams, schedules: Schedule[]) => {
      if (!take()) return;
      const scenario = buildScenario(params);
      totals.scenarios++;
      for (const [n, schedule] of schedules.entries()) {
        const result = await runSchedule(scenario, schedule);
        totals.schedules++;
        totals.emails += result.stats.emails;
        totals.explainedDuplicates += result.stats.explainedDuplicates;
        totals.parkedResidual += result.stats.parkedResidual;
        totals.gaveUp += result.stats.gaveUp;
        if (result.violations.length > 0) {
          const shown = result.violations.slice(0, 8).map((x) => `  [${x.oracle}] ${x.detail}`);
          throw new Error(
            `schedule ${n} (${schedule.profile}, tape ${schedule.tape.length}) broke ${result.violations.length} promise(s):\n${shown.join('\n')}`,
          );
        }
      }
    },
  );

/**
 * fast-check's own report prints every tape in full (thousands of numbers): the scenario, each
 * schedule's profile, the violations and the replay line say enough.
 */
export const describeFailure = (
  result: fc.RunDetails<[ScenarioParams, Schedule[]]>,
  schedulesPer: number,
): string => {
  const [params, schedules] = result.counterexample ?? [undefined, []];
  return [
    `Property failed after ${result.numRuns} scenario(s), shrunk ${result.numShrinks} time(s)`,
    `scenario: ${JSON.stringify(params)}`,
    `schedules: ${schedules.map((s) => `${s.profile} (${s.tape.length} choices)`).join(', ')}`,
    '',
    (result.errorInstance as Error | undefined)?.message ?? '',
    '',
    `replay: npm run simulate -- --seed ${result.seed} --path ${result.counterexamplePath} --schedules ${schedulesPer} --explain`,
  ].join('\n');
};
