/** Calendar arithmetic on ISO dates (YYYY-MM-DD), independent of the machine's time zone. */
const DAY_MS = 86_400_000;

const toUtcMs = (isoDate: string): number => {
  const ms = Date.parse(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not an ISO date: ${isoDate}`);
  return ms;
};

export const addDays = (isoDate: string, days: number): string =>
  new Date(toUtcMs(isoDate) + days * DAY_MS).toISOString().slice(0, 10);

export const daysBetween = (from: string, to: string): number =>
  Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);

/** 01:00 UTC on the last Sunday of a month (0-based) of a year: when EU summer time starts or ends. */
const lastSundayOneUtc = (year: number, month: number): number => {
  const lastDay = new Date(Date.UTC(year, month + 1, 0, 1));
  return lastDay.getTime() - lastDay.getUTCDay() * DAY_MS;
};

/**
 * Stockholm's offset from UTC at an instant in hours: 2 (CEST) from 01:00 UTC on the last Sunday
 * of March to 01:00 UTC on the last Sunday of October, else 1 (CET) — the EU rule (directive
 * 2000/84/EC) Sweden has followed since 1996. Arithmetic, not Intl: building a time-zone
 * formatter loads ICU's zone data and cost every function ~25 ms of cold start for two calls
 * (docs/decisions.md). A unit test checks this against Intl's tzdata for 1996–2040, so a change
 * of the rule (the EU has discussed ending clock changes) fails the build, not the calendar.
 */
export const stockholmOffsetAt = (instantMs: number): 1 | 2 => {
  const year = new Date(instantMs).getUTCFullYear();
  return instantMs >= lastSundayOneUtc(year, 2) && instantMs < lastSundayOneUtc(year, 9) ? 2 : 1;
};

/** The calendar date in Sweden at an instant (Europe/Stockholm). */
export const stockholmDate = (instant: Date): string => {
  const ms = instant.getTime();
  return new Date(ms + stockholmOffsetAt(ms) * 3_600_000).toISOString().slice(0, 10);
};

/** Stockholm's offset from UTC in hours on a day: 1 (CET) or 2 (CEST), read at noon. */
export const stockholmOffsetHours = (isoDate: string): number =>
  stockholmOffsetAt(toUtcMs(isoDate) + DAY_MS / 2);

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export const isoWeekday = (isoDate: string): number => {
  const day = new Date(`${isoDate}T12:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
};

export const weekdayNames = {
  sv: ['', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag', 'söndag'],
  en: ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
} as const;

/** `2026-12-09T09:00` + minutes, as Stockholm wall-clock time (the meeting's end). */
export const addMinutesLocal = (localDateTime: string, minutes: number): string => {
  const ms = Date.parse(`${localDateTime.slice(0, 16)}:00Z`) + minutes * 60_000;
  return new Date(ms).toISOString().slice(0, 16);
};

/** 06:00 in Stockholm on a day, as an RFC 3339 time with that day's offset (CET or CEST): the sweep's hour. */
export const stockholmMorning = (isoDate: string): string =>
  `${isoDate}T06:00:00+0${stockholmOffsetHours(isoDate)}:00`;
