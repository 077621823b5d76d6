// Recorded APDU conversations in the project's text trace format (trace.ts): `=> hex` a
// command APDU, `<= hex` its response, `#` comments. In an APDU trace every `=>` has
// exactly one `<=` after it, except an exchange that failed: then RecordingApduTransport
// writes `# error CODE: message` in place of the response, and ReplayApduTransport throws
// that DeviceError again. Traces are fixtures for eMRTD protocol tests and a diagnostics
// aid; like every trace they hold the card's data: record test cards and simulators only.

import { DeviceError } from '../device-error.js';
import { parseTrace } from './trace.js';

export interface ApduExchange {
  readonly command: Uint8Array;
  /** 1-based line of the `=>` entry. */
  readonly line: number;
  /** The recorded answer, or the failure recorded instead of one. */
  readonly outcome:
    | { readonly response: Uint8Array; readonly line: number }
    | { readonly error: { readonly code: string; readonly message: string }; readonly line: number };
}

const ERROR_COMMENT = /^#\s*error\s+([A-Z0-9_]+):\s?(.*)$/;

/** The comment line RecordingApduTransport writes for a failed exchange. */
export function formatApduError(code: string, message: string): string {
  return `# error ${code}: ${message.replace(/\r?\n/g, ' ')}`;
}

export function parseApduTrace(text: string): ApduExchange[] {
  const errors = new Map<number, { code: string; message: string }>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const match = ERROR_COMMENT.exec(raw.trim());
    if (match) errors.set(index + 1, { code: match[1] as string, message: match[2] as string });
  });
  const entries = parseTrace(text);
  const exchanges: ApduExchange[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index]!;
    if (entry.direction === 'read') {
      throw new DeviceError('TRACE_SYNTAX',
        `APDU trace line ${entry.line}: a response (<=) must follow its command (=>).`, { line: entry.line });
    }
    const next = entries[index + 1];
    if (next?.direction === 'read') {
      exchanges.push({ command: entry.bytes, line: entry.line, outcome: { response: next.bytes, line: next.line } });
      index += 1;
      continue;
    }
    const until = next?.line ?? Number.POSITIVE_INFINITY;
    const failure = [...errors].find(([line]) => line > entry.line && line < until);
    if (!failure) {
      throw new DeviceError('TRACE_SYNTAX',
        `APDU trace line ${entry.line}: the command has neither a response (<=) nor an "# error CODE: message" line.`,
        { line: entry.line });
    }
    exchanges.push({ command: entry.bytes, line: entry.line, outcome: { error: failure[1], line: failure[0] } });
  }
  return exchanges;
}
