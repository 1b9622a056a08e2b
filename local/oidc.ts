/**
 * A real OpenID provider for the local stack (issue 13): oidc-provider (certified, by the author
 * of openid-client), standing in for the county's regional IdP. One public client — the
 * invitation pages — with PKCE required and its callback as the only redirect URI. Its built-in
 * development login takes any name (no password check) and shows a consent step: enough to go
 * through the whole authorization-code flow in a browser and in tests.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface LocalOidc {
  issuer: string;
  clientId: string;
  stop(): Promise<void>;
}

export const LOCAL_OIDC_CLIENT_ID = 'sip-invitation-pages';

export const startOidcProvider = async (port: number, redirectUri: string): Promise<LocalOidc> => {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: LOCAL_OIDC_CLIENT_ID,
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId: LOCAL_OIDC_CLIENT_ID,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
