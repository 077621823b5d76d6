// Checking an operator's PIN against a real in-memory store: the right PIN lets the operator
// in, each wrong one is counted in the caller's transaction and the fifth locks the operator
// (then even the right PIN is refused), a disabled operator is refused, an unknown name fails
// like a wrong PIN without counting anything; and the checks for one operator run one after
// the other on the row as the earlier ones left it, so PINs sent all at once cannot outrun the
// lockout (a property over where the right PIN falls among 20 wrong ones).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createOperator, disableOperator, findOperatorByName, getOperator, LOCKOUT, type OperatorRow,
} from '../../../../main/auth/operator-repository.js';
import { checkOperatorPin, type PinRefusal } from '../../../../main/auth/pin-check.js';
import { hashPin } from '../../../../main/auth/pin-hash.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';

/** The cost the kiosk harness uses too: cheap enough for dozens of checks per test. */
const CHEAP_SCRYPT = { N: 1 << 10, r: 8, p: 1 };
const AT = new Date('2026-03-01T09:00:00.000Z');
const PIN = '482913';
const wrongPin = (i: number) => String(100000 + i);

async function store(): Promise<{ db: Db; operator: OperatorRow }> {
  const db = openDatabase(':memory:');
  const operator = createOperator(db, { name: 'Olga Officer', role: 'officer', pinHash: await hashPin(PIN, CHEAP_SCRYPT) }, AT);
  return { db, operator };
}

/** Checks `pin` for `name` as an RPC procedure does: the row looked up first, the refusal written in the caller's transaction. */
function check(db: Db, name: string, pin: string, refusals: PinRefusal[] = []) {
  return checkOperatorPin({
    db, row: findOperatorByName(db, name), pin, at: AT,
    recordRefusal: (outcome, change) => {
      refusals.push(outcome);
      return db.transaction(change)();
    },
  });
}

/** The outcome of each check: 'ok' or its error code. */
const outcomes = (settled: PromiseSettledResult<unknown>[]) =>
  settled.map((result) => (result.status === 'fulfilled' ? 'ok' : (result.reason as { code: string }).code));

describe('checkOperatorPin', () => {
  it('gives back the operator\'s row for the right PIN, counting nothing', async () => {
    const { db, operator } = await store();
    const refusals: PinRefusal[] = [];
    await expect(check(db, operator.name, PIN, refusals)).resolves.toMatchObject({ id: operator.id, failed_attempts: 0 });
    expect(refusals).toEqual([]);
  });

  it('counts each wrong PIN, and locks the operator at the fifth, refusing the right PIN then', async () => {
    const { db, operator } = await store();
    const refusals: PinRefusal[] = [];
    for (let i = 1; i < LOCKOUT.maxFailures; i += 1) {
      await expect(check(db, operator.name, wrongPin(i), refusals)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      expect(getOperator(db, operator.id).failed_attempts).toBe(i);
    }
    await expect(check(db, operator.name, wrongPin(5), refusals)).rejects.toMatchObject({ code: 'AUTH_LOCKED' });
    await expect(check(db, operator.name, PIN, refusals)).rejects.toMatchObject({
      code: 'AUTH_LOCKED', details: { lockedUntil: new Date(AT.getTime() + LOCKOUT.durationMs).toISOString() },
    });
    expect(refusals).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'locked']);
  });

  it('refuses a disabled operator, with the right PIN too, without counting', async () => {
    const { db, operator } = await store();
    disableOperator(db, operator.id, AT);
    const refusals: PinRefusal[] = [];
    await expect(check(db, operator.name, PIN, refusals)).rejects.toMatchObject({ code: 'AUTH_DISABLED' });
    await expect(check(db, operator.name, wrongPin(1), refusals)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(refusals).toEqual(['disabled', 'disabled']);
    expect(getOperator(db, operator.id).failed_attempts).toBe(0);
  });

  it('fails an unknown name like a wrong PIN, changing nothing', async () => {
    const { db, operator } = await store();
    const refusals: PinRefusal[] = [];
    await expect(check(db, 'Nobody', PIN, refusals)).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(refusals).toEqual(['failed']);
    expect(getOperator(db, operator.id)).toEqual(operator);
  });
});

describe('checkOperatorPin, PINs for one operator sent all at once', () => {
  it('20 wrong PINs and then the right one: the operator ends locked and the right one is refused', async () => {
    const { db, operator } = await store();
    const pins = [...Array.from({ length: 20 }, (_, i) => wrongPin(i)), PIN];
    const refusals: PinRefusal[] = [];
    const settled = await Promise.allSettled(pins.map((pin) => check(db, operator.name, pin, refusals)));
    expect(outcomes(settled)).toEqual([
      ...Array<string>(LOCKOUT.maxFailures - 1).fill('AUTH_FAILED'), ...Array<string>(20 - LOCKOUT.maxFailures + 2).fill('AUTH_LOCKED'),
    ]);
    expect(refusals.filter((outcome) => outcome === 'failed')).toHaveLength(LOCKOUT.maxFailures);
    expect(getOperator(db, operator.id)).toMatchObject({ locked_until: new Date(AT.getTime() + LOCKOUT.durationMs).toISOString() });
  });

  it('wherever the right PIN falls among 20 wrong ones, it is let in only when fewer than five wrong ones came before it', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 20 }), async (position) => {
      const { db, operator } = await store();
      const pins = Array.from({ length: 20 }, (_, i) => wrongPin(i));
      pins.splice(position, 0, PIN);
      const settled = outcomes(await Promise.allSettled(pins.map((pin) => check(db, operator.name, pin))));
      expect(settled[position]).toBe(position < LOCKOUT.maxFailures ? 'ok' : 'AUTH_LOCKED');
      // Nobody reset the count on success here (the caller does): the fifth wrong PIN locks in any case.
      expect(settled.filter((outcome) => outcome === 'AUTH_FAILED')).toHaveLength(LOCKOUT.maxFailures - 1);
      expect(getOperator(db, operator.id).locked_until).not.toBeNull();
    }), { numRuns: 12 });
  });

  it('counts the wrong PINs of two operators separately', async () => {
    const { db, operator } = await store();
    const other = createOperator(db, { name: 'Otto Officer', role: 'officer', pinHash: await hashPin('771234', CHEAP_SCRYPT) }, AT);
    const settled = await Promise.allSettled([
      ...Array.from({ length: 3 }, (_, i) => check(db, operator.name, wrongPin(i))),
      ...Array.from({ length: 3 }, (_, i) => check(db, other.name, wrongPin(i))),
      check(db, other.name, '771234'),
    ]);
    expect(outcomes(settled)).toEqual([...Array<string>(6).fill('AUTH_FAILED'), 'ok']);
    expect([getOperator(db, operator.id).failed_attempts, getOperator(db, other.id).failed_attempts]).toEqual([3, 3]);
  });
});
