/**
 * The words of an invitation email, in Swedish (default) or English. Pure. It carries no personal
 * data about the person: the case is named by its opaque reference, and the purpose only where the
 * county allows it.
 */
import { addMinutesLocal } from './dates.ts';
import type { Invitation, Meeting, Notice } from './meeting.ts';

export interface EmailText {
  subject: string;
  text: string;
  html: string;
  /** Calendar summary line. */
  calendarSummary: string;
  calendarDescription: string;
}

const months = {
  sv: [
    'januari',
    'februari',
    'mars',
    'april',
    'maj',
    'juni',
    'juli',
    'augusti',
    'september',
    'oktober',
    'november',
    'december',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};
const days = {
  sv: ['måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag', 'söndag'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};

/** "onsdag 9 december 2026 kl. 09:00–10:30" / "Wednesday 9 December 2026, 09:00–10:30" (Europe/Stockholm). */
export const formatWhen = (startsAt: string, minutes: number, locale: 'sv' | 'en'): string => {
  const [y, m, d] = startsAt.slice(0, 10).split('-').map(Number) as [number, number, number];
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  const from = startsAt.slice(11, 16);
  const to = addMinutesLocal(startsAt, minutes).slice(11, 16);
  return locale === 'sv'
    ? `${days.sv[weekday]} ${d} ${months.sv[m - 1]} ${y} kl. ${from}–${to}`
    : `${days.en[weekday]} ${d} ${months.en[m - 1]} ${y}, ${from}–${to}`;
};

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

/** An invitation as one email: what is owed, and whether this recipient had this calendar entry before. */
export type Letter = Pick<
  Invitation,
  'caseId' | 'meetingId' | 'inviteeId' | 'unitName' | 'email' | 'locale' | 'action' | 'sequence'
> & {
  /** This address received an invitation for this meeting before: the words say it changed. */
  update?: boolean;
  /** The invitee's personal page (issue 13): answers, purpose, goal and questions. */
  link?: string;
};

export const composeInvitation = (meeting: Meeting, invitation: Letter, countyName: string): EmailText => {
  const locale = invitation.locale ?? 'sv';
  const sv = locale === 'sv';
  const cancel = invitation.action === 'cancel';
  const update = !cancel && invitation.update === true;
  const ref = invitation.caseId;
  const followUp = meeting.kind === 'follow-up';
  const when = meeting.allDay
    ? formatWhen(meeting.startsAt, 0, locale)
        .replace(/ (kl\. )?\d\d:\d\d–\d\d:\d\d$/, '')
        .replace(/,$/, '')
    : formatWhen(meeting.startsAt, meeting.durationMinutes, locale);
  const organiser = meeting.organiser.unitName ?? (sv ? 'Samordnaren' : 'The coordinator');
  const where =
    meeting.location?.kind === 'digital'
      ? `${sv ? 'Digitalt möte' : 'Digital meeting'}: ${meeting.location.joinUrl}`
      : (meeting.location?.place ?? (sv ? 'meddelas av samordnaren' : 'to be given by the coordinator'));
  const contact = meeting.organiser.contactEmail ?? '';

  const what = followUp
    ? sv
      ? 'Påminnelse: uppföljning av SIP'
      : 'Reminder: follow-up of the SIP'
    : sv
      ? 'Kallelse till SIP-möte'
      : 'Invitation to a SIP meeting';
  const subject = sv
    ? `${cancel ? 'Inställt: ' : update ? 'Ändrad tid/plats: ' : ''}${what} ${when} (ärende ${ref})`
    : `${cancel ? 'Cancelled: ' : update ? 'Updated: ' : ''}${what} ${when} (case ${ref})`;

  const lead = cancel
    ? sv
      ? `SIP-mötet ${when} är inställt. Ni behöver inte göra något mer.`
      : `The SIP meeting on ${when} is cancelled. You need not do anything more.`
    : sv
      ? `${organiser} kallar ${invitation.unitName ?? 'er'} till ett möte om en samordnad individuell plan (SIP).${update ? ' Tid eller plats har ändrats sedan förra kallelsen.' : ''}`
      : `${organiser} invites ${invitation.unitName ?? 'you'} to a meeting about a coordinated individual plan (SIP).${update ? ' The time or place has changed since the last invitation.' : ''}`;

  const rows: [string, string][] = cancel
    ? [[sv ? 'Ärende' : 'Case reference', ref]]
    : [
        [sv ? 'Vem kallar' : 'Invited by', organiser],
        [sv ? 'När' : 'When', when],
        [sv ? 'Längd' : 'Length', `${meeting.durationMinutes} ${sv ? 'minuter' : 'minutes'}`],
        [sv ? 'Var' : 'Where', where],
        [sv ? 'Ärende' : 'Case reference', ref],
        ...(meeting.purpose ? [[sv ? 'Syfte' : 'Purpose', meeting.purpose] as [string, string]] : []),
      ];
  const consentLine = meeting.consentValidUntil
    ? sv
      ? `Observera: samtycket gäller till och med ${meeting.consentValidUntil}, före uppföljningen. Ett nytt samtycke behövs innan information delas.`
      : `Note: the consent is valid until ${meeting.consentValidUntil}, before the follow-up. A new consent is needed before information is shared.`
    : null;
  const confirm = cancel
    ? ''
    : invitation.link
      ? sv
        ? `Läs syftet, målet och frågeställningarna och svara på er personliga sida: bekräfta mottagande, anmäl vem som deltar, skicka en ersättare eller be om förtydligande. Länken är personlig för er enhet; dela den inte. Enheter med pågående insatser är skyldiga att delta.`
        : `Read the purpose, goal and questions and answer on your personal page: confirm receipt, say who attends, send a substitute or ask for clarification. The link is personal to your unit; do not share it. Units with ongoing interventions are obliged to attend.`
      : sv
        ? `Bekräfta att ni har fått kallelsen och vem som deltar genom att svara på detta mejl${contact ? ` eller skriva till ${contact}` : ''}. Om ni är förhindrade, skicka en ersättare och meddela vem. Enheter med pågående insatser är skyldiga att delta.`
        : `Please confirm that you received this invitation and who will attend by replying to this email${contact ? ` or writing to ${contact}` : ''}. If you cannot attend, send a substitute and tell us who. Units with ongoing interventions are obliged to attend.`;
  const link = cancel || !invitation.link ? null : invitation.link;
  const footer = sv
    ? `Mejlet innehåller inga uppgifter om personen; använd ärendereferensen i era egna system. Skickat av SIP-samordningen i ${countyName}.`
    : `This email holds no information about the person; use the case reference in your own systems. Sent by SIP coordination in ${countyName}.`;

  const text = [
    lead,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    '',
    consentLine,
    consentLine ? '' : null,
    confirm,
    confirm ? '' : null,
    link,
    link ? '' : null,
    footer,
  ]
    .filter((l) => l !== null)
    .join('\n');
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body>
<main>
<h1>${escapeHtml(cancel ? (sv ? 'SIP-mötet är inställt' : 'The SIP meeting is cancelled') : sv ? 'Kallelse till SIP-möte' : 'Invitation to a SIP meeting')}</h1>
<p>${escapeHtml(lead)}</p>
<dl>
${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('\n')}
</dl>
${consentLine ? `<p><strong>${escapeHtml(consentLine)}</strong></p>\n` : ''}${confirm ? `<p>${escapeHtml(confirm)}</p>\n` : ''}${link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(sv ? 'Öppna er sida för kallelsen' : 'Open your invitation page')}</a></p>\n` : ''}<p><small>${escapeHtml(footer)}</small></p>
</main>
</body></html>
`;
  return {
    subject,
    text,
    html,
    calendarSummary: sv ? `SIP-möte (ärende ${ref})` : `SIP meeting (case ${ref})`,
    calendarDescription: sv
      ? `Samordnad individuell plan, ärende ${ref}. Kallande: ${organiser}.`
      : `Coordinated individual plan, case ${ref}. Invited by: ${organiser}.`,
  };
};

const noticeWords = {
  'obliged-unit-declined': {
    sv: (p: Record<string, string>) => [
      `En enhet med pågående insatser har tackat nej till SIP-mötet ${p.meetingId ?? ''} utan att skicka en ersättare`,
      `Organisation ${p.organisationId ?? ''} (${p.organisationType ?? ''}) är skyldig att delta. Kontakta enheten.`,
    ],
    en: (p: Record<string, string>) => [
      `A unit with ongoing interventions declined SIP meeting ${p.meetingId ?? ''} without a substitute`,
      `Organisation ${p.organisationId ?? ''} (${p.organisationType ?? ''}) is obliged to attend. Please contact the unit.`,
    ],
  },
  'case-closed': {
    sv: (p: Record<string, string>) => [
      'SIP-ärendet är avslutat',
      `Skäl: ${p.reason ?? ''}. Inga fler möten eller påminnelser skickas.`,
    ],
    en: (p: Record<string, string>) => [
      'The SIP case is closed',
      `Reason: ${p.reason ?? ''}. No more meetings or reminders will be sent.`,
    ],
  },
  'clarification-requested': {
    sv: (p: Record<string, string>) => [
      `En inbjuden enhet ber om förtydligande inför SIP-mötet ${p.meetingId ?? ''}`,
      `Enheten ${p.inviteeId ?? ''} (${p.organisationType ?? ''}) vill att syftet eller frågeställningarna förtydligas. Läs frågan i ärendets sammanfattning och svara enheten.`,
    ],
    en: (p: Record<string, string>) => [
      `An invited unit asks for clarification before SIP meeting ${p.meetingId ?? ''}`,
      `Unit ${p.inviteeId ?? ''} (${p.organisationType ?? ''}) asks that the purpose or the questions be clarified. Read the question in the case summary and answer the unit.`,
    ],
  },
  'substitute-proposed': {
    sv: (p: Record<string, string>) => [
      `Någon erbjuder sig att ersätta en inbjuden enhet vid SIP-mötet ${p.meetingId ?? ''}`,
      `Kallelsen till enheten ${p.inviteeId ?? ''} (${p.organisationType ?? ''}) har vidarebefordrats, och mottagaren har tackat ja i enhetens ställe. Namn och adress finns i ärendets sammanfattning. Godkänn ersättaren genom att svara "ersättare" för enheten (från ert system, eller låt enheten svara på sin inbjudningssida); annars behöver ni inte göra något.`,
    ],
    en: (p: Record<string, string>) => [
      `Someone offers to stand in for an invited unit at SIP meeting ${p.meetingId ?? ''}`,
      `The invitation to unit ${p.inviteeId ?? ''} (${p.organisationType ?? ''}) was forwarded, and its recipient accepted it in the unit's place. Their name and address are in the case summary. To accept them as substitute, answer "substitute" for the unit (from your system, or let the unit answer on its invitation page); otherwise do nothing.`,
    ],
  },
  'unconfirmed-invitations': {
    sv: (p: Record<string, string>) => [
      `Enheter har inte bekräftat kallelsen till SIP-mötet ${p.meetingId ?? ''}`,
      `Mötet är ${(p.startsAt ?? '').replace('T', ' kl. ')}. Dessa inbjudna enheter har ännu inte bekräftat att de fått kallelsen: ${p.units ?? ''}. Kontakta dem, eller se svaren i ärendets sammanfattning.`,
    ],
    en: (p: Record<string, string>) => [
      `Units have not confirmed the summons to SIP meeting ${p.meetingId ?? ''}`,
      `The meeting is on ${(p.startsAt ?? '').replace('T', ' at ')}. These invited units have not yet confirmed that they received the summons: ${p.units ?? ''}. Contact them, or see the answers in the case summary.`,
    ],
  },
  'meeting-evaluation': {
    sv: (p: Record<string, string>) => [
      `Hur gick SIP-mötet ${p.meetingId ?? ''}?`,
      'Svara på fyra korta frågor om mötet, på en skala. Svaren är anonyma och används bara i länets uppföljning av SIP. Det tar en minut.',
    ],
    en: (p: Record<string, string>) => [
      `How did SIP meeting ${p.meetingId ?? ''} go?`,
      'Answer four short questions about the meeting, on a scale. The answers are anonymous and used only in the county follow-up of SIP. It takes a minute.',
    ],
  },
  'family-survey': {
    sv: (p: Record<string, string>) => [
      `Enkät till barnet och vårdnadshavarna efter SIP-mötet ${p.meetingId ?? ''}`,
      'Skriv ut sidan med QR-kod och kort länk och dela ut den efter mötet: barnet och vårdnadshavarna svarar anonymt på tre enkla frågor var.',
    ],
    en: (p: Record<string, string>) => [
      `Survey for the child and guardians after SIP meeting ${p.meetingId ?? ''}`,
      'Print the page with the QR code and short link and hand it out after the meeting: the child and the guardians each answer three simple questions, anonymously.',
    ],
  },
  'consent-expiring': {
    sv: (p: Record<string, string>) => [
      'Samtycket går snart ut',
      `Samtycke ${p.consentId ?? ''} gäller till och med ${p.validUntil ?? ''}. Inhämta ett nytt samtycke i tid.`,
    ],
    en: (p: Record<string, string>) => [
      'The consent expires soon',
      `Consent ${p.consentId ?? ''} is valid until ${p.validUntil ?? ''}. Obtain a new consent in time.`,
    ],
  },
} as const;

/** A notice: plain words, the case reference, ids, codes and dates only. */
export const composeNotice = (
  notice: Pick<Notice, 'kind' | 'params' | 'caseId'>,
  locale: 'sv' | 'en',
  countyName: string,
): { subject: string; text: string; html: string } => {
  const [title = '', body = ''] = noticeWords[notice.kind][locale](notice.params);
  // The evaluation's and the family survey's page (issue 15): a capability, like the invitation's.
  const link = notice.params.link;
  const linkText =
    notice.kind === 'family-survey'
      ? locale === 'sv'
        ? 'Öppna sidan att skriva ut'
        : 'Open the page to print'
      : locale === 'sv'
        ? 'Svara på frågorna'
        : 'Answer the questions';
  const subject = locale === 'sv' ? `${title} (ärende ${notice.caseId})` : `${title} (case ${notice.caseId})`;
  const footer =
    locale === 'sv'
      ? `Mejlet innehåller inga uppgifter om personen. Skickat av SIP-samordningen i ${countyName}.`
      : `This email holds no information about the person. Sent by SIP coordination in ${countyName}.`;
  return {
    subject,
    text: `${body}\n\n${link ? `${linkText}: ${link}\n\n` : ''}${footer}`,
    html: `<!doctype html>\n<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p>${link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(linkText)}</a></p>` : ''}<p><small>${escapeHtml(footer)}</small></p></main></body></html>\n`,
  };
};
