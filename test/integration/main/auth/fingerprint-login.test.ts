// Logging in by finger through a real kiosk whose fingerprint module is the simulator on a
// pty: an officer who logged in with the PIN stores a finger in the module's library, logs
// in later by placing it, also while wrong PINs make their PIN wait (and that clears the count),
// and is refused when unknown or disabled, as for the PIN;
// an operator's finger presented in an enrollment is flagged and needs a second approval.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import { auditHeadSeq, auditRowsAfter, errorOf, outputOf, type FixtureKey } from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, SimulatedPerson, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { until } from '../../../unit/native/transport/waiting.js';

let kiosk: SimulatedKiosk;
beforeAll(async () => {
  kiosk = await openSimulatedKiosk();
});
afterAll(() => kiosk?.close());

/** `key` logs in with the PIN and enrolls their right index finger. */
async function enrollFinger(key: FixtureKey, person = kiosk.h.operator(key).name) {
  const recorded = await kiosk.screen(key, new SimulatedPerson(person));
  return kiosk.h.call(recorded.screen, 'auth.enrollFingerprint', { position: 2 });
}

async function loginByFinger(person: string) {
  kiosk.fingers.liftFinger();
  const recorded = await kiosk.screen(null, new SimulatedPerson(person));
  return { recorded, result: await kiosk.h.call(recorded.screen, 'auth.loginFingerprint', {}) };
}

const fingerRows = () => kiosk.h.kiosk.db.prepare('SELECT operator_id AS operatorId, page, position FROM operator_fingers ORDER BY page').all();

describe('logging in by finger', () => {
  it('stores an officer\'s finger at a free library slot and logs them in by it; both are audited without biometric data', async () => {
    const officer = kiosk.h.operator('officer');
    const supervisor = kiosk.h.operator('supervisor');
    const start = auditHeadSeq(kiosk.h.kiosk);
    expect(outputOf(await enrollFinger('officer'))).toEqual({ position: 2 });
    expect(outputOf(await enrollFinger('supervisor'))).toEqual({ position: 2 });
    expect(fingerRows()).toEqual([{ operatorId: officer.id, page: 0, position: 2 }, { operatorId: supervisor.id, page: 1, position: 2 }]);
    expect(await kiosk.templatesOnModule()).toBe(2);

    const { recorded, result } = await loginByFinger(officer.name);
    expect(outputOf(result)).toMatchObject({ operator: { id: officer.id, role: 'officer' }, idleTimeoutSeconds: 120 });
    expect(recorded.screen.operator).toEqual({ id: officer.id, name: officer.name, role: 'officer', via: 'fingerprint' });
    expect(errorOf(await kiosk.h.call(recorded.screen, 'auth.enrollFingerprint', { position: 7 })).code).toBe('AUTH_PIN_REQUIRED');

    const audit = auditRowsAfter(kiosk.h.kiosk, start).filter((row) => row.action !== 'auth.login');
    expect(audit.map((row) => [row.action, row.actor, JSON.parse(row.details)])).toEqual([
      ['auth.fingerprint-enrolled', `operator:${officer.id}`, { operatorId: officer.id, page: 0, position: 2 }],
      ['auth.fingerprint-enrolled', `operator:${supervisor.id}`, { operatorId: supervisor.id, page: 1, position: 2 }],
      ['auth.login-fingerprint', 'anonymous', { operatorId: officer.id, outcome: 'ok' }],
    ]);
  });

  it('refuses a finger enrolled for another operator, and re-enrolling keeps the operator\'s slot', async () => {
    expect(errorOf(await enrollFinger('supervisor', kiosk.h.operator('officer').name)).code).toBe('AUTH_FINGER_TAKEN');
    const before = fingerRows();
    expect(outputOf(await enrollFinger('officer'))).toEqual({ position: 2 });
    expect(fingerRows()).toEqual(before);
    expect(await kiosk.templatesOnModule()).toBe(2);
  });

  it('refuses an unknown finger and a disabled operator, as for the PIN', async () => {
    const start = auditHeadSeq(kiosk.h.kiosk);
    const unknown = await loginByFinger('Somebody Else');
    expect(errorOf(unknown.result).code).toBe('AUTH_FINGER_UNKNOWN');
    expect(unknown.recorded.screen.operator).toBeNull();

    const { db } = kiosk.h.kiosk;
    const target = kiosk.h.operator('target');
    outputOf(await enrollFinger('target'));
    db.prepare('UPDATE operators SET disabled_at = ? WHERE id = ?').run(new Date().toISOString(), target.id);
    const disabled = await loginByFinger(target.name);
    expect(errorOf(disabled.result).code).toBe('AUTH_DISABLED');
    expect(disabled.recorded.screen.operator).toBeNull();

    const outcomes = auditRowsAfter(kiosk.h.kiosk, start).filter((row) => row.action === 'auth.login-fingerprint')
      .map((row) => JSON.parse(row.details) as unknown);
    expect(outcomes).toEqual([
      { operatorId: null, outcome: 'not-found' },
      { operatorId: target.id, outcome: 'disabled' },
    ]);
  });

  it('fingerprint login works while PIN is throttled, and clears the wrong-PIN count', async () => {
    const { db } = kiosk.h.kiosk;
    const officer = kiosk.h.operator('officer');
    outputOf(await enrollFinger('officer'));
    const stranger = await kiosk.screen(null);
    for (let i = 0; i < 5; i += 1) await kiosk.h.call(stranger.screen, 'auth.login', { name: officer.name, pin: '000000' });
    const refused = errorOf(await kiosk.h.call(stranger.screen, 'auth.login', { name: officer.name, pin: officer.pin }));
    expect(refused).toMatchObject({ code: 'AUTH_LOCKED', details: { retryAfterSeconds: expect.any(Number) } });

    const { recorded, result } = await loginByFinger(officer.name);
    expect(outputOf(result)).toMatchObject({ operator: { id: officer.id, lockedUntil: null } });
    expect(recorded.screen.operator).toMatchObject({ id: officer.id, via: 'fingerprint' });
    expect(db.prepare('SELECT failed_attempts AS n, locked_until AS until FROM operators WHERE id = ?').get(officer.id))
      .toEqual({ n: 0, until: null });
    // The PIN works again at once.
    outputOf(await kiosk.h.call((await kiosk.screen(null)).screen, 'auth.login', { name: officer.name, pin: officer.pin }));
  });

  it('stops waiting for a finger when cancelled', async () => {
    kiosk.fingers.liftFinger();
    const recorded = await kiosk.screen(null);
    const login = kiosk.h.call(recorded.screen, 'auth.loginFingerprint', {});
    await until(() => recorded.events.some((event) => event.name === 'fingerprint.progress'));
    expect(outputOf(await kiosk.h.call(recorded.screen, 'fingerprint.cancel', {}))).toEqual({ cancelled: true });
    expect(errorOf(await login).code).toBe('FINGER_CAPTURE_CANCELLED');
    expect(recorded.screen.operator).toBeNull();
  });

  it('flags an operator\'s finger presented as an applicant\'s in an enrollment', async () => {
    const officer = kiosk.h.operator('officer');
    outputOf(await enrollFinger('officer'));
    const recorded = await kiosk.screen('supervisor', new SimulatedPerson(officer.name));
    const call = (method: string, input: unknown = {}) => kiosk.h.call(recorded.screen, method, input);
    outputOf(await call('enrollment.start', { flow: 'person' }));
    outputOf(await call('devices.simulate', { action: 'present-document', sample: 'id-card' }));
    await until(() => recorded.events.some((e) => e.name === 'enrollment.changed' && (e.payload as { pendingRead: unknown }).pendingRead));
    const { pendingRead } = outputOf<{ pendingRead: { readId: string } }>(await call('enrollment.current'));
    outputOf(await call('enrollment.acceptDocument', { readId: pendingRead.readId }));
    outputOf(await call('enrollment.recordFaceException', { reason: 'other', note: 'camera covered', photo: exceptionPhoto() }));
    const captured = outputOf<{ fingerprints: { fingers: Array<{ position: number; outcome: unknown }> } }>(
      await call('fingerprint.capture', { position: 2 }));
    expect(captured.fingerprints.fingers[0]).toMatchObject({
      position: 2, outcome: { kind: 'captured', duplicateOf: { kind: 'operator', operatorId: officer.id } },
    });
    outputOf(await call('fingerprint.recordException', { position: 7, reason: 'missing', note: 'finger missing', photo: exceptionPhoto() }));
    // The duplicate does not hold the step up: it makes the enrollment need a second approver.
    expect(outputOf(await call('fingerprint.finish'))).toMatchObject({
      step: 'details', secondApproval: ['face-exception', 'finger-exception', 'finger-duplicate'],
    });
  });
});
