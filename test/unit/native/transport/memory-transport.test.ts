import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createMemoryPair } from '../../../../native/transport/memory-transport.js';

describe('createMemoryPair', () => {
  it('carries bytes both ways once both ends are open', async () => {
    const [a, b] = createMemoryPair('reader');
    await Promise.all([a.open(), b.open()]);
    const atB = once(b, 'data');
    await a.write(Uint8Array.of(1, 2, 3));
    expect(await atB).toEqual([Uint8Array.of(1, 2, 3)]);
    const atA = once(a, 'data');
    await b.write(Uint8Array.of(9));
    expect(await atA).toEqual([Uint8Array.of(9)]);
    expect(a.description).toBe('memory reader A');
  });

  it('delivers a copy, so the writer may reuse its buffer', async () => {
    const [a, b] = createMemoryPair();
    await Promise.all([a.open(), b.open()]);
    const buffer = Uint8Array.of(7, 7);
    const received = once(b, 'data');
    await a.write(buffer);
    buffer.fill(0);
    expect(await received).toEqual([Uint8Array.of(7, 7)]);
  });

  it('closes both ends when one closes, like an unplugged cable', async () => {
    const [a, b] = createMemoryPair();
    await Promise.all([a.open(), b.open()]);
    const closed = once(b, 'close');
    await a.close();
    await closed;
    expect([a.isOpen, b.isOpen]).toEqual([false, false]);
    await expect(b.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });
});
