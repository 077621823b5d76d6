// Hostile payloads against every procedure of a real kiosk: whatever JSON a screen
// sends, the dispatcher answers ok or a typed error, never crashes, never reports an
// internal failure, and leaves the audit chain intact and Object.prototype untouched.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import type { ScreenSession } from '../../../../main/auth/screen-session.js';
import { procedures, type MethodName } from '../../../../main/rpc/contract.js';
import { RpcCodes, type RpcResult } from '../../../../main/rpc/define.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import { FIXTURE_OPERATORS, openKioskHarness, type KioskHarness } from '../../../fixtures/kiosk-harness.js';

const methods = Object.keys(procedures) as MethodName[];

function inputKeys(method: MethodName): string[] {
  const shape = (procedures[method].input as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

const PHOTO = exceptionPhoto();

// Values near the real ones, so some calls get past validation and into the handlers: names,
// PINs, operator credentials, flows, reasons, notes, a decodable exception photo and one that is
// not, exceptions as face.accept takes them, enrollment ids.
const plausible = fc.constantFrom<unknown>(
  ...Object.values(FIXTURE_OPERATORS).flatMap((op) => [op.name, op.pin, op.role, { method: 'pin', name: op.name, pin: op.pin }]),
  'Nobody Known', '000000', 1, 2, 3, 4, 99, 0, -1, true, false, 15, 120, 3600, 'de', 'zh-CN', '', null,
  { method: 'pin', pin: FIXTURE_OPERATORS.officer.pin }, { method: 'pin', pin: '000000' }, { method: 'fingerprint' },
  'person', 'company', 'no-camera', 'injured', 'bandaged', 'missing', 'other', 'supervisor-or-officer',
  'identity-doubt', 'incomplete', 'plaster cast', PHOTO, 'AAAAAAAAAAAAAAAAAAAAAAAA',
  { reason: 'cannot-follow', note: 'cannot turn the head', photo: PHOTO },
  '4f1c2a9e-6b3d-4e8f-9a0b-1c2d3e4f5a6b',
);
const value = fc.oneof({ weight: 1, arbitrary: fc.jsonValue() }, { weight: 3, arbitrary: plausible });

function hostileInput(method: MethodName): fc.Arbitrary<unknown> {
  const keys = inputKeys(method);
  const fields = keys.length > 0
    ? fc.record(Object.fromEntries(keys.map((k) => [k, value])), { requiredKeys: [] })
    : fc.constant({});
  return fc.oneof(
    fc.jsonValue(),
    fields,
    fc.tuple(fields, fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a })),
    // What JSON.parse makes of a key "__proto__" on the wire: an own property, not a prototype.
    fc.tuple(fields, fc.jsonValue()).map(([a, proto]) =>
      JSON.parse(`{"__proto__":${JSON.stringify(proto)},${JSON.stringify(a).slice(1)}`.replace(/,}$/, '}')) as unknown),
  ).map((input) => (input === undefined ? input : JSON.parse(JSON.stringify(input)) as unknown));
}

function expectTyped(result: RpcResult): void {
  // Only JSON crosses the wire; the answer must survive it unchanged.
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  if (result.ok) return;
  expect(result.error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  expect(result.error.message.length).toBeGreaterThan(0);
  expect(Object.getPrototypeOf(result.error.details)).toBe(Object.prototype);
  // These two mean a bug in the kiosk, not a bad request.
  expect([RpcCodes.internal, RpcCodes.invalidOutput]).not.toContain(result.error.code);
}

let h: KioskHarness;
let anonymousScreen: ScreenSession;
let technicianScreen: ScreenSession;

beforeAll(async () => {
  h = await openKioskHarness();
  anonymousScreen = h.openScreen().screen;
  technicianScreen = (await h.loggedIn('technician')).screen;
});
afterAll(() => h.close());

/** Hostile calls may log a screen in or out; put each screen back as it was. */
function restoreScreens(): void {
  if (anonymousScreen.operator) anonymousScreen.end('logout');
  if (technicianScreen.operator?.id !== h.operator('technician').id) {
    const { id, name, role } = h.operator('technician');
    technicianScreen.login({ id, name, role, via: 'pin' });
  }
}

describe('hostile payloads', () => {
  it.each(methods)('%s answers ok or a typed error for any JSON, anonymous or as a technician', async (method) => {
    await fc.assert(
      fc.asyncProperty(hostileInput(method), fc.boolean(), async (input, asTechnician) => {
        const screen = asTechnician ? technicianScreen : anonymousScreen;
        try {
          expectTyped(await h.call(screen, method, input));
        } finally {
          restoreScreens();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('leaves the audit chain intact and Object.prototype unpolluted', () => {
    expect(verifyAudit(h.kiosk.db)).toMatchObject({ ok: true });
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it('does not let a "__proto__" key smuggle fields past a strict schema', async () => {
    const input = JSON.parse('{"__proto__":{"away":true},"away":false}') as unknown;
    const screen = h.openScreen().screen;
    expect(await h.call(screen, 'session.touch', input)).toMatchObject({ ok: false, error: { code: RpcCodes.invalidInput } });
    expect(screen.idleCountdownRunning).toBe(false);
    h.kiosk.closeScreen(screen);
  });
});
