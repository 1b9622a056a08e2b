/**
 * What upstream sends about a case, generated: a case's whole life as its publishers would report
 * it — creation (and a correction), consents (two guardians, a refusal and a change of mind, a
 * mature child), summons with later versions (moved, an invitee dropped or added, a new address, a
 * repeat, an older version sent late), answers, phone calls, a plan and its revision, follow-ups,
 * and protection, withdrawal or closing at any point — plus what a careless publisher sends:
 * duplicates, events built like the CloudEvents SDK builds them, events a rule refuses, malformed
 * bodies. Every value that must never be kept for a protected case carries a unique marker.
 */
import * as fc from 'fast-check';
import { eventTypes } from '../../events/contracts/common.ts';
import { addDays } from '../../functions/core/dates.ts';

export interface PlannedEvent {
  type: string;
  /** The CloudEvent (an object), or a raw body that is not one. */
  body: Record<string, unknown> | string;
  /** When upstream publishes it (ms); the simulation adds jitter. */
  publishAt: number;
  /** Not a prerequisite of any other event: it may arrive very late. */
  mayStraggle: boolean;
  /** Must the contract accept it? (Malformed bodies and broken rules are expected to be rejected.) */
  wellFormed: boolean;
  /** Upstream's spread for this event, if not the run's (events meant to race are published close together). */
  jitterMs?: number;
}

export interface CaseScenario {
  caseId: string;
  county: string;
  events: PlannedEvent[];
  /** Markers planted in every place, name, address and free-text field of this case. */
  markers: string[];
  /** The case ends protected whatever the order (so every marker must be gone). */
  protectedAtEnd: boolean;
}

export interface Scenario {
  county: string;
  cases: CaseScenario[];
}

const consentStyles = [
  'separate',
  'together',
  'refuse-then-give',
  'mature-child',
  'late-refusal',
  'renewal',
] as const;
const versionKinds = [
  'reschedule',
  'drop-invitee',
  'add-invitee',
  'repeat',
  'repeat-after-answers',
  'new-address',
  'older-late',
] as const;
const protections = [
  'none',
  'none',
  'none',
  'at-creation',
  'changed-early',
  'changed-after-emails',
  'racing-emails',
  'changed-after-plan',
  'flagged-summons',
  // The flagged summons comes before consent is complete and waits; or consent never completes.
  'flagged-waiting',
  'flagged-no-consent',
] as const;

export const caseParams = fc.record({
  ageGroup: fc.constantFrom('child', 'child', 'adult', 'young-adult'),
  guardians: fc.constantFrom(1, 2),
  consentStyle: fc.constantFrom(...consentStyles),
  shortConsent: fc.boolean(),
  meetings: fc.integer({ min: 1, max: 3 }),
  versions: fc.array(fc.constantFrom(...versionKinds), { maxLength: 3 }),
  invitees: fc.integer({ min: 2, max: 6 }),
  responses: fc.array(
    fc.record({
      invitee: fc.nat({ max: 9 }),
      // What the invitation page sends too (issue 13): names, an address and free text, each a marker.
      value: fc.constantFrom('accepted', 'declined', 'substitute', 'received', 'clarification'),
      lateOlder: fc.boolean(),
    }),
    { maxLength: 4 },
  ),
  plan: fc.constantFrom('none', 'one', 'one', 'revised'),
  upstreamFollowUp: fc.constantFrom('none', 'timed-early', 'timed-late', 'untimed'),
  protection: fc.constantFrom(...protections),
  // 'racing-emails': seconds after the last summons, while its invitations are being sent.
  withdrawal: fc.constantFrom('none', 'none', 'none', 'after-summons', 'racing-emails', 'after-plan'),
  close: fc.constantFrom('none', 'none', 'after-plan', 'early', 'racing-emails', 'after-follow-up'),
  correction: fc.boolean(),
  longIds: fc.boolean(),
  sdkStyle: fc.boolean(),
  digital: fc.boolean(),
  duplicates: fc.array(fc.nat({ max: 40 }), { maxLength: 3 }),
  malformed: fc.nat({ max: 2 }),
  ruleBroken: fc.boolean(),
  // The longest realistic case (10 invitees, 12 meetings, a year of follow-ups): one in forty. It
  // costs about fifteen ordinary cases when it is not protected (~400 emails a schedule); at one
  // in twenty it took a third to a half of npm test's simulation time (docs/decisions.md).
  longest: fc.integer({ min: 0, max: 39 }).map((n) => n === 0),
  seed: fc.nat(),
});
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
export type CaseParams = ValueOf<typeof caseParams>;

export const scenarioArb = fc.record({
  county: fc.constantFrom('halland', 'halland', 'gavleborg', 'varmland', 'stockholm'),
  // Mostly one case; two now and then (their events interleave on the same queues).
  cases: fc.oneof(
    { arbitrary: fc.array(caseParams, { minLength: 1, maxLength: 1 }), weight: 3 },
    fc.array(caseParams, { minLength: 2, maxLength: 2 }),
  ),
});
export type ScenarioParams = ValueOf<typeof scenarioArb>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The first case is created at 08:00 Stockholm on 20 November 2026. */
const T0 = Date.parse('2026-11-20T07:00:00Z');

/** An RFC 3339 time: with Stockholm's offset, or (like the CloudEvents SDK) UTC with milliseconds. */
const rfc = (ms: number, sdk: boolean) => {
  if (sdk) return new Date(ms).toISOString();
  const local = new Date(ms + HOUR).toISOString().slice(0, 19);
  return `${local}+01:00`;
};
const day = (ms: number) => new Date(ms + HOUR).toISOString().slice(0, 10);
/** A Stockholm wall-clock start on a weekday, 09:00 + slot hours. */
const startsAt = (ms: number, slot: number) => {
  let d = day(ms);
  while ([0, 6].includes(new Date(`${d}T12:00:00Z`).getUTCDay())) d = addDays(d, 1);
  return `${d}T${String(9 + (slot % 6)).padStart(2, '0')}:00`;
};

export const buildScenario = (p: ScenarioParams): Scenario => ({
  county: p.county,
  cases: p.cases.map((c, k) => buildCase(p.county, c, k)),
});

const buildCase = (county: string, p: CaseParams, k: number): CaseScenario => {
  const salt = p.seed.toString(36);
  const markers: string[] = [];
  const mark = (field: string) => {
    const m = `mk${salt}x${k}${field}`;
    markers.push(m);
    return m;
  };
  const long = (base: string, n = 64) => (p.longIds ? `${base}-${'x'.repeat(n)}`.slice(0, n) : base);
  const caseId = long(`case-${k}-${salt}`);
  const events: PlannedEvent[] = [];
  let ids = 0;
  const base = T0 + k * 37 * 60_000;
  const sdk = p.sdkStyle;
  const event = (
    type: string,
    at: number,
    data: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => {
    const body: Record<string, unknown> = {
      specversion: '1.0',
      id: long(`evt-${k}-${++ids}-${salt}`, p.longIds ? 128 : 64),
      source: `urn:se:${county}:journal:sim`,
      type,
      time: rfc(at, sdk),
      subject: caseId,
      ...(sdk
        ? { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` }
        : { datacontenttype: 'application/json' }),
      data: { county, ...data },
      ...extra,
    };
    return body;
  };
  const add = (
    type: string,
    at: number,
    data: Record<string, unknown>,
    o: Partial<PlannedEvent> = {},
    extra = {},
  ) => {
    const body = event(type, at, data, extra);
    events.push({ type, body, publishAt: at, mayStraggle: false, wellFormed: true, ...o });
    return body;
  };

  // The people and units of the case. Organisation ids are what consent covers.
  const principals = ['region', 'municipality'];
  const types = [
    'psychiatry',
    'social-services',
    'school',
    'health-care',
    'social-insurance-agency',
    'elderly-and-disability-care',
  ];
  const inviteeCount = p.longest ? 10 : p.invitees;
  const units = Array.from({ length: inviteeCount + 1 }, (_, n) => ({
    inviteeId: long(`inv-${n}`),
    principal: n === inviteeCount ? 'other' : (principals[n % 2] as string),
    organisationId: long(`org-${n}`),
    organisationType: n === inviteeCount ? 'social-insurance-agency' : (types[n % 5] as string),
    unitName: `${mark(`unit${n}`)} enhet`,
    email: `${mark(`mail${n}`)}@kommun.example.se`,
    phone: `+46 35 000 00 ${String(10 + n).padStart(2, '0')}`,
    locale: n % 3 === 2 ? 'en' : 'sv',
    hasOngoingIntervention: n % 2 === 0,
  }));
  const covers = units.map((u) => ({ organisationId: u.organisationId, principal: u.principal }));
  const invited = (n: number) => units.slice(0, n).map(({ ...u }) => u);

  const protectedAtCreation = p.protection === 'at-creation';
  const created = add(eventTypes.caseCreated, base, {
    initiator: { principal: 'region', organisationType: 'psychiatry', unitId: long('unit-bup') },
    ageGroup: p.ageGroup,
    protectedIdentity: protectedAtCreation,
    needDiscoveredOn: day(base - DAY),
  });
  if (p.correction)
    add(
      eventTypes.caseCreated,
      base + 30 * 60_000,
      { ...(created.data as object), county, needDiscoveredOn: day(base - 2 * DAY) },
      { mayStraggle: true },
    );

  // Consent: who may give it depends on the age group.
  const validFrom = day(base + DAY);
  const meetingDay = base + 19 * DAY;
  const validUntil = p.shortConsent ? day(meetingDay + 60 * DAY) : addDays(validFrom, 364);
  const consentId = long('consent-1');
  const consent = (
    at: number,
    partyId: string,
    role: string,
    decision: 'given' | 'refused',
    o: Partial<PlannedEvent> = {},
  ) =>
    add(
      eventTypes.consentRegistered,
      at,
      {
        consentId,
        decision,
        givenBy: [{ partyId: long(partyId), role }],
        ...(role === 'guardian' ? { guardianCount: p.guardians } : {}),
        method: decision === 'given' ? 'written' : 'oral',
        covers,
        validFrom,
        validUntil,
      },
      o,
    );
  const child = p.ageGroup === 'child';
  if (!child) consent(base + DAY, 'person', 'person', 'given');
  else if (p.consentStyle === 'mature-child') consent(base + DAY, 'kid', 'mature-child', 'given');
  else if (p.consentStyle === 'together' && p.guardians === 2)
    add(eventTypes.consentRegistered, base + DAY, {
      consentId,
      decision: 'given',
      givenBy: [
        { partyId: long('g-a'), role: 'guardian' },
        { partyId: long('g-b'), role: 'guardian' },
      ],
      guardianCount: 2,
      method: 'written',
      covers,
      validFrom,
      validUntil,
    });
  else {
    if (p.consentStyle === 'refuse-then-give')
      consent(base + DAY - HOUR, 'g-a', 'guardian', 'refused', { mayStraggle: true });
    consent(base + DAY, 'g-a', 'guardian', 'given');
    if (p.guardians === 2) consent(base + DAY + 2 * HOUR, 'g-b', 'guardian', 'given');
  }
  if (p.consentStyle === 'late-refusal' && child)
    consent(base + 40 * DAY, 'g-a', 'guardian', 'refused', { mayStraggle: true });
  if (p.consentStyle === 'renewal')
    add(
      eventTypes.consentRegistered,
      base + 30 * DAY,
      {
        consentId: long('consent-2'),
        decision: 'given',
        givenBy: [{ partyId: long(child ? 'kid' : 'person'), role: child ? 'mature-child' : 'person' }],
        method: 'oral',
        covers,
        validFrom: day(base + 30 * DAY),
        validUntil: day(base + 300 * DAY),
      },
      { mayStraggle: true },
    );

  // Nobody consents: everything after the creation waits, then gives up.
  if (p.protection === 'flagged-no-consent')
    for (let n = events.length - 1; n >= 0; n--)
      if (events[n]?.type === eventTypes.consentRegistered) events.splice(n, 1);

  // Summons: one or more meetings, each with later versions.
  const meetingCount = p.longest ? 12 : p.meetings;
  const organiser = {
    principal: 'region',
    organisationType: 'psychiatry',
    unitId: long('unit-bup'),
    unitName: `${mark('organiser')} BUP`,
    contactEmail: `${mark('orgmail')}@region.example.se`,
  };
  const protectedSummons = ['flagged-summons', 'flagged-waiting', 'flagged-no-consent'].includes(
    p.protection,
  );
  const summonsWaits = p.protection === 'flagged-waiting' || p.protection === 'flagged-no-consent';
  const summonsData = (
    meetingId: string,
    slot: number,
    at: number,
    invitees: typeof units,
    flagged: boolean,
  ) => ({
    meetingId,
    startsAt: startsAt(at, slot),
    durationMinutes: 60 + 30 * (slot % 3),
    protectedIdentity: flagged || protectedAtCreation,
    location: p.digital
      ? { kind: 'digital', joinUrl: `https://mote.example.se/${mark(`url${slot}`)}` }
      : { kind: 'in-person', place: `${mark(`place${slot}`)} rum ${slot}` },
    purpose: mark('purpose'),
    longTermGoal: mark('goal'),
    questions: [mark('question')],
    organiser,
    invitees,
  });
  const firstMeetingId = long('meeting-0');
  let lastSummonsAt = base;
  let lastSummons: PlannedEvent | undefined;
  const noteSummons = (at: number) => {
    if (at >= lastSummonsAt) lastSummons = events.at(-1);
    lastSummonsAt = Math.max(lastSummonsAt, at);
  };
  /** The first meeting's newest summons (what a repeat repeats). */
  let newestFirst: { at: number; data: Record<string, unknown> } = { at: 0, data: {} };
  for (let m = 0; m < meetingCount; m++) {
    const meetingId = long(`meeting-${m}`);
    const at =
      m === 0 && summonsWaits ? base + DAY - 3 * HOUR : base + 3 * DAY + m * (p.longest ? 20 * DAY : HOUR);
    const when = meetingDay + m * (p.longest ? 30 * DAY : DAY);
    const list = invited(inviteeCount);
    const flagged = protectedSummons && m === 0;
    add(eventTypes.summonsSent, at, summonsData(meetingId, m, when, list, flagged));
    if (m === 0) newestFirst = { at, data: summonsData(meetingId, m, when, list, flagged) };
    noteSummons(at);
    // Later versions: of the first meeting, and in the longest case of its last one too (a version
    // of each of its twelve meetings made it ~400 emails a schedule, mostly the same changes).
    if (m > 0 && !(p.longest && m === meetingCount - 1)) continue;
    p.versions.forEach((kind, v) => {
      const vAt = at + (v + 1) * 5 * 60_000;
      if (kind === 'repeat-after-answers') return; // after the answers, below
      if (kind === 'older-late') {
        // An older version than the first, sent after it: it must change nothing.
        add(
          eventTypes.summonsSent,
          at - 10 * 60_000,
          summonsData(meetingId, m + 3, when + DAY, list, flagged),
          { mayStraggle: true },
        );
        return;
      }
      const next =
        kind === 'drop-invitee'
          ? list.slice(0, Math.max(2, list.length - 1))
          : kind === 'add-invitee'
            ? [...list, units[inviteeCount] as (typeof units)[number]]
            : kind === 'new-address'
              ? list.map((u, n) => (n === 1 ? { ...u, email: `${mark('newmail')}@kommun.example.se` } : u))
              : list;
      const moved = kind === 'reschedule' ? when + 2 * DAY : when;
      add(eventTypes.summonsSent, vAt, summonsData(meetingId, m, moved, next, flagged), {
        mayStraggle: kind === 'repeat',
      });
      if (m === 0 && vAt > newestFirst.at)
        newestFirst = { at: vAt, data: summonsData(meetingId, m, moved, next, flagged) };
      noteSummons(vAt);
    });
  }

  // Answers (some older ones late), and calls on the phone path.
  p.responses.forEach((r, n) => {
    const unit = units[r.invitee % inviteeCount] as (typeof units)[number];
    const at = lastSummonsAt + (r.lateOlder ? HOUR : DAY + n * HOUR);
    add(
      eventTypes.invitationResponded,
      at,
      {
        meetingId: firstMeetingId,
        inviteeId: unit.inviteeId,
        response: r.value,
        ...(r.value === 'accepted' ? { attendee: { name: mark(`attendee${n}`), role: 'kurator' } } : {}),
        ...(r.value === 'substitute'
          ? { substitute: { name: mark(`sub${n}`), email: `${mark(`submail${n}`)}@kommun.example.se` } }
          : {}),
        ...(r.value === 'clarification' ? { message: `${mark(`question${n}`)}?` } : {}),
      },
      { mayStraggle: true },
    );
  });
  // Upstream sends the newest summons again (a new event id) after the invitees answered: the
  // answers must stay.
  if (p.versions.includes('repeat-after-answers'))
    add(eventTypes.summonsSent, lastSummonsAt + DAY + (p.responses.length + 1) * HOUR, newestFirst.data, {
      mayStraggle: true,
    });
  const willBeProtected = p.protection !== 'none';
  if (willBeProtected)
    add(
      eventTypes.phoneTaskCompleted,
      lastSummonsAt + 2 * DAY,
      { meetingId: firstMeetingId, inviteeId: units[1]?.inviteeId, outcome: 'agreed' },
      { mayStraggle: true },
    );

  // The plan, its revision, follow-ups.
  const planAt = meetingDay + 3 * HOUR;
  const dueOn = day(meetingDay + 90 * DAY);
  const coordinator = {
    principal: 'municipality',
    organisationType: 'social-services',
    unitId: long('unit-soc'),
    email: `${mark('coordmail')}@kommun.example.se`,
    phone: '+46 35 000 00 99',
  };
  const plan = (at: number, planId: string, followUpId: string, due: string) =>
    add(eventTypes.planEstablished, at, {
      planId,
      meetingId: firstMeetingId,
      overallResponsible: 'municipality',
      coordinator,
      interventions: [{ code: 'KVA-1', responsible: 'region' }],
      shortTermGoals: ['MAL-1'],
      longTermGoal: 'MAL-LONG',
      participation: 'took-part',
      nextFollowUp: { followUpId, dueOn: due },
    });
  const followUpId = long('followup-1');
  if (p.plan !== 'none') plan(planAt, long('plan-1'), followUpId, dueOn);
  const revisedDue = day(meetingDay + 120 * DAY);
  if (p.plan === 'revised') plan(planAt + 7 * DAY, long('plan-2'), long('followup-2'), revisedDue);
  if (p.plan !== 'none' && p.upstreamFollowUp !== 'none') {
    const target = p.plan === 'revised' ? long('followup-2') : followUpId;
    const due = p.plan === 'revised' ? revisedDue : dueOn;
    const at = Date.parse(`${due}T07:00:00Z`) - (p.upstreamFollowUp === 'timed-late' ? 3 : 10) * DAY;
    add(
      eventTypes.followupDue,
      at,
      {
        followUpId: target,
        dueOn: due,
        ...(p.upstreamFollowUp === 'untimed' ? {} : { startsAt: `${due}T13:00`, durationMinutes: 60 }),
      },
      { mayStraggle: true },
    );
  }
  if (p.longest)
    // A year of monthly follow-ups reported upstream.
    for (let f = 1; f <= 10; f++) {
      const due = day(meetingDay + (90 + 30 * f) * DAY);
      add(
        eventTypes.followupDue,
        Date.parse(`${due}T07:00:00Z`) - 10 * DAY,
        { followUpId: long(`followup-m${f}`), dueOn: due },
        {
          mayStraggle: true,
        },
      );
    }

  // Protection, withdrawal, closing. 'racing-emails': a second after the last summons, both
  // published within two seconds of their time, so the change meets its emails being sent.
  const racing = [p.protection, p.withdrawal, p.close].includes('racing-emails');
  const RACE = 2_000;
  if (racing && lastSummons) {
    lastSummons.jitterMs = RACE;
    lastSummons.mayStraggle = false;
  }
  const racer = { mayStraggle: false, jitterMs: RACE };
  const protectAt =
    p.protection === 'changed-early'
      ? base + 2 * DAY
      : p.protection === 'changed-after-emails'
        ? lastSummonsAt + 6 * HOUR
        : p.protection === 'racing-emails'
          ? lastSummonsAt + 1_000
          : p.protection === 'changed-after-plan'
            ? planAt + 2 * DAY
            : undefined;
  if (protectAt !== undefined)
    add(
      eventTypes.caseProtectionChanged,
      protectAt,
      { protectedIdentity: true, reason: 'violence-in-close-relationship' },
      p.protection === 'racing-emails' ? racer : { mayStraggle: true },
    );
  if (p.withdrawal !== 'none' && (child ? p.consentStyle !== 'mature-child' : true)) {
    const party = child ? (p.consentStyle === 'mature-child' ? 'kid' : 'g-a') : 'person';
    const role = child ? 'guardian' : 'person';
    add(
      eventTypes.consentWithdrawn,
      p.withdrawal === 'after-summons'
        ? lastSummonsAt + 3 * HOUR
        : p.withdrawal === 'racing-emails'
          ? lastSummonsAt + 1_000
          : planAt + DAY,
      { consentId, withdrawnBy: { partyId: long(party), role } },
      p.withdrawal === 'racing-emails' ? racer : { mayStraggle: true },
    );
  }
  if (p.close !== 'none') {
    const at =
      p.close === 'early'
        ? base + 4 * DAY
        : p.close === 'racing-emails'
          ? lastSummonsAt + 1_000
          : p.close === 'after-plan'
            ? planAt + 30 * DAY
            : Date.parse(`${dueOn}T12:00:00Z`) + 5 * DAY;
    add(
      eventTypes.caseClosed,
      at,
      { reason: 'need-met' },
      p.close === 'racing-emails' ? racer : { mayStraggle: true },
    );
  }

  // A careless publisher.
  if (p.ruleBroken)
    add(
      eventTypes.summonsSent,
      base + 3 * DAY + 7 * 60_000,
      {
        ...summonsData(long('meeting-bad'), 5, meetingDay, invited(inviteeCount), false),
        purpose: undefined,
        invitees: invited(inviteeCount).filter((u) => u.principal !== 'region'),
      },
      { mayStraggle: true },
    );
  const pinLike = '19121212-1212';
  for (let n = 0; n < p.malformed; n++) {
    const at = base + (n + 1) * HOUR;
    const bodies = [
      `{"specversion":"1.0","id":"evt-broken-${salt}-${n}","subject":"${caseId}","data":{"place":"${mark(`broken${n}`)}"`,
      JSON.stringify({ ...event(eventTypes.caseCreated, at, {}), subject: `case-${pinLike}` }),
      JSON.stringify({
        ...event(eventTypes.caseCreated, at, {}),
        id: `evt-${pinLike}`,
        Bad_Attr: mark(`attr${n}`),
      }),
    ];
    events.push({
      type: eventTypes.caseCreated,
      body: bodies[n % bodies.length] as string,
      publishAt: at,
      mayStraggle: true,
      wellFormed: false,
    });
  }
  for (const d of p.duplicates) {
    const original = events[d % events.length] as PlannedEvent;
    events.push({ ...original, publishAt: original.publishAt + (d % 7) * 60_000, mayStraggle: true });
  }
  if (p.ruleBroken)
    (
      events.find(
        (e) =>
          typeof e.body === 'object' &&
          (e.body.data as { meetingId?: string }).meetingId === long('meeting-bad'),
      ) as PlannedEvent
    ).wellFormed = true;
  return { caseId, county, events, markers, protectedAtEnd: willBeProtected };
};

/** The last time anything is published (the simulation runs past it to settle). */
export const lastPublish = (s: Scenario) =>
  Math.max(...s.cases.flatMap((c) => c.events.map((e) => e.publishAt)));
export const firstPublish = (s: Scenario) =>
  Math.min(...s.cases.flatMap((c) => c.events.map((e) => e.publishAt)));
