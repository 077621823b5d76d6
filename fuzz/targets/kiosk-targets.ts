// Fuzz targets for the kiosk's own boundaries in main/: every RPC procedure's input through the
// real RpcDispatcher and the contract's zod schemas (handlers replaced by a probe, so what is
// fuzzed is validation, roles and the error mapping, not the services), the WebSocket call
// message, and held enrollments sealed to the kiosk's own key and opened again.
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { procedures } from '../../main/rpc/contract.js';
import { RpcDispatcher, type Handlers } from '../../main/rpc/dispatcher.js';
import { ROLES, RpcCodes, type Caller, type ProcedureDef, type Role } from '../../main/rpc/define.js';
import { CallMessage } from '../../main/rpc/wire.js';
import type { Db } from '../../main/store/database.js';
import { GatehouseError } from '../../main/errors.js';
import { HELD_ENROLLMENT_KIND, openHeldEnrollment } from '../../main/enrollment/held-enrollment.js';
import { sealForKiosk } from '../../main/provisioning/kiosk-sealed.js';
import type { KioskCredentials } from '../../main/provisioning/kiosk-credentials.js';
import { hostileJson, hostileString, hostileValue, shapedObject } from '../generators.js';
import { defineTarget, expect, typed, type FuzzTarget } from '../fuzz-target.js';

const HANDLER_REACHED = 'FUZZ_HANDLER_REACHED';
const names = Object.keys(procedures) as Array<keyof typeof procedures & string>;

/** A store the probe handlers never touch: any use is itself a finding. */
const noDatabase = new Proxy({}, { get: () => { throw new Error('the fuzzed dispatcher touched the database'); } }) as Db;

let handlerInputs = 0;
/** Every handler is a probe: it reports that validation let the input through, and nothing else. */
const probeHandlers = Object.fromEntries(names.map((name) => [name, () => {
  handlerInputs += 1;
  throw new GatehouseError(HANDLER_REACHED, 'probe handler', { method: name });
}])) as unknown as Handlers<typeof procedures, Caller>;

const dispatcher = new RpcDispatcher(procedures, probeHandlers, noDatabase, { warn: () => undefined, error: () => undefined });

const shapeKeys = (def: ProcedureDef): string[] => Object.keys((def.input as unknown as { shape?: Record<string, unknown> }).shape ?? {});
const DISPATCHER_CODES = new Set<string>([...Object.values(RpcCodes), HANDLER_REACHED]);

const callerFor = (def: ProcedureDef, pick: number, anonymous: boolean): Caller => {
  const allowed: readonly Role[] = def.access === 'anyone' ? ROLES : def.access;
  const role = anonymous ? null : allowed[pick % allowed.length]!;
  return { role, actor: role ? 'operator:1' : 'anonymous', officerPresent: role !== 'technician' };
};

const rpcTarget = defineTarget({
  name: 'kiosk/rpc-dispatcher',
  weight: 1,
  async: true,
  arbitrary: fc.record({
    method: fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 8 }, { arbitrary: hostileString, weight: 1 }),
    pick: fc.nat(),
    anonymous: fc.boolean(),
    payload: fc.nat(),
  }).chain((call) => {
    const shaped = Object.hasOwn(procedures, call.method) ? shapedObject(shapeKeys((procedures as Record<string, ProcedureDef>)[call.method]!)) : hostileValue;
    return fc.record({ call: fc.constant(call), input: fc.oneof(shaped, hostileValue, hostileJson) });
  }),
  async check({ call, input }) {
    const def = Object.hasOwn(procedures, call.method) ? (procedures as Record<string, ProcedureDef>)[call.method]! : undefined;
    const caller = def ? callerFor(def, call.pick, call.anonymous) : { role: null, actor: 'anonymous', officerPresent: false };
    const result = await dispatcher.call(caller, call.method, input);
    expect(!result.ok, 'a probe handler answered');
    expect(DISPATCHER_CODES.has(result.error.code), `dispatcher answered ${result.error.code}: ${result.error.message}`);
    expect(result.error.code !== RpcCodes.internal, `${call.method} gave RPC_INTERNAL`);
    if (!def) expect(result.error.code === RpcCodes.unknownMethod, `unknown method ${call.method} answered ${result.error.code}`);
    if (def && def.access !== 'anyone' && caller.role === null) expect(result.error.code === RpcCodes.unauthenticated, `${call.method} let an anonymous caller through`);
    if (result.error.code === HANDLER_REACHED) {
      expect(def!.input.safeParse(input ?? {}).success, `${call.method} handler reached with input its schema refuses`);
    }
  },
});

const wireTarget = defineTarget({
  name: 'kiosk/rpc-wire-message',
  weight: 0.5,
  arbitrary: fc.oneof(
    fc.record({ t: fc.constant('call'), id: fc.oneof(fc.nat(), hostileJson), method: fc.oneof(fc.constantFrom(...names), hostileString), input: hostileJson }).map((m) => JSON.stringify(m)),
    hostileJson.map((j) => JSON.stringify(j) ?? ''),
    hostileString,
  ),
  check(text) {
    let value: unknown;
    try { value = JSON.parse(text); } catch { return; }
    const parsed = CallMessage.safeParse(value);
    if (parsed.success) expect(Number.isSafeInteger(parsed.data.id) && parsed.data.method.length > 0, 'a call message with a bad id or method was accepted');
  },
});

const keyPair = (kind: 'ed25519' | 'x25519') => generateKeyPairSync(kind as 'ed25519');
const ownKeys = { signing: keyPair('ed25519'), sealing: keyPair('x25519') };
const credentials = {
  identity: { kioskId: '6f1c2e0a-8d7b-4c4e-9a51-2b3c4d5e6f70' },
  keys: ownKeys,
  authoritySigningKey: ownKeys.signing.publicKey,
  authoritySealingKey: ownKeys.sealing.publicKey,
} as unknown as KioskCredentials;

const HELD_ID = '0b7f6d2e-3c4a-4f1e-8a9b-1c2d3e4f5a6b';
const HELD_KEYS = ['format', 'version', 'id', 'flow', 'ranBy', 'heldBy', 'heldAt', 'startedAt', 'requestedFingers', 'document', 'face', 'faceException', 'fingers', 'details', 'consent'];

const heldEnrollmentTarget = defineTarget({
  name: 'kiosk/held-enrollment',
  weight: 0.05,
  arbitrary: fc.record({
    json: fc.oneof(shapedObject(HELD_KEYS), hostileJson, shapedObject(HELD_KEYS).map((o) => ({ ...o, format: 'gatehouse-held-enrollment', version: 1, id: HELD_ID }))),
    parts: fc.array(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/), bytes: fc.uint8Array({ maxLength: 32 }) }), { maxLength: 2 }),
  }),
  check({ json, parts }) {
    const unique = [...new Map(parts.map((p) => [p.name, p])).values()];
    // What a store can hold is what sealing takes (JSON values); the rest never reaches the thaw.
    let envelope: Uint8Array;
    try {
      envelope = sealForKiosk(credentials, { id: HELD_ID, kind: HELD_ENROLLMENT_KIND, json, parts: unique }, new Date('2026-12-07T10:00:00Z'));
    } catch {
      return;
    }
    typed(() => openHeldEnrollment(credentials, envelope, HELD_ID));
  },
});

export const kioskTargets: readonly FuzzTarget<never>[] = [rpcTarget, wireTarget, heldEnrollmentTarget] as unknown as FuzzTarget<never>[];
export const rpcProbe = { handlerInputs: () => handlerInputs };
