/**
 * Sign-in before purpose, goal and questions (issue 13: `invitationPage.signIn: 'oidc'`), in
 * Chromium against a real OpenID provider (oidc-provider on the local stack): the page without a
 * session offers sign-in and hides the three; the authorization-code flow with PKCE runs through
 * the provider's login and consent; back on the page they are shown, the view is logged as the
 * signed-in subject's, and answering still works. A forged callback (no pending sign-in) and a
 * session of another link show nothing.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLinkToken } from '../../functions/core/invitation-link.ts';
import { axeClean, launchChromium, linkFor, publishSummons } from '../support/browser.ts';
import { eventually, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';

let s: Awaited<ReturnType<typeof startTestStack>>;
let browser: Browser;
const caseId = uniqueId('case-oidc');

beforeAll(async () => {
  s = await startTestStack({ signIn: true });
  browser = await launchChromium();
  await publishSummons(s, caseId);
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('sign-in with the county’s OpenID provider (issue 13)', () => {
  it('the stack names its provider, and the provider requires PKCE', async () => {
    expect(s.stack.endpoints.oidc).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const discovery = (await (
      await fetch(`${s.stack.endpoints.oidc}/.well-known/openid-configuration`)
    ).json()) as { code_challenge_methods_supported?: string[] };
    expect(discovery.code_challenge_methods_supported).toContain('S256');
  });

  it('hides purpose, goal and questions until sign-in, then shows them and logs the subject', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const link = await linkFor(s, caseId, 'elevhalsan@skola.example.org');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Purpose, goal and questions' }).waitFor();
    expect(await page.getByText('Vilket stöd behövs i skolan?').count()).toBe(0);
    await axeClean(page, 'sign-in needed');
    const ref = readLinkToken(s.stack.linkKey, new URL(link).pathname.slice(3)).ref;
    expect(await s.store.listAccess(caseId)).toEqual([]); // nothing seen, nothing logged

    await page.getByRole('link', { name: 'Sign in' }).click();
    // oidc-provider's development login (any name), then its consent step.
    expect(new URL(page.url()).origin).toBe(s.stack.endpoints.oidc);
    await page.locator('input[name="login"]').fill('handlaggare-1');
    await page.locator('input[name="password"]').fill('x');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click(); // consent: continue
    await page.waitForURL(link);
    await page.getByText('Vilket stöd behövs i skolan?').waitFor();
    await axeClean(page, 'signed in');
    const access = await eventually(
      () => s.store.listAccess(caseId),
      (a) => a.length > 0,
    );
    expect(access[0]).toMatchObject({
      inviteeId: ref?.inviteeId,
      who: `oidc:${s.stack.endpoints.oidc}#handlaggare-1`,
    });
    // Answering needs no sign-in, and works signed in.
    await page.getByRole('button', { name: 'Confirm receipt' }).click();
    await page.getByText('Thank you, your answer is recorded.').waitFor();

    // The session is this link's only: another invitee's link still asks for sign-in.
    await page.goto(await linkFor(s, caseId, 'bup@region.example.se'));
    await page.getByRole('link', { name: 'Logga in' }).waitFor();
    expect(await page.getByText('Vilket stöd behövs i skolan?').count()).toBe(0);
    await context.close();
  });

  it('a callback without a pending sign-in in this browser is refused', async () => {
    const res = await fetch(`${s.stack.endpoints.invitations}/callback?code=forged&state=forged`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('Vilket stöd');
  });
});
