// Every declared procedure against every role through a real kiosk: the dispatcher runs
// it or refuses it exactly as its declared `access` (and, where the rule depends on the input
// or on an officer at the screen, its authorise hook) says, and an allowed change writes
// exactly its declared audit action while a refused or read-only call writes nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperator } from '../../../../main/auth/operator-repository.js';
import { procedures, type MethodName } from '../../../../main/rpc/contract.js';
import { ROLES, RpcCodes, type Role } from '../../../../main/rpc/define.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import {
  auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, type KioskHarness, type RecordedScreen,
} from '../../../fixtures/kiosk-harness.js';

type Caller = Role | 'anonymous';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES];

interface Sample {
  input(h: KioskHarness, caller: Caller): unknown;
  /** What an allowed call answers: ok, or a domain error only the handler itself produces. */
  allowed: 'ok' | { code: string };
  /** Callers the roles let in but the procedure's authorise hook refuses for this input, with the code they get. */
  refusedByHook?: Partial<Record<Caller, string>>;
}

let created = 0;

/** Only an officer or supervisor at the screen (logged in, or called to it) gets past the hook. */
const OFFICER_PRESENT = { anonymous: RpcCodes.forbidden, technician: RpcCodes.forbidden };
/** Only an officer or supervisor logged in gets past the hook. */
const OFFICER_LOGGED_IN = { anonymous: RpcCodes.unauthenticated, technician: RpcCodes.forbidden };
const PHOTO = exceptionPhoto();
/** No enrollment is held under this id. */
const HELD_ID = '4f1c2a9e-6b3d-4e8f-9a0b-1c2d3e4f5a6b';
/** No record is sealed under this id. */
const RECORD_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

// One valid input per procedure. `satisfies` makes a new procedure without a sample a
// type error; the first test below makes it a test failure too.
const samples = {
  'system.info': { input: () => ({}), allowed: 'ok' },
  'system.status': { input: () => ({}), allowed: 'ok' },
  'setup.createFirstTechnician': {
    input: () => ({ name: 'Second Technician', pin: '314159' }),
    allowed: { code: 'SETUP_ALREADY_DONE' }, // operators exist, so the handler refuses after running
  },
  'auth.login': {
    input: (h, caller) => {
      const { name, pin } = h.operator(caller === 'anonymous' ? 'officer' : caller);
      return { name, pin };
    },
    allowed: 'ok',
  },
  'auth.logout': { input: () => ({}), allowed: 'ok' },
  'auth.whoami': { input: () => ({}), allowed: 'ok' },
  'session.touch': { input: () => ({ away: true }), allowed: 'ok' },
  'operators.list': { input: () => ({}), allowed: 'ok' },
  'operators.create': {
    input: (_h, caller) => ({ name: `Made by ${caller} ${++created}`, role: 'officer', pin: '246810' }),
    allowed: 'ok',
  },
  'operators.disable': { input: (h) => ({ id: h.operator('target').id }), allowed: 'ok' },
  'operators.pinFailures': { input: () => ({}), allowed: 'ok' },
  'operators.unlock': { input: (h) => ({ id: h.operator('target').id }), allowed: 'ok' },
  'operators.resetPin': { input: (h) => ({ id: h.operator('target').id, pin: h.operator('target').pin }), allowed: 'ok' },
  'operators.changeOwnPin': {
    input: (h, caller) => {
      const { pin } = h.operator(caller === 'anonymous' ? 'officer' : caller);
      return { currentPin: pin, pin };
    },
    allowed: 'ok',
  },
  // A fresh officer each time, made a supervisor: every allowed call changes a role.
  'operators.setRole': {
    input: (h) => ({ id: createOperator(h.kiosk.db, { name: `Role Sample ${++created}`, role: 'officer', pinHash: 'unusable' }, new Date()).id, role: 'supervisor' }),
    allowed: 'ok',
  },
  // The fixture operators enroll no login finger here.
  'operators.removeFinger': { input: (h) => ({ id: h.operator('target').id }), allowed: { code: 'OPERATOR_NO_LOGIN_FINGER' } },
  'audit.verify': { input: () => ({}), allowed: 'ok' },
  'audit.actions': { input: () => ({}), allowed: 'ok' },
  'audit.list': { input: () => ({ afterSeq: 0, limit: 5 }), allowed: 'ok' },
  'settings.get': { input: () => ({}), allowed: 'ok' },
  'settings.update': { input: () => ({ idleTimeoutSeconds: 300 }), allowed: 'ok' },
  'enrollment.start': { input: () => ({ flow: 'person' }), allowed: 'ok', refusedByHook: OFFICER_LOGGED_IN },
  'enrollment.current': { input: () => ({}), allowed: 'ok' },
  'enrollment.media': { input: () => ({}), allowed: { code: 'ENROLLMENT_NONE' } },
  // The screens of this matrix start no enrollment, so the handler refuses after the access check.
  'enrollment.acceptDocument': { input: () => ({ readId: 'no-such-read' }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.retryDocument': { input: () => ({}), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.chipCan': { input: () => ({ readId: 'no-such-read', can: '123456' }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.chipRetry': { input: () => ({ readId: 'no-such-read' }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.skipChip': { input: () => ({ readId: 'no-such-read', reason: 'no-chip', note: 'an older passport' }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.acknowledgeChip': { input: () => ({ readId: 'no-such-read' }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.cancel': { input: () => ({}), allowed: { code: 'ENROLLMENT_NONE' } },
  'document.keyboardKeys': { input: () => ({ keys: [{ key: 'P', at: 1 }] }), allowed: { code: 'ENROLLMENT_NONE' } },
  'devices.simulate': { input: () => ({ action: 'present-document' }), allowed: { code: 'DEVICES_NOT_SIMULATED' } },
  // The device set-up: this kiosk runs no devices, so a test finds none set up; a camera frame that is no picture is refused.
  'devices.setup': { input: () => ({}), allowed: 'ok' },
  'devices.configure': { input: () => ({ role: 'camera', settings: { deviceId: 'usb-cam-1', label: 'USB camera' } }), allowed: 'ok' },
  'devices.setFingers': { input: () => ({ fingers: [2, 7, 3] }), allowed: 'ok' },
  'devices.test': { input: () => ({ role: 'fingerprint', timeoutSeconds: 5 }), allowed: { code: 'DEVICE_NOT_READY' } },
  'devices.cancelTest': { input: () => ({ role: 'document-reader' }), allowed: 'ok' },
  'devices.testCamera': { input: () => ({ jpeg: 'AAAAAAAAAAAAAAAAAAAA' }), allowed: { code: 'FACE_IMAGE_UNSUPPORTED' } },
  'fingerprint.capture': { input: () => ({ position: 2 }), allowed: { code: 'ENROLLMENT_NONE' } },
  'fingerprint.cancel': { input: () => ({}), allowed: 'ok' },
  'fingerprint.retry': { input: () => ({ position: 2 }), allowed: { code: 'ENROLLMENT_NONE' } },
  'fingerprint.recordException': {
    input: () => ({ position: 7, reason: 'bandaged', note: 'plaster cast', photo: PHOTO }), allowed: { code: 'ENROLLMENT_NONE' },
  },
  'fingerprint.finish': { input: () => ({}), allowed: { code: 'ENROLLMENT_NONE' } },
  'fingerprint.image': { input: () => ({ position: 2 }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.recordFaceException': {
    input: () => ({ reason: 'injured', note: 'bandage over one eye', photo: PHOTO }), allowed: { code: 'ENROLLMENT_NONE' }, refusedByHook: OFFICER_PRESENT,
  },
  'enrollment.callOfficer': {
    input: (h) => ({ credential: { method: 'pin', name: h.operator('officer').name, pin: h.operator('officer').pin } }),
    allowed: { code: 'ENROLLMENT_NONE' },
  },
  'enrollment.endAssist': { input: () => ({}), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.saveDetails': {
    input: () => ({ flow: 'person', address: 'Hauptstraße 1, 10115 Berlin', purpose: 'residence-registration' }),
    allowed: { code: 'ENROLLMENT_NONE' },
  },
  'enrollment.editDetails': { input: () => ({}), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.consentText': { input: () => ({ language: 'de' }), allowed: 'ok' },
  'enrollment.acceptConsent': { input: () => ({ accepted: true, version: '2026-01', language: 'en' }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.approve': { input: () => ({ credential: { method: 'pin', pin: '482913' } }), allowed: { code: 'ENROLLMENT_NONE' } },
  'enrollment.holdForReview': { input: () => ({}), allowed: { code: 'ENROLLMENT_NONE' } },
  // No screen of this matrix has sealed a record: nothing is finished, there is no slip to print (the slip is the screen's own).
  'enrollment.finished': { input: () => ({}), allowed: 'ok' },
  'enrollment.printSlip': { input: () => ({}), allowed: { code: 'ENROLLMENT_NOT_FINISHED' } },
  // Nothing was sealed on this kiosk: the list is empty and no record is found to print again.
  'records.list': { input: () => ({}), allowed: 'ok' },
  'records.printSlip': { input: () => ({ recordId: RECORD_ID }), allowed: { code: 'RECORD_NOT_FOUND' } },
  'records.requeue': { input: () => ({ recordId: RECORD_ID }), allowed: { code: 'RECORD_NOT_FOUND' } },
  // Nothing is held on this kiosk, so the queue is empty and every id is unknown to it.
  'reviewQueue.list': { input: () => ({}), allowed: 'ok' },
  'reviewQueue.open': { input: () => ({ id: HELD_ID }), allowed: { code: 'ENROLLMENT_NOT_HELD' } },
  'reviewQueue.approve': {
    input: (h) => ({ id: HELD_ID, credential: { method: 'pin', pin: h.operator('supervisor').pin } }), allowed: { code: 'ENROLLMENT_NOT_HELD' },
  },
  'reviewQueue.reject': { input: () => ({ id: HELD_ID, reason: 'incomplete' }), allowed: { code: 'ENROLLMENT_NOT_HELD' } },
  // This kiosk runs no devices, so the handlers refuse once the caller has passed the access check.
  'auth.enrollFingerprint': { input: () => ({ position: 2 }), allowed: { code: 'DEVICE_NOT_READY' } },
  'auth.loginFingerprint': { input: () => ({}), allowed: { code: 'DEVICE_NOT_READY' } },
  'provisioning.status': { input: () => ({}), allowed: 'ok' },
  // The harness provisioned the kiosk, so registering again is refused before any authority is asked, storing nothing.
  'provisioning.register': { input: () => ({ authorityUrl: 'http://127.0.0.1:9', token: 'ght_sample', name: 'Hall A' }), allowed: { code: 'PROVISIONING_ALREADY_DONE' } },
  'sync.status': { input: () => ({}), allowed: 'ok' },
  'sync.now': { input: () => ({}), allowed: 'ok' },
  // The outbox is empty and no receipt file is there.
  'sync.export': { input: () => ({ directory: '/tmp' }), allowed: { code: 'EXPORT_NOTHING_QUEUED' } },
  'sync.importReceipts': { input: () => ({ file: '/tmp/gatehouse-no-such-receipts.json' }), allowed: { code: 'RECEIPT_FILE_MISSING' } },
  'diagnostics.run': { input: () => ({}), allowed: 'ok' },
  'diagnostics.usbFolders': { input: () => ({}), allowed: 'ok' },
  // No USB stick is mounted at that folder, so nothing is written and nothing audited.
  'diagnostics.writeSupportBundle': { input: () => ({ folder: '/media/gatehouse-no-such-stick' }), allowed: { code: 'SUPPORT_BUNDLE_FOLDER_MISSING' } },
  // No enrollment is on the face step in this matrix, so the face handlers refuse after the access check.
  'face.chipPortrait': { input: () => ({}), allowed: { code: 'FACE_NOT_ON_STEP' } },
  'face.portrait': { input: () => ({ image: 'AAAAAAAAAAAAAAAAAAAA' }), allowed: { code: 'FACE_NOT_ON_STEP' } },
  'face.frame': { input: () => ({ image: 'AAAAAAAAAAAAAAAAAAAA', at: 1 }), allowed: { code: 'FACE_NOT_ON_STEP' } },
  'face.capture': { input: () => ({ manual: true }), allowed: { code: 'FACE_NOT_ON_STEP' }, refusedByHook: OFFICER_PRESENT },
  'face.decide': { input: () => ({ samePerson: true }), allowed: { code: 'FACE_NOT_ON_STEP' }, refusedByHook: OFFICER_PRESENT },
  'face.retry': { input: () => ({}), allowed: { code: 'FACE_NOT_ON_STEP' } },
  'face.accept': {
    input: () => ({ livenessException: { reason: 'cannot-follow', note: 'cannot turn the head', photo: PHOTO } }),
    allowed: { code: 'FACE_NOT_ON_STEP' }, refusedByHook: OFFICER_PRESENT,
  },
} satisfies Record<MethodName, Sample>;

const methods = Object.keys(procedures) as MethodName[];

/** The refusal the declared access gives `caller`, before any input is looked at; null when it lets them in. */
function expectedRefusal(method: MethodName, caller: Caller): { code: string; details: Record<string, unknown> } | null {
  const { access } = procedures[method];
  if (access === 'anyone') return null;
  if (caller === 'anonymous') return { code: RpcCodes.unauthenticated, details: {} };
  if (access.includes(caller)) return null;
  return { code: RpcCodes.forbidden, details: { role: caller, allowed: [...access] } };
}

/** The refusal `caller` gets for the method's sample: by the declared access, or by the authorise hook. */
function expectedRefusalOfSample(method: MethodName, caller: Caller): { code: string; details: Record<string, unknown> } | null {
  const byAccess = expectedRefusal(method, caller);
  if (byAccess) return byAccess;
  const byHook = (samples[method] as Sample).refusedByHook?.[caller];
  return byHook ? { code: byHook, details: {} } : null;
}

let h: KioskHarness;
beforeAll(async () => {
  h = await openKioskHarness();
});
afterAll(() => h.close());

describe('RPC access matrix', () => {
  it('has a sample input for exactly the declared procedures', () => {
    expect(Object.keys(samples).sort()).toEqual([...methods].sort());
    expect(methods.length).toBeGreaterThanOrEqual(14);
  });

  it('declares for every procedure either "anyone" or a non-empty list of real roles', () => {
    for (const method of methods) {
      const { access } = procedures[method];
      if (access === 'anyone') continue;
      expect(access.length, method).toBeGreaterThan(0);
      for (const role of access) expect(ROLES, method).toContain(role);
    }
  });

  it('keeps the reviewed access policy (loosening one is a deliberate change to this table)', () => {
    const policy = Object.fromEntries(methods.map((m) => [m, procedures[m].access === 'anyone' ? 'anyone' : [...procedures[m].access].sort().join(',')]));
    expect(policy).toEqual({
      'system.info': 'anyone',
      'system.status': 'anyone',
      'setup.createFirstTechnician': 'anyone',
      'auth.login': 'anyone',
      'auth.logout': 'officer,supervisor,technician',
      'auth.whoami': 'anyone',
      'session.touch': 'anyone',
      'operators.list': 'supervisor,technician',
      'operators.create': 'technician',
      'operators.disable': 'supervisor,technician',
      'operators.pinFailures': 'supervisor,technician',
      'operators.unlock': 'supervisor,technician',
      'operators.resetPin': 'supervisor,technician',
      'operators.changeOwnPin': 'officer,supervisor,technician',
      'operators.setRole': 'technician',
      'operators.removeFinger': 'supervisor,technician',
      'audit.verify': 'supervisor,technician',
      'audit.list': 'supervisor,technician',
      'audit.actions': 'supervisor,technician',
      'settings.get': 'technician',
      'settings.update': 'technician',
      'enrollment.start': 'anyone',
      'enrollment.current': 'anyone',
      'enrollment.acceptDocument': 'anyone',
      'enrollment.retryDocument': 'anyone',
      'enrollment.chipCan': 'anyone',
      'enrollment.chipRetry': 'anyone',
      'enrollment.skipChip': 'anyone',
      'enrollment.acknowledgeChip': 'anyone',
      'enrollment.cancel': 'anyone',
      'document.keyboardKeys': 'anyone',
      'devices.simulate': 'anyone',
      'devices.setup': 'technician',
      'devices.configure': 'technician',
      'devices.setFingers': 'technician',
      'devices.test': 'technician',
      'devices.cancelTest': 'technician',
      'devices.testCamera': 'technician',
      'face.chipPortrait': 'anyone',
      'face.portrait': 'anyone',
      'face.frame': 'anyone',
      'face.capture': 'anyone',
      'face.decide': 'anyone',
      'face.retry': 'anyone',
      'face.accept': 'anyone',
      'fingerprint.capture': 'officer,supervisor',
      'fingerprint.cancel': 'anyone',
      'fingerprint.retry': 'officer,supervisor',
      'fingerprint.recordException': 'officer,supervisor',
      'fingerprint.finish': 'officer,supervisor',
      'fingerprint.image': 'officer,supervisor',
      'enrollment.recordFaceException': 'anyone',
      'enrollment.callOfficer': 'anyone',
      'enrollment.endAssist': 'anyone',
      'enrollment.media': 'anyone',
      'enrollment.holdForReview': 'anyone',
      'reviewQueue.list': 'supervisor',
      'reviewQueue.open': 'supervisor',
      'reviewQueue.approve': 'supervisor',
      'reviewQueue.reject': 'supervisor',
      'enrollment.saveDetails': 'anyone',
      'enrollment.editDetails': 'anyone',
      'enrollment.consentText': 'anyone',
      'enrollment.acceptConsent': 'anyone',
      'enrollment.approve': 'anyone',
      'enrollment.finished': 'anyone',
      'enrollment.printSlip': 'anyone',
      'records.list': 'officer,supervisor',
      'records.printSlip': 'officer,supervisor',
      'records.requeue': 'supervisor',
      'auth.enrollFingerprint': 'officer,supervisor',
      'auth.loginFingerprint': 'anyone',
      'provisioning.status': 'supervisor,technician',
      'provisioning.register': 'technician',
      'sync.status': 'supervisor,technician',
      'sync.now': 'supervisor,technician',
      'sync.export': 'supervisor',
      'sync.importReceipts': 'supervisor',
      'diagnostics.run': 'technician',
      'diagnostics.usbFolders': 'technician',
      'diagnostics.writeSupportBundle': 'technician',
    });
  });

  it('keeps the reviewed authorise hooks: rules that depend on the input or on an officer at the screen', () => {
    const hooked = methods.filter((method) => 'authorise' in procedures[method] && procedures[method].authorise !== undefined).sort();
    expect(hooked).toEqual([
      'enrollment.recordFaceException', 'enrollment.start', 'face.accept', 'face.capture', 'face.decide',
    ]);
    // Every hook is exercised by this matrix's sample (a caller the roles let in is refused by it).
    for (const method of hooked) expect(Object.keys((samples[method] as Sample).refusedByHook ?? {}), method).not.toEqual([]);
  });

  const pairs = methods.flatMap((method) => CALLERS.map((caller) => [method, caller] as const));

  it.each(pairs)('%s called by %s is run or refused as declared', async (method, caller) => {
    const { screen }: RecordedScreen = caller === 'anonymous' ? h.openScreen() : await h.loggedIn(caller);
    try {
      expect(screen.role).toBe(caller === 'anonymous' ? null : caller);
      const actor = screen.actor;
      const before = auditHeadSeq(h.kiosk);
      const sample: Sample = samples[method];

      const result = await h.call(screen, method, sample.input(h, caller));
      const written = auditRowsAfter(h.kiosk, before);
      const refusal = expectedRefusalOfSample(method, caller);
      const def = procedures[method];

      if (refusal) {
        expect(result).toEqual({ ok: false, error: { code: refusal.code, message: expect.any(String), details: refusal.details } });
        expect(written).toEqual([]);
        return;
      }
      if (sample.allowed === 'ok') {
        expect(result.ok ? 'ok' : result.error).toBe('ok');
        const audited = 'audit' in def ? [def.audit] : [];
        expect(written.map((row) => row.action)).toEqual(audited);
        for (const row of written) expect(row.actor).toBe(actor);
      } else {
        expect(result.ok ? 'ok' : result.error.code).toBe(sample.allowed.code);
        expect(written).toEqual([]);
      }
    } finally {
      h.kiosk.closeScreen(screen);
    }
  });

  it('lets at least one caller run each procedure and refuses anonymous callers everything not open to anyone', () => {
    for (const method of methods) {
      expect(CALLERS.some((caller) => expectedRefusal(method, caller) === null), method).toBe(true);
      if (procedures[method].access !== 'anyone') {
        expect(expectedRefusal(method, 'anonymous')?.code, method).toBe(RpcCodes.unauthenticated);
      }
    }
  });
});

describe('input validation on every procedure', () => {
  it.each(methods)('%s rejects unknown keys and non-object input with RPC_INVALID_INPUT', async (method) => {
    const { access } = procedures[method];
    const role: Role = access === 'anyone' || access.includes('technician') ? 'technician' : access[0]!; // allowed to call it
    const { screen } = await h.loggedIn(role);
    try {
      const before = auditHeadSeq(h.kiosk);
      const extraKey = await h.call(screen, method, { ...(samples[method] as Sample).input(h, role) as object, smuggled: 1 });
      expect(extraKey).toMatchObject({ ok: false, error: { code: RpcCodes.invalidInput } });
      const issues = errorOf(extraKey).details.issues as Array<{ path: string[] }>;
      expect(issues.length).toBeGreaterThan(0);

      for (const bad of [42, 'text', [], true]) {
        expect(await h.call(screen, method, bad)).toMatchObject({ ok: false, error: { code: RpcCodes.invalidInput } });
      }
      expect(auditRowsAfter(h.kiosk, before)).toEqual([]);
    } finally {
      h.kiosk.closeScreen(screen);
    }
  });

  it('names the path of each bad field', async () => {
    const { screen } = await h.loggedIn('technician');
    try {
      const result = await h.call(screen, 'operators.create', { name: '', role: 'chief', pin: '12' });
      expect(result).toMatchObject({ ok: false, error: { code: RpcCodes.invalidInput, message: expect.stringContaining('operators.create') } });
      const issues = errorOf(result).details.issues as Array<{ path: string[]; message: string }>;
      expect([...new Set(issues.map((i) => i.path.join('.')))].sort()).toEqual(['name', 'pin', 'role']);
      expect(issues.find((i) => i.path[0] === 'pin')?.message).toBe('at least 6 characters');

      const nested = await h.call(screen, 'audit.list', { afterSeq: -1, limit: 501 });
      const nestedIssues = errorOf(nested).details.issues as Array<{ path: string[] }>;
      expect(nestedIssues.map((i) => i.path).sort()).toEqual([['afterSeq'], ['limit']]);
    } finally {
      h.kiosk.closeScreen(screen);
    }
  });

  it('checks the role before the input, so a refused caller learns nothing about the schema', async () => {
    const { screen } = h.openScreen();
    const result = await h.call(screen, 'operators.create', { nonsense: true });
    expect(result).toMatchObject({ ok: false, error: { code: RpcCodes.unauthenticated, details: {} } });
  });
});

describe('unknown methods', () => {
  const names = ['nope', 'system', 'system.info.extra', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

  it.each(names)('"%s" is RPC_UNKNOWN_METHOD for every caller', async (method) => {
    for (const caller of CALLERS) {
      const { screen } = caller === 'anonymous' ? h.openScreen() : await h.loggedIn(caller);
      try {
        expect(await h.call(screen, method, {})).toEqual({
          ok: false,
          error: { code: RpcCodes.unknownMethod, message: expect.any(String), details: { method } },
        });
      } finally {
        h.kiosk.closeScreen(screen);
      }
    }
  });
});
