// Removing an operator's login finger through a real kiosk whose fingerprint module is the
// simulator on a pty: the template leaves the module's library at once and the finger no longer
// logs in; supervisors remove officers' fingers and their own, technicians anyone's; with the
// module unplugged (its /dev node gone) the store forgets the finger at once and the template is
// deleted when the module is plugged in again. Audited without biometric data.

import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcCodes } from '../../../../main/rpc/define.js';
import { auditHeadSeq, auditRowsAfter, errorOf, outputOf, type FixtureKey } from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, SimulatedPerson, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { until } from '../../../unit/native/transport/waiting.js';

let kiosk: SimulatedKiosk;
beforeAll(async () => {
  kiosk = await openSimulatedKiosk();
});
afterAll(() => kiosk?.close());

async function enrollFinger(key: FixtureKey, position: number) {
  const recorded = await kiosk.screen(key, new SimulatedPerson(kiosk.h.operator(key).name));
  outputOf(await kiosk.h.call(recorded.screen, 'auth.enrollFingerprint', { position }));
}

async function loginByFinger(key: FixtureKey, position: number) {
  kiosk.fingers.liftFinger();
  const recorded = await kiosk.screen(null, new SimulatedPerson(kiosk.h.operator(key).name, () => position));
  return kiosk.h.call(recorded.screen, 'auth.loginFingerprint', {});
}

const fingerOf = (id: number) => kiosk.h.kiosk.db.prepare('SELECT page, position FROM operator_fingers WHERE operator_id = ?').get(id);
const removed = (after: number) => auditRowsAfter(kiosk.h.kiosk, after)
  .filter((row) => row.action.startsWith('operator.finger-'))
  .map((row) => [row.action, row.actor, JSON.parse(row.details) as unknown]);

describe('removing a login finger', () => {
  it('deletes the template from the module, so the finger no longer logs in, and shows it in the list', async () => {
    const olga = kiosk.h.operator('officer');
    await enrollFinger('officer', 7);
    expect(await kiosk.templatesOnModule()).toBe(1);
    const supervisor = await kiosk.screen('supervisor');
    const listed = outputOf<Array<{ id: number; loginFinger: unknown }>>(await kiosk.h.call(supervisor.screen, 'operators.list'));
    expect(listed.find((op) => op.id === olga.id)?.loginFinger).toEqual({ position: 7, enrolledAt: expect.any(String) });

    const before = auditHeadSeq(kiosk.h.kiosk);
    const result = outputOf(await kiosk.h.call(supervisor.screen, 'operators.removeFinger', { id: olga.id }));
    expect(result).toMatchObject({ clearedOnScanner: true, operator: { id: olga.id, loginFinger: null } });
    expect(fingerOf(olga.id)).toBeUndefined();
    expect(await kiosk.templatesOnModule()).toBe(0);
    expect(removed(before)).toEqual([
      ['operator.finger-removed', `operator:${kiosk.h.operator('supervisor').id}`, { operatorId: olga.id, position: 7, page: 0, clearedOnScanner: true }],
    ]);
    expect(errorOf(await loginByFinger('officer', 7)).code).toBe('AUTH_FINGER_UNKNOWN');
    expect(errorOf(await kiosk.h.call(supervisor.screen, 'operators.removeFinger', { id: olga.id })).code).toBe('OPERATOR_NO_LOGIN_FINGER');
  });

  it('lets a supervisor remove their own finger but not a technician\'s; the technician removes anyone\'s', async () => {
    const supervisor = await kiosk.screen('supervisor');
    const tara = kiosk.h.operator('technician');
    // A technician enrolled as a supervisor before a role change keeps the finger in the store.
    kiosk.h.kiosk.db.prepare('INSERT INTO operator_fingers (operator_id, page, position, enrolled_at) VALUES (?, 250, 1, ?)')
      .run(tara.id, new Date().toISOString());
    const before = auditHeadSeq(kiosk.h.kiosk);
    expect(errorOf(await kiosk.h.call(supervisor.screen, 'operators.removeFinger', { id: tara.id })).code).toBe(RpcCodes.forbidden);
    expect(fingerOf(tara.id)).toEqual({ page: 250, position: 1 });
    expect(auditHeadSeq(kiosk.h.kiosk)).toBe(before);

    await enrollFinger('supervisor', 2);
    outputOf(await kiosk.h.call(supervisor.screen, 'operators.removeFinger', { id: kiosk.h.operator('supervisor').id }));
    const technician = await kiosk.screen('technician');
    outputOf(await kiosk.h.call(technician.screen, 'operators.removeFinger', { id: tara.id }));
    expect(fingerOf(tara.id)).toBeUndefined();
    expect(await kiosk.templatesOnModule()).toBe(0);
    const officer = await kiosk.screen('officer');
    expect(errorOf(await kiosk.h.call(officer.screen, 'operators.removeFinger', { id: kiosk.h.operator('target').id })).code)
      .toBe(RpcCodes.forbidden);
  });

  it('forgets the finger while the module is unplugged and deletes its template when it is plugged in again', async () => {
    const otto = kiosk.h.operator('target');
    await enrollFinger('target', 3);
    expect(await kiosk.templatesOnModule()).toBe(1);
    const node = join(kiosk.h.dataDir, 'run', 'fingerprint');
    await rename(node, `${node}.unplugged`);
    await until(() => kiosk.rig.fingerprint?.status.state === 'disconnected');

    const before = auditHeadSeq(kiosk.h.kiosk);
    const technician = await kiosk.screen('technician');
    const result = outputOf(await kiosk.h.call(technician.screen, 'operators.removeFinger', { id: otto.id }));
    expect(result).toMatchObject({ clearedOnScanner: false, operator: { loginFinger: null } });
    expect(fingerOf(otto.id)).toBeUndefined();

    await rename(`${node}.unplugged`, node);
    await until(() => removed(before).length === 2);
    expect(removed(before)).toEqual([
      ['operator.finger-removed', `operator:${kiosk.h.operator('technician').id}`, { operatorId: otto.id, position: 3, page: 0, clearedOnScanner: false }],
      ['operator.finger-library-cleaned', 'kiosk', { slots: 1 }],
    ]);
    expect(await kiosk.templatesOnModule()).toBe(0);
    expect(errorOf(await loginByFinger('target', 3)).code).toBe('AUTH_FINGER_UNKNOWN');
  });
});
