// Test helpers for the eMRTD protocol tests: hex in and out, a scripted APDU transport that
// fails on an unexpected command (and on an unplayed script), fixed random sources, and a
// virtual chip composed from the chip-side pieces (BAC, secure messaging, file system).

import { expect } from 'vitest';
import { decodeCommand, encodeResponse } from '../../../../native/emrtd/apdu.js';
import { BacChip, type MrzAccessFields, type RandomSource } from '../../../../native/emrtd/bac.js';
import type { ApduTransport } from '../../../../native/emrtd/chip-channel.js';
import { ChipFileSystem, type ChipFile } from '../../../../native/emrtd/chip-file-system.js';
import { chipStatusForSmError, type ChipSecureMessaging } from '../../../../native/emrtd/secure-messaging.js';

export const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

/** Plays `[command, response]` pairs in order; a different command fails with its index. */
export function scriptedTransport(script: readonly (readonly [command: string, response: string])[]) {
  let next = 0;
  const sent: string[] = [];
  return {
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

/**
 * A chip as the reader meets it: plain until BAC succeeds, then secure messaging; an SM error
 * answers 6987/6988 in plain and drops the session, an unprotected command drops it too (9303-11 §9.8).
 */
export class VirtualEmrtdChip implements ApduTransport {
  readonly commands: Uint8Array[] = [];
  readonly #bac: BacChip;
  readonly #files: ChipFileSystem;
  #sm: ChipSecureMessaging | undefined;

  constructor(fields: MrzAccessFields, files: readonly ChipFile[], random: RandomSource = seededRandom(7)) {
    this.#bac = new BacChip(fields, { random });
    this.#files = new ChipFileSystem(files);
  }

  get secureMessaging(): ChipSecureMessaging | undefined {
    return this.#sm;
  }

  /** What a successful PACE leaves behind (PACE itself is tested elsewhere). */
  startSecureMessaging(sm: ChipSecureMessaging): void {
    this.#sm = sm;
  }

  async transmit(bytes: Uint8Array): Promise<Uint8Array> {
    this.commands.push(Uint8Array.from(bytes));
    const sm = this.#sm;
    if (sm && (bytes[0]! & 0x0c) === 0x0c) {
      try {
        const command = sm.unprotectCommand(bytes);
        return sm.protectResponse(this.#files.answer(command, { accessControl: true }));
      } catch (error) {
        this.#sm = undefined;
        return encodeResponse({ data: new Uint8Array(0), sw: chipStatusForSmError(error) });
      }
    }
    this.#sm = undefined;
    const command = decodeCommand(bytes);
    const bac = this.#bac.answer(command);
    if (bac) {
      this.#sm = bac.secureMessaging;
      return encodeResponse(bac.response);
    }
    return encodeResponse(this.#files.answer(command, { accessControl: false }));
  }
}
