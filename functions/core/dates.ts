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

/** Built once: constructing an Intl.DateTimeFormat costs far more than formatting with one. */
const stockholmDay = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const stockholmHour = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Stockholm',
  hour: '2-digit',
  hour12: false,
});

/** The calendar date in Sweden at an instant (Europe/Stockholm). */
export const stockholmDate = (instant: Date): string => stockholmDay.format(instant);

/** Stockholm's offset from UTC in hours on a day: 1 (CET) or 2 (CEST), read at noon. */
export const stockholmOffsetHours = (isoDate: string): number => {
  const known = offsets.get(isoDate);
  if (known !== undefined) return known;
  const hours = Number(stockholmHour.format(new Date(`${isoDate}T12:00:00Z`))) - 12;
  if (offsets.size >= 4096) offsets.clear();
  offsets.set(isoDate, hours);
  return hours;
};
const offsets = new Map<string, number>();

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
