// The text format of recorded device conversations: `=> hex` for bytes the host wrote,
// `<= hex` for bytes the device sent, `#` comments and blank lines ignored. Traces are
// diffable fixtures for driver tests and a diagnostics aid for technicians.

import { DeviceError } from '../device-error.js';

export type TraceDirection = 'write' | 'read';

export interface TraceEntry {
  readonly direction: TraceDirection;
  readonly bytes: Uint8Array;
  /** 1-based line number in the trace text, for messages. */
  readonly line: number;
}

const MARKERS: Record<TraceDirection, string> = { write: '=>', read: '<=' };

export function formatTraceLine(direction: TraceDirection, bytes: Uint8Array): string {
  return `${MARKERS[direction]} ${Buffer.from(bytes).toString('hex')}`;
}

/** Hex may contain spaces (`=> aa aa aa 96 69`) for hand-written traces. */
export function parseTrace(text: string): TraceEntry[] {
  const entries: TraceEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const marker = content.slice(0, 2);
    const direction = marker === MARKERS.write ? 'write' : marker === MARKERS.read ? 'read' : undefined;
    const hex = content.slice(2).replace(/\s+/g, '');
    if (!direction || !/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
      throw new DeviceError('TRACE_SYNTAX',
        `Trace line ${line} is not "=> hex", "<= hex" or a "#" comment: ${content.slice(0, 40)}`, { line });
    }
    entries.push({ direction, bytes: Uint8Array.from(Buffer.from(hex, 'hex')), line });
  });
  return entries;
}
