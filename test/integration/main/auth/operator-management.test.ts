// Managing operators through a real kiosk: resetting another operator's PIN (within the
// caller's rights, never their own, clearing the PIN wait), changing one's own PIN with the
// current one (checked and counted as a login), changing roles (technicians only, never their
// own, always leaving an enabled technician, ending the operator's sessions), the login finger
// each operator has, and the audit entries, which never hold a PIN.

import { afterEach, describe, expect, it } from 'vitest';
import { RpcCodes } from '../../../../main/rpc/define.js';
import {
  auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, outputOf, type KioskHarness,
} from '../../../fixtures/kiosk-harness.js';

const open: KioskHarness[] = [];
afterEach(() => {
  for (const h of open.splice(0)) h.close();
});

async function kiosk() {
  const h = await openKioskHarness();
  open.push(h);
  const login = (name: string, pin: string) => h.call(h.openScreen().screen, 'auth.login', { name, pin });
  const entries = (after: number) => auditRowsAfter(h.kiosk, after).map((row) => [row.action, row.actor, JSON.parse(row.details) as unknown]);
  return { h, login, entries };
}

describe('operators.resetPin', () => {
  it('gives a technician\'s target a new PIN, clears the PIN wait and audits it without the PIN', async () => {
    const { h, login, entries } = await kiosk();
    const sven = h.operator('supervisor');
    for (let i = 0; i < 5; i += 1) await login(sven.name, '000000');
    expect(errorOf(await login(sven.name, sven.pin)).code).toBe('AUTH_LOCKED');

    const technician = await h.loggedIn('technician');
    const before = auditHeadSeq(h.kiosk);
    const reset = outputOf(await h.call(technician.screen, 'operators.resetPin', { id: sven.id, pin: '606060' }));
    expect(reset).toMatchObject({ id: sven.id, lockedUntil: null });
    expect(entries(before)).toEqual([['operator.pin-reset', `operator:${h.operator('technician').id}`, { operatorId: sven.id }]]);
    expect(JSON.stringify(auditRowsAfter(h.kiosk, 0))).not.toContain('606060');

    expect(errorOf(await login(sven.name, sven.pin)).code).toBe('AUTH_FAILED');
    expect(outputOf(await login(sven.name, '606060'))).toMatchObject({ operator: { id: sven.id } });
  });

  it('lets a supervisor reset officers\' PINs only, nobody their own, and keeps the PIN rules', async () => {
    const { h, login } = await kiosk();
    const supervisor = (await h.loggedIn('supervisor')).screen;
    const technician = (await h.loggedIn('technician')).screen;
    const before = auditHeadSeq(h.kiosk);

    for (const target of [h.operator('technician').id, h.operator('supervisor').id]) {
      const refused = errorOf(await h.call(supervisor, 'operators.resetPin', { id: target, pin: '707070' }));
      expect(refused.code).toBe(target === h.operator('supervisor').id ? 'OPERATOR_SELF_PIN_RESET' : RpcCodes.forbidden);
    }
    expect(errorOf(await h.call(technician, 'operators.resetPin', { id: h.operator('technician').id, pin: '707070' })).code)
      .toBe('OPERATOR_SELF_PIN_RESET');
    expect(errorOf(await h.call(technician, 'operators.resetPin', { id: h.operator('officer').id, pin: '12345' })).code)
      .toBe(RpcCodes.invalidInput);
    expect(errorOf(await h.call(technician, 'operators.resetPin', { id: 999, pin: '707070' })).code).toBe('OPERATOR_NOT_FOUND');
    const officer = (await h.loggedIn('officer')).screen;
    expect(errorOf(await h.call(officer, 'operators.resetPin', { id: h.operator('target').id, pin: '707070' })).code).toBe(RpcCodes.forbidden);
    expect(auditHeadSeq(h.kiosk)).toBe(before + 1); // only the officer's login

    outputOf(await h.call(supervisor, 'operators.resetPin', { id: h.operator('officer').id, pin: '707070' }));
    expect(outputOf(await login(h.operator('officer').name, '707070'))).toMatchObject({ operator: { role: 'officer' } });
  });
});

describe('operators.changeOwnPin', () => {
  it('needs the current PIN, counts a wrong one as a wrong PIN, and audits the outcome', async () => {
    const { h, login, entries } = await kiosk();
    const olga = h.operator('officer');
    const { screen } = await h.loggedIn('officer');
    const before = auditHeadSeq(h.kiosk);

    expect(errorOf(await h.call(screen, 'operators.changeOwnPin', { currentPin: '000000', pin: '919191' })).code).toBe('AUTH_FAILED');
    expect(h.kiosk.db.prepare('SELECT failed_attempts AS n FROM operators WHERE id = ?').get(olga.id)).toEqual({ n: 1 });
    expect(errorOf(await h.call(screen, 'operators.changeOwnPin', { currentPin: olga.pin, pin: '9191' })).code).toBe(RpcCodes.invalidInput);
    expect(outputOf(await h.call(screen, 'operators.changeOwnPin', { currentPin: olga.pin, pin: '919191' }))).toMatchObject({ id: olga.id });

    expect(entries(before)).toEqual([
      ['operator.pin-changed', `operator:${olga.id}`, { operatorId: olga.id, outcome: 'failed' }],
      ['operator.pin-changed', `operator:${olga.id}`, { operatorId: olga.id, outcome: 'ok' }],
    ]);
    expect(h.kiosk.db.prepare('SELECT failed_attempts AS n FROM operators WHERE id = ?').get(olga.id)).toEqual({ n: 0 });
    expect(errorOf(await login(olga.name, olga.pin)).code).toBe('AUTH_FAILED');
    expect(outputOf(await login(olga.name, '919191'))).toMatchObject({ operator: { id: olga.id } });
    expect(errorOf(await h.call(h.openScreen().screen, 'operators.changeOwnPin', { currentPin: olga.pin, pin: '919191' })).code)
      .toBe(RpcCodes.unauthenticated);
  });
});

describe('operators.setRole', () => {
  it('lets a technician change another operator\'s role, audited with old and new, ending their sessions', async () => {
    const { h, entries } = await kiosk();
    const technician = await h.loggedIn('technician');
    const officer = await h.loggedIn('officer');
    const olga = h.operator('officer');
    const before = auditHeadSeq(h.kiosk);

    expect(outputOf(await h.call(technician.screen, 'operators.setRole', { id: olga.id, role: 'supervisor' })))
      .toMatchObject({ id: olga.id, role: 'supervisor' });
    expect(entries(before)).toEqual([
      ['operator.role-changed', `operator:${h.operator('technician').id}`, { operatorId: olga.id, oldRole: 'officer', newRole: 'supervisor' }],
    ]);
    expect(officer.screen.operator).toBeNull();
    expect(officer.events).toContainEqual({ name: 'session.ended', payload: { reason: 'logout' } });
    expect(technician.screen.operator).not.toBeNull();

    // Logging in again gives the new role; the same role again changes and audits nothing.
    expect((await h.loggedIn('officer')).screen.role).toBe('supervisor');
    const same = auditHeadSeq(h.kiosk);
    outputOf(await h.call(technician.screen, 'operators.setRole', { id: olga.id, role: 'supervisor' }));
    expect(auditHeadSeq(h.kiosk)).toBe(same);
  });

  it('refuses supervisors, one\'s own role, and leaving no enabled technician', async () => {
    const { h } = await kiosk();
    const supervisor = (await h.loggedIn('supervisor')).screen;
    const technician = (await h.loggedIn('technician')).screen;
    const tara = h.operator('technician');
    expect(errorOf(await h.call(supervisor, 'operators.setRole', { id: h.operator('officer').id, role: 'supervisor' })).code)
      .toBe(RpcCodes.forbidden);
    expect(errorOf(await h.call(technician, 'operators.setRole', { id: tara.id, role: 'officer' })).code).toBe('OPERATOR_SELF_ROLE');

    // A second technician may be made an officer while Tara is enabled …
    const theo = outputOf<{ id: number }>(await h.call(technician, 'operators.create', { name: 'Theo Tech', role: 'technician', pin: '864209' }));
    const before = auditHeadSeq(h.kiosk);
    outputOf(await h.call(technician, 'operators.setRole', { id: theo.id, role: 'officer' }));
    outputOf(await h.call(technician, 'operators.setRole', { id: theo.id, role: 'technician' }));
    // … but not once Tara's own record was disabled behind her screen's back: the store keeps a technician.
    h.kiosk.db.prepare('UPDATE operators SET disabled_at = ? WHERE id = ?').run(new Date().toISOString(), tara.id);
    const seq = auditHeadSeq(h.kiosk);
    expect(errorOf(await h.call(technician, 'operators.setRole', { id: theo.id, role: 'supervisor' })).code).toBe('OPERATOR_LAST_TECHNICIAN');
    expect(auditHeadSeq(h.kiosk)).toBe(seq);
    expect(h.kiosk.db.prepare('SELECT role FROM operators WHERE id = ?').get(theo.id)).toEqual({ role: 'technician' });
    expect(seq).toBe(before + 2);
  });
});

describe('operators.list', () => {
  it('shows which login finger each operator has enrolled, and when', async () => {
    const { h } = await kiosk();
    const olga = h.operator('officer');
    h.kiosk.db.prepare('INSERT INTO operator_fingers (operator_id, page, position, enrolled_at) VALUES (?, 4, 7, ?)')
      .run(olga.id, '2026-02-03T09:00:00.000Z');
    const listed = outputOf<Array<{ id: number; loginFinger: unknown }>>(await h.call((await h.loggedIn('supervisor')).screen, 'operators.list'));
    expect(listed.find((op) => op.id === olga.id)?.loginFinger).toEqual({ position: 7, enrolledAt: '2026-02-03T09:00:00.000Z' });
    expect(listed.filter((op) => op.id !== olga.id).map((op) => op.loginFinger)).toEqual([null, null, null]);
  });
});
