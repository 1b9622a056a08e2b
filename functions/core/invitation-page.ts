/**
 * The invitation page (issue 13): what one invitee sees of one meeting, always the current state,
 * and the answers it may give. Server-rendered HTML without JavaScript, Swedish or English, WCAG
 * 2.1 AA (labels, errors tied to their fields, visible focus, contrast ≥ 4.5:1). Pure: the
 * handler (functions/invitation-page/) reads the case and applies the answers.
 */
import type { CaseRecord } from './case.ts';
import { addDays, stockholmDate } from './dates.ts';
import { formatWhen } from './email.ts';
import { LINK_VALID_DAYS_AFTER_MEETING, type LinkRef } from './invitation-link.ts';
import type { Invitee, Meeting } from './meeting.ts';

export type PageState =
  | { kind: 'invalid' }
  | {
      kind: 'open' | 'cancelled' | 'closed' | 'held';
      case: CaseRecord;
      meeting: Meeting;
      invitee: Invitee;
    };

/**
 * What a link shows now. A link that is forged, names no invitation, names one that was withdrawn
 * (the invitee was removed), belongs to a protected case (no page, ever) or is more than 14 days
 * past its meeting is "not valid", all alike.
 */
export const pageState = (
  genuine: boolean,
  ref: LinkRef | undefined,
  c: CaseRecord | undefined,
  meetings: ReadonlyMap<string, Meeting>,
  now: Date,
): PageState => {
  if (!genuine || !ref || !c || c.caseId !== ref.caseId || c.protectedIdentity) return { kind: 'invalid' };
  const meeting = meetings.get(ref.meetingId);
  const invitee = meeting?.invitees.find((i) => i.inviteeId === ref.inviteeId);
  if (!meeting || !invitee || invitee.removed || !invitee.email || meeting.kind === 'follow-up')
    return { kind: 'invalid' };
  if (stockholmDate(now) > addDays(meeting.startsAt.slice(0, 10), LINK_VALID_DAYS_AFTER_MEETING))
    return { kind: 'invalid' };
  const kind =
    c.status === 'closed' || c.status === 'stopped'
      ? 'closed'
      : meeting.status === 'cancelled'
        ? 'cancelled'
        : meeting.status === 'held'
          ? 'held'
          : 'open';
  return { kind, case: c, meeting, invitee };
};

export const answerKinds = ['received', 'accepted', 'declined', 'substitute', 'clarification'] as const;
export type AnswerKind = (typeof answerKinds)[number];

export interface AnswerForm {
  answer: AnswerKind;
  name?: string;
  role?: string;
  email?: string;
  message?: string;
}

export const FIELD_LIMITS = { name: 100, role: 100, email: 254, message: 1000 } as const;

/** Field errors by field name, in the page's language. */
export type FieldErrors = Partial<Record<'name' | 'role' | 'email' | 'message' | 'answer', string>>;

const words = {
  sv: {
    required: 'Fyll i fältet.',
    tooLong: (n: number) => `Högst ${n} tecken.`,
    email: 'Skriv en giltig e-postadress, till exempel namn@kommun.se.',
    obliged:
      'Er enhet har pågående insatser och är skyldig att delta. Skicka en ersättare eller kontakta den som kallar.',
    unknown: 'Välj ett av svaren.',
  },
  en: {
    required: 'Please fill in this field.',
    tooLong: (n: number) => `At most ${n} characters.`,
    email: 'Enter a valid email address, such as name@example.se.',
    obliged:
      'Your unit has ongoing interventions and is obliged to attend. Send a substitute or contact the organiser.',
    unknown: 'Choose one of the answers.',
  },
};

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Control characters (other than line breaks in the message) are removed; text is trimmed. */
const clean = (s: string | undefined, multiline = false): string =>
  (s ?? '')
    .normalize('NFC')
    // Control characters are what is removed (bidi overrides and zero-width ones too).

    .replace(multiline ? CONTROL_BUT_NEWLINE : CONTROL, '')
    .trim();

/** Checks a posted answer against the rules the page enforces (seeds 001, 002): errors, or the answer. */
export const checkAnswer = (
  invitee: Invitee,
  fields: Record<string, string | undefined>,
  locale: 'sv' | 'en',
  /** The contract's own email rule (events/contracts/invitation-responded.ts): the page accepts what the event does. */
  validEmail: (value: string) => boolean,
): { ok: true; answer: AnswerForm } | { ok: false; errors: FieldErrors } => {
  const w = words[locale];
  const answer = fields.answer as AnswerKind;
  if (!answerKinds.includes(answer)) return { ok: false, errors: { answer: w.unknown } };
  const errors: FieldErrors = {};
  const need = (field: 'name' | 'role' | 'email' | 'message', multiline = false): string => {
    const value = clean(fields[field], multiline);
    if (!value) errors[field] = w.required;
    else if ([...value].length > FIELD_LIMITS[field]) errors[field] = w.tooLong(FIELD_LIMITS[field]);
    else if (field === 'email' && !validEmail(value)) errors[field] = w.email;
    return value;
  };
  let form: AnswerForm = { answer };
  if (answer === 'accepted') form = { answer, name: need('name'), role: need('role') };
  if (answer === 'substitute') form = { answer, name: need('name'), email: need('email') };
  if (answer === 'clarification') form = { answer, message: need('message', true) };
  if (answer === 'declined' && invitee.hasOngoingIntervention) errors.answer = w.obliged;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, answer: form };
};

/** The event data of an answer (se.sip.invitation.responded.v1), applied like upstream's. */
export const responseData = (county: string, ref: LinkRef, a: AnswerForm) => ({
  county,
  meetingId: ref.meetingId,
  inviteeId: ref.inviteeId,
  response: a.answer,
  ...(a.answer === 'accepted' ? { attendee: { name: a.name ?? '', role: a.role ?? '' } } : {}),
  ...(a.answer === 'substitute' ? { substitute: { name: a.name ?? '', email: a.email ?? '' } } : {}),
  ...(a.answer === 'clarification' ? { message: a.message ?? '' } : {}),
});

export const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

/** The page's one stylesheet, inline under a CSP hash. Colours meet 4.5:1 on white; focus is a 3 px outline. */
export const PAGE_CSS = `body{font:1.0625rem/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0}
main{max-width:42rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
.status{border-left:.3rem solid #005a9c;padding:.5rem 1rem;background:#eef5fb}
.alert{border-left:.3rem solid #b00020;padding:.5rem 1rem;background:#fdeced}
form{border-top:1px solid #767676;padding:1rem 0}
label{display:block;font-weight:600;margin-top:.5rem}
input,textarea{font:inherit;width:100%;max-width:30rem;padding:.4rem;border:2px solid #595959;border-radius:.2rem;box-sizing:border-box}
textarea{min-height:6rem}
button{font:inherit;margin-top:.75rem;padding:.5rem 1rem;background:#005a9c;color:#fff;border:0;border-radius:.2rem;cursor:pointer}
a{color:#004b87}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.error{color:#b00020;font-weight:600;margin:.25rem 0}
[aria-invalid=true]{border-color:#b00020}
footer{margin-top:3rem;font-size:.95rem;color:#404040}
fieldset{border:0;padding:0;margin:1.25rem 0}legend{font-weight:600;padding:0}
.scale label{display:inline-flex;align-items:center;font-weight:400;margin:.25rem 1rem .25rem 0}
input[type=radio]{width:auto;margin:0 .4rem 0 0}
.qr svg{width:14rem;height:14rem}.short{font:700 1.5rem/1.3 ui-monospace,monospace;letter-spacing:.1em}
@media print{footer,.noprint{display:none}}`;

const t = {
  sv: {
    lang: 'sv',
    title: 'Kallelse till SIP-möte',
    invalidTitle: 'Länken gäller inte',
    invalid:
      'Länken gäller inte längre, eller så är den felaktig. Kontakta den som kallade till mötet om ni behöver uppgifterna.',
    when: 'När',
    length: 'Längd',
    minutes: 'minuter',
    where: 'Var',
    digital: 'Digitalt möte',
    toBeGiven: 'meddelas av samordnaren',
    who: 'Vem kallar',
    coordinator: 'Samordnaren',
    invited: 'Inbjudna enheter',
    caseRef: 'Ärende',
    content: 'Syfte, mål och frågeställningar',
    signInNeeded: 'Logga in med din e-legitimation för att se syfte, mål och frågeställningar.',
    signIn: 'Logga in',
    purpose: 'Syfte',
    goal: 'Långsiktigt mål',
    questions: 'Frågeställningar',
    yourAnswer: 'Ert svar',
    noAnswer: 'Ni har inte svarat ännu.',
    received: 'Ni har bekräftat att kallelsen kommit fram.',
    accepted: (a?: { name: string; role: string }) =>
      `Ni har svarat att ni deltar${a ? ` (${a.name}, ${a.role})` : ''}.`,
    declined: 'Ni har tackat nej.',
    substitute: (s?: { name: string }) => `Ni har skickat en ersättare${s ? ` (${s.name})` : ''}.`,
    cancelled: 'Mötet är inställt. Ni behöver inte göra något mer.',
    closed: 'SIP-ärendet är avslutat. Inga fler svar behövs.',
    held: 'Mötet har hållits och planen är fastställd.',
    thanks: 'Tack, ert svar är registrerat.',
    errorsTitle: 'Svaret kunde inte skickas. Rätta följande:',
    confirmTitle: 'Bekräfta att kallelsen kommit fram',
    confirm: 'Bekräfta mottagande',
    attendTitle: 'Vi deltar',
    name: 'Namn på den som deltar',
    role: 'Roll eller titel',
    attend: 'Svara att vi deltar',
    substituteTitle: 'Vi kan inte delta – en ersättare kommer',
    subName: 'Ersättarens namn',
    subEmail: 'Ersättarens e-postadress',
    sendSubstitute: 'Skicka ersättare',
    declineTitle: 'Vi tackar nej',
    decline: 'Tacka nej',
    obligedNote:
      'Er enhet har pågående insatser och är skyldig att delta. Om ni är förhindrade, skicka en ersättare eller kontakta den som kallar.',
    askTitle: 'Be om förtydligande',
    askHelp: 'Vad i syftet eller frågeställningarna behöver förtydligas? Skriv inga uppgifter om personen.',
    message: 'Er fråga',
    ask: 'Skicka frågan',
    asked: 'Era frågor hittills',
    a11y: 'Tillgänglighetsredogörelse',
    footer: 'Sidan visar mötet som det är just nu. Dela inte länken: den är personlig för er enhet.',
  },
  en: {
    lang: 'en',
    title: 'Invitation to a SIP meeting',
    invalidTitle: 'This link is not valid',
    invalid:
      'This link is no longer valid, or it is wrong. Please contact whoever invited you if you need the details.',
    when: 'When',
    length: 'Length',
    minutes: 'minutes',
    where: 'Where',
    digital: 'Digital meeting',
    toBeGiven: 'to be given by the coordinator',
    who: 'Invited by',
    coordinator: 'The coordinator',
    invited: 'Invited units',
    caseRef: 'Case reference',
    content: 'Purpose, goal and questions',
    signInNeeded: 'Sign in with your e-identification to see the purpose, goal and questions.',
    signIn: 'Sign in',
    purpose: 'Purpose',
    goal: 'Long-term goal',
    questions: 'Questions',
    yourAnswer: 'Your answer',
    noAnswer: 'You have not answered yet.',
    received: 'You confirmed that the invitation arrived.',
    accepted: (a?: { name: string; role: string }) =>
      `You answered that you will attend${a ? ` (${a.name}, ${a.role})` : ''}.`,
    declined: 'You declined.',
    substitute: (s?: { name: string }) => `You sent a substitute${s ? ` (${s.name})` : ''}.`,
    cancelled: 'The meeting is cancelled. You need not do anything more.',
    closed: 'The SIP case is closed. No more answers are needed.',
    held: 'The meeting has been held and the plan is set.',
    thanks: 'Thank you, your answer is recorded.',
    errorsTitle: 'Your answer could not be sent. Please correct:',
    confirmTitle: 'Confirm that the invitation arrived',
    confirm: 'Confirm receipt',
    attendTitle: 'We will attend',
    name: 'Name of who attends',
    role: 'Role or title',
    attend: 'Answer that we attend',
    substituteTitle: 'We cannot attend – a substitute comes',
    subName: 'Name of the substitute',
    subEmail: 'Email address of the substitute',
    sendSubstitute: 'Send a substitute',
    declineTitle: 'We decline',
    decline: 'Decline',
    obligedNote:
      'Your unit has ongoing interventions and is obliged to attend. If you cannot, send a substitute or contact the organiser.',
    askTitle: 'Ask for clarification',
    askHelp: 'What in the purpose or the questions needs clarifying? Do not write anything about the person.',
    message: 'Your question',
    ask: 'Send the question',
    asked: 'Your questions so far',
    a11y: 'Accessibility statement',
    footer: 'This page shows the meeting as it is now. Do not share the link: it is personal to your unit.',
  },
};

export interface RenderOptions {
  /** Where the forms post (the page's own path). */
  action: string;
  /** Hidden fields every form carries (nonce and form token). */
  hidden: Record<string, string>;
  /** Shows purpose, goal and questions (false while a county's sign-in is pending). */
  showContent: boolean;
  /** Where to sign in to see them (a county with `invitationPage.signIn: 'oidc'`). */
  signInHref?: string;
  /** The answer just recorded (after the redirect). */
  done?: boolean;
  errors?: FieldErrors;
  /** What was posted, to fill the form again after an error. */
  posted?: Record<string, string | undefined>;
  accessibilityHref: string;
}

export const page = (lang: 'sv' | 'en', title: string, body: string, a11yHref: string) => `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${PAGE_CSS}</style></head>
<body><main>
${body}
<footer><p>${esc(t[lang].footer)}</p><p><a href="${esc(a11yHref)}">${esc(t[lang].a11y)}</a></p></footer>
</main></body></html>
`;

export const renderInvalid = (lang: 'sv' | 'en', a11yHref: string): string =>
  page(
    lang,
    t[lang].invalidTitle,
    `<h1>${esc(t[lang].invalidTitle)}</h1>\n<p>${esc(t[lang].invalid)}</p>`,
    a11yHref,
  );

export const renderPage = (state: Exclude<PageState, { kind: 'invalid' }>, o: RenderOptions): string => {
  const lang = state.invitee.locale ?? 'sv';
  const w = t[lang];
  const { meeting: m, invitee: i } = state;
  const when = formatWhen(m.startsAt, m.durationMinutes, lang);
  const where =
    m.location?.kind === 'digital'
      ? `${w.digital}: <a href="${esc(m.location.joinUrl)}">${esc(m.location.joinUrl)}</a>`
      : esc(m.location?.place ?? w.toBeGiven);
  const units = m.invitees.filter((x) => !x.removed && x.unitName).map((x) => x.unitName as string);
  const rows: [string, string][] = [
    [w.when, esc(when)],
    [w.length, `${m.durationMinutes} ${w.minutes}`],
    [w.where, where],
    [w.who, esc(m.organiser.unitName ?? w.coordinator)],
    [w.invited, `<ul>${units.map((u) => `<li>${esc(u)}</li>`).join('')}</ul>`],
    [w.caseRef, esc(state.case.caseId)],
  ];
  const status =
    state.kind === 'cancelled'
      ? w.cancelled
      : state.kind === 'closed'
        ? w.closed
        : state.kind === 'held'
          ? w.held
          : '';
  const r = i.response;
  const answer = !r
    ? i.receivedVersion
      ? w.received
      : w.noAnswer
    : r.value === 'accepted'
      ? w.accepted(r.attendee)
      : r.value === 'declined'
        ? w.declined
        : w.substitute(r.substitute);
  const errors = o.errors ?? {};
  const posted = o.posted ?? {};
  const fieldLabels: Record<string, string> = {
    name: posted.answer === 'substitute' ? w.subName : w.name,
    role: w.role,
    email: w.subEmail,
    message: w.message,
    answer: w.yourAnswer,
  };
  const hidden = Object.entries(o.hidden)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  /** A form for one answer; its fields get ids of their own so labels and errors point at them. */
  const form = (
    answerKind: string,
    title: string,
    button: string,
    fields: { name: 'name' | 'role' | 'email' | 'message'; label: string; type?: string; help?: string }[],
  ) => {
    const mine = posted.answer === answerKind;
    const controls = fields
      .map((f) => {
        const id = `${answerKind}-${f.name}`;
        const error = mine ? errors[f.name] : undefined;
        const described = [f.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
        const value = mine ? (posted[f.name] ?? '') : '';
        const attrs = `id="${id}" name="${f.name}" maxlength="${FIELD_LIMITS[f.name]}" required${
          described ? ` aria-describedby="${described}"` : ''
        }${error ? ' aria-invalid="true"' : ''}${f.type === 'email' ? ' autocomplete="email"' : f.name === 'name' ? ' autocomplete="name"' : ''}`;
        return `<label for="${id}">${esc(f.label)}</label>${f.help ? `<p id="${id}-help">${esc(f.help)}</p>` : ''}${
          error ? `<p class="error" id="${id}-error">${esc(error)}</p>` : ''
        }${
          f.name === 'message'
            ? `<textarea ${attrs}>${esc(value)}</textarea>`
            : `<input type="${f.type ?? 'text'}" ${attrs} value="${esc(value)}">`
        }`;
      })
      .join('\n');
    const answerError =
      mine && errors.answer
        ? `<p class="error" id="${answerKind}-answer-error">${esc(errors.answer)}</p>`
        : '';
    return `<form method="post" action="${esc(o.action)}" aria-labelledby="${answerKind}-title">
<h3 id="${answerKind}-title">${esc(title)}</h3>${answerError}
${hidden}<input type="hidden" name="answer" value="${answerKind}">
${controls}
<button type="submit"${answerError ? ` aria-describedby="${answerKind}-answer-error"` : ''}>${esc(button)}</button>
</form>`;
  };
  const summary = Object.keys(errors).length
    ? `<div class="alert" role="alert"><h2>${esc(w.errorsTitle)}</h2><ul>${Object.entries(errors)
        .map(([f, e]) => {
          const target = f === 'answer' ? `${posted.answer}-title` : `${posted.answer}-${f}`;
          return `<li><a href="#${esc(target)}">${esc(fieldLabels[f] ?? f)}: ${esc(e ?? '')}</a></li>`;
        })
        .join('')}</ul></div>`
    : '';
  const content =
    o.showContent && m.content
      ? `<h2>${esc(w.content)}</h2>
<dl><dt>${esc(w.purpose)}</dt><dd>${esc(m.content.purpose)}</dd><dt>${esc(w.goal)}</dt><dd>${esc(m.content.longTermGoal)}</dd>
<dt>${esc(w.questions)}</dt><dd><ul>${m.content.questions.map((q) => `<li>${esc(q)}</li>`).join('')}</ul></dd></dl>`
      : m.content && o.signInHref
        ? `<h2>${esc(w.content)}</h2>
<p>${esc(w.signInNeeded)} <a href="${esc(o.signInHref)}">${esc(w.signIn)}</a></p>`
        : '';
  const asked = (m.clarifications ?? []).filter((c) => c.inviteeId === i.inviteeId);
  const forms =
    state.kind !== 'open'
      ? ''
      : `<h2>${esc(w.yourAnswer)}</h2>
<p>${esc(answer)}</p>
${form('received', w.confirmTitle, w.confirm, [])}
${form('accepted', w.attendTitle, w.attend, [
  { name: 'name', label: w.name },
  { name: 'role', label: w.role },
])}
${
  i.substituteFor
    ? ''
    : form('substitute', w.substituteTitle, w.sendSubstitute, [
        { name: 'name', label: w.subName },
        { name: 'email', label: w.subEmail, type: 'email' },
      ])
}
${
  i.hasOngoingIntervention
    ? `<section aria-labelledby="declined-title"><h3 id="declined-title">${esc(w.declineTitle)}</h3><p>${esc(w.obligedNote)}</p></section>`
    : form('declined', w.declineTitle, w.decline, [])
}
${form('clarification', w.askTitle, w.ask, [{ name: 'message', label: w.message, help: w.askHelp }])}
${asked.length ? `<h3>${esc(w.asked)}</h3><ul>${asked.map((c) => `<li>${esc(c.message)}</li>`).join('')}</ul>` : ''}`;
  const body = `<h1>${esc(w.title)}</h1>
${o.done ? `<p class="status" role="status">${esc(w.thanks)}</p>` : ''}${status ? `<p class="status">${esc(status)}</p>` : ''}${summary}
<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('\n')}</dl>
${content}
${forms}`;
  return page(lang, `${w.title} – ${when}`, body, o.accessibilityHref);
};

/** The accessibility statement (lag 2018:1937; DIGG's model, shortened). */
export const renderAccessibility = (lang: 'sv' | 'en', countyName: string, contact: string): string => {
  const body =
    lang === 'sv'
      ? `<h1>Tillgänglighetsredogörelse</h1>
<p>${esc(countyName)} står bakom sidorna för SIP-kallelser. Vi vill att alla ska kunna använda dem, oavsett behov.</p>
<h2>Hur tillgänglig är tjänsten?</h2>
<p>Sidorna är gjorda för att uppfylla WCAG 2.1 nivå AA (EN 301 549), som lagen (2018:1937) om tillgänglighet till digital offentlig service kräver. De fungerar med enbart tangentbord, utan JavaScript och med skärmläsare, och de kontrolleras automatiskt med axe-core.</p>
<h2>Kända brister</h2>
<p>Vi känner inte till några brister. Automatiska tester hittar inte allt.</p>
<h2>Kontakta oss</h2>
<p>Om något inte fungerar för dig, skriv till <a href="mailto:${esc(contact)}">${esc(contact)}</a>.</p>
<h2>Tillsyn</h2>
<p>Myndigheten för digital förvaltning (DIGG) har ansvar för tillsynen över lagen. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du <a href="https://www.digg.se/tdosanmalan">anmäla det till DIGG</a>.</p>`
      : `<h1>Accessibility statement</h1>
<p>${esc(countyName)} is responsible for the SIP invitation pages. We want everyone to be able to use them, whatever their needs.</p>
<h2>How accessible is the service?</h2>
<p>The pages are made to meet WCAG 2.1 level AA (EN 301 549), as the Swedish act (2018:1937) on accessibility of digital public services requires. They work with the keyboard alone, without JavaScript and with screen readers, and are checked automatically with axe-core.</p>
<h2>Known issues</h2>
<p>We know of none. Automatic tests do not find everything.</p>
<h2>Contact us</h2>
<p>If something does not work for you, write to <a href="mailto:${esc(contact)}">${esc(contact)}</a>.</p>
<h2>Enforcement</h2>
<p>The Agency for Digital Government (DIGG) enforces the act. If you are not satisfied with how we handle your feedback you can <a href="https://www.digg.se/tdosanmalan">report it to DIGG</a>.</p>`;
  return page(
    lang,
    lang === 'sv' ? 'Tillgänglighetsredogörelse' : 'Accessibility statement',
    body,
    '?lang=' + lang,
  );
};
