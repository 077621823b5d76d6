import { describe, expect, it } from 'vitest';
import { formatTraceLine, parseTrace } from '../../../../native/transport/trace.js';

describe('trace format', () => {
  it('formats writes and reads as lowercase hex', () => {
    expect(formatTraceLine('write', Uint8Array.of(0xaa, 0x01))).toBe('=> aa01');
    expect(formatTraceLine('read', Uint8Array.of(0x9f))).toBe('<= 9f');
  });

  it('parses entries with line numbers, skipping comments and blank lines; hex may be spaced', () => {
    const entries = parseTrace('# find card\n\n=> AA AA aa 96 69\r\n<= 9f00\n');
    expect(entries).toEqual([
      { direction: 'write', bytes: Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69), line: 3 },
      { direction: 'read', bytes: Uint8Array.of(0x9f, 0x00), line: 4 },
    ]);
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseTrace('=> 00\n<= 0g\n')).toThrow(/line 2/);
    expect(() => parseTrace('=> 00\n=> 123\n')).toThrow(expect.objectContaining({ code: 'TRACE_SYNTAX', details: { line: 2 } }));
    expect(() => parseTrace('-> 00')).toThrow(/line 1/);
  });
});
