// An MRZ date has a two-digit year; this resolves the century. Birth dates take the latest
// century that is not in the future; expiry dates the latest that is at most
// EXPIRY_YEARS_AHEAD years ahead, i.e. a 100-year window (today − 80 y, today + 20 y].
// "Today" is the UTC calendar date of `now`, so results do not depend on the machine's zone.

/** No Doc 9303 document is issued for longer; a later date means the previous century. */
export const EXPIRY_YEARS_AHEAD = 20;

/**
 * YYYY-MM-DD for `yymmdd` in the latest century that puts it on or before the pivot date,
 * or null when it is not six digits forming a calendar date (including '<' for unknown).
 */
function resolveBefore(yymmdd: string, pivot: { year: number; month: number; day: number }): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  let year = pivot.year - (pivot.year % 100) + yy;
  const afterPivot =
    year > pivot.year || (year === pivot.year && (month > pivot.month || (month === pivot.month && day > pivot.day)));
  if (afterPivot) year -= 100;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${String(year).padStart(4, '0')}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function utcDate(now: Date, yearsAhead: number) {
  return { year: now.getUTCFullYear() + yearsAhead, month: now.getUTCMonth() + 1, day: now.getUTCDate() };
}

/** Birth date: the latest century that does not put it after today. */
export function resolveBirthDate(yymmdd: string, now: Date): string | null {
  return resolveBefore(yymmdd, utcDate(now, 0));
}

/** Expiry date: the latest century that puts it at most EXPIRY_YEARS_AHEAD years after today. */
export function resolveExpiryDate(yymmdd: string, now: Date): string | null {
  return resolveBefore(yymmdd, utcDate(now, EXPIRY_YEARS_AHEAD));
}

/** Today's UTC date as YYYY-MM-DD, comparable with the resolved dates as strings. */
export function isoToday(now: Date): string {
  return now.toISOString().slice(0, 10);
}
