/** The link key through the Parameters and Secrets extension's HTTP API (issue 13), faked on a local port. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { linkKeyFromEnv } from '../../functions/adapters/link-key.ts';
import { formToken, formTokenValid, linkToken, readLinkToken } from '../../functions/core/invitation-link.ts';
import { invitationRespondedContract } from '../../events/contracts/invitation-responded.ts';

describe('invitation links (issue 13)', () => {
  it('reads the key once through the extension, with the session token, and retries after a failure', async () => {
    const seen: { url?: string; token?: string }[] = [];
    let fail = true;
    const server = createServer((req, res) => {
      seen.push({ url: req.url, token: req.headers['x-aws-parameters-secrets-token'] as string });
      if (fail) {
        fail = false;
        res.writeHead(500).end();
        return;
      }
      res.end(JSON.stringify({ SecretString: 'k'.repeat(40) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const key = linkKeyFromEnv({
      LINK_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-north-1:1:secret:link',
      AWS_SESSION_TOKEN: 'session',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((server.address() as AddressInfo).port),
    });
    await expect(key()).rejects.toThrow(/could not be read \(500\)/);
    expect(await key()).toBe('k'.repeat(40));
    expect(await key()).toBe('k'.repeat(40));
    server.close();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({
      url: '/secretsmanager/get?secretId=arn%3Aaws%3Asecretsmanager%3Aeu-north-1%3A1%3Asecret%3Alink',
      token: 'session',
    });
  });

  it('a link carries ≥ 128 bits of MAC and round-trips; any change to it is not genuine', () => {
    const ref = { caseId: 'case-1', meetingId: 'meeting-1', inviteeId: 'inv-1' };
    const token = linkToken('key', ref);
    expect(Buffer.from(token.split('.')[1] ?? '', 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(readLinkToken('key', token)).toEqual({ ref, genuine: true });
    expect(readLinkToken('other', token).genuine).toBe(false);
    const [payload = '', mac = ''] = token.split('.');
    expect(readLinkToken('key', `${payload}.${mac.slice(0, -1)}A`).genuine).toBe(false);
    expect(readLinkToken('key', 'x').genuine).toBe(false);
    // The last character carries two spare bits: only the one canonical spelling is genuine.
    const last = mac.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const base = alphabet.indexOf(last) & ~3;
    for (const spare of [0, 1, 2, 3].map((k) => alphabet[base + k] ?? '').filter((c) => c !== last))
      expect(readLinkToken('key', `${payload}.${mac.slice(0, -1)}${spare}`).genuine).toBe(false);
    const nonce = 'n1';
    expect(formTokenValid('key', token, nonce, formToken('key', token, nonce))).toBe(true);
    expect(formTokenValid('key', token, 'n2', formToken('key', token, nonce))).toBe(false);
  });

  it('an answer’s text must hold more than white space', () => {
    const event = (data: Record<string, unknown>) => ({
      specversion: '1.0',
      id: 'evt-1',
      source: 'urn:x',
      type: 'se.sip.invitation.responded.v1',
      time: '2026-11-24T09:00:00+01:00',
      subject: 'case-1',
      data: { county: 'halland', meetingId: 'm-1', inviteeId: 'i-1', ...data },
    });
    const ok = (data: Record<string, unknown>) =>
      invitationRespondedContract.schema.safeParse(event(data)).success;
    expect(ok({ response: 'clarification', message: 'Vad gäller?' })).toBe(true);
    expect(ok({ response: 'clarification', message: '   ' })).toBe(false);
    expect(ok({ response: 'accepted', attendee: { name: ' ', role: '\t' } })).toBe(false);
  });
});
