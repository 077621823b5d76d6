// Wraps a Transport and writes down every byte that passes, as a trace (see trace.ts),
// so a technician can capture what a device really says and a test can replay it.
// A trace holds everything on the line, card and finger data included: record against
// simulators and test cards only, and never keep a trace of a real person's document.

import { formatTraceLine } from './trace.js';
import { TransportBase } from './transport-base.js';
import type { Transport } from './transport.js';

export interface RecordingOptions {
  /** Receives every trace line as it is written, e.g. to append it to a file. */
  readonly onLine?: (line: string) => void;
}

export class RecordingTransport extends TransportBase {
  readonly description: string;
  readonly #lines: string[] = [];

  constructor(private readonly inner: Transport, private readonly options: RecordingOptions = {}) {
    super();
    this.description = inner.description;
    inner.on('data', (chunk) => {
      this.#add(formatTraceLine('read', chunk));
      this.emit('data', chunk);
    });
    inner.on('error', (error) => {
      this.comment(`error: ${error.message}`);
      this.reportError(error);
    });
    inner.on('close', () => {
      this.comment('closed');
      this.markClosed();
    });
  }

  /** The trace so far, one line per entry, newline-terminated. */
  get trace(): string {
    return this.#lines.map((line) => `${line}\n`).join('');
  }

  comment(text: string): void {
    this.#add(`# ${text.replace(/\r?\n/g, ' ')}`);
  }

  async open(): Promise<void> {
    await this.inner.open();
    this.comment(`opened ${this.inner.description}`);
    this.markOpen();
  }

  async write(data: Uint8Array): Promise<void> {
    this.assertOpen();
    this.#add(formatTraceLine('write', data));
    await this.inner.write(data);
  }

  async close(): Promise<void> {
    await this.inner.close();
    this.markClosed();
  }

  #add(line: string): void {
    this.#lines.push(line);
    this.options.onLine?.(line);
  }
}
