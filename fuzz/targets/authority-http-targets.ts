// Fuzz target for the authority's HTTP API through its public entry (openAuthority +
// startAuthorityServer on a loopback port, SQLite in a temporary directory): generated JSON
// and envelope bodies, correctly signed by a registered kiosk so they reach the body schemas,
// plus unsigned and wrongly typed requests. Every answer must be a 2xx or a 4xx with
// {code, message, details}; a 5xx or an internal error reported by the server is a finding.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { openAuthority, type Authority, type OpenAuthorityOptions } from '../../authority/authority.js';
import { initAuthorityKeys } from '../../authority/keys/init-keys.js';
import { startAuthorityServer, type AuthorityServer } from '../../authority/http/server.js';
import { createProvisioningToken } from '../../authority/registration.js';
import { signRequest } from '../../protocol/http-signature.js';
import { encodePublicKey, decodePublicKey } from '../../protocol/keys.js';
import { sealRecord } from '../../protocol/sealed-record.js';
import { hostileBytes, hostileJson, shapedObject } from '../generators.js';
import { defineTarget, expect, FuzzFinding, type FuzzTarget } from '../fuzz-target.js';

interface Running {
  authority: Authority;
  server: AuthorityServer;
  dir: string;
  kioskId: string;
  envelope: Uint8Array;
  internalErrors: unknown[];
}

let running: Running | null = null;
const signing = generateKeyPairSync('ed25519');
const sealing = generateKeyPairSync('x25519');

/** Limits raised so the rate limiters (where this build has them) do not hide the body schemas. */
const FUZZ_LIMITS = {
  registrationAttemptsPerWindow: 1_000_000_000, failedSignaturesPerWindow: 1_000_000_000, openUploadsPerKiosk: 1_000_000, maxInFlightRequests: 10_000,
} as unknown as OpenAuthorityOptions['limits'];

async function start(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-authority-'));
  await initAuthorityKeys({ dataDir: dir });
  const authority = await openAuthority({ dataDir: dir, limits: FUZZ_LIMITS });
  const internalErrors: unknown[] = [];
  const server = await startAuthorityServer(authority, { port: 0, onInternalError: (error) => { internalErrors.push(error); } });
  const { token } = await createProvisioningToken(authority, 3600);
  const registered = await fetch(`${server.url}/v1/kiosks`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, name: 'fuzz kiosk', signingPublicKey: encodePublicKey(signing.publicKey), sealingPublicKey: encodePublicKey(sealing.publicKey) }),
  });
  if (registered.status !== 201) throw new Error(`fuzz kiosk registration answered ${registered.status}: ${await registered.text()}`);
  const body = await registered.json() as { kioskId: string; authority: { sealingPublicKey: string } };
  const envelope = sealRecord({
    recordId: 'fuzz-record', kioskId: body.kioskId, createdAt: new Date().toISOString(), kind: 'person-enrollment', json: { fuzz: true }, parts: [],
    authoritySealingPublicKey: decodePublicKey('x25519', body.authority.sealingPublicKey), kioskSigningPrivateKey: signing.privateKey,
  }).bytes;
  running = { authority, server, dir, kioskId: body.kioskId, envelope, internalErrors };
}

async function stop(): Promise<void> {
  if (!running) return;
  await running.server.close();
  await running.authority.close();
  rmSync(running.dir, { recursive: true, force: true });
  running = null;
}

const ROUTES = [
  { method: 'POST', path: '/v1/kiosks', keys: ['token', 'name', 'signingPublicKey', 'sealingPublicKey'], signed: false },
  { method: 'POST', path: '/v1/audit-checkpoints', keys: ['kioskId', 'seq', 'headHash', 'at', 'signature'], signed: true },
  { method: 'POST', path: '/v1/records/fuzz-record/uploads', keys: ['size', 'digest'], signed: true },
  { method: 'POST', path: '/v1/uploads/00000000-0000-4000-8000-000000000000/complete', keys: ['digest'], signed: true },
  { method: 'PUT', path: '/v1/records/fuzz-record', keys: [], signed: true, envelope: true },
  { method: 'GET', path: '/v1/record-status?after=', keys: [], signed: true, query: true },
  { method: 'GET', path: '/v1/station-config', keys: [], signed: true },
] as const;

const request = fc.record({
  route: fc.nat({ max: ROUTES.length - 1 }),
  json: fc.oneof(shapedObject(['token', 'name', 'signingPublicKey', 'sealingPublicKey', 'kioskId', 'seq', 'headHash', 'at', 'signature', 'size', 'digest'], hostileJson), hostileJson),
  envelope: hostileBytes(fc.constant(null).map(() => running?.envelope ?? new Uint8Array(0)), 256),
  query: fc.oneof(fc.string({ maxLength: 24 }), fc.constantFrom('-1', '1.5', '1e3', '', 'NaN', '9007199254740993', '0x10', '00', ' 1')),
  contentType: fc.constantFrom('application/json', 'application/json', 'application/octet-stream', 'text/plain', null),
  sign: fc.constantFrom('kiosk', 'kiosk', 'kiosk', 'none', 'other'),
  raw: fc.option(fc.uint8Array({ maxLength: 64 }), { freq: 6 }),
});

const other = generateKeyPairSync('ed25519');

const authorityHttpTarget = defineTarget({
  name: 'authority/http-bodies',
  weight: 0.05,
  async: true,
  setUp: start,
  tearDown: stop,
  arbitrary: request,
  async check(input) {
    if (!running) throw new FuzzFinding('authority not started');
    const route = ROUTES[input.route]!;
    const path = 'query' in route ? `${route.path}${encodeURIComponent(input.query)}` : route.path;
    const body: Uint8Array | null = route.method === 'GET' ? null
      : input.raw ?? ('envelope' in route ? input.envelope : Buffer.from(JSON.stringify(input.json) ?? 'null'));
    const headers: Record<string, string> = {};
    if (input.contentType && body) headers['content-type'] = 'envelope' in route && input.contentType === 'application/json' ? 'application/octet-stream' : input.contentType;
    if (route.signed && input.sign !== 'none') {
      Object.assign(headers, signRequest({
        method: route.method, path, body: body ?? new Uint8Array(0), keyId: running.kioskId,
        privateKey: input.sign === 'kiosk' ? signing.privateKey : other.privateKey, now: new Date(),
      }));
    }
    const response = await fetch(`${running.server.url}${path}`, { method: route.method, headers, ...(body ? { body: Uint8Array.from(body) } : {}) });
    const text = await response.text();
    expect(response.status < 500, `${route.method} ${route.path} answered ${response.status}: ${text.slice(0, 200)}`);
    expect(running.internalErrors.length === 0, `the authority reported an internal error: ${String(running.internalErrors[0])}`);
    if (response.status >= 400) {
      let refusal: { code?: unknown; message?: unknown; details?: unknown } = {};
      try { refusal = JSON.parse(text) as typeof refusal; } catch { /* checked below */ }
      expect(typeof refusal.code === 'string' && typeof refusal.message === 'string' && typeof refusal.details === 'object',
        `${route.method} ${route.path} refused (${response.status}) without {code, message, details}: ${text.slice(0, 200)}`);
    }
  },
});

export const authorityHttpTargets: readonly FuzzTarget<never>[] = [authorityHttpTarget] as unknown as FuzzTarget<never>[];
