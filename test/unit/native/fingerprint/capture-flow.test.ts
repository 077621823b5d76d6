// The finger capture flow against the simulated module on an in-memory link, with a
// scripted person who places and lifts the finger when the flow asks.

import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryPair } from '../../../../native/transport/memory-transport.js';
import type { Transport } from '../../../../native/transport/transport.js';
import { R30xDriver } from '../../../../native/fingerprint/r30x-driver.js';
import { R30xModuleSimulator } from '../../../../native/sim/fingerprint-sim.js';
import {
  FingerCaptureFlow, type FingerCaptureOptions, type FingerCaptureProgress,
} from '../../../../native/fingerprint/capture-flow.js';
import { decodeFingerImageRecord, FingerPosition } from '../../../../native/fingerprint/iso19794-4.js';
import { decodeGreyPng } from '../../../../native/fingerprint/finger-image.js';

const opened: Transport[] = [];
const FAST = { pollIntervalMs: 5 };

async function rig(autoFinger?: number) {
  const [host, device] = createMemoryPair('fingerprint');
  await host.open();
  await device.open();
  opened.push(host);
  const sim = new R30xModuleSimulator(device, { baud: 10_000_000, bootDelayMs: 0, autoFinger });
  const flow = new FingerCaptureFlow(new R30xDriver(host));
  const events: FingerCaptureProgress[] = [];
  flow.on('progress', (event) => events.push(event));
  return { sim, flow, events };
}

/** A person who puts `seed` on the sensor when asked to place and takes it off when asked to lift. */
function cooperate(flow: FingerCaptureFlow, sim: R30xModuleSimulator, seed: number): void {
  flow.on('progress', (event) => {
    if (event.step === 'place') sim.placeFinger(seed);
    if (event.step === 'lift') sim.liftFinger();
  });
}

const steps = (events: FingerCaptureProgress[]) => [...new Set(events.map((e) => e.step))];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

describe('FingerCaptureFlow', () => {
  it('captures a finger: template, image, quality, ISO record, progress', async () => {
    const { sim, flow, events } = await rig();
    cooperate(flow, sim, 101);
    const result = await flow.capture({ position: FingerPosition.rightIndex, ...FAST });
    expect(result).toMatchObject({ kind: 'captured', position: 2, qualityAccepted: true, attempts: 1, duplicate: null });
    expect(result.template).toHaveLength(512);
    expect(result.quality.score).toBeGreaterThanOrEqual(40);
    expect(decodeGreyPng(result.png)).toEqual(result.image);
    const record = decodeFingerImageRecord(result.isoRecord);
    expect(record.views[0]).toMatchObject({ position: 2, quality: result.quality.score, width: 256, height: 288 });
    expect(steps(events)).toEqual(['place', 'image-upload', 'quality', 'lift', 'template-upload', 'search']);
    const upload = events.filter((e) => e.step === 'image-upload');
    expect(upload.at(-1)).toMatchObject({ bytes: 36_864, total: 36_864 });
  });

  it('flags a finger already in the library and not a new one', async () => {
    const { sim, flow } = await rig();
    cooperate(flow, sim, 7);
    await flow.capture({ position: 1, storePage: 20, ...FAST });
    expect((await flow.capture({ position: 2, ...FAST })).duplicate).toMatchObject({ page: 20 });
    const other = await rig();
    cooperate(other.flow, other.sim, 8);
    expect((await other.flow.capture({ position: 2, ...FAST })).duplicate).toBeNull();
  });

  it('compares the new template with earlier ones on the module without storing anything', async () => {
    const { sim, flow } = await rig();
    cooperate(flow, sim, 21);
    const first = await flow.capture({ position: 2, ...FAST });
    expect(first.earlierMatch).toBeNull();
    const other = await rig();
    cooperate(other.flow, other.sim, 22);
    const unrelated = (await other.flow.capture({ position: 7, ...FAST })).template;
    const again = await flow.capture({ position: 7, compareWith: [unrelated, first.template], ...FAST });
    expect(again.earlierMatch).toMatchObject({ index: 1, score: expect.any(Number) });
    expect(again.duplicate).toBeNull();
    expect(sim.status().templates).toBe(0);
  });

  it('identifies a placed finger by searching the library, and reports an unknown one as not found', async () => {
    const { sim, flow } = await rig();
    cooperate(flow, sim, 31);
    await flow.capture({ position: 2, storePage: 5, ...FAST });
    flow.removeAllListeners('progress');
    expect(await flow.identify(FAST)).toMatchObject({ found: true, page: 5 });
    sim.placeFinger(32);
    expect(await flow.identify(FAST)).toEqual({ found: false });
    sim.liftFinger();
    await expect(flow.identify({ placeTimeoutMs: 30, ...FAST })).rejects.toMatchObject({ code: 'FINGER_NOT_PLACED' });
  });

  it('retries below the quality threshold and keeps the last attempt, marked, when none reaches it', async () => {
    const { sim, flow, events } = await rig();
    cooperate(flow, sim, 3);
    const result = await flow.capture({ position: 6, qualityThreshold: 101, maxAttempts: 3, ...FAST });
    expect(result).toMatchObject({ attempts: 3, qualityAccepted: false });
    expect(events.filter((e) => e.step === 'retry')).toHaveLength(2);
  });

  it('retries after a messy image and succeeds', async () => {
    const { sim, flow, events } = await rig();
    cooperate(flow, sim, 4);
    sim.injectFault('messy');
    const result = await flow.capture({ position: 3, ...FAST });
    expect(result.attempts).toBe(2);
    expect(events.find((e) => e.step === 'retry')).toMatchObject({ reason: expect.stringMatching(/clean the sensor/) });
  });

  it('gives up with a typed error when no finger is placed', async () => {
    const { flow } = await rig();
    await expect(flow.capture({ position: 1, placeTimeoutMs: 30, ...FAST }))
      .rejects.toMatchObject({ code: 'FINGER_NOT_PLACED', message: expect.stringMatching(/No finger was placed/) });
  });

  it('takes the second impression anyway when the finger is never lifted', async () => {
    const { flow, events } = await rig(55);
    const result = await flow.capture({ position: 1, liftTimeoutMs: 30, ...FAST });
    expect(result.kind).toBe('captured');
    expect(events.some((e) => e.step === 'lift-not-seen')).toBe(true);
  });

  it('stops when cancelled', async () => {
    const { flow } = await rig();
    const controller = new AbortController();
    flow.on('progress', (e) => { if (e.step === 'place' && e.waitedMs > 0) controller.abort(); });
    const options: FingerCaptureOptions = { position: 1, signal: controller.signal, ...FAST };
    await expect(flow.capture(options)).rejects.toMatchObject({ code: 'FINGER_CAPTURE_CANCELLED' });
  });

  it('captures real finger positions only', async () => {
    const { flow } = await rig();
    await expect(flow.capture({ position: 0 })).rejects.toMatchObject({ code: 'FINGER_BAD_POSITION' });
  });
});
