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
