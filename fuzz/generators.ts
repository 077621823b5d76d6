// Generators every target shares: raw bytes, valid encodings with mutations (flipped bits,
// cut, spliced, inserted, duplicated), random chunkings of a byte stream, and hostile JSON
// shaped like a schema (its own keys with wrong values, extra keys, prototype keys).
import fc from 'fast-check';

export const anyBytes = (maxLength = 512): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });

export type Mutation = (bytes: Uint8Array) => Uint8Array;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]): Mutation => (bytes) => {
    if (bytes.length === 0) return bytes;
    const out = Uint8Array.from(bytes);
    out[at % out.length]! ^= 1 << bit;
    return out;
  }),
  fc.tuple(fc.nat(), fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x81, 0x82, 0x84, 0x1f)).map(([at, value]): Mutation => (bytes) => {
    if (bytes.length === 0) return bytes;
    const out = Uint8Array.from(bytes);
    out[at % out.length] = value;
    return out;
  }),
  fc.nat().map((keep): Mutation => (bytes) => bytes.slice(0, bytes.length === 0 ? 0 : keep % bytes.length)),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, extra]): Mutation => (bytes) => {
    const cut = bytes.length === 0 ? 0 : at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, cut), extra, bytes.subarray(cut)]);
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 32 })).map(([at, count]): Mutation => (bytes) => {
    if (bytes.length === 0) return bytes;
    const from = at % bytes.length;
    return Buffer.concat([bytes.subarray(0, from), bytes.subarray(from + count)]);
  }),
  fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 64 })).map(([from, to, count]): Mutation => (bytes) => {
    if (bytes.length === 0) return bytes;
    const start = from % bytes.length;
    const at = to % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(start, start + count), bytes.subarray(at)]);
  }),
);

/** One to four random mutations, to apply with `applyMutations` to bytes made inside a check. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 4 });

export const applyMutations = (bytes: Uint8Array, steps: readonly Mutation[]): Uint8Array =>
  Uint8Array.from(steps.reduce((acc, step) => step(acc), bytes));

/** `valid` after one to four random mutations. */
export function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, mutations).map(([bytes, steps]) => applyMutations(bytes, steps));
}

/** Valid encodings, mutated encodings and noise in the proportions that find most. */
export function hostileBytes(valid: fc.Arbitrary<Uint8Array>, maxNoise = 512): fc.Arbitrary<Uint8Array> {
  return fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: mutated(valid), weight: 5 }, { arbitrary: anyBytes(maxNoise), weight: 2 });
}

/** A byte stream cut into chunks at random points (possibly empty chunks). */
export function chunkings(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

/** A stream made of noise, valid frames and mutated frames, with the cut points to feed it in. */
export function framedStream(frame: fc.Arbitrary<Uint8Array>): fc.Arbitrary<{ stream: Uint8Array; cuts: number[] }> {
  return fc.record({
    stream: fc.array(fc.oneof(frame, mutated(frame), anyBytes(24)), { maxLength: 6 }).map((parts) => Uint8Array.from(Buffer.concat(parts))),
    cuts: fc.array(fc.nat(), { maxLength: 8 }),
  });
}

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Text a person or a hostile peer might send: Unicode, lone surrogates, controls, long runs. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '../../etc/passwd', 'NaN', '-0', '1e309', '0x10', 'null', '<script>'),
  fc.nat({ max: 5000 }).map((n) => 'A'.repeat(n)),
);

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN, Infinity, -Infinity, true, false, null, undefined),
  fc.bigInt().map((n) => n),
);

/** Any JSON value, and a few non-JSON values a direct caller could pass. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...PROTOTYPE_KEYS)), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Only what JSON can carry (what arrives over HTTP or a WebSocket). */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom({ __proto__: null }, { ['__proto__']: { admin: true } }));

/**
 * Objects with some of `keys` (the schema's own) holding hostile values, maybe an extra key:
 * gets past "not an object" and "unknown key" checks to reach the field rules.
 */
export function shapedObject(keys: readonly string[], fields: fc.Arbitrary<unknown> = hostileValue): fc.Arbitrary<Record<string, unknown>> {
  if (keys.length === 0) return fc.dictionary(fc.string({ maxLength: 6 }), fields, { maxKeys: 2 });
  return fc.record({
    picked: fc.subarray([...keys]),
    values: fc.array(fields, { minLength: keys.length, maxLength: keys.length }),
    extra: fc.option(fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(...PROTOTYPE_KEYS)), fields), { freq: 4 }),
  }).map(({ picked, values, extra }) => {
    const object: Record<string, unknown> = {};
    picked.forEach((key) => { object[key] = values[keys.indexOf(key)]; });
    if (extra) Object.defineProperty(object, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
    return object;
  });
}

/** Replaces one field of a valid object with a hostile value (or drops it). */
export function withOneFieldBroken<T extends Record<string, unknown>>(valid: fc.Arbitrary<T>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(valid, fc.nat(), fc.option(hostileValue, { freq: 5 })).map(([object, pick, value]) => {
    const keys = Object.keys(object);
    const copy: Record<string, unknown> = { ...object };
    if (keys.length === 0) return copy;
    const key = keys[pick % keys.length]!;
    if (value === null) delete copy[key];
    else copy[key] = value;
    return copy;
  });
}
