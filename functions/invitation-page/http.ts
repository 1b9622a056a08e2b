/**
 * What the page functions share (the invitation page, issue 13; the evaluation pages, issue 15):
 * the security headers (CSP with the one stylesheet's hash), "link not valid", form bodies and
 * the cross-site check. No token or personal data is logged here.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PAGE_CSS, renderInvalid } from '../core/invitation-page.ts';

/** Largest form body accepted (the longest answer is ~1,000 characters, url-encoded ≤ 9 KB). */
export const MAX_BODY_BYTES = 16 * 1024;

const cssHash = `sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}`;

/** Every response: nothing cached, indexed, framed, referred or loaded from elsewhere. */
export const securityHeaders: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src '${cssHash}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

export const html = (statusCode: number, body: string, extra: Record<string, string> = {}) => ({
  statusCode,
  headers: { ...securityHeaders, ...extra },
  body,
});

export const ACCESSIBILITY_PATH = '/tillganglighet';

/** The page's own origin: https behind API Gateway, what the local server says it is otherwise. */
export const origin = (event: APIGatewayProxyEventV2): string =>
  `${event.headers['x-forwarded-proto'] ?? 'https'}://${event.headers.host ?? event.requestContext.domainName}`;

export const notValid = (lang: 'sv' | 'en' = 'sv') => renderInvalid(lang, ACCESSIBILITY_PATH);

export const formFields = (event: APIGatewayProxyEventV2): Record<string, string> | undefined => {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return undefined;
  const type = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const fields: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) if (!(k in fields)) fields[k] = v;
  return fields;
};

/**
 * A POST from another site: the browser says so (Fetch Metadata), or its Origin is not ours. Our
 * own page's form posts with `Origin: null` (its Referrer-Policy is no-referrer), so a null Origin
 * decides nothing; the form token, which only a page this system rendered carries, does.
 */
export const crossSite = (event: APIGatewayProxyEventV2): boolean => {
  const site = event.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = event.headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host !== (event.headers.host ?? event.requestContext.domainName);
  } catch {
    return true;
  }
};
