// Checking an operator's PIN against a real store with an injected time: the right PIN lets the
// operator in; each wrong one is counted for the operator and for the station in the caller's
// transaction, and from the fifth for one name (or the twenty-first at the station) the next
// attempt waits — refused unchecked and uncounted until then, and the right PIN works once the
// wait is over, so a stranger's wrong PINs never lock an officer out (that the waits survive a
// restart: test/integration/main/kiosk/auth-procedures.test.ts). A disabled operator is refused;
// an unknown name fails like a wrong PIN. Checks run one after the other, so PINs sent all at once (for one name or many) cannot
// outrun a wait (a property over where the right PIN falls among 20 wrong ones).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOperator, disableOperator, findOperatorByName, getOperator, type OperatorRow } from '../../../../main/auth/operator-repository.js';
import { checkOperatorPin, type PinRefusal } from '../../../../main/auth/pin-check.js';
import { stationCount } from '../../../../main/auth/pin-failures.js';
import { hashPin } from '../../../../main/auth/pin-hash.js';
import { PIN_THROTTLE } from '../../../../main/auth/pin-throttle.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

/** The cost the kiosk harness uses too: cheap enough for dozens of checks per test. */
const CHEAP_SCRYPT = { N: 1 << 10, r: 8, p: 1 };
const AT = new Date('2026-03-01T09:00:00.000Z');
const after = (ms: number) => new Date(AT.getTime() + ms);
const PIN = '482913';
const OTTO_PIN = '771234';
const wrongPin = (i: number) => String(100000 + i);
const FREE = PIN_THROTTLE.operator.freeFailures;

async function store(): Promise<{ db: Db; operator: OperatorRow }> {
  const db = openDatabase(':memory:');
  const operator = createOperator(db, { name: 'Olga Officer', role: 'officer', pinHash: await hashPin(PIN, CHEAP_SCRYPT) }, AT);
  return { db, operator };
}

/** Checks `pin` for `name` as an RPC procedure does: the row looked up first, the refusal written in the caller's transaction. */
function check(db: Db, name: string, pin: string, { at = AT, refusals = [] as PinRefusal[] } = {}) {
  return checkOperatorPin({
    db, row: findOperatorByName(db, name), pin, at,
    recordRefusal: (outcome, change) => {
      refusals.push(outcome);
      return db.transaction(change)();
    },
  });
}

/** The outcome of each check: 'ok' or its error code. */
const outcomes = (settled: PromiseSettledResult<unknown>[]) =>
  settled.map((result) => (result.status === 'fulfilled' ? 'ok' : (result.reason as { code: string }).code));

const waitOf = (seconds: number, from: Date) => ({ retryAfterSeconds: seconds, waitUntil: new Date(from.getTime() + seconds * 1000).toISOString() });

describe('checkOperatorPin', () => {
  it('gives back the operator\'s row for the right PIN, counting nothing', async () => {
    const { db, operator } = await store();
    const refusals: PinRefusal[] = [];
    await expect(check(db, operator.name, PIN, { refusals })).resolves.toMatchObject({ id: operator.id, failed_attempts: 0 });
    expect(refusals).toEqual([]);
    expect(stationCount(db).failures).toBe(0);
  });

  it('five wrong PINs from an anonymous person do not stop the right PIN from working after the delay', async () => {
    const { db, operator } = await store();
    const refusals: PinRefusal[] = [];
    for (let i = 1; i < FREE + 1; i += 1) {
      await expect(check(db, operator.name, wrongPin(i), { refusals })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      expect(getOperator(db, operator.id).failed_attempts).toBe(i);
    }
    // The fifth wrong PIN is counted and says how long the next try waits.
    await expect(check(db, operator.name, wrongPin(5), { refusals })).rejects.toMatchObject({ code: 'AUTH_LOCKED', details: waitOf(2, AT) });
    // During the wait even the right PIN is refused, unchecked and uncounted; the wait does not grow.
    await expect(check(db, operator.name, PIN, { at: after(1999), refusals })).rejects.toMatchObject({
      code: 'AUTH_LOCKED', details: { retryAfterSeconds: 1, waitUntil: after(2000).toISOString() },
    });
    expect(getOperator(db, operator.id)).toMatchObject({ failed_attempts: 5, locked_until: after(2000).toISOString() });
    await expect(check(db, operator.name, PIN, { at: after(2000), refusals })).resolves.toMatchObject({ id: operator.id });
    expect(refusals).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'locked']);
  });

  it('doubles the wait with each further wrong PIN after a wait', async () => {
    const { db, operator } = await store();
    let now = AT;
    const waits: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      const refused = await check(db, operator.name, wrongPin(i), { at: now }).catch((error: { details: { retryAfterSeconds?: number } }) => error);
      const seconds = (refused as { details: { retryAfterSeconds?: number } }).details.retryAfterSeconds ?? 0;
      waits.push(seconds);
      now = new Date(now.getTime() + seconds * 1000);
    }
    expect(waits).toEqual([0, 0, 0, 0, 2, 4, 8, 16, 32]);
    await expect(check(db, operator.name, PIN, { at: now })).resolves.toMatchObject({ id: operator.id });
  });

  it('refuses a disabled operator, with the right PIN too, without counting for the operator', async () => {
    const { db, operator } = await store();
    disableOperator(db, operator.id, AT);
    const refusals: PinRefusal[] = [];
    await expect(check(db, operator.name, PIN, { refusals })).rejects.toMatchObject({ code: 'AUTH_DISABLED' });
    await expect(check(db, operator.name, wrongPin(1), { refusals })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(refusals).toEqual(['disabled', 'disabled']);
    expect(getOperator(db, operator.id).failed_attempts).toBe(0);
  });

  it('fails an unknown name like a wrong PIN, counting it for the station only', async () => {
    const { db, operator } = await store();
    const refusals: PinRefusal[] = [];
    await expect(check(db, 'Nobody', PIN, { refusals })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(refusals).toEqual(['failed']);
    expect(getOperator(db, operator.id)).toEqual(operator);
    expect(stationCount(db)).toEqual({ failures: 1, lastFailedAt: AT.toISOString(), waitUntil: null });
  });
});

/** `count` more officers (cheap hashes), so station tests rotate through real names without the decoy's full cost. */
async function officers(db: Db, count: number): Promise<OperatorRow[]> {
  const pinHash = await hashPin(OTTO_PIN, CHEAP_SCRYPT);
  return Array.from({ length: count }, (_, i) => createOperator(db, { name: `Officer ${i}`, role: 'officer', pinHash }, AT));
}

describe('the station-wide wait', () => {
  it('throttles the whole kiosk when many names are tried, so rotating through operators gains nothing', async () => {
    const { db } = await store();
    const [otto, ...others] = await officers(db, 11);
    // Twenty wrong PINs, two for each of ten names: no operator waits, and none of them is refused.
    for (let i = 0; i < 20; i += 1) {
      await expect(check(db, others[i % 10]!.name, wrongPin(i), { at: after(i) })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    }
    const refusals: PinRefusal[] = [];
    await expect(check(db, 'Somebody Unknown', wrongPin(20), { at: after(20), refusals })).rejects.toMatchObject({
      code: 'AUTH_STATION_LOCKED', details: waitOf(2, after(20)),
    });
    // Otto typed no wrong PIN, yet his right PIN waits with the station's, uncounted for him.
    await expect(check(db, otto!.name, OTTO_PIN, { at: after(21), refusals })).rejects.toMatchObject({ code: 'AUTH_STATION_LOCKED' });
    expect(getOperator(db, otto!.id).failed_attempts).toBe(0);
    expect(stationCount(db).failures).toBe(21);
    await expect(check(db, otto!.name, OTTO_PIN, { at: after(20 + 2000), refusals })).resolves.toMatchObject({ id: otto!.id });
    expect(refusals).toEqual(['failed', 'station-locked']);
  });

  it('thirty wrong PINs for ten names sent all at once: twenty are checked, the rest wait', async () => {
    const { db } = await store();
    const names = (await officers(db, 10)).map((op) => op.name);
    const settled = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => check(db, names[i % 10]!, wrongPin(i))));
    expect(outcomes(settled)).toEqual([
      ...Array<string>(PIN_THROTTLE.station.freeFailures).fill('AUTH_FAILED'), ...Array<string>(10).fill('AUTH_STATION_LOCKED'),
    ]);
    expect(stationCount(db)).toMatchObject({ failures: PIN_THROTTLE.station.freeFailures + 1, waitUntil: after(2000).toISOString() });
  });
});

describe('checkOperatorPin, PINs for one operator sent all at once', () => {
  it('20 wrong PINs and then the right one: four are checked, the fifth starts a wait, and the rest (the right one too) are refused', async () => {
    const { db, operator } = await store();
    const pins = [...Array.from({ length: 20 }, (_, i) => wrongPin(i)), PIN];
    const refusals: PinRefusal[] = [];
    const settled = await Promise.allSettled(pins.map((pin) => check(db, operator.name, pin, { refusals })));
    expect(outcomes(settled)).toEqual([...Array<string>(FREE).fill('AUTH_FAILED'), ...Array<string>(21 - FREE).fill('AUTH_LOCKED')]);
    expect(refusals.filter((outcome) => outcome === 'failed')).toHaveLength(FREE + 1);
    expect(getOperator(db, operator.id)).toMatchObject({ failed_attempts: FREE + 1, locked_until: after(2000).toISOString() });
    await expect(check(db, operator.name, PIN, { at: after(2000) })).resolves.toMatchObject({ id: operator.id });
  });

  it('wherever the right PIN falls among 20 wrong ones, it is let in only when fewer than five wrong ones came before it', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 20 }), async (position) => {
      const { db, operator } = await store();
      const pins = Array.from({ length: 20 }, (_, i) => wrongPin(i));
      pins.splice(position, 0, PIN);
      const settled = outcomes(await Promise.allSettled(pins.map((pin) => check(db, operator.name, pin))));
      expect(settled[position]).toBe(position <= FREE ? 'ok' : 'AUTH_LOCKED');
      // Nobody reset the count on success here (the caller does): the fifth wrong PIN starts a wait in any case.
      expect(settled.filter((outcome) => outcome === 'AUTH_FAILED')).toHaveLength(FREE);
      expect(getOperator(db, operator.id).locked_until).not.toBeNull();
    }), { numRuns: 12 });
  });

  it('counts the wrong PINs of two operators separately', async () => {
    const { db, operator } = await store();
    const other = createOperator(db, { name: 'Otto Officer', role: 'officer', pinHash: await hashPin(OTTO_PIN, CHEAP_SCRYPT) }, AT);
    const settled = await Promise.allSettled([
      ...Array.from({ length: 3 }, (_, i) => check(db, operator.name, wrongPin(i))),
      ...Array.from({ length: 3 }, (_, i) => check(db, other.name, wrongPin(i))),
      check(db, other.name, OTTO_PIN),
    ]);
    expect(outcomes(settled)).toEqual([...Array<string>(6).fill('AUTH_FAILED'), 'ok']);
    expect([getOperator(db, operator.id).failed_attempts, getOperator(db, other.id).failed_attempts]).toEqual([3, 3]);
  });
});
