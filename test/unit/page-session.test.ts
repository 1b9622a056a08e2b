import { describe, expect, it } from 'vitest';
import { openValue, sealValue, sessionFor } from '../../functions/core/invitation-link.ts';

const KEY = 'test-link-key-0123456789abcdef0123456789abcdef';
const now = new Date('2026-12-01T10:00:00Z');
const exp = now.getTime() / 1000 + 3600;

describe('sign-in sessions sealed in a cookie (issue 13)', () => {
  it('opens what it sealed, for that purpose only', () => {
    const sealed = sealValue(KEY, 'session', { token: 't1', who: 'oidc:https://idp#u1', exp });
    expect(openValue(KEY, 'session', sealed)).toEqual({ token: 't1', who: 'oidc:https://idp#u1', exp });
    expect(openValue(KEY, 'oidc', sealed)).toBeUndefined(); // a pending sign-in is not a session
    expect(openValue('another-key-0123456789abcdef0123456789abcdef', 'session', sealed)).toBeUndefined();
  });
  it('refuses a changed payload or mac, garbage and nothing', () => {
    const sealed = sealValue(KEY, 'session', { token: 't1', who: 'oidc:https://idp#u1', exp });
    const [payload = '', mac = ''] = sealed.split('.');
    const forged = Buffer.from(JSON.stringify({ token: 't2', who: 'x', exp })).toString('base64url');
    expect(openValue(KEY, 'session', `${forged}.${mac}`)).toBeUndefined();
    const flipped = `${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(openValue(KEY, 'session', `${payload}.${flipped}`)).toBeUndefined();
    expect(openValue(KEY, 'session', 'not a cookie')).toBeUndefined();
    expect(openValue(KEY, 'session', undefined)).toBeUndefined();
  });
  it('a session counts for its own link, until it expires', () => {
    const sealed = sealValue(KEY, 'session', { token: 't1', who: 'oidc:https://idp#u1', exp });
    expect(sessionFor(KEY, sealed, 't1', now)?.who).toBe('oidc:https://idp#u1');
    expect(sessionFor(KEY, sealed, 't2', now)).toBeUndefined();
    expect(sessionFor(KEY, sealed, 't1', new Date(exp * 1000 + 1000))).toBeUndefined();
  });
});
