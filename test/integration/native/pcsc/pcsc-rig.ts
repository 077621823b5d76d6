// What the PC/SC integration tests share: card readers on the private pcscd, a vpcd card
// emulator on its reader, waiting for presence events, and cleanups that run after each
// test whether it passed or not.

import { afterEach } from 'vitest';
import { VpcdCardEmulator, type VirtualCard } from '../../../../native/sim/vpcd-card.js';
import type { CardReaderEvents } from '../../../../native/transport/apdu-transport.js';
import { PcscCardReaders, type PcscCardReadersOptions } from '../../../../native/transport/pcsc-card-reader.js';
import type { PrivatePcscd } from '../../../fixtures/pcscd.js';

export interface PcscRig {
  readonly readers: PcscCardReaders;
  readonly emulator: VpcdCardEmulator;
  readonly readerName: string;
  /** Inserts the card and resolves with the ATR pcscd reported (the readers are watched). */
  insert(card: VirtualCard): Promise<Uint8Array>;
  /** Removes the card and resolves once pcscd reported it gone. */
  remove(): Promise<void>;
}

export function usePcscRigs(pcscd: () => PrivatePcscd): (options?: PcscCardReadersOptions) => Promise<PcscRig> {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async (options = {}) => {
    const { readerName, vpcdPort } = pcscd();
    const readers = new PcscCardReaders(options);
    cleanups.push(() => readers.close());
    const emulator = new VpcdCardEmulator({ port: vpcdPort });
    // pcscd notices a removal on its next presence poll; a card inserted before that looks
    // like the same card staying. The next test starts only once the reader is empty.
    cleanups.push(async () => {
      await emulator.remove();
      await readerEmptied(readers, readerName);
    });
    await readers.watch();
    return {
      readers,
      emulator,
      readerName,
      async insert(card) {
        const inserted = nextEvent(readers, 'card-inserted', readerName);
        await emulator.insert(card);
        return (await inserted)[1];
      },
      async remove() {
        const removed = nextEvent(readers, 'card-removed', readerName);
        await emulator.remove();
        await removed;
      },
    };
  };
}

/** Resolves once pcscd lists `reader` without a card. */
export async function readerEmptied(readers: PcscCardReaders, reader: string): Promise<void> {
  while ((await readers.listReaders()).find((candidate) => candidate.name === reader)?.cardPresent) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The next `event` about `reader`. */
export function nextEvent<E extends keyof CardReaderEvents>(
  readers: PcscCardReaders, event: E, reader: string,
): Promise<CardReaderEvents[E]> {
  return new Promise((resolve) => {
    const listener = (...args: CardReaderEvents[E]): void => {
      if (args[0] !== reader) return;
      readers.off(event, listener as never);
      resolve(args);
    };
    readers.on(event, listener as never);
  });
}

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Deterministic file content. */
export function fileContent(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 7 + (index >> 8)) & 0xff);
}
