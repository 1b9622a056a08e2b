/**
 * Raw MIME for the two kinds of email we send, in the structure mail clients expect of a meeting
 * invitation (the one nodemailer's composer produces for `icalEvent`):
 *
 *   multipart/mixed
 *     multipart/alternative
 *       text/plain; charset=utf-8                      (base64)
 *       text/html; charset=utf-8                       (base64)
 *       text/calendar; charset=utf-8; method=REQUEST   (base64; Outlook and Gmail read this one)
 *     application/ics; name="invitation.ics"           (the same calendar, as an attachment)
 *
 * A notice has no calendar: multipart/alternative of text and HTML only.
 *
 * Header words are encoded by emailjs (RFC 2047, words of at most 75 characters, one per line);
 * bodies are base64 in lines of 76 characters, so no line is ever longer than SMTP allows and any
 * text, however long its lines or whatever its characters, arrives unchanged. Why not nodemailer's
 * composer: docs/decisions.md ("MIME without nodemailer").
 */
import { randomUUID } from 'node:crypto';
import { getRFC2822Date, mimeWordEncode } from 'emailjs';

const CRLF = '\r\n';

export interface Mailbox {
  name?: string;
  address: string;
}

export interface MimeMessage {
  from: Mailbox;
  to: Mailbox;
  replyTo: Mailbox;
  subject: string;
  date: Date;
  text: string;
  html: string;
  /** An iCalendar object and its METHOD: sent inline (alternative) and as an attachment. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string; filename: string };
}

/** Printable ASCII without quotes and backslashes goes as it is; anything else is encoded. */
const plain = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
/** An address as our contracts allow it (zod's email check); never anything that can break a header. */
const address = /^[^\s<>()[\]\\,;:"@]+@[A-Za-z0-9.-]+$/;

/** Encoded words (at most 75 characters each), one per folded line. */
const encodeWords = (text: string): string => mimeWordEncode(text, 'Q').split(' ').join(`${CRLF} `);

/** Short printable text as it is; anything else (or what looks like an encoded word) encoded. */
const asIs = (text: string, max: number) => plain.test(text) && text.length <= max && !text.includes('=?');

const headerText = (text: string): string => (asIs(text, 60) ? text : encodeWords(text));

const mailbox = ({ name, address: addr }: Mailbox): string => {
  if (!address.test(addr)) throw new Error('an email address in a header is not a plain address');
  if (!name) return addr;
  // The address goes on a folded line of its own, so no line with an encoded word grows past 76.
  return asIs(name, 40) ? `"${name}" <${addr}>` : `${encodeWords(name)}${CRLF} <${addr}>`;
};

/**
 * "Name <address>" or a bare address, as an operator configures a sender; anything else (two
 * addresses, trailing words, a second @) is refused rather than guessed at.
 */
export const parseMailbox = (text: string): Mailbox => {
  const m = /^\s*(?:"?([^"<>\r\n]*?)"?\s*<([^<>\s]+)>|([^<>\s"]+))\s*$/.exec(text);
  const addr = m?.[2] ?? m?.[3];
  if (!addr || !address.test(addr)) {
    throw new Error('an email address must be "Name <address>" or a bare address, one only');
  }
  const name = m?.[1]?.trim();
  return name ? { name, address: addr } : { address: addr };
};

const filename = /^[A-Za-z0-9._-]{1,64}$/;

const base64Body = (text: string): string =>
  Buffer.from(text.replace(/\r\n|\r|\n/g, CRLF), 'utf8')
    .toString('base64')
    .replace(/.{1,76}/g, `$&${CRLF}`);

const boundary = () => `----sip-${randomUUID()}`;

const part = (headers: string[], text: string) =>
  [...headers, 'Content-Transfer-Encoding: base64', '', base64Body(text)].join(CRLF);

const multipart = (kind: 'mixed' | 'alternative', parts: string[]): string => {
  const b = boundary();
  return [
    `Content-Type: multipart/${kind};${CRLF} boundary="${b}"`,
    '',
    ...parts.map((p) => `--${b}${CRLF}${p}`),
    `--${b}--`,
    '',
  ].join(CRLF);
};

export const buildMime = (m: MimeMessage): Uint8Array => {
  const domain = m.from.address.split('@')[1] ?? 'sip.invalid';
  const alternatives = [
    part(['Content-Type: text/plain; charset=utf-8'], m.text),
    part(['Content-Type: text/html; charset=utf-8'], m.html),
  ];
  const { calendar } = m;
  if (calendar) {
    if (!filename.test(calendar.filename)) throw new Error('a calendar file name must be a plain token');
    alternatives.push(
      part([`Content-Type: text/calendar; charset=utf-8; method=${calendar.method}`], calendar.content),
    );
  }
  const body = calendar
    ? multipart('mixed', [
        multipart('alternative', alternatives),
        part(
          [
            `Content-Type: application/ics; name="${calendar.filename}"`,
            `Content-Disposition: attachment; filename="${calendar.filename}"`,
          ],
          calendar.content,
        ),
      ])
    : multipart('alternative', alternatives);
  const headers = [
    `From: ${mailbox(m.from)}`,
    `To: ${mailbox(m.to)}`,
    `Reply-To: ${mailbox(m.replyTo)}`,
    `Subject: ${headerText(m.subject)}`,
    `Date: ${getRFC2822Date(m.date, true)}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
  ];
  return new TextEncoder().encode(`${headers.join(CRLF)}${CRLF}${body}`);
};
