// Kiosk codes, the first part of every enrollment number: the authority numbers its kiosks 1, 2,
// 3, … in order of registration and writes that number in base 36, four characters wide (0001,
// …, 0009, 000A, …, ZZZZ), so a code is short, unique and never given out twice. Four-character
// codes sort like the numbers they write under a binary collation, so the highest code held is
// the last one given out.

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** How many kiosks one authority can register: 0000 is never given out. */
export const KIOSK_CODE_CAPACITY = 36 ** 4 - 1;

/** The code of the `n`th kiosk (1 … KIOSK_CODE_CAPACITY). */
export function kioskCodeOf(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > KIOSK_CODE_CAPACITY) throw new RangeError(`no kiosk code for ${n}`);
  return n.toString(36).toUpperCase().padStart(4, '0');
}

/** The code after `highest` (the highest given out so far, if any); undefined when none is left. */
export function nextKioskCode(highest: string | null | undefined): string | undefined {
  const next = highest ? Number.parseInt(highest, 36) + 1 : 1;
  return next > KIOSK_CODE_CAPACITY ? undefined : kioskCodeOf(next);
}

/** SQL, valid in SQLite and PostgreSQL, writing the integer expression `n` as a kiosk code. */
export function kioskCodeSql(n: string): string {
  const digit = (power: number) => `substr('${DIGITS}', ((${n}) / ${36 ** power}) % 36 + 1, 1)`;
  return [3, 2, 1, 0].map(digit).join(' || ');
}
