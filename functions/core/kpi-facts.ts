/**
 * The export the county KPIs are computed from (issue 15): each stored history entry, rejection
 * and security deviation as flat fact rows of codes, ids, dates and counts. Pure.
 *
 * A fact never carries a place, a name, free text, an email address or a phone number, for any
 * case, so the export has nothing to take back when a case becomes protected (its history is
 * rewritten to the allow-list, docs/protected-identity.md; the facts of the entries written
 * before were already allow-listed). The same rows are written by the export function in AWS
 * (functions/history-export/, JSON lines in S3, a Glue table over them) and by the local stack
 * and the tests (DuckDB over the same JSON lines), so one set of SQL (functions/report/sql/)
 * runs on both. docs/kpis.md defines each KPI on these columns.
 */
import { stockholmDate } from './dates.ts';

/** Every column, in order: the JSON lines always carry each one (null when it does not apply). */
export const FACT_COLUMNS = [
  ['factId', 'string'],
  /** The history entry's event (an invitee row's is its summons'); absent on rejections and deviations. */
  ['eventId', 'string'],
  ['kind', 'string'],
  ['county', 'string'],
  ['caseId', 'string'],
  ['eventType', 'string'],
  ['outcome', 'string'],
  ['occurredAt', 'string'],
  ['day', 'string'],
  ['protected', 'boolean'],
  ['initiatorPrincipal', 'string'],
  ['initiatorOrgType', 'string'],
  ['ageGroup', 'string'],
  ['needDiscoveredOn', 'string'],
  ['meetingId', 'string'],
  ['startsAt', 'string'],
  ['startDay', 'string'],
  ['startWeekday', 'int'],
  ['durationMinutes', 'int'],
  ['inviteeId', 'string'],
  ['organisationType', 'string'],
  ['obliged', 'boolean'],
  ['response', 'string'],
  ['participation', 'string'],
  ['planId', 'string'],
  ['followUpDueOn', 'string'],
  ['consentsGiven', 'int'],
  ['consentsRefused', 'int'],
  ['consentValidUntil', 'string'],
  ['closeReason', 'string'],
  ['reason', 'string'],
  ['source', 'string'],
  /** A meeting evaluation's answer (issue 15): who answered, which question, the score 1–5. */
  ['respondent', 'string'],
  ['question', 'string'],
  ['score', 'int'],
] as const;

export type FactColumn = (typeof FACT_COLUMNS)[number][0];
export type Fact = Record<FactColumn, string | number | boolean | null>;

const empty = (): Fact => Object.fromEntries(FACT_COLUMNS.map(([name]) => [name, null])) as unknown as Fact;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
/** Codes only: a value that is not a short code (letters, digits, dashes) is not exported. */
const code = (v: unknown): string | null =>
  typeof v === 'string' && /^[a-z0-9][a-z0-9:-]{0,63}$/i.test(v) ? v : null;
const dateOnly = (v: unknown): string | null =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null;
/** Europe/Stockholm wall-clock `YYYY-MM-DDTHH:MM` (a meeting's start). */
const localTime = (v: unknown): string | null =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) ? v.slice(0, 16) : null;

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
const isoWeekday = (date: string): number => ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;

const typeName = (eventType: string) => eventType.replace(/^se\.sip\./, '').replace(/\.v\d+$/, '');

/** A stored history entry (functions/adapters/case-store.ts HistoryRecord), as far as facts read it. */
export interface HistoryInput {
  caseId: string;
  eventId: string;
  eventType: string;
  occurredAt: string;
  outcome: string;
  reason?: string;
  data?: unknown;
}

/** The facts of one history entry: one row, and for a summons one more per invitee. */
export const factsOfHistory = (county: string, h: HistoryInput): Fact[] => {
  const base: Fact = {
    ...empty(),
    factId: h.eventId,
    eventId: h.eventId,
    kind: 'event',
    county,
    caseId: h.caseId,
    eventType: typeName(h.eventType),
    outcome: h.outcome,
    occurredAt: h.occurredAt,
    day: stockholmDate(new Date(h.occurredAt)),
  };
  if (h.outcome === 'rejected') return [{ ...base, reason: reasonCode(h.reason) }];
  if (h.outcome !== 'applied') return [base];
  const d = obj(h.data);
  switch (base.eventType) {
    case 'case.created': {
      const initiator = obj(d.initiator);
      return [
        {
          ...base,
          protected: bool(d.protectedIdentity),
          initiatorPrincipal: code(initiator.principal),
          initiatorOrgType: code(initiator.organisationType),
          ageGroup: code(d.ageGroup),
          needDiscoveredOn: dateOnly(d.needDiscoveredOn),
        },
      ];
    }
    case 'summons.sent': {
      const startsAt = localTime(d.startsAt);
      const meeting: Fact = {
        ...base,
        protected: bool(d.protectedIdentity),
        meetingId: str(d.meetingId),
        startsAt,
        startDay: startsAt?.slice(0, 10) ?? null,
        startWeekday: startsAt ? isoWeekday(startsAt.slice(0, 10)) : null,
        durationMinutes: num(d.durationMinutes),
      };
      const invitees = Array.isArray(d.invitees) ? d.invitees.map(obj) : [];
      return [
        meeting,
        ...invitees.map((i) => ({
          ...meeting,
          factId: `${h.eventId}#${String(i.inviteeId)}`,
          kind: 'invitee',
          inviteeId: str(i.inviteeId),
          organisationType: code(i.organisationType),
          obliged: i.hasOngoingIntervention === true,
        })),
      ];
    }
    case 'invitation.responded':
      return [
        { ...base, meetingId: str(d.meetingId), inviteeId: str(d.inviteeId), response: code(d.response) },
      ];
    case 'plan.established':
      return [
        {
          ...base,
          planId: str(d.planId),
          participation: code(d.participation),
          followUpDueOn: dateOnly(obj(d.nextFollowUp).dueOn),
        },
      ];
    case 'consent.registered': {
      // The parties this event registers, and whether they gave or refused consent.
      const parties = Array.isArray(d.givenBy) ? d.givenBy.length : 0;
      return [
        {
          ...base,
          consentsGiven: d.decision === 'given' ? parties : 0,
          consentsRefused: d.decision === 'refused' ? parties : 0,
          consentValidUntil: dateOnly(d.validUntil),
        },
      ];
    }
    case 'case.closed':
      return [{ ...base, closeReason: code(d.reason) }];
    case 'case.protection.changed':
      return [{ ...base, protected: bool(d.protectedIdentity) }];
    default:
      return [base];
  }
};

/**
 * A rejection's reason as a category an operator can count by: its first clause (up to a `;`
 * or `(`), with case ids and quoted values replaced by "…", at most 120 characters.
 */
export const reasonCode = (reason: string | undefined): string | null => {
  if (!reason) return null;
  const head = reason
    .replace(/^rejected: /, '')
    .replace(/\bcase \S+/g, 'case …')
    .replace(/"[^"]*"/g, '…')
    // Ids (a word of 6 or more characters with a digit): each rejection is not its own category.
    .replace(/[\w.:/-]*\d[\w.:/-]*/g, (w) => (w.length >= 6 ? '…' : w))
    .split(/[;(]/)[0]
    ?.trim()
    .slice(0, 120);
  return head || null;
};

/** A rejection stored by a consumer (the queue's checks): pipeline health. */
export const factOfRejection = (
  county: string,
  r: {
    messageId: string;
    queueEventType: string;
    reason: string;
    rejectedAt: string;
    caseId?: string;
    source?: string;
  },
): Fact => ({
  ...empty(),
  factId: `rejection:${r.messageId}`,
  kind: 'rejection',
  county,
  caseId: r.caseId ?? null,
  eventType: typeName(r.queueEventType),
  outcome: 'rejected',
  occurredAt: r.rejectedAt,
  day: stockholmDate(new Date(r.rejectedAt)),
  reason: reasonCode(r.reason),
  // A URI, as the queue's check kept it (no address); anything else is not exported.
  source: r.source && /^[A-Za-z][A-Za-z0-9+.-]*:[^\s@"]{1,200}$/.test(r.source) ? r.source : null,
});

/** A security deviation (forbidden fields dropped from a protected case's event): counted, never shown. */
export const factOfDeviation = (
  county: string,
  d: { eventId: string; caseId: string; recordedAt?: string; day?: string },
): Fact => {
  const at = d.recordedAt ?? `${d.day ?? '1970-01-01'}T12:00:00.000Z`;
  return {
    ...empty(),
    factId: `deviation:${d.eventId}`,
    kind: 'deviation',
    county,
    caseId: d.caseId,
    outcome: 'deviation',
    occurredAt: at,
    day: stockholmDate(new Date(at)),
    protected: true,
  };
};

/**
 * An evaluation answer (issue 15): one fact per question, anonymous — no case, meeting, invitee
 * or link; the id is the answer's own random id, so a repeated export is the same row.
 */
export const factsOfEvaluation = (
  county: string,
  e: { id: string; respondent: string; scores: Record<string, unknown>; answeredOn: string },
): Fact[] =>
  Object.entries(e.scores)
    .filter(([, v]) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5)
    .map(([question, score]) => ({
      ...empty(),
      factId: `evaluation:${e.id}:${question}`,
      kind: 'evaluation',
      county,
      outcome: 'answered',
      // The day only is kept: a time would let someone match an answer to a visit.
      occurredAt: `${e.answeredOn}T12:00:00.000Z`,
      day: e.answeredOn,
      respondent: code(e.respondent),
      question: code(question),
      score: score as number,
    }));

/** One fact per line, every column present (null when it does not apply). */
export const toJsonLines = (facts: readonly Fact[]): string =>
  facts.map((f) => `${JSON.stringify(f)}\n`).join('');
