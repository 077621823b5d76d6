// Plays a recorded APDU trace (apdu-trace.ts) back as if it were the card: each command
// must equal the next `=>` entry and gets the `<=` after it (or throws the recorded
// error). A different command fails with the trace line number, and assertConsumed()
// fails a test that left part of the conversation unplayed. Mirrors ReplayTransport.

import { DeviceError } from '../device-error.js';
import { parseApduTrace, type ApduExchange } from './apdu-trace.js';
import type { ApduTransport } from './apdu-transport.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export class ReplayApduTransport implements ApduTransport {
  readonly description: string;
  readonly #exchanges: ApduExchange[];
  #next = 0;
  #mismatch: DeviceError | undefined;

  constructor(trace: string, name = 'trace') {
    this.description = `replay ${name}`;
    this.#exchanges = parseApduTrace(trace);
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const exchange = this.#exchanges[this.#next];
    if (!exchange) {
      throw this.#fail(new DeviceError('TRACE_MISMATCH',
        `${this.description}: the command ${hex(command)} comes after the end of the trace.`, { line: null }));
    }
    if (Buffer.compare(Buffer.from(command), Buffer.from(exchange.command)) !== 0) {
      throw this.#fail(new DeviceError('TRACE_MISMATCH',
        `${this.description}: the command ${hex(command)} does not match trace line ${exchange.line} `
        + `(=> ${hex(exchange.command)}).`, { line: exchange.line }));
    }
    this.#next += 1;
    const { outcome } = exchange;
    if ('error' in outcome) {
      throw new DeviceError(outcome.error.code, outcome.error.message, { replayedFrom: outcome.line });
    }
    return Uint8Array.from(outcome.response);
  }

  /** Throws the first mismatch, or names the first exchange not yet played. */
  assertConsumed(): void {
    if (this.#mismatch) throw this.#mismatch;
    const exchange = this.#exchanges[this.#next];
    if (!exchange) return;
    throw new DeviceError('TRACE_UNCONSUMED',
      `${this.description}: trace line ${exchange.line} (=> ${hex(exchange.command)}) and `
      + `${this.#exchanges.length - this.#next - 1} more exchanges were never played.`, { line: exchange.line });
  }

  #fail(error: DeviceError): DeviceError {
    this.#mismatch ??= error;
    return error;
  }
}
