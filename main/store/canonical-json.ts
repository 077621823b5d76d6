// RFC 8785 canonical JSON: one exact byte form per value, so that hashes and signatures
// over records and audit entries can be recomputed from what was stored.
import canonicalizeModule from 'canonicalize';
import { GatehouseError } from '../errors.js';

// canonicalize is CommonJS typed with `export default`; under NodeNext TypeScript sees the
// module object while Node hands an ESM importer the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** The canonical JSON text of `value`; refuses what JSON cannot represent (NaN, Infinity, undefined). */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (error) {
    throw new GatehouseError('NOT_JSON', `Value cannot be written as JSON: ${(error as Error).message}.`);
  }
  if (text === undefined) {
    throw new GatehouseError('NOT_JSON', `Value cannot be written as JSON: ${typeof value} has no JSON form.`);
  }
  return text;
}
