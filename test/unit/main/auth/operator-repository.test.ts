// Operators in the store: unique names, the wrong-PIN count behind an operator's PIN wait
// (from the fifth wrong PIN in a row the next attempt waits), unlocking and disabling.

import { describe, expect, it } from 'vitest';
import {
  countOperators, createOperator, disableOperator, findOperatorByName, getOperator, isLocked,
  listOperators, recordLoginFailure, recordLoginSuccess, toOperatorView, unlockOperator,
} from '../../../../main/auth/operator-repository.js';
import { openDatabase } from '../../../../main/store/database.js';

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function storeWithOfficer() {
  const db = openDatabase(':memory:');
  const officer = createOperator(db, { name: 'Olga Officer', role: 'officer', pinHash: 'scrypt$x' }, T0);
  return { db, officer };
}

describe('operators', () => {
  it('creates an operator with no failures, no lock and no disable', () => {
    const { db, officer } = storeWithOfficer();
    expect(officer).toMatchObject({ id: 1, name: 'Olga Officer', role: 'officer', failed_attempts: 0, locked_until: null, disabled_at: null });
    expect(toOperatorView(officer, T0)).toEqual({
      id: 1, name: 'Olga Officer', role: 'officer', createdAt: T0.toISOString(), disabled: false, lockedUntil: null,
    });
    expect(countOperators(db)).toBe(1);
  });

  it('refuses a second operator with the same name in any letter case', () => {
    const { db } = storeWithOfficer();
    expect(() => createOperator(db, { name: 'OLGA officer', role: 'supervisor', pinHash: 'h' }, T0))
      .toThrow(expect.objectContaining({ code: 'OPERATOR_NAME_TAKEN' }));
    expect(countOperators(db)).toBe(1);
  });

  it('finds by exact name and lists by name, never exposing the hash in the view', () => {
    const { db } = storeWithOfficer();
    createOperator(db, { name: 'anton', role: 'technician', pinHash: 'h' }, T0);
    expect(findOperatorByName(db, 'Olga Officer')?.id).toBe(1);
    expect(findOperatorByName(db, 'Nobody')).toBeUndefined();
    expect(listOperators(db).map((row) => row.name)).toEqual(['anton', 'Olga Officer']);
    expect(Object.keys(toOperatorView(getOperator(db, 1), T0))).not.toContain('pin_hash');
  });

  it('reports a missing id as OPERATOR_NOT_FOUND', () => {
    const { db } = storeWithOfficer();
    expect(() => getOperator(db, 42)).toThrow(expect.objectContaining({ code: 'OPERATOR_NOT_FOUND', details: { id: 42 } }));
  });
});

describe('wrong PINs and the PIN wait', () => {
  it('counts four wrong PINs without a wait; from the fifth the next attempt waits 2 s, then 4 s, and the count goes on', () => {
    const { db, officer } = storeWithOfficer();
    for (let i = 1; i <= 4; i += 1) {
      const row = recordLoginFailure(db, officer.id, at(i * 1000));
      expect(row).toMatchObject({ failed_attempts: i, last_failed_at: at(i * 1000).toISOString(), locked_until: null });
      expect(isLocked(row, at(i * 1000))).toBe(false);
    }
    const waiting = recordLoginFailure(db, officer.id, at(5000));
    expect(waiting).toMatchObject({ failed_attempts: 5, locked_until: at(7000).toISOString() });
    expect(isLocked(waiting, at(6999))).toBe(true);
    expect(isLocked(waiting, at(7000))).toBe(false);
    expect(toOperatorView(waiting, at(6999)).lockedUntil).toBe(waiting.locked_until);
    expect(toOperatorView(waiting, at(7000)).lockedUntil).toBeNull();
    expect(recordLoginFailure(db, officer.id, at(7000))).toMatchObject({ failed_attempts: 6, locked_until: at(11_000).toISOString() });
  });

  it('starts counting again after a success', () => {
    const { db, officer } = storeWithOfficer();
    for (let i = 0; i < 6; i += 1) recordLoginFailure(db, officer.id, T0);
    recordLoginSuccess(db, officer.id);
    expect(getOperator(db, officer.id)).toMatchObject({ failed_attempts: 0, last_failed_at: null, locked_until: null });
    for (let i = 0; i < 4; i += 1) recordLoginFailure(db, officer.id, T0);
    expect(isLocked(getOperator(db, officer.id), T0)).toBe(false);
  });

  it('is cleared by an unlock', () => {
    const { db, officer } = storeWithOfficer();
    for (let i = 0; i < 5; i += 1) recordLoginFailure(db, officer.id, T0);
    expect(isLocked(getOperator(db, officer.id), T0)).toBe(true);
    const unlocked = unlockOperator(db, officer.id);
    expect(unlocked).toMatchObject({ locked_until: null, failed_attempts: 0, last_failed_at: null });
  });
});

describe('disableOperator', () => {
  it('keeps the time it was first disabled', () => {
    const { db, officer } = storeWithOfficer();
    expect(disableOperator(db, officer.id, at(1000)).disabled_at).toBe(at(1000).toISOString());
    expect(disableOperator(db, officer.id, at(9000)).disabled_at).toBe(at(1000).toISOString());
    expect(toOperatorView(getOperator(db, officer.id), T0).disabled).toBe(true);
  });
});
