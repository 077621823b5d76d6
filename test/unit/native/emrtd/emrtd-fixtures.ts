// Test helpers for the eMRTD protocol tests: hex in and out, a scripted APDU transport that
// fails on an unexpected command (and on an unplayed script), a transport that keeps the
// commands it passes on, fixed and seeded random sources, and the DeviceError a promise fails with.

import { expect } from 'vitest';
import { DeviceError } from '../../../../native/device-error.js';
import type { RandomSource } from '../../../../native/emrtd/chip-crypto.js';
import type { ApduTransport } from '../../../../native/transport/apdu-transport.js';

export const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

/** Plays `[command, response]` pairs in order; a different command fails with its index. */
export function scriptedTransport(script: readonly (readonly [command: string, response: string])[]) {
  let next = 0;
  const sent: string[] = [];
  return {
    description: 'scripted transport',
    sent,
    async transmit(command: Uint8Array): Promise<Uint8Array> {
      const entry = script[next];
      sent.push(toHex(command));
      if (!entry) throw new Error(`unexpected command #${next} ${toHex(command)} after the end of the script`);
      expect(toHex(command), `command #${next}`).toBe(entry[0].replace(/\s+/g, '').toUpperCase());
      next++;
      return hex(entry[1]);
    },
    assertConsumed(): void {
      expect(next, 'script entries played').toBe(script.length);
    },
  } satisfies ApduTransport & Record<string, unknown>;
}

/** Hands out the given byte strings in order, then fails. */
export function fixedRandom(...values: string[]): RandomSource {
  const queue = values.map(hex);
  return (length) => {
    const value = queue.shift();
    if (!value || value.length !== length) throw new Error(`fixed random source: no ${length}-byte value left`);
    return value;
  };
}

/** Deterministic bytes for property tests and virtual chips (xorshift, not for keys that matter). */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0 || 1;
  return (length) => Uint8Array.from({ length }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) & 0xff;
  });
}

/** `transport` with every command it is given kept in `commands`. */
export function loggingTransport(transport: ApduTransport): ApduTransport & { readonly commands: Uint8Array[] } {
  const commands: Uint8Array[] = [];
  return {
    description: transport.description,
    commands,
    async transmit(command) {
      commands.push(Uint8Array.from(command));
      return transport.transmit(command);
    },
  };
}

/** The DeviceError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<DeviceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeviceError) return error;
    throw error;
  }
  throw new Error('expected a DeviceError');
}
