/**
 * The evaluation pages (issue 15), a function of their own beside the invitation page (its own
 * routes on the same HTTP API; locally the same server): `/e/<token>` a unit's evaluation of a
 * held meeting (its personal link, once); `/p/<token>` the organiser's printable family survey
 * page (QR code and short link); `/f/<code>` the family survey, the child's and the guardians'
 * versions (`/barn`, `/vardnadshavare`): one child and two guardian answers per meeting.
 * Answers are stored anonymously (TableStore.recordEvaluation); the rules are in
 * functions/core/evaluation.ts. A wrong, expired or forged link gets the same "link not valid".
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { EntryStore } from '../adapters/entry-store.ts';
import type { LinkKey } from '../adapters/link-key.ts';
import { addDays, stockholmDate } from '../core/dates.ts';
import {
  checkEvaluation,
  EVALUATION_VALID_DAYS,
  FAMILY_ANSWERS,
  familyCode,
  type Respondent,
  tookPart,
} from '../core/evaluation.ts';
import {
  renderEvaluationDone,
  renderEvaluationForm,
  renderFamilyChoice,
  renderPrintable,
} from '../core/evaluation-page.ts';
import { formToken, formTokenValid, readLinkToken } from '../core/invitation-link.ts';
import type { Meeting } from '../core/meeting.ts';
import {
  ACCESSIBILITY_PATH,
  crossSite,
  formFields,
  html,
  notValid,
  origin,
} from '../invitation-page/http.ts';
import { loggableError, logger } from '../runtime/observability.ts';
import { qrSvg } from './qr.ts';

export interface EvaluationDeps {
  county: { id: string };
  store: Pick<
    EntryStore,
    'loadCase' | 'recordEvaluation' | 'evaluationSlots' | 'putFamilyLink' | 'familyLink'
  >;
  linkKey: LinkKey;
  now: () => Date;
  nonce: () => string;
}

type Result = APIGatewayProxyStructuredResultV2;

const hashOf = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);

/** A held meeting's evaluation is open until EVALUATION_VALID_DAYS after its day. */
const open = (m: Meeting | undefined, now: Date): m is Meeting =>
  m !== undefined &&
  m.status === 'held' &&
  stockholmDate(now) <= addDays(m.startsAt.slice(0, 10), EVALUATION_VALID_DAYS);

export const createEvaluationPageHandler = (deps: EvaluationDeps) => {
  const h = { html, notValid: () => notValid(), a11y: ACCESSIBILITY_PATH, origin, formFields, crossSite };
  const invalid = () => h.html(404, h.notValid());

  /** A post carries a form token of a page this system rendered for this path. */
  const posted = (key: string, path: string, event: APIGatewayProxyEventV2) => {
    const fields = h.formFields(event);
    if (!fields || h.crossSite(event) || !fields.nonce || !fields.form) return undefined;
    return formTokenValid(key, path, fields.nonce, fields.form) ? fields : undefined;
  };

  const form = (
    key: string,
    path: string,
    respondent: Respondent,
    lang: 'sv' | 'en',
    meetingId: string,
    extra: { missing?: string[]; posted?: Record<string, string> } = {},
    status = 200,
  ) => {
    const n = deps.nonce();
    return h.html(
      status,
      renderEvaluationForm({
        respondent,
        lang,
        action: path,
        form: formToken(key, path, n),
        nonce: n,
        meetingId,
        a11yHref: `${h.a11y}?lang=${lang}`,
        ...extra,
      }),
    );
  };

  /** `/e/<token>`: a unit that took part in a held meeting, once. */
  const unit = async (token: string, event: APIGatewayProxyEventV2, method: string): Promise<Result> => {
    const key = await deps.linkKey();
    const { ref, genuine } = readLinkToken(key, token, 'evaluation');
    const loaded = await deps.store.loadCase(ref?.caseId ?? '-', { history: false });
    const meeting = ref ? loaded.meetings.get(ref.meetingId) : undefined;
    const invitee = meeting?.invitees.find((i) => i.inviteeId === ref?.inviteeId);
    // A protected case's units are never asked (no email), and its links never work.
    if (
      !genuine ||
      !ref ||
      !loaded.case ||
      loaded.case.protectedIdentity ||
      !open(meeting, deps.now()) ||
      !invitee ||
      !tookPart(invitee)
    )
      return invalid();
    const lang = invitee.locale ?? 'sv';
    const path = `/e/${token}`;
    const linkHash = hashOf(`unit\u0000${token}`);
    if (method === 'GET') {
      if ((await deps.store.evaluationSlots(linkHash)).length > 0)
        return h.html(200, renderEvaluationDone('already', 'unit', lang, h.a11y));
      return form(key, path, 'unit', lang, meeting.meetingId);
    }
    const fields = posted(key, path, event);
    if (!fields) return h.html(403, h.notValid());
    const checked = checkEvaluation('unit', fields);
    if (!checked.ok)
      return form(
        key,
        path,
        'unit',
        lang,
        meeting.meetingId,
        { missing: checked.missing, posted: fields },
        400,
      );
    const recorded = await deps.store.recordEvaluation({
      linkHash,
      slot: 'unit',
      county: deps.county.id,
      respondent: 'unit',
      scores: checked.scores,
      answeredAt: deps.now().toISOString(),
    });
    logger.info('meeting evaluated', { outcome: recorded ? 'recorded' : 'already', respondent: 'unit' });
    return h.html(
      recorded ? 200 : 409,
      renderEvaluationDone(recorded ? 'thanks' : 'already', 'unit', lang, h.a11y),
    );
  };

  /** `/p/<token>`: the organiser's page to print, with the family survey's QR code and short link. */
  const printable = async (token: string, event: APIGatewayProxyEventV2): Promise<Result> => {
    const key = await deps.linkKey();
    const { ref, genuine } = readLinkToken(key, token, 'family');
    const loaded = await deps.store.loadCase(ref?.caseId ?? '-', { history: false });
    const meeting = ref ? loaded.meetings.get(ref.meetingId) : undefined;
    if (!genuine || !ref || !loaded.case || !open(meeting, deps.now())) return invalid();
    const code = familyCode(key, ref.caseId, ref.meetingId);
    await deps.store.putFamilyLink(code, {
      caseId: ref.caseId,
      meetingId: ref.meetingId,
      validUntil: addDays(meeting.startsAt.slice(0, 10), EVALUATION_VALID_DAYS),
    });
    const shortUrl = `${h.origin(event)}/f/${code}`;
    const svg = qrSvg(shortUrl);
    return h.html(200, renderPrintable(shortUrl, svg, meeting.meetingId, h.a11y));
  };

  /** `/f/<code>[/barn|/vardnadshavare]`: the family survey, anonymous, one child and two guardians. */
  const family = async (
    code: string,
    who: string | undefined,
    event: APIGatewayProxyEventV2,
    method: string,
  ): Promise<Result> => {
    const link = await deps.store.familyLink(code);
    if (!link || stockholmDate(deps.now()) > link.validUntil) return invalid();
    const base = `/f/${code}`;
    if (who === undefined)
      return method === 'GET' ? h.html(200, renderFamilyChoice(base, h.a11y)) : invalid();
    const respondent: Respondent | undefined =
      who === 'barn' ? 'child' : who === 'vardnadshavare' ? 'guardian' : undefined;
    if (!respondent) return invalid();
    const key = await deps.linkKey();
    const path = `${base}/${who}`;
    const linkHash = hashOf(`family\u0000${code}`);
    const slots =
      respondent === 'child'
        ? ['child']
        : Array.from({ length: FAMILY_ANSWERS.guardian }, (_, n) => `guardian-${n + 1}`);
    const taken = new Set(await deps.store.evaluationSlots(linkHash));
    if (slots.every((s) => taken.has(s)))
      return h.html(method === 'GET' ? 200 : 409, renderEvaluationDone('full', respondent, 'sv', h.a11y));
    if (method === 'GET') return form(key, path, respondent, 'sv', link.meetingId);
    const fields = posted(key, path, event);
    if (!fields) return h.html(403, h.notValid());
    const checked = checkEvaluation(respondent, fields);
    if (!checked.ok)
      return form(
        key,
        path,
        respondent,
        'sv',
        link.meetingId,
        { missing: checked.missing, posted: fields },
        400,
      );
    for (const slot of slots) {
      if (taken.has(slot)) continue;
      const recorded = await deps.store.recordEvaluation({
        linkHash,
        slot,
        county: deps.county.id,
        respondent,
        scores: checked.scores,
        answeredAt: deps.now().toISOString(),
      });
      if (recorded) {
        logger.info('meeting evaluated', { outcome: 'recorded', respondent });
        return h.html(200, renderEvaluationDone('thanks', respondent, 'sv', h.a11y));
      }
    }
    return h.html(409, renderEvaluationDone('full', respondent, 'sv', h.a11y));
  };

  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    try {
      if (method !== 'GET' && method !== 'POST') return h.html(405, h.notValid(), { allow: 'GET, POST' });
      const e = /^\/e\/([A-Za-z0-9._-]{1,500})$/.exec(path)?.[1];
      if (e) return await unit(e, event, method);
      const p = /^\/p\/([A-Za-z0-9._-]{1,500})$/.exec(path)?.[1];
      if (p) return method === 'GET' ? await printable(p, event) : invalid();
      const f = /^\/f\/([A-Z2-9]{12})(?:\/(barn|vardnadshavare))?$/.exec(path);
      if (f?.[1]) return await family(f[1], f[2], event, method);
      return invalid();
    } catch (error) {
      logger.error('evaluation page failed', loggableError(error));
      return h.html(503, h.notValid());
    }
  };
};
