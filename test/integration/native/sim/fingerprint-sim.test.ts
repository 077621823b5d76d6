// The fingerprint simulator as other processes see it: a pty to open, a control socket
// next to it, --auto-finger mode, and nothing left behind after stop().

import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { R30xDriver } from '../../../../native/fingerprint/r30x-driver.js';
import { encodeR30xPacket, R30X_DEFAULT_ADDRESS, R30xPacketDecoder, R30xPid } from '../../../../native/fingerprint/r30x-packet.js';
import { R30X_OK, R30xInstruction } from '../../../../native/fingerprint/r30x-protocol.js';
import { SerialTransport } from '../../../../native/transport/serial-transport.js';
import { startFingerprintSimulator } from '../../../../native/sim/fingerprint-sim.js';
import { sendFingerprintControl } from '../../../../native/sim/fingerprint-sim-control.js';

const BAUD = 115_200;
const exists = (path: string) => access(path).then(() => true, () => false);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-fpsim-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('startFingerprintSimulator', () => {
  it('answers the very first command sent the instant it has started, as a client that never retries expects', async () => {
    const sim = await startFingerprintSimulator({ link: join(dir, 'fp'), baud: BAUD });
    const transport = new SerialTransport({ path: sim.path, baudRate: BAUD });
    try {
      await transport.open();
      const decoder = new R30xPacketDecoder();
      const reply = new Promise<Uint8Array>((resolve) => transport.on('data', (chunk: Uint8Array) => {
        for (const item of decoder.push(chunk)) if (item.kind === 'packet') resolve(item.packet.payload);
      }));
      // One VfyPwd with the default password, sent once (pyfingerprint's handshake).
      const payload = Uint8Array.of(R30xInstruction.VfyPwd, 0, 0, 0, 0);
      await transport.write(encodeR30xPacket({ address: R30X_DEFAULT_ADDRESS, pid: R30xPid.Command, payload }));
      // A module that dropped the command would never answer: give up after far longer than any reply takes.
      const silence = new Promise<'silent'>((resolve) => setTimeout(() => resolve('silent'), 5_000).unref());
      const answer = await Promise.race([reply, silence]);
      expect(answer).not.toBe('silent');
      expect((answer as Uint8Array)[0]).toBe(R30X_OK);
    } finally {
      await transport.close();
      await sim.stop();
    }
  });

  it('keeps the --auto-finger finger on the sensor for every GenImg', async () => {
    const sim = await startFingerprintSimulator({ link: join(dir, 'fp'), baud: BAUD, autoFinger: 7 });
    const transport = new SerialTransport({ path: sim.path, baudRate: BAUD });
    try {
      await transport.open();
      const driver = new R30xDriver(transport);
      await driver.connect();
      await driver.genImg();
      await driver.img2Tz(1);
      await sendFingerprintControl(sim.controlPath, 'lift');
      await driver.genImg();
      await driver.img2Tz(2);
      expect((await driver.match()).matched).toBe(true);
      expect(JSON.parse(await sendFingerprintControl(sim.controlPath, 'status'))).toMatchObject({ finger: 7, baud: BAUD });
    } finally {
      await transport.close();
      await sim.stop();
    }
  });

  it('refuses bad control lines and removes its pty and socket on stop', async () => {
    const sim = await startFingerprintSimulator({ link: join(dir, 'fp'), baud: BAUD });
    expect(sim.controlPath).toBe(join(dir, 'fp.control'));
    await expect(sendFingerprintControl(sim.controlPath, 'fault wet')).rejects.toMatchObject({
      code: 'FINGERPRINT_SIM_CONTROL', message: expect.stringMatching(/messy, few-features, checksum, silence/),
    });
    expect(await sendFingerprintControl(sim.controlPath, 'place 3')).toBe('');
    await sim.stop();
    expect(await exists(sim.path)).toBe(false);
    expect(await exists(sim.controlPath)).toBe(false);
    await expect(sendFingerprintControl(sim.controlPath, 'lift')).rejects.toMatchObject({ code: 'FINGERPRINT_SIM_CONTROL' });
  });

  it('refuses a baud rate or packet size the module does not have', async () => {
    await expect(startFingerprintSimulator({ link: join(dir, 'fp'), baud: 100_000 })).rejects.toMatchObject({ code: 'FINGERPRINT_SIM_OPTIONS' });
    await expect(startFingerprintSimulator({ link: join(dir, 'fp'), packetSize: 100 })).rejects.toMatchObject({ code: 'FINGERPRINT_SIM_OPTIONS' });
    expect(await exists(join(dir, 'fp'))).toBe(false);
  });
});
