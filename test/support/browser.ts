/**
 * What the browser tests share (issue 13): Debian's Chromium driven by playwright-core, the
 * normal scenario summoned for a fresh case on a test stack, the page link taken from the email
 * in the SES emulator, and axe-core's WCAG 2.1 A/AA check.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { publishScenario, sesEmails } from '../../local/inspect.ts';
import { projectRoot } from '../../local/stack-file.ts';
import { eventually } from './fixtures.ts';
import type { startTestStack } from './local-stack.ts';

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (bash .ci/run does so when it is missing), or set CHROMIUM_PATH`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
};

/**
 * The normal scenario up to the summons (with `held`, on to its plan: the meeting was held), for a
 * fresh case, its meeting `daysAhead` days from today (the next weekday).
 */
export const publishSummons = async (
  s: TestStack,
  caseId: string,
  { daysAhead = 14, held = false }: { daysAhead?: number; held?: boolean } = {},
) => {
  const dir = mkdtempSync(join(tmpdir(), 'sip-web-'));
  const day = new Date(Date.now() + daysAhead * 86_400_000);
  while ([0, 6].includes(day.getUTCDay())) day.setUTCDate(day.getUTCDate() + 1);
  const startsAt = `${day.toISOString().slice(0, 10)}T09:00`;
  for (const file of [
    '01-case-created.json',
    '02-consent-guardian-a.json',
    '03-consent-guardian-b.json',
    '04-summons-sent.json',
    ...(held ? ['06-plan-established.json'] : []),
  ]) {
    const text = readFileSync(join(projectRoot, 'events', 'examples', 'normal', file), 'utf8')
      .replaceAll('case-hl-1001', caseId)
      .replace(/"evt-normal-(\d+)"/, `"evt-${caseId}-$1"`)
      .replace(/"startsAt": "[^"]+"/, `"startsAt": "${startsAt}"`);
    writeFileSync(join(dir, file), text);
  }
  await publishScenario(s.sqs, s.stack, dir);
};

/** The page link in the invitation email to `address` of `caseId`. */
export const linkFor = async (s: TestStack, caseId: string, address: string): Promise<string> => {
  const email = await eventually(
    async () =>
      (await sesEmails(s.stack.endpoints.ses)).find(
        (e) => e.destination.to.includes(address) && e.subject.includes(`${caseId})`),
      ),
    (e) => e !== undefined,
  );
  const link = /href="(http:\/\/127\.0\.0\.1:\d+\/i\/[^"]+)"/.exec(email?.body.html ?? '')?.[1];
  if (!link) throw new Error('the invitation email has no page link');
  return link;
};

export const axeClean = async (page: Page, state: string) => {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(
    result.violations.map((v) => `${state}: ${v.id} (${v.nodes.length})`),
    `axe-core on "${state}"`,
  ).toEqual([]);
};
