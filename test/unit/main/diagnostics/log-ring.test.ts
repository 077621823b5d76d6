// The log's memory of recent lines: bounded, oldest first, long lines cut, and fed by every log.

import { describe, expect, it } from 'vitest';
import { LogRing, createLog, recentLogLines } from '../../../../main/log.js';

describe('LogRing', () => {
  it('keeps the newest lines in order once it wraps around', () => {
    const ring = new LogRing(3);
    for (const line of ['a', 'b']) ring.push(line);
    expect(ring.lines()).toEqual(['a', 'b']);
    for (const line of ['c', 'd', 'e', 'f', 'g']) ring.push(line);
    expect(ring.lines()).toEqual(['e', 'f', 'g']);
  });

  it('cuts a very long line', () => {
    const ring = new LogRing(1);
    ring.push('x'.repeat(10_000));
    expect(ring.lines()[0]!.length).toBe(4_097);
  });
});

describe('recentLogLines', () => {
  it('holds what every log wrote, as the JSON lines it wrote', () => {
    const written: string[] = [];
    createLog('test-component', (line) => written.push(line)).warn('something happened', { code: 'X_Y' });
    const last = recentLogLines().at(-1)!;
    expect(`${last}\n`).toBe(written[0]);
    expect(JSON.parse(last)).toMatchObject({ level: 'warn', component: 'test-component', message: 'something happened', code: 'X_Y' });
  });
});
