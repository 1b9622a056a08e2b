/**
 * One schedule: a scenario played on the simulated cloud. Upstream publishes each event around
 * its own time — with jitter, some very late, some twice — while the tape decides every latency,
 * fault and crash; the daily sweep runs each morning something falls due; an operator redrives
 * DLQs. Then the faults stop, the DLQs are redriven once more, and everything settles.
 *
 * The reference run of the same events is the calm, time-ordered one: each event published at its
 * time once the previous has settled, nothing failing.
 */
import './env.ts';
import { countyById } from '../../lib/counties.ts';
import { logger } from '../../functions/runtime/observability.ts';
import { addDay, Cloud } from './cloud.ts';
import { SimDynamo } from './dynamo.ts';
import { firstPublish, lastPublish, type Scenario } from './scenario.ts';
import { CALM, ChoiceTape, type FaultProfile, World } from './world.ts';

export interface Published {
  messageId: string;
  caseIndex: number;
  eventIndex: number;
  type: string;
  eventId?: string;
  publishedAt: number;
}

export interface RunOptions {
  faults: FaultProfile;
  /** Upstream's spread around each event's time. */
  jitterMs: number;
  /** How late an event that nothing waits for may come (per mille chance, and how late at most). */
  straggle: { permille: number; maxMs: number };
  /** Per mille of events upstream publishes twice. */
  duplicates: number;
  concurrency: number;
  /** SES: throttling and rejections after acceptance, per mille; recipients refused for good. */
  ses: { throttle: number; rejectLater: number; refuse: boolean };
  /** The reference run: one event at a time, in time order. */
  sequential: boolean;
  /** Events (by case and index) left out (they gave up waiting in the run this one is compared with). */
  leaveOut?: ReadonlySet<string>;
  /** Keep every DynamoDB operation and its outcome (the differential test replays them). */
  recordDynamo?: boolean;
  /** Check after every step that nothing more happened once its promises settled (world.ts). */
  verifyDrain?: boolean;
}

export const referenceOptions: RunOptions = {
  faults: CALM,
  jitterMs: 0,
  straggle: { permille: 0, maxMs: 0 },
  duplicates: 0,
  concurrency: 2,
  ses: { throttle: 0, rejectLater: 0, refuse: false },
  sequential: true,
};

export interface RunResult {
  scenario: Scenario;
  world: World;
  cloud: Cloud;
  dynamo: SimDynamo;
  logs: string[];
  published: Published[];
  /** When each case's item was first written protected. */
  protectedAt: Map<string, number>;
  /** When each invitee (caseId|meetingId|inviteeId) first appeared on a live meeting. */
  owedSince: Map<string, number>;
  /** DLQ contents just before the final redrive (the oracle looks for markers in them). */
  parkedBeforeRedrive: { queue: string; body: string; origin: string; receives: number[] }[];
  /** Recipients SES refused for good. */
  refused: Set<string>;
  tapeUsed: number;
}

const START = Date.parse('2026-11-20T06:00:00Z');
const MAX_STEPS = 60_000;

/** Captures what the handlers write (Powertools' logs and metrics), so the oracle can read it. */
const captureOutput = () => {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const capture = ((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  return {
    lines,
    restore: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
};

export const runScenario = async (
  scenario: Scenario,
  tapeValues: readonly number[],
  opts: RunOptions,
): Promise<RunResult> => {
  const tape = new ChoiceTape(tapeValues);
  const world = new World(START, tape);
  world.verifyDrain = opts.verifyDrain ?? false;
  const dynamo = new SimDynamo('sim-cases');
  dynamo.recording = opts.recordDynamo ?? false;
  const county = countyById(scenario.county);
  const cloud = new Cloud(world, dynamo, {
    county,
    orderingWaitSeconds: 900,
    concurrency: opts.concurrency,
    redriveAfterMs: 20 * 60_000,
  });
  cloud.ses.throttle = opts.ses.throttle;
  cloud.ses.rejectLater = opts.ses.rejectLater;
  const refused = new Set<string>();
  const protectedAt = new Map<string, number>();
  const owedSince = new Map<string, number>();
  dynamo.onWrite = (item) => {
    if (item.type === 'meeting' && item.status !== 'cancelled' && Array.isArray(item.invitees))
      for (const i of item.invitees as { inviteeId: string; removed?: boolean }[]) {
        const key = `${String(item.caseId)}|${String(item.meetingId)}|${i.inviteeId}`;
        if (!i.removed && !owedSince.has(key)) owedSince.set(key, world.now);
      }
    if (item.type === 'due' && typeof item.date === 'string') {
      cloud.obs.dueMarkers++;
      cloud.onDueMarker(item.date);
    }
    if (item.type === 'case' && item.protectedIdentity === true && !protectedAt.has(String(item.caseId)))
      protectedAt.set(String(item.caseId), world.now);
  };

  // What upstream sends, and when.
  const plan: {
    at: number;
    type: string;
    body: string;
    caseIndex: number;
    eventIndex: number;
    eventId?: string;
  }[] = [];
  scenario.cases.forEach((c, caseIndex) =>
    c.events.forEach((e, eventIndex) => {
      if (opts.leaveOut?.has(`${caseIndex}/${eventIndex}`)) return;
      const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body);
      const eventId = typeof e.body === 'object' ? String(e.body.id) : undefined;
      let at = e.publishAt + tape.choose(Math.max(1, opts.jitterMs && (e.jitterMs ?? opts.jitterMs)));
      if (e.mayStraggle && tape.chance(opts.straggle.permille))
        at += tape.choose(Math.max(1, opts.straggle.maxMs));
      plan.push({ at, type: e.type, body, caseIndex, eventIndex, ...(eventId ? { eventId } : {}) });
      if (tape.chance(opts.duplicates))
        plan.push({
          at: at + tape.choose(600_000),
          type: e.type,
          body,
          caseIndex,
          eventIndex,
          ...(eventId ? { eventId } : {}),
        });
    }),
  );
  if (opts.ses.refuse && tape.chance(300)) {
    // SES refuses one recipient for good (an address it will never send to).
    const mails = scenario.cases.flatMap((c) => c.markers.filter((m) => /mail\d$/.test(m)));
    const pick = mails[tape.choose(mails.length)];
    if (pick) refused.add(`${pick}@kommun.example.se`);
  }
  for (const r of refused) cloud.ses.refused.add(r);

  const published: Published[] = [];
  const publish = (p: (typeof plan)[number]) => {
    const m = cloud.queueOf(p.type).send(p.body, 0, {}, 'upstream');
    published.push({
      messageId: m.messageId,
      caseIndex: p.caseIndex,
      eventIndex: p.eventIndex,
      type: p.type,
      publishedAt: world.now,
      ...(p.eventId ? { eventId: p.eventId } : {}),
    });
  };
  let remaining = plan.length;
  if (opts.sequential) {
    // Time order, one at a time: the next is published at its time, once nothing is moving.
    const ordered = [...plan].sort((a, b) => a.at - b.at);
    const next = (i: number) => {
      const p = ordered[i];
      if (!p) return;
      world.at(p.at, () => {
        const go = () => {
          if (cloud.settled) {
            publish(p);
            remaining--;
            next(i + 1);
          } else world.after(1_000, go);
        };
        go();
      });
    };
    next(0);
  } else
    for (const p of plan)
      world.at(p.at, () => {
        publish(p);
        remaining--;
      });
  /** When upstream publishes next (a publication waiting to be made counts as now). */
  const nextPublishAt = () => {
    if (remaining === 0) return undefined;
    const future = plan.filter((p) => p.at >= world.now).map((p) => p.at);
    return future.length > 0 ? Math.min(...future) : world.now;
  };

  const firstDay = new Date(firstPublish(scenario)).toISOString().slice(0, 10);
  const lastDay = addDay(new Date(lastPublish(scenario)).toISOString().slice(0, 10), 450);
  cloud.scheduleSweeps(firstDay, lastDay, nextPublishAt);

  const out = captureOutput();
  logger.setLogLevel('INFO');
  const parkedBeforeRedrive: RunResult['parkedBeforeRedrive'] = [];
  try {
    world.faults = opts.faults;
    // A schedule that runs past this has stopped making progress (a change that can never commit,
    // retried and redriven for ever): a failure, not a slow run. The longest cases take under 10,000.
    await world.run(() => false, MAX_STEPS);
    // The faults stop; the operator redrives what was parked; everything settles.
    world.faults = CALM;
    for (const q of cloud.queues.values())
      if (q.name.endsWith('-dlq'))
        for (const m of q.messages.values())
          parkedBeforeRedrive.push({ queue: q.name, body: m.body, origin: m.origin, receives: m.receives });
    cloud.redriveAll();
    await world.run(() => false, MAX_STEPS);
  } finally {
    out.restore();
    logger.setLogLevel('SILENT');
  }
  return {
    scenario,
    world,
    cloud,
    dynamo,
    logs: out.lines,
    published,
    protectedAt,
    owedSince,
    parkedBeforeRedrive,
    refused,
    tapeUsed: tape.used,
  };
};
