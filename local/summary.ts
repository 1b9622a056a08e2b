/** The human-readable summary `npm start` prints after the demo scenarios ran. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Rejection } from '../functions/adapters/case-store.ts';
import type { CaseReader } from '../functions/adapters/case-reader.ts';
import type { ConsentRecord } from '../functions/core/consent.ts';
import { linkToken } from '../functions/core/invitation-link.ts';
import { noticeView } from '../functions/core/meeting.ts';
import { queueDepths, recentRejections, sesEmails } from './inspect.ts';
import type { LocalStack } from './runtime.ts';

const describeConsent = (consent: ConsentRecord | undefined): string => {
  if (!consent) return 'none registered';
  const given = consent.parties.filter((p) => p.decision === 'given');
  const guardians = given.filter((p) => p.role === 'guardian').length;
  const who =
    consent.guardianCount && guardians > 0
      ? `${guardians} of ${consent.guardianCount} guardians`
      : given.map((p) => p.role).join(', ') || 'nobody';
  const methods = [...new Set(given.map((p) => p.method))].sort().join(', ');
  return (
    `${consent.status} (${who}${methods ? `; ${methods}` : ''}); covers ${consent.covers.length} organisation(s); ` +
    `valid ${consent.validFrom} – ${consent.validUntil}`
  );
};

export interface ScenarioCase {
  scenario: string;
  caseId: string;
}

export const renderSummary = async (
  stack: LocalStack,
  sqs: SQSClient,
  store: CaseReader,
  cases: ScenarioCase[],
): Promise<string> => {
  const lines: string[] = [];
  const emails = await sesEmails(stack.endpoints.ses);
  const depths = await queueDepths(sqs, stack.queues);
  const rejections: Rejection[] = await recentRejections(store);

  for (const { scenario, caseId } of cases) {
    const loaded = await store.loadCase(caseId);
    const record = loaded.case;
    const history = await store.listHistory(caseId);
    lines.push(`Case ${caseId} (${scenario} scenario)`);
    if (!record) {
      lines.push('  not stored (see the rejections below)');
    } else {
      lines.push(
        `  state: ${record.status}${record.stopReason ? ` (${record.stopReason})` : ''}${record.closeReason ? ` (${record.closeReason})` : ''}${record.protectedIdentity ? ', protected identity (phone-only path)' : ''}; ` +
          `created by ${record.initiator.principal}/${record.initiator.organisationType}` +
          (record.meetingDueBy ? `; meeting due by ${record.meetingDueBy} (county rule)` : ''),
      );
      lines.push(
        `  consent: ${describeConsent(record.activeConsentId ? loaded.consents.get(record.activeConsentId) : undefined)}`,
      );
      lines.push(
        `  history: ${history.map((h) => `${h.eventType.replace(/^se\.sip\./, '')} (${h.eventId})`).join(', ') || 'none'}`,
      );
    }
    // What upstream heard (issue 14): the committed outbound events, per type.
    const outbound = await store.listOutbound(caseId);
    const perType = new Map<string, number>();
    for (const e of outbound) {
      const t = e.type.replace(/^se\.sip\.|\.v1$/g, '');
      perType.set(t, (perType.get(t) ?? 0) + 1);
    }
    lines.push(
      `  outbound events: ${outbound.length === 0 ? 'none' : `${outbound.length} (${[...perType].map(([t, n]) => `${t} ×${n}`).join(', ')})`}`,
    );
    const own = emails.filter((e) => e.subject.includes(`${caseId})`));
    lines.push(`  emails sent: ${own.length === 0 ? 'none' : own.length}`);
    for (const e of own) {
      const calendar = e.attachments?.some((a) => /calendar|ics/.test(a.contentType))
        ? ' [calendar invitation]'
        : '';
      lines.push(`    to ${e.destination.to.join(', ')}: ${e.subject}${calendar}`);
    }
    for (const plan of loaded.plans.values()) {
      lines.push(
        `  plan ${plan.planId}: ${plan.interventions.length} intervention(s), overall responsibility ${plan.overallResponsible}, ` +
          `coordinator ${plan.coordinator.organisationType}, next follow-up ${plan.nextFollowUp.dueOn}`,
      );
    }
    for (const n of loaded.notices.values()) {
      const view = noticeView(record?.protectedIdentity ?? false, n, loaded.deliveries);
      lines.push(`  notice ${n.kind} (${view.channel}): ${view.status}`);
    }
    const meetings = [...loaded.meetings.values()];
    for (const m of meetings) {
      lines.push(
        `  meeting ${m.meetingId}: ${m.status}, ${m.startsAt.replace('T', ' ')} (${m.durationMinutes} min), sequence ${m.sequence}` +
          (m.warnings.length ? `; warnings: ${m.warnings.join(' | ')}` : ''),
      );
    }
    const invitations = loaded.invitations;
    const calls = invitations.filter((i) => i.channel === 'phone');
    lines.push(`  phone tasks: ${calls.length === 0 ? 'none' : ''}`);
    for (const i of calls) {
      lines.push(
        `    ${i.meetingId}: call ${i.organisationType} (${i.organisationId}) on ${i.phone ?? '?'} to agree time and place: ${i.status}${i.response ? ` (answered: ${i.response})` : ''}`,
      );
    }
    const mailed = invitations.filter((i) => i.channel === 'email');
    if (mailed.length > 0) lines.push('  invitations (email; each with its invitee’s page):');
    for (const i of mailed) {
      const invitee = loaded.meetings.get(i.meetingId)?.invitees.find((x) => x.inviteeId === i.inviteeId);
      const r = invitee?.response;
      const answer = r
        ? r.value === 'accepted' && r.attendee
          ? `accepted: ${r.attendee.name} (${r.attendee.role})`
          : r.value === 'substitute' && r.substitute
            ? `substitute: ${r.substitute.name}`
            : r.value
        : invitee?.receivedVersion
          ? 'receipt confirmed'
          : 'no answer yet';
      const kind = loaded.meetings.get(i.meetingId)?.kind ?? 'sip';
      const link =
        kind === 'sip' && stack.endpoints.invitations
          ? `\n      ${stack.endpoints.invitations}/i/${linkToken(stack.linkKey, i)}`
          : '';
      const proposal = invitee?.proposal
        ? `\n      proposed substitute (a forwarded invitation, to confirm): ${invitee.proposal.name} <${invitee.proposal.email}>`
        : '';
      lines.push(`    ${i.meetingId}/${i.inviteeId}: ${i.status}; ${answer}${proposal}${link}`);
    }
    for (const m of meetings)
      for (const q of m.clarifications ?? [])
        lines.push(`  clarification asked by ${q.inviteeId} (meeting ${m.meetingId}): ${q.message}`);
    const rejected = rejections.filter((r) => r.caseId === caseId);
    lines.push(`  rejected events: ${rejected.length === 0 ? 'none' : ''}`);
    for (const r of rejected) lines.push(`    ${r.eventId ?? r.messageId}: ${r.reason}`);
  }
  const orphan = rejections.filter((r) => !cases.some((c) => c.caseId === r.caseId));
  if (orphan.length > 0) {
    lines.push('Other rejected events:');
    for (const r of orphan) lines.push(`  ${r.eventId ?? `message ${r.messageId}`}: ${r.reason}`);
  }
  lines.push('Queues:');
  for (const [type, d] of Object.entries(depths)) {
    const waiting = stack.waitingTypes.includes(type as never);
    lines.push(
      `  ${type}: ${d.visible + d.inFlight + d.delayed} waiting${waiting ? ' (no consumer yet: its events wait in the queue)' : ''}, ${d.dlq} in DLQ`,
    );
  }
  lines.push(`SES inbox (every email the stack sent): ${stack.endpoints.ses}/`);
  return lines.join('\n');
};
