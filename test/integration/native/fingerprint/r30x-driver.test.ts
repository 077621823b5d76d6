// R30xDriver against the fingerprint simulator over a real pty pair at 115200 baud:
// enrollment and search, image upload byte for byte, templates both ways, each fault
// through the control socket, and the module power-cycled or restarted mid-command.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { R30xDriver, type R30xProgress } from '../../../../native/fingerprint/r30x-driver.js';
import { packR30xImage } from '../../../../native/fingerprint/finger-image.js';
import { R30X_IMAGE_BYTES } from '../../../../native/fingerprint/r30x-protocol.js';
import { SerialTransport, serialDeviceLink } from '../../../../native/transport/serial-transport.js';
import type { DeviceLink, LinkState } from '../../../../native/transport/device-link.js';
import { startFingerprintSimulator, type RunningFingerprintSimulator } from '../../../../native/sim/fingerprint-sim.js';
import { sendFingerprintControl } from '../../../../native/sim/fingerprint-sim-control.js';
import { renderSyntheticFinger } from '../../../../native/sim/synthetic-finger.js';

const BAUD = 115_200;
let dir: string;
let sim: RunningFingerprintSimulator;
let transport: SerialTransport;
let driver: R30xDriver;
const control = (line: string) => sendFingerprintControl(sim.controlPath, line);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-fp-'));
  sim = await startFingerprintSimulator({ link: join(dir, 'fp'), baud: BAUD });
});

afterEach(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

async function captureInto(buffer: 1 | 2): Promise<void> {
  await driver.genImg();
  await driver.img2Tz(buffer);
}

describe('R30xDriver ⇄ fingerprint simulator over a pty', () => {
  beforeEach(async () => {
    transport = new SerialTransport({ path: sim.path, baudRate: BAUD });
    await transport.open();
    driver = new R30xDriver(transport);
    await driver.connect();
  });

  afterEach(async () => {
    await transport.close();
  });

  it('enrolls a finger, finds it again with a high score and does not find another', async () => {
    await expect(driver.genImg()).rejects.toMatchObject({ code: 'R30X_NO_FINGER' });
    await control('place 1001');
    await captureInto(1);
    await control('lift');
    await expect(driver.genImg()).rejects.toMatchObject({ code: 'R30X_NO_FINGER' });
    await control('place 1001');
    await captureInto(2);
    await driver.regModel();
    await driver.store(1, 0);
    expect(await driver.templateNum()).toBe(1);

    await captureInto(1);
    const found = await driver.search(1, 0, 300);
    expect(found).toMatchObject({ found: true, page: 0 });
    expect(found.found && found.score).toBeGreaterThanOrEqual(100);

    await control('place 2002');
    await captureInto(1);
    expect(await driver.search(1, 0, 300)).toEqual({ found: false });
  });

  it('uploads the image byte for byte as the simulator generated it, with progress', async () => {
    await control('place 31337');
    await driver.genImg();
    const progress: R30xProgress[] = [];
    const image = await driver.upImage((p) => progress.push(p));
    const generated = sim.control.imageBuffer;
    expect(generated).toBeDefined();
    expect(Buffer.from(image).equals(Buffer.from(generated!))).toBe(true);
    expect(Buffer.from(image).equals(Buffer.from(packR30xImage(renderSyntheticFinger(31337, 1))))).toBe(true);
    expect(progress).toHaveLength(R30X_IMAGE_BYTES / 128);
    expect(progress.every((p, i) => p.total === R30X_IMAGE_BYTES && p.bytes === (i + 1) * 128)).toBe(true);
  });

  it('round-trips a template: UpChar, Empty, DownChar, Store, then Search finds it', async () => {
    await control('place 5');
    await captureInto(1);
    await captureInto(2);
    await driver.regModel();
    const template = await driver.upChar(1);
    expect(template).toHaveLength(512);
    await driver.empty();
    await driver.downChar(2, template);
    await driver.store(2, 42);
    expect((await driver.readConList(0)).usedSlots).toEqual([42]);
    await captureInto(1);
    expect(await driver.search(1, 0, 300)).toMatchObject({ found: true, page: 42 });
  });

  it('reports each injected fault as a typed error and carries on', async () => {
    await control('place 9');
    await driver.genImg();
    await control('fault messy');
    await expect(driver.img2Tz(1)).rejects.toMatchObject({ code: 'R30X_IMAGE_MESSY' });
    await control('fault few-features');
    await expect(driver.img2Tz(1)).rejects.toMatchObject({ code: 'R30X_TOO_FEW_FEATURES' });
    await control('fault checksum');
    await expect(driver.img2Tz(1)).rejects.toMatchObject({ code: 'R30X_BAD_CHECKSUM' });
    await control('fault silence');
    await expect(driver.img2Tz(1)).rejects.toMatchObject({ code: 'R30X_TIMEOUT' });
    await driver.img2Tz(1);
    expect(JSON.parse(await control('status'))).toMatchObject({ finger: 9, pendingFaults: [] });
  });

  it('times out when the module is power-cycled mid-upload, then works after its boot delay', async () => {
    await control('place 12');
    await driver.genImg();
    const upload = driver.upImage(({ bytes }) => {
      if (bytes === 128 * 10) sim.control.powerCycle();
    });
    await expect(upload).rejects.toMatchObject({ code: 'R30X_TIMEOUT', details: { instruction: 'UpImage' } });
    await driver.connect();
    await expect(driver.upImage()).rejects.toMatchObject({ code: 'R30X_IMAGE_UPLOAD_FAILED' });
    await driver.genImg();
    expect(await driver.upImage()).toHaveLength(R30X_IMAGE_BYTES);
  });
});

describe('fingerprint simulator restarted mid-command', () => {
  let link: DeviceLink;

  function nextState(state: LinkState): Promise<void> {
    return new Promise((resolve) => {
      const listener = ({ state: now }: { state: LinkState }) => {
        if (now !== state) return;
        link.off('status', listener);
        resolve();
      };
      link.on('status', listener);
    });
  }

  afterEach(async () => {
    await link.stop();
  });

  it('fails the command in flight with a typed error, then a driver on the reopened link works', async () => {
    link = serialDeviceLink('fingerprint module', { path: sim.path, baudRate: BAUD });
    const connected = nextState('connected');
    link.start();
    await connected;
    const first = new R30xDriver(link.transport!);
    await first.connect();
    await control('place 77');
    await first.genImg();

    const gone = nextState('disconnected');
    let stopping: Promise<void> | undefined;
    const upload = first.upImage(({ bytes }) => {
      if (bytes === 128 * 10) stopping = sim.stop();
    });
    const error = await upload.then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'DeviceError', details: { instruction: 'UpImage' } });
    expect(['R30X_LINK_CLOSED', 'R30X_LINK_ERROR', 'R30X_TIMEOUT']).toContain((error as { code: string }).code);
    await stopping;
    await gone;

    const back = nextState('connected');
    sim = await startFingerprintSimulator({ link: join(dir, 'fp'), baud: BAUD });
    await back;
    const second = new R30xDriver(link.transport!);
    await second.connect();
    expect(await second.templateNum()).toBe(0);
    await control('place 77');
    await second.genImg();
    expect(await second.upImage()).toHaveLength(R30X_IMAGE_BYTES);
  });
});
