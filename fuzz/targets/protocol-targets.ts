// Fuzz targets for protocol/, the code both sides of the wire run: RFC 8941
// structured fields, RFC 9421 request signatures, sealed-record envelopes and bundles,
// signed JSON documents (receipts, status pages, slips), enrollment numbers and every
// zod schema of the API. Verifiers must refuse with their code and never throw.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { z } from 'zod';
import { parseDictionary, serializeBareItem, serializeInnerList, type SfBareItem, type SfItem } from '../../protocol/structured-fields.js';
import { contentDigest, signRequest, verifyRequest } from '../../protocol/http-signature.js';
import { openSealedRecord, readSealedHeader, sealRecord } from '../../protocol/sealed-record.js';
import { readBundle, writeBundle } from '../../protocol/bundle.js';
import { signReceipt, verifyReceipt } from '../../protocol/receipt.js';
import { recordStatusDocument } from '../../protocol/record-status.js';
import { readSlip, signSlip, verifySlip } from '../../protocol/slip-payload.js';
import { formatEnrollmentNumber, parseEnrollmentNumber } from '../../protocol/enrollment-number.js';
import { keyIdOf } from '../../protocol/keys.js';
import * as api from '../../protocol/api.js';
import * as recordStatus from '../../protocol/record-status.js';
import * as stationDocuments from '../../protocol/station-documents.js';
import * as receipt from '../../protocol/receipt.js';
import * as bundle from '../../protocol/bundle.js';
import * as auditCheckpoint from '../../protocol/audit-checkpoint.js';
import { applyMutations, hostileJson, hostileString, hostileValue, mutated, mutations, shapedObject, withOneFieldBroken } from '../generators.js';
import { defineTarget, expect, sameBytes, sameValue, typed, typedAsync, type FuzzTarget } from '../fuzz-target.js';

const kioskSigning = generateKeyPairSync('ed25519');
const otherSigning = generateKeyPairSync('ed25519');
const authoritySealing = generateKeyPairSync('x25519');
const authoritySigning = generateKeyPairSync('ed25519');
const KIOSK_ID = '6f1c2e0a-8d7b-4c4e-9a51-2b3c4d5e6f70';
const NOW = new Date('2026-12-07T10:00:00Z');

const keyChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-.*');
const sfKey = fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz*'), fc.string({ unit: keyChar, maxLength: 6 })).map(([a, b]) => a + b);
const sfBareItem: fc.Arbitrary<SfBareItem> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 }).map((value) => ({ type: 'string' as const, value })),
  fc.tuple(fc.constantFrom(...'abcXYZ*'), fc.string({ unit: fc.constantFrom(...'!#$%&\'*+.^_`|~09azAZ:/-'), maxLength: 8 })).map(([a, b]) => ({ type: 'token' as const, value: a + b })),
  fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }).map((value) => ({ type: 'integer' as const, value })),
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  fc.uint8Array({ maxLength: 24 }).map((bytes) => ({ type: 'binary' as const, value: Buffer.from(bytes) })),
);
const sfParams = fc.uniqueArray(fc.tuple(sfKey, sfBareItem), { selector: ([key]) => key, maxLength: 3 });
const sfItem: fc.Arbitrary<SfItem> = fc.record({ item: sfBareItem, params: sfParams });

const serializeItem = ({ item, params }: SfItem) => serializeInnerList({ list: [{ item, params: [] }], params: [] }).slice(1, -1)
  + params.map(([k, v]) => (v.type === 'boolean' && v.value ? `;${k}` : `;${k}=${serializeBareItem(v)}`)).join('');

const sfDictionary = fc.uniqueArray(fc.tuple(sfKey, fc.oneof(sfItem, fc.record({ list: fc.array(sfItem, { maxLength: 3 }), params: sfParams }))), { selector: ([k]) => k, maxLength: 4 });

const structuredFieldsTarget = defineTarget({
  name: 'protocol/structured-fields',
  weight: 1,
  arbitrary: fc.record({
    dictionary: sfDictionary,
    hostile: fc.oneof(hostileString, fc.string({ unit: fc.constantFrom(...'a=(); ,"?:*1-\\\t.'), maxLength: 30 })),
  }),
  check({ dictionary, hostile }) {
    const text = dictionary.map(([key, member]) => `${key}=${'list' in member ? serializeInnerList(member) : serializeItem(member)}`).join(', ');
    const parsed = parseDictionary(text);
    expect(sameValue([...parsed.keys()], dictionary.map(([k]) => k)), `dictionary keys changed in the round trip: ${text}`);
    expect(sameValue([...parsed.values()], dictionary.map(([, m]) => m)), `dictionary members changed in the round trip: ${text}`);
    typed(() => parseDictionary(hostile), ['SF_MALFORMED']);
  },
});

const requestSpec = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'POST'),
  path: fc.constantFrom('/v1/records/r-1', '/v1/uploads/u?offset=0', '/v1/record-status?after=3', '/v1/audit-checkpoints'),
  body: fc.uint8Array({ maxLength: 64 }),
  nonce: fc.string({ unit: fc.constantFrom(...'abcdefABCDEF0123456789_-'), minLength: 16, maxLength: 24 }),
});

const headerMutation = fc.record({
  header: fc.constantFrom('signature-input', 'signature', 'content-digest', 'method', 'path', 'body'),
  bytes: fc.nat(),
  replacement: fc.oneof(hostileString, fc.constantFrom('sig1=("@method");created=1', 'sig1=:AAAA:', 'sha-256=:x:', 'sig1=()', '')),
});

const httpSignatureTarget = defineTarget({
  name: 'protocol/http-signature',
  weight: 0.2,
  async: true,
  arbitrary: fc.record({ request: requestSpec, mutation: fc.option(headerMutation, { freq: 6 }), skew: fc.integer({ min: -400, max: 400 }) }),
  async check({ request, mutation, skew }) {
    const headers: Record<string, string> = { ...signRequest({ ...request, keyId: KIOSK_ID, privateKey: kioskSigning.privateKey, now: new Date(NOW.getTime() + skew * 1000) }) };
    let method: string = request.method;
    let path: string = request.path;
    let body = request.body;
    if (mutation) {
      if (mutation.header === 'method') method = method === 'GET' ? 'POST' : 'GET';
      else if (mutation.header === 'path') path = `${path}x`;
      else if (mutation.header === 'body') body = Uint8Array.from([...body, mutation.bytes & 0xff]);
      else headers[mutation.header] = mutation.replacement;
    }
    const seen = new Set<string>();
    const result = await verifyRequest({
      method, path, body, headers, now: NOW, skewSeconds: 300,
      lookupKey: async (keyId) => (keyId === KIOSK_ID ? { publicKey: kioskSigning.publicKey, revoked: false } : undefined),
      seenNonce: async (keyId, nonce) => { const key = `${keyId}/${nonce}`; const had = seen.has(key); seen.add(key); return had; },
    });
    const intact = mutation === null || (mutation.header !== 'method' && mutation.header !== 'path' && mutation.header !== 'body' && headers[mutation.header] === signRequest({ ...request, keyId: KIOSK_ID, privateKey: kioskSigning.privateKey, now: NOW })[mutation.header as 'signature']);
    if (Math.abs(skew) <= 300 && mutation === null) expect(result.ok, `a correctly signed request was refused: ${result.ok ? '' : result.code}`);
    if (!intact) expect(!result.ok, `a request altered in ${mutation?.header} was accepted`);
    expect(contentDigest(body).startsWith('sha-256=:'), 'content digest form');
  },
});

const recordId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const recordInput = fc.record({
  recordId,
  kind: fc.constantFrom('person-enrollment', 'company-registration'),
  json: hostileJson,
  parts: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/), bytes: fc.uint8Array({ maxLength: 64 }) }), { selector: (p) => p.name, maxLength: 3 }),
});

const sealedRecordTarget = defineTarget({
  name: 'protocol/sealed-record',
  weight: 0.05,
  arbitrary: fc.record({ input: recordInput, damage: mutations, noise: fc.uint8Array({ maxLength: 200 }) }),
  check({ input, damage, noise }) {
    const keys = { authoritySealingPrivateKey: authoritySealing.privateKey, kioskSigningPublicKey: kioskSigning.publicKey };
    const sealed = typed(() => sealRecord({ ...input, kioskId: KIOSK_ID, createdAt: NOW.toISOString(), authoritySealingPublicKey: authoritySealing.publicKey, kioskSigningPrivateKey: kioskSigning.privateKey }));
    typed(() => readSealedHeader(noise));
    typed(() => openSealedRecord(noise, keys));
    if (!sealed.ok) return; // refused to seal (typed): e.g. a part name the header does not allow
    const opened = openSealedRecord(sealed.value.bytes, keys);
    expect(opened.header.recordId === input.recordId && sameValue(opened.parts.map((p) => [p.name, p.bytes]), input.parts.map((p) => [p.name, p.bytes])), 'sealed record changed in the round trip');
    expect(sameValue(opened.json, JSON.parse(JSON.stringify(input.json) ?? 'null')), 'sealed JSON changed in the round trip');
    expect(!typed(() => openSealedRecord(sealed.value.bytes, { ...keys, kioskSigningPublicKey: otherSigning.publicKey })).ok, 'an envelope opened with another kiosk key');
    // Any change to a signed envelope must be refused with a typed error, never opened.
    const damaged = applyMutations(sealed.value.bytes, damage);
    typed(() => readSealedHeader(damaged));
    const reopened = typed(() => openSealedRecord(damaged, keys));
    expect(!reopened.ok || sameBytes(damaged, sealed.value.bytes), 'a changed envelope was opened');
  },
});

/** The bundle target's folder (made by its setUp, removed by its tearDown) and its genuine bundle. */
let scratch = '';
let bundleSample: Uint8Array | null = null;

async function sampleBundle(): Promise<Uint8Array> {
  scratch = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-bundle-'));
  const envelopes = [0, 1].map((i) => sealRecord({
    recordId: `r-${i}`, kind: 'person-enrollment', json: { i }, parts: [], kioskId: KIOSK_ID, createdAt: NOW.toISOString(),
    authoritySealingPublicKey: authoritySealing.publicKey, kioskSigningPrivateKey: kioskSigning.privateKey,
  }));
  const file = join(scratch, 'sample.ghbn');
  await writeBundle(file, {
    bundleId: randomUUID(), kioskId: KIOSK_ID, createdAt: NOW.toISOString(),
    records: envelopes.map((e, i) => ({ recordId: `r-${i}`, size: e.size, digest: e.digest })),
    readEnvelope: (id) => envelopes[Number(id.slice(2))]!.bytes,
    kioskSigningPrivateKey: kioskSigning.privateKey,
  });
  return readFileSync(file);
}

let bundleFileCount = 0;
const bundleTarget = defineTarget({
  name: 'protocol/bundle',
  weight: 0.03,
  async: true,
  setUp: async () => { bundleSample = await sampleBundle(); },
  tearDown: async () => { rmSync(scratch, { recursive: true, force: true }); },
  arbitrary: mutated(fc.constant(null).map(() => bundleSample ?? new Uint8Array(0))),
  async check(bytes) {
    const file = join(scratch, `b${bundleFileCount++ % 8}.ghbn`);
    writeFileSync(file, bytes);
    const delivered: string[] = [];
    const read = await typedAsync(() => readBundle(file, {
      kioskSigningPublicKey: () => kioskSigning.publicKey,
      onRecord: (entry) => { delivered.push(entry.recordId); },
    }));
    if (read.ok) expect(delivered.length + read.value.damaged.length === read.value.manifest.records.length, 'bundle entries neither delivered nor reported damaged');
  },
});

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const receiptFields = fc.record({ recordId, digest: hex64, kioskId: fc.constant(KIOSK_ID), receivedAt: fc.constant(NOW.toISOString()) });

const signedDocumentsTarget = defineTarget({
  name: 'protocol/signed-documents',
  weight: 0.1,
  arbitrary: fc.record({
    fields: receiptFields,
    broken: fc.option(withOneFieldBroken(receiptFields.map((f) => signReceipt(f, authoritySigning.privateKey) as unknown as Record<string, unknown>)), { freq: 2 }),
    hostile: fc.oneof(hostileJson, shapedObject(['kioskId', 'after', 'changes', 'next', 'more', 'issuedAt', 'authorityKeyId', 'signature'])),
    slip: fc.oneof(hostileString, fc.string().map((s) => `GHS1:${Buffer.from(s).toString('base64url')}`), hostileJson.map((j) => `GHS1:${Buffer.from(JSON.stringify(j) ?? '').toString('base64url')}`)),
    numberParts: fc.record({ kioskCode: fc.stringMatching(/^[0-9A-Z]{4}$/), day: fc.stringMatching(/^\d{6}$/), sequence: fc.integer({ min: 1, max: 9999 }) }),
    typedNumber: hostileString,
  }),
  check({ fields, broken, hostile, slip, numberParts, typedNumber }) {
    const signed = signReceipt(fields, authoritySigning.privateKey);
    expect(verifyReceipt(signed, authoritySigning.publicKey, fields).ok, 'a genuine receipt does not verify');
    expect(!verifyReceipt(signed, otherSigning.publicKey).ok, 'a receipt verified with another key');
    if (broken) expect(!verifyReceipt(broken, authoritySigning.publicKey, fields).ok || sameValue(broken, signed), 'a receipt with a changed field verified');
    expect(!verifyReceipt(hostile, authoritySigning.publicKey).ok, 'hostile JSON verified as a receipt');
    expect(!recordStatusDocument.verify(hostile, authoritySigning.publicKey).ok, 'hostile JSON verified as a status page');
    expect(!verifySlip(slip, kioskSigning.publicKey).ok, 'a hostile slip verified');
    readSlip(slip);
    const number = formatEnrollmentNumber(numberParts);
    const reread = parseEnrollmentNumber(number.toLowerCase().replaceAll('-', ' '));
    expect(reread.ok && reread.number === number, `enrollment number ${number} does not read back`);
    const typedBack = parseEnrollmentNumber(typedNumber);
    if (typedBack.ok) expect(parseEnrollmentNumber(typedBack.number).ok, 'a number read back does not parse again');
    const slipText = signSlip({ n: number, d: fields.digest, k: KIOSK_ID, t: NOW.toISOString() }, kioskSigning.privateKey);
    expect(verifySlip(slipText, kioskSigning.publicKey).ok, 'a genuine slip does not verify');
  },
});

/** Every zod schema the protocol exports: hostile JSON must give a result, never a throw. */
const protocolSchemas: Array<[string, z.ZodType]> = Object.entries({ ...api, ...recordStatus, ...stationDocuments, ...receipt, ...bundle, ...auditCheckpoint } as Record<string, unknown>)
  .filter((entry): entry is [string, z.ZodType] => typeof (entry[1] as { safeParse?: unknown } | null)?.safeParse === 'function');

const shapeKeys = (schema: z.ZodType): string[] => Object.keys((schema as unknown as { shape?: Record<string, unknown> }).shape ?? {});

const apiSchemasTarget = defineTarget({
  name: 'protocol/api-schemas',
  weight: 1,
  arbitrary: fc.nat({ max: protocolSchemas.length - 1 }).chain((index) => fc.record({
    index: fc.constant(index),
    value: fc.oneof(hostileValue, shapedObject(shapeKeys(protocolSchemas[index]![1]))),
  })),
  check({ index, value }) {
    const [name, schema] = protocolSchemas[index]!;
    const parsed = schema.safeParse(value);
    // What a schema accepts must survive JSON (the wire); UploadChunkQuery turns its string offset into a number.
    if (parsed.success && name !== 'UploadChunkQuery') expect(schema.safeParse(JSON.parse(JSON.stringify(parsed.data) ?? 'null')).success, `${name} accepts a value it cannot accept again after JSON`);
  },
});

export const protocolTargets: readonly FuzzTarget<never>[] = [
  structuredFieldsTarget, httpSignatureTarget, sealedRecordTarget, bundleTarget, signedDocumentsTarget, apiSchemasTarget,
] as unknown as FuzzTarget<never>[];

export const protocolKeys = { kioskSigning, authoritySealing, authoritySigning, keyIdOf };
