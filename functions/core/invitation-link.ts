/**
 * The personal link of one invitee to one meeting (issue 13): a capability, verified as an HMAC
 * (SHA-256, 160 bits kept) under a key the stack keeps in AWS Secrets Manager. The link names the
 * invitation (case, meeting, invitee: opaque ids the email already shows as the case reference)
 * and nothing else; without the key it cannot be made, and nothing about it is stored. Pure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkRef {
  caseId: string;
  meetingId: string;
  inviteeId: string;
}

/** A link works until this many days after its meeting (issue 13). */
export const LINK_VALID_DAYS_AFTER_MEETING = 14;

const VERSION = '1';
const MAC_BYTES = 20;

const macOf = (key: string, payload: string, purpose: string): Buffer =>
  createHmac('sha256', key).update(`${purpose}\u0000${payload}`).digest().subarray(0, MAC_BYTES);

/** `<payload>.<mac>`, both base64url: URL-safe, ~200 characters for 64-character ids. */
/**
 * `purpose` separates capabilities under the one key: `link` (the invitation page), `evaluation`
 * (a unit's evaluation of a held meeting) and `family` (the family survey's printable page,
 * issue 15). A token made for one purpose is not genuine for another.
 */
export type LinkPurpose = 'link' | 'evaluation' | 'family';

export const linkToken = (key: string, ref: LinkRef, purpose: LinkPurpose = 'link'): string => {
  const payload = Buffer.from([VERSION, ref.caseId, ref.meetingId, ref.inviteeId].join('\n')).toString(
    'base64url',
  );
  return `${payload}.${macOf(key, payload, purpose).toString('base64url')}`;
};

/**
 * The path of a meeting's printable family-survey page (issue 15, `/p/<token>`): the organiser's
 * email links it and the outbound `family-survey.ready` event carries it (the publisher signs it).
 */
export const familyPrintPath = (key: string, caseId: string, meetingId: string): string =>
  `/p/${linkToken(key, { caseId, meetingId, inviteeId: 'family' }, 'family')}`;

/**
 * What a token claims to name, whether or not it is genuine (so that a forged link costs the same
 * work as a real one: the page loads the case either way), and whether it is genuine.
 */
export const readLinkToken = (
  key: string,
  token: string,
  purpose: LinkPurpose = 'link',
): { ref?: LinkRef; genuine: boolean } => {
  const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{27})$/.exec(token);
  if (!match) return { genuine: false };
  const [, payload = '', mac = ''] = match;
  const parts = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
  const ref =
    parts.length === 4 && parts[0] === VERSION && parts.every((p) => p.length > 0 && p.length <= 128)
      ? { caseId: parts[1] ?? '', meetingId: parts[2] ?? '', inviteeId: parts[3] ?? '' }
      : undefined;
  const expected = macOf(key, payload, purpose);
  const given = Buffer.from(mac, 'base64url');
  // One spelling per token: the decoder ignores the last character's two spare bits.
  const canonical = given.toString('base64url') === mac;
  const genuine =
    ref !== undefined && canonical && given.length === expected.length && timingSafeEqual(given, expected);
  return { ...(ref ? { ref } : {}), genuine };
};

/** The token a form carries back: ties a POST to a page this system rendered for this link. */
export const formToken = (key: string, token: string, nonce: string): string =>
  macOf(key, `${token}\u0000${nonce}`, 'form').toString('base64url');

export const formTokenValid = (key: string, token: string, nonce: string, given: string): boolean => {
  const expected = macOf(key, `${token}\u0000${nonce}`, 'form');
  const actual = Buffer.from(given, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};

/**
 * A signed-in view of one link (issue 13, a county with sign-in): who signed in (`oidc:<issuer>#<sub>`)
 * and until when, bound to the link and signed with the same key. Kept in an HttpOnly cookie; nothing
 * is stored server-side.
 */
export interface PageSession {
  token: string;
  who: string;
  /** Epoch seconds. */
  exp: number;
}

export const sealValue = (key: string, purpose: string, value: object): string => {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${macOf(key, payload, purpose).toString('base64url')}`;
};

export const openValue = <T>(key: string, purpose: string, sealed: string | undefined): T | undefined => {
  const match = /^([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{27})$/.exec(sealed ?? '');
  if (!match) return undefined;
  const [, payload = '', mac = ''] = match;
  const expected = macOf(key, payload, purpose);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
};

/** The session of this link, if the cookie holds a valid, unexpired one. */
export const sessionFor = (key: string, sealed: string | undefined, token: string, now: Date) => {
  const s = openValue<PageSession>(key, 'session', sealed);
  return s && s.token === token && s.exp > now.getTime() / 1000 ? s : undefined;
};
