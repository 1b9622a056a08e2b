/**
 * The invitation page (issue 13), a primary adapter beside the consumers: API Gateway HTTP API
 * (payload 2.0) in AWS, the embedded stack's HTTP server locally. GET shows the invitation as it is
 * now; POST applies an answer as an `se.sip.invitation.responded.v1` event through the same
 * pipeline as upstream's (functions/runtime/apply-event.ts: same idempotency, order and history).
 * The rules are in functions/core/invitation-page.ts; no token or personal data is logged.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { eventTypes } from '../../events/contracts/types.ts';
import type { EntryStore } from '../adapters/entry-store.ts';
import type { LinkKey } from '../adapters/link-key.ts';
import type { OidcTransaction, SignIn } from '../adapters/oidc.ts';
import type { Outbox } from '../adapters/outbox.ts';
import type { County } from '../core/county.ts';
import { derivedId } from '../core/ids.ts';
import {
  formToken,
  formTokenValid,
  openValue,
  readLinkToken,
  sealValue,
  sessionFor,
} from '../core/invitation-link.ts';
import {
  checkAnswer,
  pageState,
  renderAccessibility,
  type RenderOptions,
  renderPage,
  responseData,
} from '../core/invitation-page.ts';
import {
  ACCESSIBILITY_PATH,
  crossSite,
  formFields,
  html,
  notValid,
  origin,
  securityHeaders,
} from './http.ts';
import { loggableError, logger } from '../runtime/observability.ts';

/**
 * What only an answer (POST) needs, loaded on the first one: the answer's contract (zod), the
 * county's rules and the pipeline that applies them (functions/runtime/apply-event.ts). A page
 * view needs none of it, and most requests are views: a cold start that shows a page neither
 * loads nor builds them (bench: `--only page`; docs/decisions.md).
 */
const loadAnswering = async (rules: PageDeps['rules']) => {
  const [contract, pipeline, fold, countyRules] = await Promise.all([
    import('../../events/contracts/invitation-responded.ts'),
    import('../runtime/apply-event.ts'),
    import('../core/fold.ts'),
    rules(),
  ]);
  return {
    schema: contract.invitationRespondedContract.schema,
    validEmail: contract.validSubstituteEmail,
    applyEvent: pipeline.applyEvent,
    memo: new fold.FoldMemo(),
    rules: countyRules,
  };
};

export interface PageDeps {
  /** The county as a page shows it; its rules are read on the first answer (`rules`). */
  county: Pick<County, 'id' | 'displayName'>;
  rules: () => County['rules'] | Promise<County['rules']>;
  store: Pick<EntryStore, 'loadCase' | 'commit' | 'fenceDeliveries' | 'rewriteHistoryData' | 'recordAccess'>;
  now: () => Date;
  linkKey: LinkKey;
  outbox?: Outbox;
  /** Where the accessibility statement says to write. */
  contact: string;
  /** The county's sign-in (`invitationPage.signIn: 'oidc'`): purpose, goal and questions only after it. */
  signIn?: SignIn;
  nonce?: () => string;
}

/** Where the county's provider sends the browser back after sign-in. */
export const CALLBACK_PATH = '/callback';
const OIDC_COOKIE = 'sip_oidc';
const SESSION_COOKIE = 'sip_session';
/** A sign-in must come back within 10 minutes; a session shows the content for an hour. */
const SIGN_IN_SECONDS = 600;
const SESSION_SECONDS = 3600;

interface PendingSignIn extends OidcTransaction {
  token: string;
  exp: number;
}

/** API Gateway passes cookies in `cookies`; a plain server may leave them in the header. */
const cookieOf = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const all = event.cookies ?? (event.headers.cookie ?? '').split(/;\s*/);
  for (const c of all) {
    const at = c.indexOf('=');
    if (at > 0 && c.slice(0, at).trim() === name) return c.slice(at + 1).trim();
  }
  return undefined;
};

/** HttpOnly, SameSite=Lax (the provider's redirect back is a top-level GET), Secure over https. */
const cookie = (event: APIGatewayProxyEventV2, name: string, value: string, maxAge: number): string =>
  `${name}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${origin(event).startsWith('https:') ? '; Secure' : ''}`;
export const createInvitationPageHandler = (deps: PageDeps) => {
  let answering: ReturnType<typeof loadAnswering> | undefined;
  const answerPipeline = () =>
    (answering ??= loadAnswering(deps.rules).catch((error: unknown) => {
      answering = undefined; // a failed load is tried again by the next answer
      throw error;
    }));
  const nonce = deps.nonce ?? (() => randomBytes(16).toString('base64url'));

  const load = async (token: string) => {
    const key = await deps.linkKey();
    const { ref, genuine } = readLinkToken(key, token);
    // A forged or mangled link costs the same read as a real one: the answer takes as long.
    const loaded = await deps.store.loadCase(ref?.caseId ?? '-', { history: false });
    return { key, ref, state: pageState(genuine, ref, loaded.case, loaded.meetings, deps.now()) };
  };

  const show = async (
    token: string,
    event: APIGatewayProxyEventV2,
    extra: Partial<RenderOptions>,
    status = 200,
  ) => {
    const path = `/i/${token}`;
    const { key, ref, state } = await load(token);
    if (state.kind === 'invalid' || !ref) return html(404, notValid());
    // With the county's sign-in, the content waits for a session of this link.
    const session = deps.signIn
      ? sessionFor(key, cookieOf(event, SESSION_COOKIE), token, deps.now())
      : undefined;
    const showContent = !deps.signIn || session !== undefined;
    const n = nonce();
    const body = renderPage(state, {
      action: path,
      hidden: { nonce: n, form: formToken(key, token, n) },
      showContent,
      ...(showContent ? {} : { signInHref: `${path}/sign-in` }),
      accessibilityHref: `${ACCESSIBILITY_PATH}?lang=${state.invitee.locale ?? 'sv'}`,
      ...extra,
    });
    if (showContent && state.meeting.content) {
      const at = deps.now().toISOString();
      await deps.store.recordAccess({
        ...ref,
        who: session?.who ?? `invitee:${ref.inviteeId}`,
        what: 'purpose-goal-questions',
        at,
        requestId: n,
      });
    }
    return html(status, body);
  };

  /** GET /i/{token}/sign-in: off to the county's provider, the transaction sealed in a cookie. */
  const startSignIn = async (token: string, event: APIGatewayProxyEventV2) => {
    if (!deps.signIn) return html(404, notValid());
    const { key, ref, state } = await load(token);
    if (state.kind === 'invalid' || !ref) return html(404, notValid());
    const { url, transaction } = await deps.signIn.start(`${origin(event)}${CALLBACK_PATH}`);
    const exp = Math.floor(deps.now().getTime() / 1000) + SIGN_IN_SECONDS;
    const sealed = sealValue(key, 'oidc', { ...transaction, token, exp } satisfies PendingSignIn);
    logger.info('sign-in started', { outcome: 'redirect' });
    return {
      statusCode: 302,
      headers: { ...securityHeaders, location: url },
      cookies: [cookie(event, OIDC_COOKIE, sealed, SIGN_IN_SECONDS)],
      body: '',
    };
  };

  /** GET /callback: the provider sent the browser back; a session of the link it started from. */
  const signedIn = async (event: APIGatewayProxyEventV2) => {
    if (!deps.signIn) return html(404, notValid());
    const key = await deps.linkKey();
    const pending = openValue<PendingSignIn>(key, 'oidc', cookieOf(event, OIDC_COOKIE));
    const now = deps.now();
    if (!pending || pending.exp <= now.getTime() / 1000) {
      logger.warn('sign-in refused: no pending sign-in in this browser', { outcome: 'forbidden' });
      return html(403, notValid());
    }
    const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
    let subject: string;
    try {
      subject = await deps.signIn.finish(new URL(`${origin(event)}${CALLBACK_PATH}${query}`), pending);
    } catch (error) {
      logger.warn('sign-in refused by the checks', { outcome: 'forbidden', error: (error as Error).name });
      return html(403, notValid());
    }
    const session = sealValue(key, 'session', {
      token: pending.token,
      who: `oidc:${deps.signIn.issuer}#${subject}`,
      exp: Math.floor(now.getTime() / 1000) + SESSION_SECONDS,
    });
    logger.info('signed in', { outcome: 'signed-in' });
    return {
      statusCode: 302,
      headers: { ...securityHeaders, location: `/i/${pending.token}` },
      cookies: [cookie(event, SESSION_COOKIE, session, SESSION_SECONDS), cookie(event, OIDC_COOKIE, '', 0)],
      body: '',
    };
  };

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method;
    const path = event.rawPath;
    try {
      if (path === ACCESSIBILITY_PATH && method === 'GET') {
        const lang = event.queryStringParameters?.lang === 'en' ? 'en' : 'sv';
        return html(200, renderAccessibility(lang, deps.county.displayName, deps.contact));
      }
      if (path === CALLBACK_PATH && method === 'GET') return await signedIn(event);
      const signInToken = /^\/i\/([A-Za-z0-9._-]{1,500})\/sign-in$/.exec(path)?.[1];
      if (signInToken && method === 'GET') return await startSignIn(signInToken, event);
      const token = /^\/i\/([A-Za-z0-9._-]{1,500})$/.exec(path)?.[1];
      if (!token) return html(404, notValid());
      if (method === 'GET') {
        const done = event.queryStringParameters?.done === '1';
        const result = await show(token, event, { done });
        logger.info('invitation page shown', { outcome: result.statusCode === 200 ? 'shown' : 'not-valid' });
        return result;
      }
      if (method !== 'POST') return html(405, notValid(), { allow: 'GET, POST' });

      const fields = formFields(event);
      const { key, ref, state } = await load(token);
      if (state.kind === 'invalid' || !ref) return html(404, notValid());
      if (
        !fields ||
        crossSite(event) ||
        !fields.nonce ||
        !fields.form ||
        !formTokenValid(key, token, fields.nonce, fields.form)
      ) {
        logger.warn('invitation answer refused: not from this page', { outcome: 'forbidden' });
        return html(403, notValid(state.invitee.locale));
      }
      if (state.kind !== 'open') return show(token, event, {}, 409);
      const answerer = await answerPipeline();
      const checked = checkAnswer(state.invitee, fields, state.invitee.locale ?? 'sv', answerer.validEmail);
      if (!checked.ok) return show(token, event, { errors: checked.errors, posted: fields }, 400);

      // The same form posted twice (a double click, a replay) is the same event: applied once.
      const body = {
        specversion: '1.0',
        // The nonce alone would make another answer from the same page (all its forms share it, and
        // Back restores it) a duplicate of the first: the answer is part of the id.
        id: derivedId(
          'page',
          ref.caseId,
          ref.meetingId,
          ref.inviteeId,
          fields.nonce,
          JSON.stringify(responseData(deps.county.id, ref, checked.answer)),
        ),
        source: `urn:se:${deps.county.id}:sip:invitation-page`,
        type: eventTypes.invitationResponded,
        time: deps.now().toISOString(),
        subject: ref.caseId,
        datacontenttype: 'application/json',
        data: responseData(deps.county.id, ref, checked.answer),
      };
      const parsed = answerer.schema.safeParse(body);
      if (!parsed.success) return show(token, event, { errors: { answer: '—' }, posted: fields }, 400);
      const outcome = await answerer.applyEvent(
        {
          county: { ...deps.county, rules: answerer.rules },
          store: deps.store,
          now: deps.now,
          outbox: deps.outbox,
          foldMemo: answerer.memo,
        },
        parsed.data,
      );
      logger.info('invitation answered', { outcome: outcome.kind, answer: checked.answer.answer });
      if (outcome.kind === 'rejected' || outcome.kind === 'deferred') return show(token, event, {}, 409);
      return { statusCode: 303, headers: { ...securityHeaders, location: `${path}?done=1` }, body: '' };
    } catch (error) {
      logger.error('invitation page failed', loggableError(error));
      return html(503, notValid());
    }
  };
};
