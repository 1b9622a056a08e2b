/**
 * Reads a raw email the way a mail client would, enough for the oracle: headers (unfolded, RFC
 * 2047 words decoded), and every leaf part decoded (base64 or as is). Independent of the code
 * that wrote it (functions/adapters/mime.ts).
 */
export interface ReadMail {
  to: string;
  subject: string;
  text: string;
  calendar?: string;
  method?: string;
}

const decodeWords = (value: string): string =>
  value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_m, _charset: string, enc: string, text: string) => {
    if (enc.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (c === '_') bytes.push(0x20);
      else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(c.charCodeAt(0));
    }
    return Buffer.from(bytes).toString('utf8');
  });

const split = (raw: string): { headers: Map<string, string>; body: string } => {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && last)
      headers.set(last, `${headers.get(last)}${line.trimStart().startsWith('=?') ? '' : ' '}${line.trim()}`);
    else {
      const c = line.indexOf(':');
      if (c < 0) continue;
      last = line.slice(0, c).toLowerCase();
      headers.set(last, line.slice(c + 1).trim());
    }
  }
  return { headers, body };
};

const leaves = (raw: string): { type: string; content: string }[] => {
  const { headers, body } = split(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="([^"]+)"/.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .flatMap((p) => leaves(p.replace(/^\r\n/, '')));
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const content =
    encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  return [{ type, content }];
};

export const readMail = (raw: string): ReadMail => {
  const { headers } = split(raw);
  const parts = leaves(raw);
  const calendarPart = parts.find((p) => /^text\/calendar/i.test(p.type));
  const to = /<?([^<>\s]+@[^<>\s]+)>?$/.exec(headers.get('to') ?? '')?.[1] ?? '';
  return {
    to: to.toLowerCase(),
    subject: decodeWords(headers.get('subject') ?? ''),
    text: parts.find((p) => /^text\/plain/i.test(p.type))?.content ?? '',
    ...(calendarPart
      ? {
          calendar: calendarPart.content,
          method: /method=(\w+)/i.exec(calendarPart.type)?.[1]?.toUpperCase(),
        }
      : {}),
  };
};
