/**
 * Swedish public holidays (lag 1989:253 om allmänna helgdagar): every Sunday, New Year's Day,
 * Epiphany, Good Friday, Easter Sunday and Monday, 1 May, Ascension Day, Whit Sunday, the
 * National Day, Midsummer Day (the Saturday of 20–26 June), All Saints' Day (the Saturday of
 * 31 October–6 November), Christmas Day and Boxing Day. Eves are not holidays by law.
 *
 * A few lines instead of the swedish-holidays package (CommonJS, 18 KB in every bundle that
 * checks a meeting's date, which put every consumer over issue 8's 150 KB); the package stays as
 * the oracle of test/unit/holidays.test.ts, which compares every day of 1900–2200.
 */

const DAY = 86_400_000;

/** Easter Sunday of a Gregorian year (the anonymous algorithm: Meeus, Jones, Butcher), as UTC ms. */
const easterSunday = (y: number): number => {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return Date.UTC(y, Math.floor(n / 31) - 1, (n % 31) + 1);
};

/** The Easter-dependent holidays' offsets from Easter Sunday: Good Friday … Ascension Day. */
const FROM_EASTER = [-2, 0, 1, 39, 49];
const FIXED = new Set(['01-01', '01-06', '05-01', '06-06', '12-25', '12-26']);

/** Is this Stockholm calendar date (`YYYY-MM-DD`) a Swedish public holiday (a "red day")? */
export const isSwedishPublicHoliday = (date: string): boolean => {
  const y = Number(date.slice(0, 4));
  const md = date.slice(5, 10);
  const at = Date.UTC(y, Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  const weekday = new Date(at).getUTCDay();
  if (weekday === 0 || FIXED.has(md)) return true;
  if (
    weekday === 6 &&
    ((md >= '06-20' && md <= '06-26') || md === '10-31' || (md >= '11-01' && md <= '11-06'))
  )
    return true; // Midsummer Day, All Saints' Day
  const easter = easterSunday(y);
  return FROM_EASTER.some((offset) => easter + offset * DAY === at);
};

/**
 * A working day: Monday to Friday, not a public holiday, and not Midsummer Eve, Christmas Eve or
 * New Year's Eve, which the Annual Leave Act (semesterlag 1977:480, 3 §) counts as Sundays.
 */
export const isWorkingDay = (date: string): boolean => {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6 || isSwedishPublicHoliday(date)) return false;
  const md = date.slice(5, 10);
  const midsummerEve = weekday === 5 && md >= '06-19' && md <= '06-25';
  return !(md === '12-24' || md === '12-31' || midsummerEve);
};

/** The working day `n` working days before `date` (which need not be one itself). */
export const workingDaysBefore = (date: string, n: number): string => {
  let day = date;
  for (let left = n; left > 0;) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    if (isWorkingDay(day)) left--;
  }
  return day;
};
