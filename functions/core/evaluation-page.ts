/**
 * The evaluation pages (issue 15): a unit's questions about a held meeting, the family survey
 * (the child's and the guardians' versions, simple Swedish), and the coordinator's printable page
 * with the QR code and the short link. Server-rendered, no script, the invitation page's styles
 * (WCAG 2.1 AA: fieldsets with legends, labels, errors tied to their question). Pure.
 */
import { QUESTIONS, type Respondent, SCALE, SCALE_WORDS } from './evaluation.ts';
import { esc, page } from './invitation-page.ts';

const words = {
  sv: {
    unitTitle: 'Utvärdering av SIP-mötet',
    unitLead: (meetingId: string) =>
      `Fyra frågor om SIP-mötet ${meetingId}. Svaren är anonyma: länets uppföljning visar dem bara sammanräknade, aldrig färre än fem.`,
    childTitle: 'Vad tyckte du om mötet?',
    childLead: 'Tre frågor till dig. Ingen får veta vad just du svarade.',
    guardianTitle: 'Vad tyckte du om SIP-mötet?',
    guardianLead: 'Tre frågor till dig som vårdnadshavare. Svaren är anonyma.',
    chooseTitle: 'Enkät efter SIP-mötet',
    chooseLead: 'Vem svarar?',
    child: 'Jag är barnet eller den unga',
    guardian: 'Jag är vårdnadshavare',
    send: 'Skicka svaren',
    thanks: 'Tack för dina svar!',
    already: 'Den här enkäten är redan besvarad. Tack!',
    full: 'Enkäten har redan fått alla svar den tar emot. Tack!',
    missing: 'Svara på frågan.',
    errorsTitle: 'Svaren kunde inte skickas. Svara på alla frågor:',
    printTitle: 'Enkät till barnet och vårdnadshavarna',
    printLead:
      'Efter SIP-mötet: skanna QR-koden med mobilen eller skriv in den korta länken. Barnet svarar på sina tre frågor, och varje vårdnadshavare på sina. Svaren är anonyma.',
    printLink: 'Kort länk',
    print: 'Skriv ut sidan och dela ut den efter mötet.',
  },
  en: {
    unitTitle: 'Evaluation of the SIP meeting',
    unitLead: (meetingId: string) =>
      `Four questions about SIP meeting ${meetingId}. The answers are anonymous: the county's follow-up shows them only added up, never fewer than five.`,
    childTitle: 'What did you think of the meeting?',
    childLead: 'Three questions for you. No one will know what you answered.',
    guardianTitle: 'What did you think of the SIP meeting?',
    guardianLead: 'Three questions for you as a guardian. The answers are anonymous.',
    chooseTitle: 'Survey after the SIP meeting',
    chooseLead: 'Who is answering?',
    child: 'I am the child or young person',
    guardian: 'I am a guardian',
    send: 'Send the answers',
    thanks: 'Thank you for your answers!',
    already: 'This survey has been answered already. Thank you!',
    full: 'The survey has already received all the answers it takes. Thank you!',
    missing: 'Answer the question.',
    errorsTitle: 'The answers could not be sent. Answer every question:',
    printTitle: 'Survey for the child and the guardians',
    printLead:
      'After the SIP meeting: scan the QR code with a phone or type the short link. The child answers their three questions, and each guardian theirs. The answers are anonymous.',
    printLink: 'Short link',
    print: 'Print this page and hand it out after the meeting.',
  },
} as const;

export interface EvaluationForm {
  respondent: Respondent;
  lang: 'sv' | 'en';
  action: string;
  form: string;
  nonce: string;
  meetingId: string;
  a11yHref: string;
  /** Questions left unanswered in a failed post. */
  missing?: string[];
  posted?: Record<string, string>;
}

const titleOf = (r: Respondent, lang: 'sv' | 'en') =>
  r === 'unit' ? words[lang].unitTitle : r === 'child' ? words[lang].childTitle : words[lang].guardianTitle;

export const renderEvaluationForm = (f: EvaluationForm): string => {
  const w = words[f.lang];
  const missing = new Set(f.missing ?? []);
  const lead =
    f.respondent === 'unit'
      ? w.unitLead(f.meetingId)
      : f.respondent === 'child'
        ? w.childLead
        : w.guardianLead;
  const questions = QUESTIONS[f.respondent]
    .map((q) => {
      const err = missing.has(q.id);
      const radios = SCALE.map((v, n) => {
        const id = `${q.id}-${v}`;
        const checked = f.posted?.[q.id] === String(v) ? ' checked' : '';
        return `<label for="${id}"><input type="radio" id="${id}" name="${q.id}" value="${v}" required${checked}>${v} – ${esc(SCALE_WORDS[f.respondent][f.lang][n] ?? '')}</label>`;
      }).join('');
      return `<fieldset${err ? ` aria-describedby="${q.id}-error"` : ''}><legend>${esc(q[f.lang])}</legend>${err ? `<p class="error" id="${q.id}-error">${esc(w.missing)}</p>` : ''}<div class="scale">${radios}</div></fieldset>`;
    })
    .join('\n');
  const errors =
    missing.size > 0
      ? `<div class="alert" role="alert"><p>${esc(w.errorsTitle)}</p><ul>${QUESTIONS[f.respondent]
          .filter((q) => missing.has(q.id))
          .map((q) => `<li><a href="#${q.id}-1">${esc(q[f.lang])}</a></li>`)
          .join('')}</ul></div>`
      : '';
  return page(
    f.lang,
    titleOf(f.respondent, f.lang),
    `<h1>${esc(titleOf(f.respondent, f.lang))}</h1>\n<p>${esc(lead)}</p>\n${errors}
<form method="post" action="${esc(f.action)}">
<input type="hidden" name="nonce" value="${esc(f.nonce)}"><input type="hidden" name="form" value="${esc(f.form)}">
${questions}
<button type="submit">${esc(w.send)}</button>
</form>`,
    f.a11yHref,
  );
};

export const renderEvaluationDone = (
  kind: 'thanks' | 'already' | 'full',
  respondent: Respondent,
  lang: 'sv' | 'en',
  a11yHref: string,
): string =>
  page(
    lang,
    titleOf(respondent, lang),
    `<h1>${esc(titleOf(respondent, lang))}</h1>\n<p class="status" role="status">${esc(words[lang][kind])}</p>`,
    a11yHref,
  );

/** The family survey's first page: who answers (each a link to its own short form). */
export const renderFamilyChoice = (base: string, a11yHref: string): string => {
  const w = words.sv;
  return page(
    'sv',
    w.chooseTitle,
    `<h1>${esc(w.chooseTitle)}</h1>\n<p>${esc(w.chooseLead)}</p>\n<ul><li><a href="${esc(`${base}/barn`)}">${esc(w.child)}</a></li><li><a href="${esc(`${base}/vardnadshavare`)}">${esc(w.guardian)}</a></li></ul>`,
    a11yHref,
  );
};

/** The coordinator's page to print: the QR code (inline SVG) and the short link beside it. */
export const renderPrintable = (
  shortUrl: string,
  qrSvg: string,
  meetingId: string,
  a11yHref: string,
): string => {
  const w = words.sv;
  // The QR code is decoration for the eye: the same link is printed beside it as text.
  const qr = qrSvg.replace('<svg ', '<svg aria-hidden="true" focusable="false" ');
  return page(
    'sv',
    w.printTitle,
    `<h1>${esc(w.printTitle)}</h1>\n<p>${esc(w.printLead)}</p>\n<div class="qr">${qr}</div>\n<p>${esc(w.printLink)}:</p>\n<p class="short">${esc(shortUrl)}</p>\n<p class="noprint">${esc(w.print)} (SIP-möte ${esc(meetingId)})</p>`,
    a11yHref,
  );
};
