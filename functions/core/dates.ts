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

/** The calendar date in Sweden at an instant (Europe/Stockholm). */
export const stockholmDate = (instant: Date): string =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Stockholm',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);

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
