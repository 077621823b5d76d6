// The simulated R30x module against the real driver over an in-memory link (fast line,
// no boot delay unless a test wants one): every instruction, password and address checks,
// the template library, SetSysPara and the injectable faults.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPair } from '../../../../native/transport/memory-transport.js';
import type { Transport } from '../../../../native/transport/transport.js';
import { R30xDriver, type R30xDriverOptions } from '../../../../native/fingerprint/r30x-driver.js';
import { encodeR30xPacket, R30xPid } from '../../../../native/fingerprint/r30x-packet.js';
import { R30xModuleSimulator, type R30xModuleOptions } from '../../../../native/sim/fingerprint-sim.js';
import { renderSyntheticFinger } from '../../../../native/sim/synthetic-finger.js';
import { packR30xImage } from '../../../../native/fingerprint/finger-image.js';

const FAST_LINE = 10_000_000;
const opened: Transport[] = [];

async function rig(module: R30xModuleOptions = {}, driver: R30xDriverOptions = {}) {
  const [host, device] = createMemoryPair('fingerprint');
  await host.open();
  await device.open();
  opened.push(host);
  const sim = new R30xModuleSimulator(device, { baud: FAST_LINE, bootDelayMs: 0, ...module });
  return { sim, host, driver: new R30xDriver(host, driver) };
}

/** The raw bytes the module sends back for `request`. */
async function rawReply(host: Transport, request: Uint8Array, length: number): Promise<string> {
  const received: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    host.on('data', (chunk) => {
      received.push(Buffer.from(chunk));
      if (Buffer.concat(received).length >= length) resolve();
    });
  });
  await host.write(request);
  await done;
  return Buffer.concat(received).toString('hex');
}

async function enroll(driver: R30xDriver, sim: R30xModuleSimulator, seed: number, page: number): Promise<void> {
  sim.placeFinger(seed);
  await driver.genImg();
  await driver.img2Tz(1);
  sim.liftFinger();
  await expect(driver.genImg()).rejects.toMatchObject({ code: 'R30X_NO_FINGER' });
  sim.placeFinger(seed);
  await driver.genImg();
  await driver.img2Tz(2);
  await driver.regModel();
  await driver.store(1, page);
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

describe('R30xModuleSimulator', () => {
  it('answers byte-exactly: GenImg without a finger is 0x02', async () => {
    const { host } = await rig();
    expect(await rawReply(host, Uint8Array.from(Buffer.from('ef01ffffffff010003010005', 'hex')), 12))
      .toBe('ef01ffffffff07000302000c');
  });

  it('answers a packet with a bad checksum with 0x01', async () => {
    const { host } = await rig();
    expect(await rawReply(host, Uint8Array.from(Buffer.from('ef01ffffffff010003010006', 'hex')), 12))
      .toBe('ef01ffffffff07000301000b');
  });

  it('stays silent while powering up', async () => {
    const { driver } = await rig({ bootDelayMs: 60_000 }, { timeoutsMs: { VfyPwd: 50 } });
    await expect(driver.vfyPwd()).rejects.toMatchObject({ code: 'R30X_TIMEOUT' });
  });

  it('answers once the boot delay has passed', async () => {
    const { driver } = await rig({ bootDelayMs: 500 });
    await expect(driver.connect({ attempts: 20, attemptTimeoutMs: 100 })).resolves.toMatchObject({ capacity: 300, packetSize: 128 });
  });

  it('enrolls a finger, finds it again with a high score, and does not find another', async () => {
    const { driver, sim } = await rig();
    await enroll(driver, sim, 1234, 17);
    sim.placeFinger(1234);
    await driver.genImg();
    await driver.img2Tz(1);
    const found = await driver.search(1, 0, 300);
    expect(found).toMatchObject({ found: true, page: 17 });
    expect(found.found && found.score).toBeGreaterThanOrEqual(100);
    sim.placeFinger(98765);
    await driver.genImg();
    await driver.img2Tz(1);
    expect(await driver.search(1, 0, 300)).toEqual({ found: false });
    await driver.loadChar(2, 17);
    expect(await driver.match()).toMatchObject({ matched: false });
  });

  it('refuses to merge impressions of two different fingers', async () => {
    const { driver, sim } = await rig();
    sim.placeFinger(1);
    await driver.genImg();
    await driver.img2Tz(1);
    sim.placeFinger(2);
    await driver.genImg();
    await driver.img2Tz(2);
    expect((await driver.match()).matched).toBe(false);
    await expect(driver.regModel()).rejects.toMatchObject({ code: 'R30X_MERGE_FAILED' });
  });

  it('uploads the image it captured and refuses Img2Tz / UpImage before any capture', async () => {
    const { driver, sim } = await rig();
    await expect(driver.img2Tz(1)).rejects.toMatchObject({ code: 'R30X_NO_VALID_IMAGE' });
    await expect(driver.upImage()).rejects.toMatchObject({ code: 'R30X_IMAGE_UPLOAD_FAILED' });
    sim.placeFinger(77);
    await driver.genImg();
    await driver.genImg();
    const image = await driver.upImage();
    expect(Buffer.from(image).equals(Buffer.from(packR30xImage(renderSyntheticFinger(77, 2))))).toBe(true);
  });

  it('round-trips a template through UpChar and DownChar', async () => {
    const { driver, sim } = await rig();
    await enroll(driver, sim, 5, 0);
    const template = await driver.upChar(1);
    expect(template).toHaveLength(512);
    await driver.empty();
    await driver.downChar(2, template);
    await driver.store(2, 9);
    expect(Buffer.from(await driver.upChar(2)).equals(Buffer.from(template))).toBe(true);
    sim.placeFinger(5);
    await driver.genImg();
    await driver.img2Tz(1);
    expect(await driver.search(1, 0, 300)).toMatchObject({ found: true, page: 9 });
  });

  it('keeps a library with a capacity, a count and an index table', async () => {
    const { driver, sim } = await rig();
    await enroll(driver, sim, 3, 0);
    await driver.store(1, 3);
    await driver.store(1, 299);
    await driver.store(2, 256);
    expect(await driver.templateNum()).toBe(4);
    expect((await driver.readConList(0)).usedSlots).toEqual([0, 3]);
    expect((await driver.readConList(1)).usedSlots).toEqual([256, 299]);
    await driver.deleteChar(3, 1);
    expect((await driver.readConList(0)).usedSlots).toEqual([0]);
    await expect(driver.store(1, 300)).rejects.toMatchObject({ code: 'R30X_PAGE_OUT_OF_RANGE' });
    await expect(driver.loadChar(1, 3)).rejects.toMatchObject({ code: 'R30X_TEMPLATE_READ_FAILED' });
    await driver.empty();
    expect(await driver.templateNum()).toBe(0);
  });

  it('checks the password before anything else', async () => {
    const { driver } = await rig({ password: 0x1234 });
    await expect(driver.templateNum()).rejects.toMatchObject({ code: 'R30X_PASSWORD_REQUIRED' });
    await expect(driver.vfyPwd(0x1235)).rejects.toMatchObject({ code: 'R30X_WRONG_PASSWORD' });
    await driver.vfyPwd(0x1234);
    expect(await driver.templateNum()).toBe(0);
    expect((await driver.readSysPara()).status.passwordVerified).toBe(true);
  });

  it('ignores packets for another address', async () => {
    const module = { address: 0xaabbccdd };
    const wrong = (await rig(module, { timeoutsMs: { TemplateNum: 50 } })).driver;
    await expect(wrong.templateNum()).rejects.toMatchObject({ code: 'R30X_TIMEOUT' });
    const right = (await rig(module, { address: 0xaabbccdd })).driver;
    expect(await right.readSysPara()).toMatchObject({ address: 0xaabbccdd });
  });

  it('applies SetSysPara: packet size, security level and baud rate', async () => {
    const { driver, sim } = await rig();
    await driver.setSysPara('packetSize', 32);
    await driver.setSysPara('securityLevel', 5);
    await driver.setSysPara('baud', 9600 * 12);
    expect(await driver.readSysPara()).toMatchObject({ packetSize: 32, securityLevel: 5, baud: 115200 });
    expect(sim.status()).toMatchObject({ packetSize: 32, securityLevel: 5, baud: 115200 });
    await enroll(driver, sim, 8, 1);
    expect(await driver.upChar(1)).toHaveLength(512);
  });

  it('injects each fault once', async () => {
    const { driver, sim } = await rig({}, { timeoutsMs: { TemplateNum: 100 } });
    sim.placeFinger(4);
    await driver.genImg();
    sim.injectFault('messy');
    await expect(driver.img2Tz(1)).rejects.toMatchObject({ code: 'R30X_IMAGE_MESSY', message: expect.stringMatching(/clean the sensor/) });
    sim.injectFault('few-features');
    await expect(driver.img2Tz(1)).rejects.toMatchObject({ code: 'R30X_TOO_FEW_FEATURES' });
    await driver.img2Tz(1);
    sim.injectFault('checksum');
    await expect(driver.templateNum()).rejects.toMatchObject({ code: 'R30X_BAD_CHECKSUM' });
    sim.injectFault('silence');
    await expect(driver.templateNum()).rejects.toMatchObject({ code: 'R30X_TIMEOUT' });
    expect(sim.status().pendingFaults).toEqual([]);
    expect(await driver.templateNum()).toBe(0);
  });

  it('paces the line at the configured baud: UpImage takes as long as its bytes need on the wire', async () => {
    vi.useFakeTimers();
    try {
      const { driver, sim } = await rig({ baud: 57_600 });
      const settle = async <T>(pending: Promise<T>) => {
        await vi.runAllTimersAsync();
        return pending;
      };
      sim.placeFinger(1);
      await settle(driver.genImg());
      await settle(driver.readSysPara());
      const start = Date.now();
      let end = 0;
      await settle(driver.upImage(({ bytes, total }) => {
        if (bytes === total) end = Date.now();
      }));
      // Command 12 bytes in, acknowledge 12 bytes out, 288 data packets of 128 + 11 bytes.
      const lineMs = ((12 + 12 + 288 * 139) * 10 * 1000) / 57_600;
      expect(end - start).toBeGreaterThanOrEqual(Math.floor(lineMs));
      expect(end - start).toBeLessThanOrEqual(Math.ceil(lineMs) + 2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores data packets that arrive after a DownChar has ended', async () => {
    const { host, driver } = await rig();
    const data = (pid: number, fill: number) => encodeR30xPacket({ address: 0xffffffff, pid: pid as R30xPid, payload: new Uint8Array(256).fill(fill) });
    await driver.downChar(1, new Uint8Array(512).fill(0x11));
    await host.write(Buffer.concat([data(R30xPid.Data, 0x22), data(R30xPid.EndData, 0x33)]));
    expect([...new Set(await driver.upChar(1))]).toEqual([0x11]);
  });
});
