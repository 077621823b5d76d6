// Two Transports wired to each other in memory, for driver and simulator tests without
// a pty: bytes written on one end arrive as `data` on the other on a later turn of the
// event loop, and closing either end closes both, as unplugging a cable would.

import { TransportBase } from './transport-base.js';
import type { Transport } from './transport.js';

class MemoryTransport extends TransportBase {
  peer: MemoryTransport | undefined;

  constructor(readonly description: string) {
    super();
  }

  async open(): Promise<void> {
    this.markOpen();
  }

  /** Bytes for a peer that is not open are lost, as on a serial line nobody listens to. */
  async write(data: Uint8Array): Promise<void> {
    this.assertOpen();
    const peer = this.peer as MemoryTransport;
    const copy = Uint8Array.from(data);
    setImmediate(() => {
      if (peer.isOpen) peer.emit('data', copy);
    });
  }

  async close(): Promise<void> {
    this.markClosed();
    this.peer?.markClosed();
  }
}

/** Returns unopened ends [a, b]; `name` appears in their descriptions ("memory reader A"). */
export function createMemoryPair(name = 'link'): [Transport, Transport] {
  const a = new MemoryTransport(`memory ${name} A`);
  const b = new MemoryTransport(`memory ${name} B`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
