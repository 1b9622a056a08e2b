/** The raw MIME of our emails, read back by a real MIME parser (mailparser, the SES emulator's). */
import { simpleParser } from 'mailparser';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { describe, expect, it } from 'vitest';
import { STOCKHOLM_VTIMEZONE } from '../../functions/adapters/invitation-mail.ts';
import { buildMime, type MimeMessage, parseMailbox } from '../../functions/adapters/mime.ts';

const calendar = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:c1.m1.i1@halland.sip',
  'SUMMARY:SIP-möte',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

const longSwedish = `Syfte: ${'samordning av insatser för barnet i skola och vård, åäö ÅÄÖ – '.repeat(30)}`;

const message = (over: Partial<MimeMessage> = {}): MimeMessage => ({
  from: { name: 'SIP Värmland', address: 'sip@varmland.example.se' },
  to: { address: 'bup@region.example.se' },
  replyTo: { address: 'samordnare@karlstad.example.se' },
  subject:
    'Kallelse till SIP-möte tisdag 3 december 2026 kl. 13.00 – Barn- och ungdomspsykiatrin (ärende c1)',
  date: new Date('2026-11-22T10:00:00Z'),
  text: `Hej!\n${longSwedish}\nVälkommen.`,
  html: `<p>Hej!</p><p>${longSwedish}</p>`,
  calendar: { method: 'REQUEST', content: calendar, filename: 'invitation.ics' },
  ...over,
});

const raw = (m: MimeMessage) => Buffer.from(buildMime(m)).toString('utf8');

describe('MIME of an invitation', () => {
  it('round-trips subject, names, text, HTML and the calendar through a MIME parser', async () => {
    const parsed = await simpleParser(Buffer.from(buildMime(message())));
    expect(parsed.subject).toBe(message().subject);
    expect(parsed.from?.value[0]).toMatchObject({ name: 'SIP Värmland', address: 'sip@varmland.example.se' });
    expect(parsed.text?.trim()).toBe(`Hej!\n${longSwedish}\nVälkommen.`);
    expect(parsed.html).toContain(longSwedish);
    expect(parsed.replyTo?.value[0]?.address).toBe('samordnare@karlstad.example.se');
    const ics = parsed.attachments.filter((a) => /calendar|ics/.test(a.contentType));
    expect(ics.map((a) => a.content.toString('utf8'))).toContain(calendar);
  });

  it('puts the calendar in the alternative with its METHOD and attaches it as invitation.ics', () => {
    const text = raw(
      message({ calendar: { method: 'CANCEL', content: calendar, filename: 'invitation.ics' } }),
    );
    const alternative = /boundary="([^"]+)"/g;
    const [mixed, alt] = [...text.matchAll(alternative)].map((m) => m[1]);
    expect(text).toMatch(/^Content-Type: multipart\/mixed;/m);
    const altBody = text.slice(text.indexOf(`--${alt}`), text.lastIndexOf(`--${alt}--`));
    expect(altBody).toContain('Content-Type: text/calendar; charset=utf-8; method=CANCEL');
    expect(altBody).toContain('Content-Type: text/plain; charset=utf-8');
    expect(altBody).toContain('Content-Type: text/html; charset=utf-8');
    expect(text).toContain(`--${mixed}\r\nContent-Type: application/ics; name="invitation.ics"`);
  });

  it('keeps every line within SMTP limits and uses CRLF only', () => {
    const text = raw(message());
    expect(text).not.toMatch(/[^\r]\n/);
    const lines = text.split('\r\n');
    // RFC 5322: at most 998 characters (MUST); ours stay under 100, bodies at 76 (base64).
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    const bodyLines = lines.filter((l) => /^[A-Za-z0-9+/=]{20,}$/.test(l));
    expect(bodyLines.length).toBeGreaterThan(10);
    expect(Math.max(...bodyLines.map((l) => l.length))).toBe(76);
    expect(text).toMatch(/^[\x20-\x7e\r\n]*$/); // 7-bit clean: every non-ASCII character is encoded
  });

  it('cannot be made to grow a header from a subject or a name', async () => {
    const evil = 'Kallelse\r\nBcc: spy@example.com';
    const parsed = await simpleParser(
      Buffer.from(buildMime(message({ subject: evil, from: { name: evil, address: 'sip@x.example.se' } }))),
    );
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(() => buildMime(message({ to: { address: 'a@b.se>\r\nBcc: spy@example.com' } }))).toThrow(
      /not a plain address/,
    );
  });
});

describe('header lines', () => {
  it('stay within 78 characters, and 76 where they carry encoded words (RFC 5322, RFC 2047)', () => {
    const text = raw(
      message({
        subject:
          'Invitation to a SIP meeting Tuesday 3 December 2026 at 13.00 (case 7f9c2a4e-0b1d-4c55-9e7a-2d1f0a3b4c5d)',
        from: {
          name: 'Samordnad individuell plan, Region Värmland och kommunerna',
          address: 'sip@varmland.example.se',
        },
      }),
    );
    const header = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
    for (const line of header) {
      expect(line.length, line).toBeLessThanOrEqual(line.includes('=?') ? 76 : 78);
    }
  });

  it('encode a name that only looks like an encoded word, so it reads as written', async () => {
    const name = '=?UTF-8?Q?V=C3=A4rm?=';
    const parsed = await simpleParser(
      Buffer.from(buildMime(message({ from: { name, address: 'sip@x.example.se' } }))),
    );
    expect(parsed.from?.value[0]?.name).toBe(name);
  });

  it('refuse a calendar file name that could break its header', () => {
    expect(() =>
      buildMime(message({ calendar: { method: 'REQUEST', content: calendar, filename: 'a".ics\r\nX: y' } })),
    ).toThrow(/plain token/);
  });
});

describe('a configured sender address', () => {
  it.each([
    ['SIP Halland <sip@x.se>', { name: 'SIP Halland', address: 'sip@x.se' }],
    ['sip@x.se', { address: 'sip@x.se' }],
    ['"Halland, SIP" <sip@x.se>', { name: 'Halland, SIP', address: 'sip@x.se' }],
    ['  <sip@x.se>  ', { address: 'sip@x.se' }],
  ])('%s is read as one mailbox', (text, mailbox) => {
    expect(parseMailbox(text)).toEqual(mailbox);
  });

  it.each([
    '',
    'garbage',
    'a@b@c',
    'sip@x.se extra',
    'a@x.se, b@x.se',
    'SIP <a@x.se> <b@x.se>',
    'grp: a@x.se;',
  ])('%j is refused, not guessed at', (text) => {
    expect(() => parseMailbox(text)).toThrow(/one only/);
  });
});

describe('MIME of a notice', () => {
  it('is text and HTML only, without a calendar', async () => {
    const m = message({ calendar: undefined });
    const text = raw(m);
    expect(text).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(text).not.toContain('text/calendar');
    const parsed = await simpleParser(Buffer.from(buildMime(m)));
    expect(parsed.attachments).toHaveLength(0);
    expect(parsed.text?.trim()).toBe(m.text);
  });
});

describe('the Europe/Stockholm VTIMEZONE', () => {
  it('is what timezones-ical-library generates for the zone (CET/CEST rules)', () => {
    const generated = (tzlib_get_ical_block('Europe/Stockholm')[0] ?? '')
      .replace(/Europe\/Berlin/g, 'Europe/Stockholm')
      .replace(/^LAST-MODIFIED:.*\r\n/m, '');
    expect(STOCKHOLM_VTIMEZONE).toBe(generated);
  });
});
