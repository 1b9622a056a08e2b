/**
 * RFC 3339 timestamps (CloudEvents `time`): any offset, any number of fractional digits, `T`/`Z`
 * in either case (RFC 3339 §5.6). Parsed exactly, without going through `Date.parse` (which drops
 * digits beyond milliseconds and accepts forms RFC 3339 does not), so two times can be compared
 * to the nanosecond.
 */
export const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

export interface Instant {
  /** Whole seconds since the epoch, UTC. */
  seconds: number;
  /** Nanoseconds within the second (the fraction, to 9 digits). */
  nanos: number;
}

/** The instant an RFC 3339 timestamp names, or undefined if it is not one. */
export const parseRfc3339 = (text: string): Instant | undefined => {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) return undefined;
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // A leap second (:60) is the first instant of the next minute, as Date.UTC rolls it over.
  const seconds = Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offsetMinutes * 60;
  const nanos = Number((m[7] ?? '').padEnd(9, '0'));
  return { seconds, nanos };
};

/**
 * A fixed-width UTC form (`2026-11-20T06:15:00.000000000Z`) whose string order is time order:
 * what versions are compared by (functions/core/version.ts).
 */
export const sortableUtc = (text: string): string => {
  const known = sortable.get(text);
  if (known !== undefined) return known;
  const instant = parseRfc3339(text);
  if (!instant) throw new Error('not an RFC 3339 timestamp');
  const base = new Date(instant.seconds * 1000).toISOString().slice(0, 19);
  const out = `${base}.${String(instant.nanos).padStart(9, '0')}Z`;
  // Every fold of a case reads its events' times again: remember the last few thousand.
  if (sortable.size >= 4096) sortable.clear();
  sortable.set(text, out);
  return out;
};
const sortable = new Map<string, string>();
