/**
 * The county report in a real browser (issue 15): Debian's Chromium, axe-core (WCAG 2.1 A and AA)
 * on screen and in print, keyboard use, and the charts' text alternatives. The committed
 * screenshot (docs/screenshots/report.png, in the README) is rewritten only on request
 * (`SIP_SCREENSHOTS=update`), like the invitation page's.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../local/report.ts';
import { projectRoot } from '../../local/stack-file.ts';
import { axeClean, launchChromium } from '../support/browser.ts';

const shots =
  process.env.SIP_SCREENSHOTS === 'update'
    ? join(projectRoot, 'docs', 'screenshots')
    : mkdtempSync(join(tmpdir(), 'sip-screenshots-'));

let browser: Browser;
let page: Page;
beforeAll(async () => {
  const written = await writeReport({
    county: 'halland',
    from: '2026-01-01',
    to: '2026-06-30',
    generate: 400,
    outDir: mkdtempSync(join(tmpdir(), 'sip-report-')),
    now: new Date('2026-07-01T06:00:00Z'),
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`file://${written.html}`);
}, 60_000);
afterAll(async () => browser?.close());

describe('the report page', () => {
  it('is axe-clean (WCAG 2.1 AA) on screen, and photographed for the README', async () => {
    await axeClean(page, 'report');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'report.png'), fullPage: false });
  });

  it('is axe-clean when printed, and every chart and table fits an A4 page width', async () => {
    await page.emulateMedia({ media: 'print' });
    await axeClean(page, 'report (print)');
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    const overflow = await page.evaluate<number>(
      "[...document.querySelectorAll('svg, table')].filter((e) => e.getBoundingClientRect().right > 794).length",
    );
    expect(overflow).toBe(0);
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('each chart is an image named by its title, with its data in a captioned table beside it', async () => {
    const charts = await page.$$eval('svg', (svgs) =>
      svgs.map((s) => ({
        role: s.getAttribute('role'),
        title: s.querySelector('title')?.textContent ?? '',
        table: s.closest('.kpi')?.querySelector('table caption')?.textContent ?? '',
      })),
    );
    expect(charts.length).toBeGreaterThanOrEqual(8);
    for (const c of charts) {
      expect(c.role).toBe('img');
      expect(c.title).toMatch(/diagram/);
      expect(c.table).toMatch(/uppgifter$/);
    }
  });

  it('can be used with the keyboard: the contents list takes focus visibly and leads to its section', async () => {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<{ href: string | null; outline: string }>(
      "({ href: document.activeElement.getAttribute('href'), outline: getComputedStyle(document.activeElement).outlineStyle })",
    );
    expect(focused.href).toBe('#started');
    expect(focused.outline).not.toBe('none');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('location.hash')).toBe('#started');
  });
});
