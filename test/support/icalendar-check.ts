/**
 * A strict reading of the iCalendar objects we send, by the rules calendar clients enforce:
 * RFC 5545 (content lines, DATE-TIME and DATE values) and RFC 5546 (iTIP: what REQUEST and
 * CANCEL must carry). Parsing itself is ical.js (Mozilla's parser, used by Thunderbird), which is
 * lenient about values, so the value grammar is checked here line by line.
 * Returns the problems found; an empty list means the object is well-formed.
 */
import ICAL from 'ical.js';

const DATE_TIME_UTC = /^\d{8}T\d{6}Z$/;
const DATE_TIME_LOCAL = /^\d{8}T\d{6}$/;
const DATE = /^\d{8}$/;

export interface ParsedEvent {
  method: string;
  uid: string;
  sequence: number;
  status?: string;
  dtstart: string;
  dtstartTzid?: string;
  dtend?: string;
  location?: string;
  organizer?: string;
  attendees: string[];
  summary?: string;
  description?: string;
}

/** Unfolds content lines (RFC 5545 §3.1) after checking the folding itself. */
const contentLines = (text: string, problems: string[]): string[] => {
  if (!text.endsWith('\r\n')) problems.push('the object does not end with CRLF');
  const raw = text.split('\r\n');
  if (raw.some((l) => l.includes('\n') || l.includes('\r'))) problems.push('a bare CR or LF outside CRLF');
  for (const l of raw)
    if (Buffer.byteLength(l, 'utf8') > 75)
      problems.push(`a content line is longer than 75 octets: ${l.slice(0, 30)}…`);
  const out: string[] = [];
  for (const l of raw) {
    if (l.startsWith(' ') || l.startsWith('\t')) out[out.length - 1] += l.slice(1);
    else if (l !== '') out.push(l);
  }
  return out;
};

const valueOf = (line: string) => line.slice(line.indexOf(':') + 1);
const paramsOf = (line: string) => line.slice(0, line.indexOf(':')).split(';').slice(1);

export const checkCalendar = (text: string): { problems: string[]; event?: ParsedEvent } => {
  const problems: string[] = [];
  const lines = contentLines(text, problems);
  let component: ICAL.Component;
  try {
    component = new ICAL.Component(ICAL.parse(text));
  } catch (error) {
    return { problems: [...problems, `ical.js cannot parse it: ${(error as Error).message}`] };
  }
  const method = String(component.getFirstPropertyValue('method') ?? '');
  if (!['REQUEST', 'CANCEL', 'PUBLISH'].includes(method)) problems.push(`METHOD ${method || '(none)'}`);
  if (component.getFirstPropertyValue('version') !== '2.0') problems.push('VERSION is not 2.0');
  if (!component.getFirstPropertyValue('prodid')) problems.push('no PRODID');
  const events = component.getAllSubcomponents('vevent');
  if (events.length !== 1) problems.push(`${events.length} VEVENTs (expected one)`);

  // The raw VEVENT lines, to check value grammar that ical.js lets through.
  const start = lines.indexOf('BEGIN:VEVENT');
  const end = lines.indexOf('END:VEVENT');
  const vevent = lines.slice(start + 1, end);
  const prop = (name: string) => vevent.filter((l) => l.split(/[;:]/)[0] === name);
  const one = (name: string, required: boolean) => {
    const found = prop(name);
    if (found.length > 1) problems.push(`${name} appears ${found.length} times`);
    if (required && found.length === 0) problems.push(`${name} is missing (RFC 5546 ${method})`);
    return found[0];
  };
  const dtstamp = one('DTSTAMP', true);
  if (dtstamp && !DATE_TIME_UTC.test(valueOf(dtstamp)))
    problems.push(`DTSTAMP ${valueOf(dtstamp)} is not a UTC DATE-TIME (RFC 5545 §3.8.7.2)`);
  const uid = one('UID', true);
  const sequenceLine = one('SEQUENCE', method === 'CANCEL');
  const sequence = sequenceLine ? Number(valueOf(sequenceLine)) : 0;
  if (!Number.isInteger(sequence) || sequence < 0) problems.push('SEQUENCE is not a non-negative integer');
  const dtstart = one('DTSTART', method !== 'CANCEL');
  const dtend = one('DTEND', false);
  let dtstartTzid: string | undefined;
  for (const line of [dtstart, dtend]) {
    if (!line) continue;
    const params = paramsOf(line);
    const v = valueOf(line);
    if (params.includes('VALUE=DATE')) {
      if (!DATE.test(v)) problems.push(`${line.split(/[;:]/)[0]} ${v} is not a DATE`);
    } else {
      const tzid = params.find((p) => p.startsWith('TZID='))?.slice(5);
      if (line === dtstart) dtstartTzid = tzid;
      if (tzid ? !DATE_TIME_LOCAL.test(v) : !DATE_TIME_UTC.test(v))
        problems.push(
          `${line.split(/[;:]/)[0]} ${v} is not a DATE-TIME ${tzid ? 'local to its TZID' : 'in UTC'}`,
        );
      if (tzid && !lines.includes(`TZID:${tzid}`)) problems.push(`TZID ${tzid} has no VTIMEZONE`);
    }
  }
  const organizer = one('ORGANIZER', method !== 'PUBLISH');
  const attendees = prop('ATTENDEE');
  if (method !== 'PUBLISH' && attendees.length === 0) problems.push(`no ATTENDEE (RFC 5546 ${method})`);
  const address = (line: string) =>
    valueOf(line)
      .replace(/^mailto:/i, '')
      .toLowerCase();
  if (organizer && attendees.some((a) => address(a) === address(organizer)))
    problems.push('the ORGANIZER is also an ATTENDEE (Outlook drops such an invitation)');
  for (const a of [organizer, ...attendees])
    if (a && !/^mailto:[^@\s]+@[^@\s]+$/i.test(valueOf(a)))
      problems.push(`${a.split(/[;:]/)[0]} is not a mailto: URI`);
  const status = one('STATUS', false);
  if (method === 'CANCEL' && (!status || valueOf(status) !== 'CANCELLED'))
    problems.push('a CANCEL does not say STATUS:CANCELLED');
  const text1 = (name: string) => {
    const l = one(name, false);
    return l
      ? valueOf(l)
          .replace(/\\n/gi, '\n')
          .replace(/\\([,;\\])/g, '$1')
      : undefined;
  };
  return {
    problems,
    event: {
      method,
      uid: uid ? valueOf(uid) : '',
      sequence,
      ...(status ? { status: valueOf(status) } : {}),
      dtstart: dtstart ? valueOf(dtstart) : '',
      ...(dtstartTzid ? { dtstartTzid } : {}),
      ...(dtend ? { dtend: valueOf(dtend) } : {}),
      ...(text1('LOCATION') !== undefined ? { location: text1('LOCATION') } : {}),
      ...(organizer ? { organizer: address(organizer) } : {}),
      attendees: attendees.map(address),
      ...(text1('SUMMARY') !== undefined ? { summary: text1('SUMMARY') } : {}),
      ...(text1('DESCRIPTION') !== undefined ? { description: text1('DESCRIPTION') } : {}),
    },
  };
};
