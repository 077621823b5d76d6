// RFC 8785 canonical JSON for everything the protocol hashes or signs (envelope headers,
// receipts, manifests), so both sides derive the same bytes from the same value.
import canonicalizeModule from 'canonicalize';
import { ProtocolError } from './protocol-error.js';

// The package is CommonJS typed as `export default`; Node hands ESM the function itself.
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/** The canonical JSON text of `value`; NOT_JSON for what JSON cannot hold (NaN, undefined, cycles). */
export function canonicalJson(value: unknown): string {
  let reason: string;
  try {
    const text = canonicalize(value);
    if (text !== undefined) return text;
    reason = `a ${typeof value} has none`;
  } catch (error) {
    reason = (error as Error).message;
  }
  throw new ProtocolError('NOT_JSON', `The value has no canonical JSON form: ${reason}.`);
}

/** The UTF-8 bytes of the canonical JSON of `value`. */
export const canonicalJsonBytes = (value: unknown): Buffer => Buffer.from(canonicalJson(value), 'utf8');
