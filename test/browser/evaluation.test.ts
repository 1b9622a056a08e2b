/**
 * Meeting evaluation in a real browser (issue 15): the links come from the emails the local stack
 * sent after the plan was established (SES emulator); Chromium opens the unit's evaluation, the
 * organiser's printable family survey page and the survey itself from its short link, each
 * checked with axe-core (WCAG 2.1 A/AA), and answers by keyboard and by form.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sesEmails } from '../../local/inspect.ts';
import { projectRoot } from '../../local/stack-file.ts';
import { axeClean, launchChromium, publishSummons } from '../support/browser.ts';
import { eventually, uniqueId } from '../support/fixtures.ts';
import { startTestStack } from '../support/local-stack.ts';

const shots =
  process.env.SIP_SCREENSHOTS === 'update'
    ? join(projectRoot, 'docs', 'screenshots')
    : mkdtempSync(join(tmpdir(), 'sip-screenshots-'));

let s: Awaited<ReturnType<typeof startTestStack>>;
let browser: Browser;
const caseId = uniqueId('case-eval');

/** The link in the email to `address` whose subject says `subject`. */
const linkIn = async (address: string, subject: RegExp, path: RegExp) => {
  const email = await eventually(
    async () =>
      (await sesEmails(s.stack.endpoints.ses)).find(
        (e) => e.destination.to.includes(address) && subject.test(e.subject) && e.subject.includes(caseId),
      ),
    (e) => e !== undefined,
  );
  const link = path.exec(email?.body.html ?? '')?.[1];
  if (!link) throw new Error(`no link in the email to ${address}`);
  return link;
};

beforeAll(async () => {
  s = await startTestStack();
  browser = await launchChromium();
  await publishSummons(s, caseId, { daysAhead: 1, held: true });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('meeting evaluation in Chromium (issue 15)', () => {
  it('a unit opens its link from the email, gets errors tied to the questions, and answers once', async () => {
    const link = await linkIn(
      'bup@region.example.se',
      /Hur gick SIP-mötet/,
      /href="(http:\/\/127\.0\.0\.1:\d+\/e\/[^"]+)"/,
    );
    const page = await (await browser.newContext({ viewport: { width: 900, height: 900 } })).newPage();
    await page.goto(link);
    expect((await page.locator('h1').innerText()).trim()).toBe('Utvärdering av SIP-mötet');
    await axeClean(page, 'evaluation form');
    // Nothing chosen: the browser's own check is bypassed to see the server's errors.
    await page.evaluate("document.querySelectorAll('input').forEach((i) => i.removeAttribute('required'))");
    await page.getByRole('button', { name: 'Skicka svaren' }).click();
    await page.getByRole('alert').waitFor();
    await axeClean(page, 'evaluation errors');
    // By keyboard: each question's first option, then 4 with the arrow keys (a radio group).
    for (const q of ['purpose-clear', 'right-functions', 'voice-heard', 'plan-clear']) {
      await page.locator(`#${q}-1`).focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      expect(await page.locator(`#${q}-4`).isChecked()).toBe(true);
    }
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'evaluation-unit.png'), fullPage: true });
    await page.getByRole('button', { name: 'Skicka svaren' }).click();
    await page.getByText('Tack för dina svar!').waitFor();
    await axeClean(page, 'evaluation thanks');
    await page.goto(link);
    await page.getByText('redan besvarad').waitFor();
  });

  it('the organiser prints the family survey: a QR code and a short link that open the child’s and the guardians’ surveys', async () => {
    const link = await linkIn(
      'sip-bup@region.example.se',
      /Enkät till barnet/,
      /href="(http:\/\/127\.0\.0\.1:\d+\/p\/[^"]+)"/,
    );
    const page = await (await browser.newContext({ viewport: { width: 900, height: 1100 } })).newPage();
    await page.goto(link);
    await axeClean(page, 'printable family survey');
    expect(await page.locator('.qr svg').count()).toBe(1);
    const short = (await page.locator('.short').innerText()).trim();
    expect(short).toMatch(/\/f\/[A-Z2-9]{12}$/);
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(shots, 'evaluation-print.png') });
    await page.emulateMedia({ media: 'screen' });

    await page.goto(short);
    await axeClean(page, 'family survey: who answers');
    await page.getByRole('link', { name: 'Jag är barnet eller den unga' }).click();
    await axeClean(page, 'family survey: child');
    for (const q of ['understood', 'listened', 'helps']) await page.locator(`#${q}-5`).check();
    await page.getByRole('button', { name: 'Skicka svaren' }).click();
    await page.getByText('Tack för dina svar!').waitFor();
    await page.goto(`${short}/barn`);
    await page.getByText('redan fått alla svar').waitFor();
  });
});
