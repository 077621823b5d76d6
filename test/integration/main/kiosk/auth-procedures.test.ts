// Operators and logins through a real kiosk with an injected clock: first-run set-up,
// login and its PIN waits (per operator and station-wide, kept across a restart), what a
// supervisor sees of wrong PINs, unlock, disable rules, logout, and audit rows that never hold
// a PIN or a name.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createOperator } from '../../../../main/auth/operator-repository.js';
import { hashPin } from '../../../../main/auth/pin-hash.js';
import { openKiosk } from '../../../../main/kiosk/kiosk.js';
import { silentLog } from '../../../../main/log.js';
import type { PinFailures } from '../../../../main/rpc/contract.js';
import { RpcCodes } from '../../../../main/rpc/define.js';
import {
  auditHeadSeq, auditRowsAfter, CHEAP_SCRYPT, errorOf, openKioskHarness, outputOf, type KioskHarness,
} from '../../../fixtures/kiosk-harness.js';

const T0 = new Date('2026-03-02T10:00:00.000Z');
const MINUTE = 60_000;

const open: KioskHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function kioskWithClock(operators = true) {
  const clock = { now: T0 };
  const h = await openKioskHarness({ now: () => clock.now, operators });
  open.push(h);
  const advance = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  const login = (name: string, pin: string) => h.call(h.openScreen().screen, 'auth.login', { name, pin });
  const failedAttempts = (id: number) =>
    (h.kiosk.db.prepare('SELECT failed_attempts AS n FROM operators WHERE id = ?').get(id) as { n: number }).n;
  return { h, clock, advance, login, failedAttempts };
}

describe('first run', () => {
  it('lets anyone create the first technician only while no operator exists', async () => {
    const { h } = await kioskWithClock(false);
    const screen = h.openScreen().screen;
    expect(outputOf(await h.call(screen, 'system.info'))).toMatchObject({ firstRun: true, host: 'browser' });

    expect(await h.call(screen, 'setup.createFirstTechnician', { name: 'Tia', pin: '12345' }))
      .toMatchObject({ ok: false, error: { code: RpcCodes.invalidInput } });
    const created = outputOf(await h.call(screen, 'setup.createFirstTechnician', { name: 'Tia Tech', pin: '271828' }));
    expect(created).toEqual({ id: 1, name: 'Tia Tech', role: 'technician', createdAt: T0.toISOString(), disabled: false, lockedUntil: null });
    expect(auditRowsAfter(h.kiosk, 0)).toEqual([
      { seq: 1, actor: 'anonymous', action: 'operator.create-first', details: '{"operatorId":1,"role":"technician"}' },
    ]);
    expect(screen.operator).toBeNull(); // creating is not logging in

    const again = await h.call(h.openScreen().screen, 'setup.createFirstTechnician', { name: 'Mallory', pin: '999999' });
    expect(errorOf(again).code).toBe('SETUP_ALREADY_DONE');
    expect(auditHeadSeq(h.kiosk)).toBe(1);
    expect(h.kiosk.db.prepare('SELECT count(*) AS n FROM operators').get()).toEqual({ n: 1 });
    expect(outputOf(await h.call(screen, 'system.info'))).toMatchObject({ firstRun: false });

    const login = await h.call(screen, 'auth.login', { name: 'Tia Tech', pin: '271828' });
    expect(outputOf(login)).toMatchObject({ operator: { id: 1, role: 'technician' }, idleTimeoutSeconds: 120 });
    expect(screen.role).toBe('technician');
  });
});

describe('auth.login', () => {
  it('logs the operator in on this screen and says so in whoami', async () => {
    const { h } = await kioskWithClock();
    const { screen } = h.openScreen();
    const olga = h.operator('officer');
    const result = outputOf(await h.call(screen, 'auth.login', { name: olga.name, pin: olga.pin }));
    expect(result).toEqual({
      operator: { id: olga.id, name: olga.name, role: 'officer', createdAt: expect.any(String), disabled: false, lockedUntil: null },
      idleTimeoutSeconds: 120,
    });
    expect(screen.operator).toEqual({ id: olga.id, name: olga.name, role: 'officer', via: 'pin' });
    expect(outputOf(await h.call(screen, 'auth.whoami'))).toMatchObject({ id: olga.id });
    expect(outputOf(await h.call(h.openScreen().screen, 'auth.whoami'))).toBeNull(); // other screens are untouched
  });

  it('gives a wrong PIN and an unknown name the very same answer', async () => {
    const { h, login } = await kioskWithClock();
    const wrongPin = errorOf(await login(h.operator('officer').name, '000000'));
    const unknown = errorOf(await login('Nobody Known', h.operator('officer').pin));
    expect(wrongPin.code).toBe('AUTH_FAILED');
    expect(unknown).toEqual(wrongPin);
  });

  it('five wrong PINs from an anonymous screen do not stop the officer\'s right PIN after the wait', async () => {
    const { h, advance, login, failedAttempts } = await kioskWithClock();
    const olga = h.operator('officer');
    for (let i = 1; i <= 4; i += 1) {
      expect(errorOf(await login(olga.name, '000000')).code).toBe('AUTH_FAILED');
      expect(failedAttempts(olga.id)).toBe(i);
      advance(1000);
    }
    const waitUntil = new Date(T0.getTime() + 4000 + 2000).toISOString();
    expect(errorOf(await login(olga.name, '000000'))).toEqual({
      code: 'AUTH_LOCKED', message: expect.stringContaining('Wait 2 seconds before the next try'), details: { retryAfterSeconds: 2, waitUntil },
    });
    // During the wait the right PIN too is refused, unchecked; wrong ones neither count nor extend it.
    advance(1000);
    expect(errorOf(await login(olga.name, olga.pin))).toMatchObject({ code: 'AUTH_LOCKED', details: { retryAfterSeconds: 1, waitUntil } });
    expect(errorOf(await login(olga.name, '000000')).code).toBe('AUTH_LOCKED');
    expect(failedAttempts(olga.id)).toBe(5);

    advance(1000);
    expect(outputOf(await login(olga.name, olga.pin))).toMatchObject({ operator: { id: olga.id, lockedUntil: null } });
    expect(failedAttempts(olga.id)).toBe(0);
    const outcomes = auditRowsAfter(h.kiosk, 0).map((row) => JSON.parse(row.details).outcome as string);
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'locked', 'locked', 'ok']);
  });

  it('throttles the whole station when many names are tried, and the right PIN works after the wait', async () => {
    const { h, advance, login } = await kioskWithClock();
    const keys = ['officer', 'supervisor', 'technician', 'target'] as const;
    // Twenty wrong PINs over four operators and four unknown names: nobody waits yet.
    for (let i = 0; i < 16; i += 1) expect(errorOf(await login(h.operator(keys[i % 4]!).name, `10000${i}`)).code).toBe('AUTH_FAILED');
    for (let i = 0; i < 4; i += 1) expect(errorOf(await login(`Nobody ${i}`, '000000')).code).toBe('AUTH_FAILED');
    expect(errorOf(await login('Nobody 5', '000000'))).toMatchObject({ code: 'AUTH_STATION_LOCKED', details: { retryAfterSeconds: 2 } });
    const otto = h.operator('target');
    expect(errorOf(await login(otto.name, otto.pin)).code).toBe('AUTH_STATION_LOCKED');
    advance(2000);
    expect(outputOf(await login(otto.name, otto.pin))).toMatchObject({ operator: { id: otto.id } });
    const outcomes = auditRowsAfter(h.kiosk, 0).map((row) => JSON.parse(row.details).outcome as string);
    expect(outcomes.slice(-3)).toEqual(['failed', 'station-locked', 'ok']);
  });

  it('shows a supervisor the wrong PINs of the last 24 hours per operator and for the station, and the waits', async () => {
    // The audit log times its entries by the wall clock, which is what "the last 24 hours" reads.
    const h = await openKioskHarness();
    open.push(h);
    const login = (name: string, pin: string) => h.call(h.openScreen().screen, 'auth.login', { name, pin });
    const olga = h.operator('officer');
    const otto = h.operator('target');
    const started = Date.now();
    await login(otto.name, '000000');
    for (let i = 0; i < 5; i += 1) await login(olga.name, '000000');
    await login('Nobody Known', '000000');
    await login(olga.name, olga.pin); // refused unchecked: Olga waits, and that is no wrong PIN
    const supervisor = (await h.loggedIn('supervisor')).screen;
    const seen = outputOf<z.infer<typeof PinFailures>>(await h.call(supervisor, 'operators.pinFailures'));
    expect(Date.parse(seen.since)).toBeGreaterThanOrEqual(started - 24 * 60 * MINUTE - 1000);
    expect(seen.station).toEqual({ failures: 7, unknownNames: 1, lastFailedAt: expect.any(String), waitUntil: null });
    expect(seen.operators).toEqual([
      { operatorId: olga.id, failures: 5, inARow: 5, lastFailedAt: expect.any(String), waitUntil: expect.any(String) },
      { operatorId: otto.id, failures: 1, inARow: 1, lastFailedAt: expect.any(String), waitUntil: null },
    ]);
    expect(Date.parse(seen.operators[0]!.waitUntil!)).toBeGreaterThan(Date.parse(seen.operators[0]!.lastFailedAt!));

    // A success clears Olga's count in a row, not what the supervisor sees of the last 24 hours.
    outputOf(await h.call(supervisor, 'operators.unlock', { id: olga.id }));
    expect(outputOf<z.infer<typeof PinFailures>>(await h.call(supervisor, 'operators.pinFailures')).operators[0])
      .toMatchObject({ operatorId: olga.id, failures: 5, inARow: 0, waitUntil: null });
    expect(errorOf(await h.call((await h.loggedIn('officer')).screen, 'operators.pinFailures')).code).toBe(RpcCodes.forbidden);
  });

  it('keeps the wait when the kiosk restarts (its store reopened)', async () => {
    const clock = { now: T0 };
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-restart-'));
    const open = () => openKiosk({ dataDir, host: 'browser', log: silentLog, now: () => clock.now });
    try {
      let kiosk = open();
      const olga = createOperator(kiosk.db, { name: 'Olga Officer', role: 'officer', pinHash: await hashPin('482913', CHEAP_SCRYPT) }, T0);
      const login = (pin: string) => kiosk.dispatcher.call(kiosk.openScreen(() => undefined), 'auth.login', { name: olga.name, pin });
      for (let i = 0; i < 5; i += 1) await login('000000');
      clock.now = new Date(T0.getTime() + 2000);
      await login('000000');
      await kiosk.close();

      kiosk = open();
      clock.now = new Date(T0.getTime() + 5000);
      // Six wrong PINs: the next try waits 4 s from the sixth, restart or not.
      expect(errorOf(await login('482913'))).toMatchObject({ code: 'AUTH_LOCKED', details: { retryAfterSeconds: 1 } });
      clock.now = new Date(T0.getTime() + 6000);
      expect(outputOf(await login('482913'))).toMatchObject({ operator: { id: olga.id } });
      await kiosk.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('starts counting failures again after a successful login', async () => {
    const { h, login, failedAttempts } = await kioskWithClock();
    const olga = h.operator('officer');
    for (let i = 0; i < 4; i += 1) await login(olga.name, '000000');
    expect(outputOf(await login(olga.name, olga.pin))).toBeTruthy();
    expect(failedAttempts(olga.id)).toBe(0);
    for (let i = 0; i < 4; i += 1) expect(errorOf(await login(olga.name, '000000')).code).toBe('AUTH_FAILED');
    expect(outputOf(await login(olga.name, olga.pin))).toMatchObject({ operator: { lockedUntil: null } });
  });

  it('keeps a waiting operator waiting for everyone else until a supervisor clears the wait', async () => {
    const { h, login } = await kioskWithClock();
    const otto = h.operator('target');
    for (let i = 0; i < 5; i += 1) await login(otto.name, '000000');
    expect(errorOf(await login(otto.name, otto.pin)).code).toBe('AUTH_LOCKED');

    const officer = (await h.loggedIn('officer')).screen;
    expect(errorOf(await h.call(officer, 'operators.unlock', { id: otto.id })).code).toBe(RpcCodes.forbidden);

    const supervisor = (await h.loggedIn('supervisor')).screen;
    const listed = outputOf<Array<{ id: number; lockedUntil: string | null }>>(await h.call(supervisor, 'operators.list'));
    expect(listed.find((op) => op.id === otto.id)?.lockedUntil).not.toBeNull();
    const before = auditHeadSeq(h.kiosk);
    expect(outputOf(await h.call(supervisor, 'operators.unlock', { id: otto.id }))).toMatchObject({ id: otto.id, lockedUntil: null });
    expect(auditRowsAfter(h.kiosk, before)).toEqual([
      { seq: before + 1, actor: `operator:${h.operator('supervisor').id}`, action: 'operator.unlock', details: `{"operatorId":${otto.id}}` },
    ]);
    expect(outputOf(await login(otto.name, otto.pin))).toMatchObject({ operator: { id: otto.id } });

    const missing = await h.call(supervisor, 'operators.unlock', { id: 999 });
    expect(errorOf(missing).code).toBe('OPERATOR_NOT_FOUND');
  });

  it('refuses a disabled operator, without counting their attempts towards a lock', async () => {
    const { h, login, failedAttempts } = await kioskWithClock();
    const otto = h.operator('target');
    const technician = (await h.loggedIn('technician')).screen;
    expect(outputOf(await h.call(technician, 'operators.disable', { id: otto.id }))).toMatchObject({ disabled: true });

    expect(errorOf(await login(otto.name, otto.pin)).code).toBe('AUTH_DISABLED');
    for (let i = 0; i < 6; i += 1) expect(errorOf(await login(otto.name, '000000')).code).toBe('AUTH_FAILED');
    expect(failedAttempts(otto.id)).toBe(0);
    expect(errorOf(await login(otto.name, otto.pin)).code).toBe('AUTH_DISABLED');
  });
});

describe('operators.disable', () => {
  it('lets a supervisor disable officers only', async () => {
    const { h } = await kioskWithClock();
    const technician = (await h.loggedIn('technician')).screen;
    const other = outputOf<{ id: number }>(await h.call(technician, 'operators.create', { name: 'Sara Second', role: 'supervisor', pin: '864209' }));
    const supervisor = (await h.loggedIn('supervisor')).screen;

    for (const target of [other.id, h.operator('technician').id]) {
      const before = auditHeadSeq(h.kiosk);
      const refused = errorOf(await h.call(supervisor, 'operators.disable', { id: target }));
      expect(refused).toMatchObject({ code: RpcCodes.forbidden, details: { targetRole: expect.stringMatching(/supervisor|technician/) } });
      expect(auditHeadSeq(h.kiosk)).toBe(before);
    }
    const ops = outputOf<Array<{ id: number; disabled: boolean }>>(await h.call(supervisor, 'operators.list'));
    expect(ops.filter((op) => op.disabled)).toEqual([]);

    const before = auditHeadSeq(h.kiosk);
    expect(outputOf(await h.call(supervisor, 'operators.disable', { id: h.operator('officer').id }))).toMatchObject({ disabled: true });
    expect(auditRowsAfter(h.kiosk, before).map((r) => [r.action, r.details]))
      .toEqual([['operator.disable', `{"operatorId":${h.operator('officer').id}}`]]);
  });

  it('lets a technician disable a supervisor or another technician', async () => {
    const { h } = await kioskWithClock();
    const technician = (await h.loggedIn('technician')).screen;
    const second = outputOf<{ id: number }>(await h.call(technician, 'operators.create', { name: 'Theo Tech', role: 'technician', pin: '864209' }));
    expect(outputOf(await h.call(technician, 'operators.disable', { id: h.operator('supervisor').id }))).toMatchObject({ disabled: true });
    expect(outputOf(await h.call(technician, 'operators.disable', { id: second.id }))).toMatchObject({ disabled: true });
  });

  it.each(['supervisor', 'technician'] as const)('refuses a %s disabling themselves', async (role) => {
    const { h } = await kioskWithClock();
    const screen = (await h.loggedIn(role)).screen;
    const before = auditHeadSeq(h.kiosk);
    expect(errorOf(await h.call(screen, 'operators.disable', { id: h.operator(role).id })).code).toBe('OPERATOR_SELF_DISABLE');
    expect(auditHeadSeq(h.kiosk)).toBe(before);
    expect(outputOf(await h.call(screen, 'auth.whoami'))).toMatchObject({ disabled: false });
  });

  it('names a missing operator', async () => {
    const { h } = await kioskWithClock();
    const screen = (await h.loggedIn('technician')).screen;
    expect(errorOf(await h.call(screen, 'operators.disable', { id: 999 }))).toMatchObject({ code: 'OPERATOR_NOT_FOUND', details: { id: 999 } });
  });
});

describe('operators.create, logout and settings', () => {
  it('creates an operator who can then log in, and refuses a taken name without auditing it', async () => {
    const { h, login } = await kioskWithClock();
    const technician = (await h.loggedIn('technician')).screen;
    const created = outputOf(await h.call(technician, 'operators.create', { name: 'Nina New', role: 'officer', pin: '13579135' }));
    expect(created).toMatchObject({ name: 'Nina New', role: 'officer', disabled: false });
    expect(outputOf(await login('Nina New', '13579135'))).toMatchObject({ operator: { name: 'Nina New' } });

    const before = auditHeadSeq(h.kiosk);
    const taken = await h.call(technician, 'operators.create', { name: 'nina new', role: 'supervisor', pin: '13579135' });
    expect(errorOf(taken).code).toBe('OPERATOR_NAME_TAKEN');
    expect(auditHeadSeq(h.kiosk)).toBe(before);
  });

  it('logs out: the screen is anonymous again and is told the session ended', async () => {
    const { h } = await kioskWithClock();
    const { screen, events } = await h.loggedIn('officer');
    const before = auditHeadSeq(h.kiosk);
    expect(await h.call(screen, 'auth.logout')).toEqual({ ok: true, output: {} });
    expect(screen.operator).toBeNull();
    expect(screen.idleCountdownRunning).toBe(false);
    expect(events.filter((e) => e.name === 'session.ended')).toEqual([{ name: 'session.ended', payload: { reason: 'logout' } }]);
    expect(auditRowsAfter(h.kiosk, before)).toEqual([
      { seq: before + 1, actor: `operator:${h.operator('officer').id}`, action: 'auth.logout', details: `{"operatorId":${h.operator('officer').id}}` },
    ]);
    expect(errorOf(await h.call(screen, 'auth.logout')).code).toBe(RpcCodes.unauthenticated);
  });

  it('applies a changed idle timeout to the next login', async () => {
    const { h, login } = await kioskWithClock();
    const technician = (await h.loggedIn('technician')).screen;
    expect(outputOf(await h.call(technician, 'settings.update', { idleTimeoutSeconds: 60 })))
      .toMatchObject({ idleTimeoutSeconds: 60, defaultLanguage: 'en' });
    expect(auditRowsAfter(h.kiosk, auditHeadSeq(h.kiosk) - 1)[0]?.details).toBe('{"changes":[{"key":"idleTimeoutSeconds","new":60,"old":120}]}');
    expect(outputOf(await login(h.operator('officer').name, h.operator('officer').pin))).toMatchObject({ idleTimeoutSeconds: 60 });
    expect(errorOf(await h.call(technician, 'settings.update', { idleTimeoutSeconds: 10 })).code).toBe(RpcCodes.invalidInput);
  });

  it('does not log in a screen that went away while its PIN was being checked', async () => {
    const { h } = await kioskWithClock();
    const { screen } = h.openScreen();
    const olga = h.operator('officer');
    const pending = h.call(screen, 'auth.login', { name: olga.name, pin: olga.pin });
    h.kiosk.closeScreen(screen);
    await pending;
    expect(screen.operator).toBeNull();
    expect(screen.idleCountdownRunning).toBe(false);
  });
});

describe('audit privacy', () => {
  it('never writes a PIN or an operator name into the audit log', async () => {
    const { h, login, advance } = await kioskWithClock();
    const technician = (await h.loggedIn('technician')).screen;
    await h.call(technician, 'operators.create', { name: 'Petra Private', role: 'officer', pin: 'p1n-Secret-77' });
    await login('Petra Private', 'p1n-Secret-77');
    await login('Petra Private', 'wrong-Guess-1');
    await login('Unknown Ulrich', 'ulrich-Pin-9');
    for (let i = 0; i < 6; i += 1) await login(h.operator('target').name, `bad-Target-${i}`);
    await h.call(technician, 'operators.unlock', { id: h.operator('target').id });
    await h.call(technician, 'operators.disable', { id: h.operator('officer').id });
    await login(h.operator('officer').name, h.operator('officer').pin);
    advance(1000);
    await h.call(technician, 'auth.logout');

    const rows = auditRowsAfter(h.kiosk, 0);
    expect(rows.length).toBeGreaterThanOrEqual(14);
    const secrets = [
      'Petra', 'p1n-Secret-77', 'wrong-Guess-1', 'Ulrich', 'ulrich-Pin-9', 'bad-Target',
      ...Object.values(h.operators).flatMap((op) => [op.name, op.name.split(' ')[0]!, op.pin]),
    ];
    const stored = JSON.stringify(h.kiosk.db.prepare('SELECT * FROM audit').all()).toLowerCase();
    for (const secret of secrets) expect(stored, secret).not.toContain(secret.toLowerCase());
    const keys = new Set(rows.flatMap((row) => Object.keys(JSON.parse(row.details) as object)));
    expect([...keys].sort()).toEqual(['operatorId', 'outcome', 'role']);
  });
});
