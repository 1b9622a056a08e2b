/**
 * Sign-in with the county's OpenID Connect provider (issue 13: `invitationPage.signIn: 'oidc'`),
 * by openid-client (a certified relying party): discovery, the authorization-code flow with PKCE
 * (S256), state and nonce, and the ID token's validation (signature from the provider's JWKS,
 * issuer, audience, expiry, nonce). A public client: the county gives an issuer and a client id,
 * no secret to keep. Locally the provider is oidc-provider on http (`allowHttp`).
 */
import * as client from 'openid-client';

/** What the browser carries between the two legs (sealed in a cookie by the page). */
export interface OidcTransaction {
  verifier: string;
  state: string;
  nonce: string;
}

export interface SignIn {
  issuer: string;
  /** Where to send the browser, and what to keep until it comes back. */
  start(redirectUri: string): Promise<{ url: string; transaction: OidcTransaction }>;
  /** The signed-in subject, from the callback URL the provider redirected to. */
  finish(callbackUrl: URL, transaction: OidcTransaction): Promise<string>;
}

export const oidcSignIn = (issuer: string, clientId: string, opts: { allowHttp?: boolean } = {}): SignIn => {
  let config: Promise<client.Configuration> | undefined;
  const discover = () =>
    (config ??= client
      .discovery(
        new URL(issuer),
        clientId,
        undefined,
        client.None(),
        opts.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        config = undefined; // try the discovery again on the next sign-in
        throw error;
      }));
  return {
    issuer,
    async start(redirectUri) {
      const c = await discover();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, transaction: { verifier, state, nonce } };
    },
    async finish(callbackUrl, t) {
      const c = await discover();
      const tokens = await client.authorizationCodeGrant(c, callbackUrl, {
        pkceCodeVerifier: t.verifier,
        expectedState: t.state,
        expectedNonce: t.nonce,
        idTokenExpected: true,
      });
      const sub = tokens.claims()?.sub;
      if (!sub) throw new Error('the ID token has no subject');
      return sub;
    },
  };
};
