/**
 * What must hold after every schedule (issue 12, docs/semantics.md), checked on what the run left
 * behind — the table, the queues, the mailboxes, the logs — never on what the code says it did:
 *
 *  1 convergence: each case's state equals the one of the calm, time-ordered run of the same events;
 *  2 every mailbox ends consistent with that state (per recipient and calendar UID, the highest
 *    SEQUENCE is the final truth: a REQUEST with the final time and place, or a CANCEL), and every
 *    calendar reads strictly (RFC 5545/5546);
 *  3 no email lost: everything owed ends sent, or failed for good with its alarm metric;
 *  4 no duplicate email (recipient, UID, SEQUENCE, METHOD), beyond the documented doubt window;
 *  5 a protected case keeps no place, free text or address anywhere — table, queues, DLQs, logs —
 *    and gets no email (no SES call at all) once protected;
 *  6 every published message is applied, superseded, a duplicate, rejected with a reason, or parked;
 *  7 every message this system builds fits its contract, every key its limit;
 *  8 every write fits DynamoDB's limits;
 *  9 outbound (issue 14): each case's committed outbound events are numbered 1…n without a gap or
 *    a repeat (exactly once per state change, in the case's order), end describing the final
 *    state (the last status of the case and of each invitation or phone task is the stored one),
 *    and carry no address, place or free text of any case;
 * and the rules the defects of issue 12 broke: a sweep reminds only the plan in force's follow-up,
 * participants are reminded only while consent is in force, no email repeats what its recipient
 * already has, a first email never says "changed", an answer is the invitee's newest, and every
 * valid CloudEvent is accepted. Logs never hold an address, a personal number or a payload value.
 */
import { containsPersonalNumber } from '../../events/contracts/common.ts';
import { parseEvent } from '../../events/contracts.ts';
import { type LoadedCase } from '../../functions/adapters/case-store.ts';
import { CaseReader } from '../../functions/adapters/case-reader.ts';
import { invitationUid } from '../../functions/adapters/invitation-mail.ts';
import type { FoldEvent } from '../../functions/core/case-state.ts';
import { activeConsent } from '../../functions/core/consent.ts';
import { stockholmDate } from '../../functions/core/dates.ts';
import { foldCase } from '../../functions/core/fold.ts';
import { dueMarkers } from '../../functions/core/lifecycle.ts';
import { toFoldEvent } from '../../functions/runtime/apply-event.ts';
import { deliveryKey, invitationsOf, owed, pendingMailJobs } from '../../functions/core/meeting.ts';
import {
  invitationStatus,
  type OutboundEvent,
  outboundTypes,
  phoneTaskStatus,
} from '../../functions/core/outbound.ts';
import { countyById } from '../../lib/counties.ts';
import { consumers } from '../../lib/topology.ts';
import { checkCalendar } from '../support/icalendar-check.ts';
import { readMail } from './mail-read.ts';
import type { RunResult } from './run.ts';

export interface Violation {
  oracle: string;
  detail: string;
}

export interface Stats {
  emails: number;
  explainedDuplicates: number;
  parkedResidual: number;
  gaveUp: number;
}

const storeOf = (r: RunResult) =>
  new CaseReader({ send: async (c: never) => r.dynamo.execute(c) } as never, r.dynamo.tableName);

export const loadCases = async (r: RunResult): Promise<LoadedCase[]> => {
  const store = storeOf(r);
  return Promise.all(r.scenario.cases.map((c) => store.loadCase(c.caseId)));
};

const sortJson = (v: unknown): string => JSON.stringify(v);
/** How late an owed email may go out under faults (retries, doubt window, redrives): generous. */
const TIMELY_MS = 12 * 3_600_000;

/** What a case's state must agree on, whatever the order its events came in. */
export const project = (l: LoadedCase) => {
  const protectedCase = l.case?.protectedIdentity ?? false;
  const live = [...l.meetings.values()].filter((m) => m.status !== 'cancelled');
  const invitations = invitationsOf(protectedCase, live, new Map());
  return {
    case: l.case && {
      status: l.case.status,
      consentStatus: l.case.consentStatus,
      activeConsentId: l.case.activeConsentId,
      stopReason: l.case.stopReason,
      closeReason: l.case.closeReason,
      protectedIdentity: l.case.protectedIdentity,
      planId: l.case.planId,
      ageGroup: l.case.ageGroup,
      needDiscoveredOn: l.case.needDiscoveredOn,
      meetingDueBy: l.case.meetingDueBy,
      createdByEventId: l.case.createdByEventId,
      coordinator: l.case.coordinator,
    },
    consents: [...l.consents.values()]
      .map((c) => ({
        consentId: c.consentId,
        status: c.status,
        parties: c.parties.map((p) => [p.partyId, p.role, p.decision, p.method].join('/')).sort(),
        guardianCount: c.guardianCount,
        covers: c.covers.map((o) => `${o.principal}/${o.organisationId}`).sort(),
        validFrom: c.validFrom,
        validUntil: c.validUntil,
      }))
      .sort((a, b) => (a.consentId < b.consentId ? -1 : 1)),
    meetings: live
      .map((m) => ({
        meetingId: m.meetingId,
        kind: m.kind ?? 'sip',
        status: m.status,
        startsAt: m.startsAt,
        durationMinutes: m.durationMinutes,
        allDay: m.allDay ?? false,
        location: m.location ?? null,
        organiser: m.organiser,
        purpose: m.purpose ?? null,
        consentValidUntil: m.consentValidUntil ?? null,
        warnings: m.warnings,
      }))
      .sort((a, b) => (a.meetingId < b.meetingId ? -1 : 1)),
    invitations: invitations
      .filter((i) => i.action === 'request')
      .map((i) =>
        [
          i.meetingId,
          i.inviteeId,
          i.channel,
          i.email ?? '',
          i.unitName ?? '',
          i.locale ?? '',
          i.phone ?? '',
          i.response ?? '',
          i.channel === 'phone' ? i.status : '',
        ].join('|'),
      )
      .sort(),
    plans: [...l.plans.values()].map((p) => sortJson({ ...p, version: undefined })).sort(),
    notices: [...l.notices.values()]
      .filter((n) => !n.void)
      .map((n) =>
        sortJson({
          noticeId: n.noticeId,
          kind: n.kind,
          params: n.params,
          to: n.recipients.map((x) => x.key).sort(),
        }),
      )
      .sort(),
    due: l.due.map((d) => `${d.kind}/${d.ref}/${d.date}`).sort(),
  };
};

const dec = (s: string | undefined) => (s ? Buffer.from(s, 'base64url').toString('utf8') : '');

/** The history as the fold reads it, in version order. */
const historyEvents = (l: LoadedCase): FoldEvent[] =>
  l.history
    .filter((h) => h.data !== undefined)
    .map(toFoldEvent)
    .sort((a, b) => (a.version < b.version ? -1 : 1));

export type Projection = ReturnType<typeof project>;

/**
 * The markers a text holds. Every marker starts with "mk" (scenario.ts), so the text is scanned
 * once for "mk" rather than once per marker (a long protected case's table is large).
 */
const markersIn = (text: string, markers: readonly string[]): string[] => {
  const found = new Set<string>();
  for (let i = text.indexOf('mk'); i >= 0; i = text.indexOf('mk', i + 2))
    for (const m of markers) if (text.startsWith(m, i)) found.add(m);
  return [...found];
};

/**
 * The contract's verdict on a body, computed once: the 8 schedules of a scenario send and publish
 * mostly the same bodies (a pure function of body and type, so a cache changes nothing else).
 */
const verdicts = new Map<string, { ok: boolean; reason?: string }>();
const parsedOnce = (body: string, type: string) => {
  const key = `${type}\u0000${body}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    const parsed = parseEvent(body, type as never);
    verdict = parsed.ok ? { ok: true } : { ok: false, reason: parsed.reason };
    if (verdicts.size > 20_000) verdicts.clear();
    verdicts.set(key, verdict);
  }
  return verdict;
};

export const checkRun = async (
  r: RunResult,
  reference?: Projection[],
): Promise<{ violations: Violation[]; stats: Stats }> => {
  const v: Violation[] = [];
  const fail = (oracle: string, detail: string) => v.push({ oracle, detail });
  const stats: Stats = {
    emails: r.cloud.ses.mailbox.length,
    explainedDuplicates: 0,
    parkedResidual: 0,
    gaveUp: 0,
  };
  const county = countyById(r.scenario.county);
  const cases = await loadCases(r);
  const byCase = new Map(
    r.scenario.cases.map((c, i) => [c.caseId, { scenario: c, loaded: cases[i] as LoadedCase }]),
  );
  const mails = r.cloud.ses.mailbox.map((m) => {
    const read = readMail(m.raw);
    return {
      ...m,
      read,
      caseId: dec(m.tags.sipCase),
      cal: read.calendar ? checkCalendar(read.calendar) : undefined,
    };
  });
  // Each captured write ends its line: the whole log, joined once (looked at twice below).
  const logText = r.logs.join('');

  // 1 convergence
  if (reference) {
    cases.forEach((l, i) => {
      const a = project(l);
      const b = reference[i];
      if (sortJson(a) !== sortJson(b))
        fail('1 convergence', `case ${r.scenario.cases[i]?.caseId}: ${firstDifference(a, b)}`);
    });
  }

  for (const [caseId, { scenario, loaded }] of byCase) {
    const protectedCase = loaded.case?.protectedIdentity ?? false;
    const own = mails.filter((m) => m.caseId === caseId);

    // 2 every mailbox ends consistent with the final state; calendars read strictly
    for (const m of own) {
      if (m.cal?.problems.length) fail('2 calendar', `${m.read.subject}: ${m.cal.problems.join('; ')}`);
      if (m.cal?.event && m.cal.event.method !== m.read.method)
        fail(
          '2 calendar',
          `${m.read.subject}: the MIME part says ${m.read.method}, the calendar ${m.cal.event.method}`,
        );
    }
    const groups = new Map<string, typeof own>();
    for (const m of own) {
      if (!m.cal?.event) continue;
      const key = `${m.read.to} ${m.cal.event.uid}`;
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    if (!protectedCase) {
      for (const [key, group] of groups) {
        const seq = (m: (typeof group)[number]) => m.cal?.event?.sequence ?? 0;
        const last = [...group].sort((a, b) => seq(a) - seq(b) || a.acceptedAt - b.acceptedAt).at(-1);
        if (!last || last.rejectedLater) continue;
        const meeting = loaded.meetings.get(dec(last.tags.sipMeeting));
        const invitee = meeting?.invitees.find((i) => i.inviteeId === dec(last.tags.sipInvitee));
        if (!meeting || !invitee) {
          fail('2 mailbox', `${key}: an email for an invitation the case does not have`);
          continue;
        }
        const over =
          meeting.status === 'cancelled' ||
          invitee.removed ||
          invitee.substitutedBy !== undefined ||
          invitee.email?.toLowerCase() !== last.read.to;
        if (over && last.read.method !== 'CANCEL')
          fail(
            '2 mailbox',
            `${key}: the meeting is off for this recipient, but their last message is a ${last.read.method}`,
          );
        if (!over) {
          const { sequence } = owed(meeting, invitee);
          const start = meeting.allDay
            ? meeting.startsAt.slice(0, 10).replace(/-/g, '')
            : `${meeting.startsAt.replace(/[-:]/g, '')}00`.slice(0, 15);
          const where =
            meeting.location?.kind === 'digital' ? meeting.location.joinUrl : meeting.location?.place;
          if (
            last.read.method !== 'REQUEST' ||
            // An unchanged sequence is not sent again: the last one shows it, and is never newer.
            seq(last) > sequence ||
            last.cal?.event?.dtstart !== start ||
            (where !== undefined && last.cal?.event?.location !== where)
          )
            fail(
              '2 mailbox',
              `${key}: last message ${last.read.method} SEQUENCE ${seq(last)} does not show the meeting as it is (SEQUENCE ${sequence}, ${meeting.startsAt})`,
            );
        }
      }
      // Every live email invitee has the invitation (or SES refused it for good).
      for (const i of invitationsOf(false, loaded.meetings.values(), loaded.deliveries)) {
        if (i.channel !== 'email' || i.action !== 'request' || i.status === 'failed') continue;
        const uid = invitationUid(i, county.id);
        const group = groups.get(`${i.email?.toLowerCase()} ${uid}`);
        if (!group)
          fail(
            '2 mailbox',
            `${i.meetingId}/${i.inviteeId}: invited (${i.status}) but their mailbox has nothing`,
          );
        // SES took the last email and then refused it (a Reject event): it never arrived, so the
        // invitation must say failed (and alarm), not sent.
        const last = group
          ?.filter((m) => m.tags.sipSeq !== undefined)
          .sort((a, b) => Number(a.tags.sipSeq) - Number(b.tags.sipSeq) || a.acceptedAt - b.acceptedAt)
          .at(-1);
        if (last?.rejectedLater)
          fail(
            '3 lost',
            `${i.meetingId}/${i.inviteeId}: SES rejected the last email after accepting it, yet the invitation is ${i.status}`,
          );
      }
    }

    // 3 nothing lost: every email owed is done, and nothing is left claimed
    const pending = pendingMailJobs(
      protectedCase,
      loaded.meetings.values(),
      loaded.notices.values(),
      loaded.deliveries,
    );
    if (pending.length)
      fail('3 lost', `${pending.length} email(s) still owed: ${JSON.stringify(pending.slice(0, 3))}`);
    for (const d of loaded.deliveries.values())
      if (d.claimToken) fail('3 lost', `a delivery is still claimed at the end: ${JSON.stringify(d)}`);
    const failed = [...loaded.deliveries.values()].filter((d) => d.status === 'failed').length;
    if (failed > 0 && (logText.match(/"InvitationsFailed"/g) ?? []).length === 0)
      fail('3 lost', `${failed} failed delivery(ies) but no InvitationsFailed metric`);

    // 4 no duplicates, beyond the doubt window
    const copies = new Map<string, typeof own>();
    for (const m of own) {
      const t = m.tags;
      const key = [
        t.sipMeeting ?? t.sipNotice,
        t.sipInvitee ?? t.sipTo,
        t.sipSeq,
        t.sipAction,
        t.sipStep,
        m.read.to,
      ].join('|');
      copies.set(key, [...(copies.get(key) ?? []), m]);
    }
    for (const [key, group] of copies) {
      if (group.length < 2) continue;
      const [first, ...rest] = [...group].sort((a, b) => a.acceptedAt - b.acceptedAt);
      for (const again of rest) {
        const settled = r.cloud.obs.sendEventDone.get(first?.sesMessageId ?? '');
        // The documented window: SES's Send event for the first copy was not read before the second went out.
        if (settled === undefined || settled > again.acceptedAt) stats.explainedDuplicates++;
        else
          fail(
            '4 duplicate',
            `${key}: sent again at ${again.acceptedAt} though SES confirmed the first at ${settled}`,
          );
      }
    }

    // 9 outbound: exactly once, in order, converging on the final state, nothing forbidden
    {
      const items = r.dynamo
        .partition(`OUTBOX#${caseId}`)
        .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
      const events = items.flatMap((i) => i.events as OutboundEvent[]);
      const seqs = events.map((e) => Number(e.sequence));
      if (seqs.some((s, i) => s !== i + 1))
        fail('9 outbound', `case ${caseId}: sequences ${seqs.join(',')} are not 1…${seqs.length}`);
      for (const i of items)
        if (String(i.sk) !== (i.events as OutboundEvent[])[0]?.sequence)
          fail('9 outbound', `case ${caseId}: outbox item ${String(i.sk)} starts at another sequence`);
      if ((loaded.case?.outboundSeq ?? 0) !== events.length)
        fail(
          '9 outbound',
          `case ${caseId}: the case says ${loaded.case?.outboundSeq} events, ${events.length} are stored`,
        );
      const text = JSON.stringify(events);
      if (/@/.test(text)) fail('9 outbound', `case ${caseId}: an outbound event carries an address`);
      for (const marker of markersIn(text, scenario.markers))
        fail('9 outbound', `case ${caseId}: an outbound event carries ${marker}`);
      const last = (type: string, match: (d: Record<string, unknown>) => boolean) =>
        events.filter((e) => e.type === type && match(e.data)).at(-1)?.data;
      if (loaded.case) {
        const status = last(outboundTypes.caseStatusChanged, () => true);
        if (
          status?.status !== loaded.case.status ||
          status?.protectedIdentity !== loaded.case.protectedIdentity
        )
          fail(
            '9 outbound',
            `case ${caseId}: last case.status-changed says ${status?.status}/${status?.protectedIdentity}, the case is ${loaded.case.status}/${loaded.case.protectedIdentity}`,
          );
      }
      for (const m of loaded.meetings.values())
        for (const i of m.invitees) {
          const of = (d: Record<string, unknown>) =>
            d.meetingId === m.meetingId && d.inviteeId === i.inviteeId;
          if (protectedCase) {
            const task = events
              .filter(
                (e) =>
                  (e.type === outboundTypes.phoneTaskCreated || e.type === outboundTypes.phoneTaskUpdated) &&
                  of(e.data),
              )
              .at(-1)?.data;
            const want = phoneTaskStatus(m, i);
            if ((task?.status ?? 'cancelled') !== want)
              fail(
                '9 outbound',
                `${caseId}/${m.meetingId}/${i.inviteeId}: phone task told ${task?.status}, is ${want}`,
              );
          } else if (i.email) {
            const told = last(outboundTypes.invitationStatusChanged, (d) => of(d) && d.email === undefined);
            const want = invitationStatus(m, i);
            if ((told?.status ?? 'cancelled') !== want)
              fail(
                '9 outbound',
                `${caseId}/${m.meetingId}/${i.inviteeId}: invitation told ${told?.status}, is ${want}`,
              );
            else if (told && want !== 'cancelled' && told.meetingSequence !== m.sequence)
              fail(
                '9 outbound',
                `${caseId}/${m.meetingId}/${i.inviteeId}: told SEQUENCE ${told.meetingSequence}, is ${m.sequence}`,
              );
          }
          // What became of its emails: each told once, the last one told is the stored one.
          const emails = events.filter(
            (e) =>
              e.type === outboundTypes.invitationStatusChanged && of(e.data) && e.data.email !== undefined,
          );
          const seen = new Set<string>();
          for (const e of emails) {
            const k = `${String(e.data.status)}/${String(e.data.email)}/${String(e.data.meetingSequence)}`;
            if (seen.has(k))
              fail('9 outbound', `${caseId}/${m.meetingId}/${i.inviteeId}: email ${k} told twice`);
            seen.add(k);
          }
          const d = loaded.deliveries.get(
            deliveryKey({ caseId, meetingId: m.meetingId, inviteeId: i.inviteeId }),
          );
          const toldEmail = emails.at(-1)?.data;
          const emailed = d?.sentAction === 'cancel' ? 'cancellation' : 'invitation';
          const want =
            d?.status === 'sent' || (d?.status === 'cancelled' && d.sentAction === 'cancel' && d.attempted)
              ? { status: 'sent', email: emailed, meetingSequence: d.sentSequence }
              : d?.status && ['delivered', 'bounced', 'complained', 'failed'].includes(d.status)
                ? { status: d.status }
                : undefined;
          if (
            want &&
            (toldEmail?.status !== want.status ||
              (want.email !== undefined &&
                (toldEmail.email !== want.email || toldEmail.meetingSequence !== want.meetingSequence)))
          )
            fail(
              '9 outbound',
              `${caseId}/${m.meetingId}/${i.inviteeId}: last email told ${JSON.stringify(toldEmail)}, stored ${JSON.stringify(want)}`,
            );
        }
    }

    // 5 a protected case keeps nothing and is sent nothing
    if (protectedCase) {
      const since = r.protectedAt.get(caseId) ?? 0;
      for (const m of own)
        if (m.acceptedAt > since)
          fail(
            '5 protected',
            `an email about the protected case went out after it was protected (${m.read.subject})`,
          );
      for (const a of r.cloud.ses.attempts)
        if (a.caseId === caseId && a.at > since)
          fail('5 protected', 'SES was called about the protected case after it was protected');
      const stored = JSON.stringify(
        r.dynamo.all().filter((i) => String(i.pk).includes(caseId) || String(i.caseId) === caseId),
      );
      for (const marker of markersIn(stored, scenario.markers))
        fail('5 protected', `the table keeps ${marker} of the protected case`);
      for (const q of r.cloud.queues.values())
        for (const msg of q.messages.values())
          for (const marker of markersIn(msg.body, scenario.markers))
            fail('5 protected', `queue ${q.name} still holds ${marker}`);
      // An invocation that read the case as protected and then failed must replace the message it
      // gives back with a sanitised copy (consumer.ts retryProtected), not let the original return.
      // (Reads are known per invocation: only a batch with one message of this case tells whose.)
      for (const x of r.cloud.obs.returned) {
        if (!x.inv.read.has(`CASE#${caseId}`) || x.inv.startedAt < since || x.inv.sqsSendsTried > 0) continue;
        if (x.inv.messages.filter((m) => m.body.includes(caseId)).length !== 1) continue;
        const [hit] = markersIn(x.body, scenario.markers);
        if (hit)
          fail(
            '5 protected',
            `${x.queue}: a message holding ${hit} went back to its queue after ${x.inv.fn} read the protected case`,
          );
      }
      for (const p of r.parkedBeforeRedrive) {
        const [hit] = markersIn(p.body, scenario.markers);
        if (!hit) continue;
        const knew = p.receives.some((id) => {
          const inv = r.cloud.obs.invocations.find((x) => x.id === id);
          return inv?.read.has(`CASE#${caseId}`) && inv.startedAt >= since;
        });
        if (p.origin === 'code' || knew)
          fail('5 protected', `${p.queue} held ${hit} of the protected case (parked by ${p.origin})`);
        else stats.parkedResidual++; // docs/protected-identity.md: the case could not be read
      }
    }

    // Extra: what is stored as due is what the stored state says is due (lifecycle.ts dueMarkers):
    // a stale marker would make a sweep visit for nothing, or remind of a date no longer planned.
    const dueKey = (d: { kind: string; ref: string; date: string }) => `${d.kind} ${d.ref} ${d.date}`;
    const expectedDue = dueMarkers(county, loaded).map(dueKey).sort().join(', ');
    const storedDue = loaded.due.map(dueKey).sort().join(', ');
    if (expectedDue !== storedDue)
      fail('due', `case ${caseId} stores due [${storedDue}], its state says [${expectedDue}]`);

    // Extra: an email the state calls for goes out within hours of being owed, faults included
    // (retries, a doubt window, DLQ redrives every 20 minutes): not only when a later event of the
    // case happens to hand it over.
    if (!protectedCase)
      for (const m of loaded.meetings.values()) {
        if (m.status === 'cancelled') continue;
        for (const i of m.invitees) {
          if (i.removed || !i.email || r.refused.has(i.email)) continue;
          const since = r.owedSince.get(`${caseId}|${m.meetingId}|${i.inviteeId}`);
          const uid = invitationUid({ caseId, meetingId: m.meetingId, inviteeId: i.inviteeId }, county.id);
          const first = own.filter((x) => x.cal?.event?.uid === uid).map((x) => x.acceptedAt);
          if (since === undefined || first.length === 0) continue; // never owed here, or lost (oracle 3)
          const late = Math.min(...first) - since;
          if (late > TIMELY_MS)
            fail(
              'timely',
              `${uid}: owed since ${new Date(since).toISOString()}, first sent ${Math.round(late / 3_600_000)} h later`,
            );
        }
      }

    // Extra: a reminder by the clock is for the plan in force's follow-up; participants only under consent
    const events = historyEvents(loaded);
    for (const m of loaded.meetings.values()) {
      if (m.kind !== 'follow-up' || m.status === 'cancelled') continue;
      // The state just before this version of the reminder (the clock at its time, before its id).
      const at = m.detailsVersion.slice(0, m.detailsVersion.indexOf(' ') + 1);
      const before = foldCase(
        county,
        events.filter((e) => e.version < at),
        at,
      ).state;
      if (m.lastSummonsEventId.startsWith('sweep.followup.')) {
        const inForce = before.case?.planId ? before.plans.get(before.case.planId) : undefined;
        if (inForce?.nextFollowUp.followUpId !== m.meetingId)
          fail(
            'follow-up',
            `reminded ${m.meetingId} by the clock, but the plan in force follows up ${inForce?.nextFollowUp.followUpId ?? 'nothing'}`,
          );
      }
      const day = stockholmDate(new Date(`${at.trim()}`));
      const consent = activeConsent(before.consents.values());
      const inForce = consent?.status === 'complete' && consent.validFrom <= day && consent.validUntil >= day;
      if (!inForce && m.invitees.some((i) => i.inviteeId !== 'coordinator' && !i.removed))
        fail('follow-up', `participants reminded of ${m.meetingId} on ${day} with no consent in force`);
    }
    // Extra: an answer is the invitee's newest (a receipt or a question is no answer; any of them
    // confirms receipt)
    for (const m of loaded.meetings.values()) {
      if (m.status === 'cancelled') continue;
      for (const i of m.invitees) {
        if (i.removed) continue;
        const mine = events.filter(
          (e) =>
            e.type === 'se.sip.invitation.responded.v1' &&
            (e.data as { meetingId: string }).meetingId === m.meetingId &&
            (e.data as { inviteeId: string }).inviteeId === i.inviteeId,
        );
        const applied = mine.filter((e) => {
          const outcome = loaded.history.find((h) => h.eventId === e.id)?.outcome;
          return outcome === 'applied' || outcome === 'superseded';
        });
        if (applied.length > 0 && !i.receivedVersion)
          fail('answer', `${m.meetingId}/${i.inviteeId}: answered, but receipt is not confirmed`);
        const answers = mine.filter(
          (e) => !['received', 'clarification'].includes((e.data as { response: string }).response),
        );
        const newest = answers.at(-1);
        const outcome = loaded.history.find((h) => h.eventId === newest?.id)?.outcome;
        if (
          newest &&
          outcome !== 'rejected' &&
          i.response?.value !== (newest.data as { response: string }).response
        )
          fail(
            'answer',
            `${m.meetingId}/${i.inviteeId}: answer ${i.response?.value ?? 'none'}, newest ${(newest.data as { response: string }).response}`,
          );
      }
    }
    // Extra: no email repeats what its recipient has; a first email never says "changed"
    for (const [key, group] of groups) {
      const ordered = [...group].sort((a, b) => a.acceptedAt - b.acceptedAt);
      if (/^(Ändrad tid\/plats|Updated): /.test(ordered[0]?.read.subject ?? ''))
        fail('wording', `${key}: the first email says the meeting changed (${ordered[0]?.read.subject})`);
      const content = (m: (typeof group)[number]) =>
        `${m.read.method}|${JSON.stringify({ ...m.cal?.event, sequence: 0 })}|${m.read.text
          .split('\n')
          .filter((l) => /^[^:]{2,30}: /.test(l) || /^(Observera|Note):/.test(l))
          .join('\n')}`;
      for (let n = 1; n < ordered.length; n++) {
        const a = ordered[n - 1];
        const b = ordered[n];
        if (
          a &&
          b &&
          !a.rejectedLater &&
          a.read.method === 'REQUEST' &&
          content(a) === content(b) &&
          a.tags.sipSeq !== b.tags.sipSeq
        )
          fail('repeat', `${key}: SEQUENCE ${b.tags.sipSeq} repeats SEQUENCE ${a.tags.sipSeq} unchanged`);
      }
    }
  }

  // 6 accounting: every published message has an outcome
  const rejections = r.dynamo.all().filter((i) => i.type === 'rejection');
  const histories = new Set(
    r.dynamo
      .all()
      .filter((i) => i.type === 'history')
      .map((i) => String(i.eventId)),
  );
  for (const p of r.published) {
    const ok =
      (p.eventId !== undefined && histories.has(p.eventId)) ||
      rejections.some(
        (x) => x.messageId === p.messageId || (p.eventId !== undefined && x.eventId === p.eventId),
      );
    if (!ok)
      fail('6 accounting', `message ${p.messageId} (${p.type}, ${p.eventId ?? 'no id'}) has no outcome`);
  }
  for (const x of rejections) {
    if (!(String(x.reason ?? '').length > 5))
      fail('6 accounting', `a rejection without a readable reason: ${JSON.stringify(x)}`);
    if (/gave up after waiting/.test(String(x.reason))) {
      stats.gaveUp++;
      // Only upstream events may give up (their prerequisite never came in time); what this system
      // sends itself (a mail job, an SES report) must never be dropped that way.
      if (x.queueEventType === 'se.sip.invitation.mail.v1' || x.queueEventType === 'aws.ses.event')
        fail('3 lost', `a ${x.queueEventType} gave up waiting: ${x.reason}`);
    }
  }

  // 7 what this system builds fits its contracts and key limits
  for (const s of r.cloud.obs.sent) {
    const type = consumers.find((c) => `${c.name}` === s.queue || `${c.name}-dlq` === s.queue)?.eventType;
    if (!type || type === 'aws.ses.event') continue;
    const parsed = parsedOnce(s.body, type);
    if (!parsed.ok)
      fail('7 ids', `a message this system sent to ${s.queue} breaks its contract: ${parsed.reason}`);
  }
  for (const i of r.dynamo.all())
    if (String(i.pk).includes('@') || String(i.sk).includes('@'))
      fail('7 ids', `an address in a key: ${i.pk} ${i.sk}`);

  // 8 every write fits DynamoDB's limits
  for (const x of r.dynamo.violations) fail('8 limits', `${x.command}: ${x.message}`);

  // Every well-formed CloudEvent is accepted by the contract; logs keep no values
  for (const c of r.scenario.cases)
    for (const e of c.events)
      if (e.wellFormed && typeof e.body === 'object') {
        const parsed = parsedOnce(JSON.stringify(e.body), e.type);
        if (!parsed.ok) fail('contract', `a valid ${e.type} is refused: ${parsed.reason}`);
      }
  const markers = r.scenario.cases.flatMap((c) => c.markers);
  // Every marker starts with "mk" (scenario.ts): a line without it holds none. The whole log is
  // looked at once; only when it holds something are its lines looked at, to name the one.
  const allLogs = logText;
  const logsHoldSomething =
    markersIn(allLogs, markers).length > 0 ||
    (allLogs.includes('@') && /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/.test(allLogs)) ||
    containsPersonalNumber(allLogs.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z?/g, ''));
  for (const line of logsHoldSomething ? r.logs : []) {
    const [hit] = markersIn(line, markers);
    if (hit) fail('5 logs', `a log line holds ${hit}: ${line.slice(0, 200)}`);
    if (line.includes('@') && /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/.test(line))
      fail('5 logs', `a log line holds an email address: ${line.slice(0, 200)}`);
    if (containsPersonalNumber(line.replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z?/g, '')))
      fail('5 logs', `a log line holds a personal number: ${line.slice(0, 200)}`);
  }
  for (const x of rejections)
    if (
      (x.caseId && containsPersonalNumber(String(x.caseId))) ||
      (x.eventId && containsPersonalNumber(String(x.eventId)))
    )
      fail('5 privacy', `a rejection keeps an id with a personal number: ${x.caseId} ${x.eventId}`);
  return { violations: v, stats };
};

/** The first place two projections differ, for a readable report. */
const firstDifference = (a: unknown, b: unknown, path = ''): string => {
  if (JSON.stringify(a) === JSON.stringify(b)) return '(none)';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (JSON.stringify(x) !== JSON.stringify(y)) return firstDifference(x, y, `${path}.${k}`);
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 300)} ≠ reference ${JSON.stringify(b)?.slice(0, 300)}`;
};
