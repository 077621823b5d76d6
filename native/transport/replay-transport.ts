// Plays a recorded trace (see trace.ts) back to a driver as if it were the device: each
// write must match the next `=>` entry, after which the `<=` entries that follow it
// arrive as data. A write that differs fails with the trace line number, and
// assertConsumed() fails a test that left part of the conversation unplayed.

import { DeviceError } from '../device-error.js';
import { parseTrace, type TraceEntry } from './trace.js';
import { TransportBase } from './transport-base.js';

export class ReplayTransport extends TransportBase {
  readonly description: string;
  readonly #entries: TraceEntry[];
  #next = 0;
  /** Bytes of the current `=>` entry already matched by earlier writes. */
  #matched = 0;
  #mismatch: DeviceError | undefined;

  constructor(trace: string, name = 'trace') {
    super();
    this.description = `replay ${name}`;
    this.#entries = parseTrace(trace);
  }

  async open(): Promise<void> {
    this.markOpen();
    this.#playReads();
  }

  /** Writes may be split differently from the trace; the bytes must match in order. */
  async write(data: Uint8Array): Promise<void> {
    this.assertOpen();
    for (const byte of data) {
      const entry = this.#entries[this.#next];
      if (entry?.direction !== 'write' || entry.bytes[this.#matched] !== byte) throw this.#fail(entry, data);
      this.#matched += 1;
      if (this.#matched === entry.bytes.length) {
        this.#next += 1;
        this.#matched = 0;
        this.#playReads();
      }
    }
  }

  async close(): Promise<void> {
    this.markClosed();
  }

  /** Throws the first mismatch, or names the first entry not yet played. */
  assertConsumed(): void {
    if (this.#mismatch) throw this.#mismatch;
    const entry = this.#entries[this.#next];
    if (!entry) return;
    throw new DeviceError('TRACE_UNCONSUMED',
      `${this.description}: trace line ${entry.line} (${entry.direction === 'write' ? '=>' : '<='}) and `
      + `${this.#entries.length - this.#next - 1} more entries were never played.`, { line: entry.line });
  }

  #playReads(): void {
    while (this.#entries[this.#next]?.direction === 'read') {
      const { bytes } = this.#entries[this.#next] as TraceEntry;
      this.#next += 1;
      setImmediate(() => {
        if (this.isOpen) this.emit('data', bytes);
      });
    }
  }

  #fail(entry: TraceEntry | undefined, data: Uint8Array): DeviceError {
    const wrote = Buffer.from(data).toString('hex');
    const error = entry
      ? new DeviceError('TRACE_MISMATCH',
        `${this.description}: the write ${wrote} does not match trace line ${entry.line} `
        + `(${entry.direction === 'write' ? `=> ${Buffer.from(entry.bytes).toString('hex')}` : 'a <= entry'}).`,
        { line: entry.line })
      : new DeviceError('TRACE_MISMATCH',
        `${this.description}: the write ${wrote} comes after the end of the trace.`, { line: null });
    this.#mismatch ??= error;
    return error;
  }
}
