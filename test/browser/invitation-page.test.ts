/**
 * The invitation page in a real browser (issue 13): Debian's Chromium driven by playwright-core,
 * on the embedded stack over the real emulators. The link is taken from the email in the SES
 * emulator; every page state is checked with axe-core (WCAG 2.1 A and AA) and photographed into
 * docs/screenshots/.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishScenario, sesEmails, waitUntilDrained } from '../../local/inspect.ts';
import { projectRoot } from '../../local/stack-file.ts';
import { eventually, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';
import { axeClean, launchChromium, linkFor, publishSummons } from '../support/browser.ts';

// The committed screenshots (docs/screenshots/, shown in the README) are rewritten only on request
// (`SIP_SCREENSHOTS=update npm run test:only -- test/browser`): each run's dates differ.
const shots =
  process.env.SIP_SCREENSHOTS === 'update'
    ? join(projectRoot, 'docs', 'screenshots')
    : mkdtempSync(join(tmpdir(), 'sip-screenshots-'));

let s: Awaited<ReturnType<typeof startTestStack>>;
let browser: Browser;
const caseId = uniqueId('case-web');

const shoot = async (page: Page, name: string) => {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};

beforeAll(async () => {
  s = await startTestStack();
  browser = await launchChromium();
  await publishSummons(s, caseId);
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('the invitation page in Chromium (issue 13)', () => {
  it('opens from the email, passes axe in every state, and takes each answer by keyboard and by form', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    const link = await linkFor(s, caseId, 'elevhalsan@skola.example.org'); // locale "en", no ongoing intervention

    await page.goto(link);
    expect((await page.locator('h1').innerText()).trim()).toBe('Invitation to a SIP meeting');
    await page.getByText('Samordna stödet i skolan och hemma').waitFor();
    await axeClean(page, 'invitation (en)');
    await shoot(page, 'invitation-en');

    // Keyboard only: Tab to the first button and press Enter; focus is visible on the way.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate<string>("document.activeElement?.textContent ?? ''");
      if (focused === 'Confirm receipt') break;
    }
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=1/);
    expect((await page.getByRole('status').innerText()).trim()).toBe('Thank you, your answer is recorded.');
    await page.getByText('You confirmed that the invitation arrived.').waitFor();
    await axeClean(page, 'answered');

    // An error is tied to its field and announced.
    await page.getByLabel('Name of the substitute').fill('Bo Ek');
    await page.getByLabel('Email address of the substitute').fill('not an address');
    // The browser's own validation would stop the form; the server's answer is what is tested.
    await page.evaluate("document.querySelectorAll('form').forEach((f) => f.setAttribute('novalidate', ''))");
    await page.getByRole('button', { name: 'Send a substitute' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('Enter a valid email address');
    const field = page.getByLabel('Email address of the substitute');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    const description = await page.evaluate<string>(
      `${JSON.stringify(describedBy)}.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ')`,
    );
    expect(description).toMatch(/Enter a valid email address/);
    await axeClean(page, 'error');
    await shoot(page, 'invitation-error');

    await page.getByLabel('Name of who attends').fill('Anna Ek');
    await page.getByLabel('Role or title').fill('School counsellor');
    await page.getByRole('button', { name: 'Answer that we attend' }).click();
    await page.getByText('You answered that you will attend (Anna Ek, School counsellor).').waitFor();

    await page.getByLabel('Your question').fill('Which questions concern the school?');
    await page.getByRole('button', { name: 'Send the question' }).click();
    await page.getByText('Which questions concern the school?').waitFor();
    await shoot(page, 'invitation-answered');

    // The organiser is told by email, with ids only.
    const told = await eventually(
      async () =>
        (await sesEmails(s.stack.endpoints.ses)).find(
          (e) => e.destination.to.includes('sip-bup@region.example.se') && /förtydligande/.test(e.subject),
        ),
      (e) => e !== undefined,
    );
    expect(JSON.stringify(told?.body)).not.toContain('Which questions');
    const loaded = await s.store.loadCase(caseId);
    const invitee = [...loaded.meetings.values()][0]?.invitees.find((i) => i.inviteeId === 'inv-skola');
    expect(invitee?.response).toMatchObject({ value: 'accepted', attendee: { name: 'Anna Ek' } });
    await context.close();
  });

  it('shows Swedish to a Swedish invitee, no decline to an obliged unit, and the accessibility statement', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    await page.goto(await linkFor(s, caseId, 'socialtjanst@kommun.example.se')); // obliged (ongoing interventions)
    expect((await page.locator('h1').innerText()).trim()).toBe('Kallelse till SIP-möte');
    expect(await page.getByRole('button', { name: 'Tacka nej' }).count()).toBe(0);
    await page.getByText('skyldig att delta').first().waitFor();
    await axeClean(page, 'kallelse (sv)');
    await shoot(page, 'invitation-sv');
    await page.getByRole('link', { name: 'Tillgänglighetsredogörelse' }).click();
    expect((await page.locator('h1').innerText()).trim()).toBe('Tillgänglighetsredogörelse');
    await axeClean(page, 'tillgänglighetsredogörelse');
    await page.goto(`${s.stack.endpoints.invitations}/i/not-a-real-link`);
    expect((await page.locator('h1').innerText()).trim()).toBe('Länken gäller inte');
    await axeClean(page, 'not valid');
    await shoot(page, 'invitation-not-valid');
    await context.close();
  });

  it('after the case closes the page says so, without answers', async () => {
    await waitUntilDrained(s.sqs, s.stack.queues, s.stack.waitingTypes);
    const context = await browser.newContext();
    const page = await context.newPage();
    const link = await linkFor(s, caseId, 'bup@region.example.se');
    const dir = mkdtempSync(join(tmpdir(), 'sip-web-close-'));
    writeFileSync(
      join(dir, '08-case-closed.json'),
      readFileSync(join(projectRoot, 'events', 'examples', 'normal', '08-case-closed.json'), 'utf8')
        .replaceAll('case-hl-1001', caseId)
        .replace('"evt-normal-08"', `"evt-${caseId}-08"`),
    );
    await publishScenario(s.sqs, s.stack, dir);
    await page.goto(link);
    await page.getByText('SIP-ärendet är avslutat').waitFor();
    expect(await page.getByRole('button').count()).toBe(0);
    await axeClean(page, 'closed');
    await context.close();
  });
});
