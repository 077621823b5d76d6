import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createMemoryPair } from '../../../../native/transport/memory-transport.js';
import { RecordingTransport } from '../../../../native/transport/recording-transport.js';
import { ReplayTransport } from '../../../../native/transport/replay-transport.js';
import type { Transport } from '../../../../native/transport/transport.js';
import { until } from './waiting.js';

/** A device that answers every write with the bytes reversed. */
async function reversingDevice(): Promise<Transport> {
  const [host, device] = createMemoryPair('reverser');
  await device.open();
  device.on('data', (chunk) => void device.write(Uint8Array.from(chunk).reverse()));
  return host;
}

async function ask(transport: Transport, bytes: number[]): Promise<Uint8Array> {
  const answer = once(transport, 'data');
  await transport.write(Uint8Array.from(bytes));
  return (await answer)[0] as Uint8Array;
}

describe('RecordingTransport', () => {
  it('writes => for host bytes, <= for device bytes and # comments, and passes both through', async () => {
    const lines: string[] = [];
    const recorder = new RecordingTransport(await reversingDevice(), { onLine: (line) => lines.push(line) });
    await recorder.open();
    expect(await ask(recorder, [1, 2, 0xab])).toEqual(Uint8Array.of(0xab, 2, 1));
    recorder.comment('second');
    await ask(recorder, [0x10]);
    await recorder.close();
    expect(recorder.trace).toBe([
      '# opened memory reverser A', '=> 0102ab', '<= ab0201', '# second', '=> 10', '<= 10', '# closed', '',
    ].join('\n'));
    expect(lines).toHaveLength(7);
    expect(recorder.isOpen).toBe(false);
  });
});

describe('ReplayTransport', () => {
  const trace = '# device greets\n<= 55\n=> 0102\n<= 0201\n<= ff\n=> 03\n<= 03\n';

  it('plays reads after the write they follow, and accepts the write split differently', async () => {
    const replay = new ReplayTransport(trace);
    const chunks: Uint8Array[] = [];
    replay.on('data', (chunk) => chunks.push(chunk));
    const greeting = once(replay, 'data');
    await replay.open();
    await greeting;
    await replay.write(Uint8Array.of(1));
    await replay.write(Uint8Array.of(2));
    await until(() => chunks.length === 3);
    expect(await ask(replay, [3])).toEqual(Uint8Array.of(3));
    expect(chunks).toEqual([Uint8Array.of(0x55), Uint8Array.of(2, 1), Uint8Array.of(0xff), Uint8Array.of(3)]);
    replay.assertConsumed();
  });

  it('fails a write that differs from the trace, naming the line', async () => {
    const replay = new ReplayTransport(trace, 'cnid find');
    await replay.open();
    await expect(replay.write(Uint8Array.of(1, 9))).rejects.toMatchObject({
      code: 'TRACE_MISMATCH', details: { line: 3 }, message: expect.stringMatching(/replay cnid find.*line 3/),
    });
    expect(() => replay.assertConsumed()).toThrow(/line 3/);
  });

  it('fails a write after the end of the trace', async () => {
    const replay = new ReplayTransport('=> 01\n');
    await replay.open();
    await replay.write(Uint8Array.of(1));
    await expect(replay.write(Uint8Array.of(2))).rejects.toThrow(/after the end of the trace/);
  });

  it('reports an unconsumed trace with the first line left', async () => {
    const replay = new ReplayTransport(trace);
    await replay.open();
    await replay.write(Uint8Array.of(1, 2));
    expect(() => replay.assertConsumed()).toThrow(expect.objectContaining({ code: 'TRACE_UNCONSUMED', details: { line: 6 } }));
  });

  it('replays what a RecordingTransport recorded', async () => {
    const recorder = new RecordingTransport(await reversingDevice());
    await recorder.open();
    await ask(recorder, [4, 5, 6]);
    const replay = new ReplayTransport(recorder.trace);
    await replay.open();
    expect(await ask(replay, [4, 5, 6])).toEqual(Uint8Array.of(6, 5, 4));
    replay.assertConsumed();
  });
});
