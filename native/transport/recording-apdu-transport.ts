// Wraps an ApduTransport and writes down every exchange as an APDU trace (apdu-trace.ts),
// so a technician can capture what a chip really answers and a test can replay it. A
// failed exchange is written as `# error CODE: message` and the error passes through.
// A trace holds the card's data: record against simulators and test cards only, never
// keep a trace of a real person's document.

import { DeviceError } from '../device-error.js';
import { formatApduError } from './apdu-trace.js';
import type { ApduTransport } from './apdu-transport.js';
import { formatTraceLine } from './trace.js';
import type { RecordingOptions } from './recording-transport.js';

export class RecordingApduTransport implements ApduTransport {
  readonly description: string;
  readonly #lines: string[] = [];

  constructor(private readonly inner: ApduTransport, private readonly options: RecordingOptions = {}) {
    this.description = inner.description;
  }

  /** The trace so far, one line per entry, newline-terminated. */
  get trace(): string {
    return this.#lines.map((line) => `${line}\n`).join('');
  }

  comment(text: string): void {
    this.#add(`# ${text.replace(/\r?\n/g, ' ')}`);
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.#add(formatTraceLine('write', command));
    try {
      const response = await this.inner.transmit(command);
      this.#add(formatTraceLine('read', response));
      return response;
    } catch (error) {
      const code = error instanceof DeviceError ? error.code : 'TRANSMIT_FAILED';
      this.#add(formatApduError(code, error instanceof Error ? error.message : String(error)));
      throw error;
    }
  }

  #add(line: string): void {
    this.#lines.push(line);
    this.options.onLine?.(line);
  }
}
