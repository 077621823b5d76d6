import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startCnidSimulator, type RunningCnidSimulator } from '../../../../native/sim/cnid-sim.js';
import { SerialTransport } from '../../../../native/transport/serial-transport.js';
import { until } from '../../../unit/native/transport/waiting.js';
import { useScratchSpace } from '../scratch-space.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

const scratch = useScratchSpace('gatehouse-cnid-sim-');

async function start(scenario?: string): Promise<RunningCnidSimulator> {
  const running = await startCnidSimulator({ link: scratch.path('cnid'), baud: 115_200, scenario });
  scratch.defer(() => running.stop());
  return running;
}

/** Opens the driver side raw and returns a function that sends bytes and collects `expected` bytes back. */
async function rawDriver(path: string): Promise<(request: Buffer, expected: number) => Promise<Buffer>> {
  const port = new SerialTransport({ path, baudRate: 115_200 });
  await port.open();
  scratch.defer(() => port.close());
  let received = Buffer.alloc(0);
  port.on('data', (chunk) => { received = Buffer.concat([received, chunk]); });
  return async (request, expected) => {
    received = Buffer.alloc(0);
    await port.write(request);
    await until(() => received.length >= expected);
    return received;
  };
}

describe('startCnidSimulator', () => {
  it('is openable at the link path and answers find card byte for byte', async () => {
    const running = await start();
    expect(running.path).toBe(scratch.path('cnid'));
    await access(running.path);
    const ask = await rawDriver(running.path);
    expect(await ask(hex('AA AA AA 96 69 00 03 20 01 22'), 15)).toEqual(hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
    expect(await ask(hex('AA AA AA 96 69 00 03 20 02 21'), 19))
      .toEqual(hex('AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C'));
    const read = await ask(hex('AA AA AA 96 69 00 03 30 01 32'), 1295);
    expect(read.subarray(0, 14)).toEqual(hex('AA AA AA 96 69 05 08 00 00 90 01 00 04 00'));
  });

  it('has no card in the idle scenario and answers a corrupted request with status 10', async () => {
    const running = await start('idle');
    const ask = await rawDriver(running.path);
    expect(await ask(hex('AA AA AA 96 69 00 03 20 01 22'), 11)).toEqual(hex('AA AA AA 96 69 00 04 00 00 80 84'));
    expect(await ask(hex('AA AA AA 96 69 00 03 20 01 23'), 11)).toEqual(hex('AA AA AA 96 69 00 04 00 00 10 14'));
    expect(await ask(hex('AA AA AA 96 69 00 03 99 01 9B'), 11)).toEqual(hex('AA AA AA 96 69 00 04 00 00 21 25'));
  });

  it('sends noise before replies in the garbage scenario', async () => {
    const running = await start('garbage');
    const ask = await rawDriver(running.path);
    const reply = await ask(hex('AA AA AA 96 69 00 03 11 FF ED'), 22);
    expect(reply.subarray(-11)).toEqual(hex('AA AA AA 96 69 00 04 00 00 90 94'));
    expect(reply.subarray(0, 11)).not.toEqual(reply.subarray(-11));
  });

  it('removes its pty when stopped, like an unplugged reader', async () => {
    const running = await start();
    await running.stop();
    await expect(access(running.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an unknown scenario and leaves nothing behind', async () => {
    await expect(startCnidSimulator({ link: scratch.path('cnid'), scenario: 'card:3' }))
      .rejects.toMatchObject({ code: 'SIM_SCENARIO_UNKNOWN', message: expect.stringMatching(/insert-after:N/) });
    await expect(access(scratch.path('cnid'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
