// What a fuzz target is and the one rule every target checks: a hostile input may be refused,
// but only with a typed error that carries a code (DeviceError, ProtocolError, GatehouseError,
// AuthorityError) — any other exception, a hang or a slow input is a finding.
import type fc from 'fast-check';
import { DeviceError } from '../native/device-error.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { AuthorityError } from '../authority/authority-error.js';
import { GatehouseError } from '../main/errors.js';

/** One thing to fuzz: an arbitrary of inputs and the property every input must hold. */
export interface FuzzTarget<T = unknown> {
  /** Stable name, `area/what`, used by `--target` and in reports. */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (or rejects) when the input shows a defect. */
  readonly check: (input: T) => void | Promise<void>;
  /** Share of the total run count, relative to 1 (cheap parsers more, crypto and HTTP less). */
  readonly weight: number;
  /** Async targets (HTTP, signature verification) go through fc.asyncProperty. */
  readonly async?: boolean;
  /** Resources the target opens once (a server, keys); closed after its runs. */
  readonly setUp?: () => Promise<void>;
  readonly tearDown?: () => Promise<void>;
}

export const defineTarget = <T>(target: FuzzTarget<T>): FuzzTarget<T> => target;

/** A defect found by a target: the message says which rule broke. */
export class FuzzFinding extends Error {
  override readonly name = 'FuzzFinding';
}

const TYPED_ERRORS = [DeviceError, ProtocolError, GatehouseError, AuthorityError] as const;
const CODE = /^[A-Z][A-Z0-9_]*$/;

/** True when `error` is one of the project's typed errors with a well-formed code. */
export function isTypedError(error: unknown): error is { code: string; message: string; details: Record<string, unknown> } {
  if (!TYPED_ERRORS.some((type) => error instanceof type)) return false;
  const { code, details } = error as { code: unknown; details: unknown };
  return typeof code === 'string' && CODE.test(code) && typeof details === 'object' && details !== null;
}

/** The error in a few lines: name, message (whitespace collapsed, cut at 300) and where it was thrown. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.replace(/\s+/g, ' ');
  const where = error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).slice(0, 3).join('\n') ?? '';
  return `${error.name}: ${message.length > 300 ? `${message.slice(0, 300)}…` : message}\n${where}`;
}

export type Outcome<R> = { ok: true; value: R } | { ok: false; code: string };

/**
 * Runs `parse`; a typed error becomes `{ok: false, code}` (optionally only from `codes`),
 * anything else thrown is a finding.
 */
export function typed<R>(parse: () => R, codes?: readonly string[]): Outcome<R> {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    return refusal(error, codes);
  }
}

export async function typedAsync<R>(parse: () => Promise<R>, codes?: readonly string[]): Promise<Outcome<R>> {
  try {
    return { ok: true, value: await parse() };
  } catch (error) {
    return refusal(error, codes);
  }
}

function refusal(error: unknown, codes: readonly string[] | undefined): { ok: false; code: string } {
  if (error instanceof FuzzFinding) throw error;
  if (!isTypedError(error)) throw new FuzzFinding(`untyped exception: ${describe(error)}`);
  if (codes && !codes.includes(error.code)) throw new FuzzFinding(`unexpected code ${error.code} (expected one of ${codes.join(', ')}): ${error.message}`);
  return { ok: false, code: error.code };
}

/** Throws a finding unless `condition` holds. */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FuzzFinding(message);
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** Deep equality for round trips (bytes compared as bytes). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return sameBytes(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameValue(item, b[i]));
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && sameValue(v, b.get(k)));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return keysA.length === keysB.length && keysA.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}
