// The device rig of a running kiosk, on real pseudo-terminals (socat simulators) and a real
// store: a role reconfigured without a restart (an absent device, then a simulator's pty that
// reads), the kiosk's one subscription surviving the swap, a kiosk without --simulate running
// no simulator and refusing device work with a translated code, the technician's set-up
// procedures (audited, a test read kept from enrollments, a finger's image from the simulated
// module), and a setting changed by another process (the CLI) picked up by the running kiosk.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentReading } from '../../../../native/idreader/document-reader.js';
import { MRZ_SAMPLE_DOCUMENTS, startMrzSimulator, type RunningMrzSimulator } from '../../../../native/sim/mrz-sim.js';
import { DeviceRig, startDeviceRig } from '../../../../main/devices/device-rig.js';
import { writeDeviceSettings } from '../../../../main/devices/device-settings.js';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, outputOf, type KioskHarness } from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { until } from '../../../unit/native/transport/waiting.js';
import { useScratchSpace } from '../../native/scratch-space.js';

const now = () => new Date();
const scratch = useScratchSpace('gatehouse-device-rig-');
/** The kiosk of the test and its rig: the rig stops first, as `gatehouse serve` stops its devices before the store. */
let opened: { h: KioskHarness; rig: DeviceRig } | null = null;

afterEach(async () => {
  await opened?.rig.stop();
  opened?.h.close();
  opened = null;
});

/** An MRZ reader on a pty under the scratch folder, reading plain CR/LF lines; idle until told. */
async function mrzReaderOnPty(name = 'acme-reader'): Promise<RunningMrzSimulator> {
  const reader = await startMrzSimulator({ link: scratch.path(name), framing: { framing: 'lines' }, scenario: 'idle' });
  scratch.defer(() => reader.stop());
  return reader;
}

async function kioskWithRig(options: { simulate?: boolean; watchIntervalMs?: number } = {}): Promise<{ h: KioskHarness; rig: DeviceRig }> {
  const harness = await openKioskHarness();
  const rig = await startDeviceRig({ dataDir: harness.dataDir, db: harness.kiosk.db, now, watchIntervalMs: 0, ...options });
  opened = { h: harness, rig };
  harness.kiosk.attachDevices(rig);
  return opened;
}

const deviceOf = (harness: KioskHarness, kind: string) => harness.kiosk.status.current().devices.find((device) => device.kind === kind);
const diagnosisOf = (harness: KioskHarness, kind: string) => harness.kiosk.status.diagnoses().find((device) => device.kind === kind);

describe('a device rig reconfigured while it runs', () => {
  it('goes from a configured device that is absent to a simulator\'s pty, and reads through the one subscription', async () => {
    const db = openKioskDatabase(scratch.path('store'));
    scratch.defer(async () => db.close());
    const absent = scratch.path('no-such-reader');
    writeDeviceSettings(db, 'document-reader', { kind: 'mrz', path: absent, framing: { framing: 'lines' } });
    const rig = new DeviceRig({ dataDir: scratch.path('data'), db, now });
    scratch.defer(() => rig.stop());
    const readings: DocumentReading[] = [];
    const states: string[] = [];
    rig.on('reading', (reading) => readings.push(reading));
    rig.on('status', (status, fault) => {
      if (status.kind === 'document-reader') states.push(`${status.state}/${status.problem ?? '-'}/${fault?.code ?? '-'}`);
    });
    await rig.applyStoredSettings();
    await until(() => rig.documentReader?.status.state === 'error');
    expect(rig.documentReader!.status).toEqual({ kind: 'document-reader', name: 'MRZ document reader', state: 'error', simulated: false, problem: 'not-connected' });
    expect(states).toContain('error/not-connected/SERIAL_OPEN_FAILED');
    const absentService = rig.documentReader;

    const reader = await mrzReaderOnPty();
    writeDeviceSettings(db, 'document-reader', { kind: 'mrz', path: reader.path, framing: { framing: 'lines' } });
    expect(await rig.applyStoredSettings()).toEqual(['document-reader']);
    expect(rig.documentReader).not.toBe(absentService);
    await until(() => rig.documentReader?.status.state === 'ready');
    expect(rig.documentReader!.status).toEqual({ kind: 'document-reader', name: 'MRZ document reader', state: 'ready', simulated: false });
    expect(rig.simulation).toBeNull();

    await reader.control.present(MRZ_SAMPLE_DOCUMENTS.passport);
    await until(() => readings.length === 1);
    expect(readings[0]).toMatchObject({ kind: 'mrz', result: { fields: { documentNumber: 'L898902C3' } } });
    // Nothing changed since: applying again replaces nothing.
    expect(await rig.applyStoredSettings()).toEqual([]);

    // Removed: nothing runs for the role, which is "not set up".
    writeDeviceSettings(db, 'document-reader', null);
    await rig.applyStoredSettings();
    expect(rig.documentReader).toBeNull();
    expect(states.at(-1)).toBe('not-configured/not-set-up/-');
  });
});

describe('a kiosk without --simulate', () => {
  it('runs no simulator, shows the devices "not set up" and refuses device work with a code the screens translate', async () => {
    const { h, rig } = await kioskWithRig();
    expect([rig.documentReader, rig.fingerprint, rig.chipReader, rig.simulation, rig.fingerprintSimulation]).toEqual([null, null, null, null, null]);
    expect(existsSync(join(h.dataDir, 'run', 'mrz-reader'))).toBe(false);
    expect(existsSync(join(h.dataDir, 'run', 'fingerprint'))).toBe(false);
    expect(deviceOf(h, 'document-reader')).toMatchObject({ state: 'not-configured', problem: 'not-set-up', simulated: false });
    expect(deviceOf(h, 'fingerprint')).toMatchObject({ state: 'not-configured', problem: 'not-set-up', simulated: false });

    const screen = h.openScreen().screen;
    expect(outputOf(await h.call(screen, 'system.info'))).toMatchObject({ simulatedDevices: false, camera: null });
    expect(errorOf(await h.call(screen, 'auth.loginFingerprint'))).toMatchObject({
      code: 'DEVICE_NOT_READY', details: { role: 'fingerprint', problem: 'not-set-up' },
    });
    expect(errorOf(await h.call(screen, 'devices.simulate', { action: 'present-document' }))).toMatchObject({ code: 'DEVICES_NOT_SIMULATED' });

    const technician = (await h.loggedIn('technician')).screen;
    const setup = outputOf<{ simulationAllowed: boolean; simulated: Record<string, boolean>; devices: { kind: string; problem?: string }[] }>(
      await h.call(technician, 'devices.setup'));
    expect(setup.simulationAllowed).toBe(false);
    expect(setup.simulated).toEqual({ documentReader: false, chipReader: false, fingerprint: false });
    expect(setup.devices.filter((device) => device.problem === 'not-set-up').map((device) => device.kind))
      .toEqual(['document-reader', 'fingerprint', 'chip-reader']);
    expect(errorOf(await h.call(technician, 'devices.test', { role: 'document-reader', timeoutSeconds: 5 }))).toMatchObject({
      code: 'DEVICE_NOT_READY', details: { role: 'document-reader', problem: 'not-set-up' },
    });
  });

  it('with --simulate, runs the simulators and says so', async () => {
    const { h, rig } = await kioskWithRig({ simulate: true });
    await until(() => rig.fingerprint?.status.state === 'ready' && rig.documentReader?.status.state === 'ready');
    expect(deviceOf(h, 'document-reader')).toMatchObject({ state: 'ready', simulated: true });
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toMatchObject({ simulatedDevices: true });
  });
});

describe('the technician\'s device set-up procedures', () => {
  it('configure a reader that takes effect at once (audited without a password), and test it while enrollments get nothing', async () => {
    const { h, rig } = await kioskWithRig();
    const technician = (await h.loggedIn('technician')).screen;
    const before = auditHeadSeq(h.kiosk);

    // A reader configured on a port that is not there: the officer's problem, and the technician's detail.
    const absent = scratch.path('unplugged');
    outputOf(await h.call(technician, 'devices.configure', { role: 'document-reader', settings: { kind: 'mrz', path: absent, framing: { framing: 'lines' } } }));
    await until(() => deviceOf(h, 'document-reader')?.state === 'error');
    expect(deviceOf(h, 'document-reader')).toEqual({ kind: 'document-reader', name: 'MRZ document reader', state: 'error', simulated: false, problem: 'not-connected' });
    expect(diagnosisOf(h, 'document-reader')?.lastError).toMatchObject({ code: 'SERIAL_OPEN_FAILED', detail: expect.stringContaining(absent) });
    expect(JSON.stringify(h.kiosk.status.current())).not.toContain(absent);

    const reader = await mrzReaderOnPty();
    const setup = outputOf<{ documentReader: Record<string, unknown> }>(await h.call(technician, 'devices.configure', {
      role: 'document-reader', settings: { kind: 'mrz', path: reader.path, framing: { framing: 'lines' } },
    }));
    expect(setup.documentReader).toMatchObject({ kind: 'mrz', path: reader.path });
    await until(() => deviceOf(h, 'document-reader')?.state === 'ready');

    outputOf(await h.call(technician, 'devices.configure', { role: 'fingerprint', settings: { kind: 'r30x', path: scratch.path('no-scanner'), password: 4711 } }));
    const fingers = outputOf<{ fingers: number[] }>(await h.call(technician, 'devices.setFingers', { fingers: [2, 7, 1, 6] }));
    expect(fingers.fingers).toEqual([2, 7, 1, 6]);
    expect(errorOf(await h.call(technician, 'devices.setFingers', { fingers: [2, 2] }))).toMatchObject({ code: 'DEVICES_FINGERS_INVALID' });

    const audited = auditRowsAfter(h.kiosk, before).map((row) => ({ ...row, details: JSON.parse(row.details) as unknown }));
    expect(audited.map((row) => row.action)).toEqual(['devices.configured', 'devices.configured', 'devices.configured', 'devices.fingers-set']);
    expect(audited[1]!.details).toMatchObject({ role: 'document-reader', old: { path: absent }, new: { path: reader.path }, credentialChanged: false });
    expect(audited[2]!.details).toMatchObject({ role: 'fingerprint', old: null, new: { kind: 'r30x' }, credentialChanged: true });
    expect(JSON.stringify(audited)).not.toContain('4711');
    expect(audited[3]!.details).toEqual({ old: [2, 7], new: [2, 7, 1, 6] });

    // An officer's enrollment waits on the document step while the technician tests the reader.
    const officer = await h.loggedIn('officer');
    outputOf(await h.call(officer.screen, 'enrollment.start', { flow: 'person' }));
    const testing = h.call(technician, 'devices.test', { role: 'document-reader', timeoutSeconds: 30 });
    await until(() => rig.documentReader!.listenerCount('reading') > 1); // the test listens
    await reader.control.present(MRZ_SAMPLE_DOCUMENTS.passport);
    const result = outputOf<{ role: string; documentType: string; fields: { name: string; value: string }[] }>(await testing);
    expect(result).toMatchObject({ role: 'document-reader', documentType: 'TD3' });
    expect(result.fields.find((field) => field.name === 'documentNumber')?.value).toBe('L898902C3');
    expect(outputOf<{ pendingRead: unknown }>(await h.call(officer.screen, 'enrollment.current')).pendingRead).toBeNull();
    expect(auditRowsAfter(h.kiosk, before).at(-1)).toMatchObject({ action: 'devices.tested', details: '{"passed":true,"role":"document-reader"}' });

    // "Stop waiting" ends the kiosk's wait at once: the test answers cancelled and the reader can be tested again.
    const stopped = h.call(technician, 'devices.test', { role: 'document-reader', timeoutSeconds: 120 });
    await until(() => rig.documentReader!.listenerCount('reading') > 1);
    expect(errorOf(await h.call(technician, 'devices.test', { role: 'document-reader', timeoutSeconds: 5 }))).toMatchObject({ code: 'DEVICES_TEST_RUNNING' });
    expect(outputOf(await h.call(technician, 'devices.cancelTest', { role: 'document-reader' }))).toEqual({ cancelled: true });
    expect(errorOf(await stopped)).toMatchObject({ code: 'DEVICE_TEST_CANCELLED' });
    expect(outputOf(await h.call(technician, 'devices.cancelTest', { role: 'document-reader' }))).toEqual({ cancelled: false });

    // After the test, the next document (another one: the reader merges a repeat within seconds) reaches the enrollment again.
    await reader.control.present(MRZ_SAMPLE_DOCUMENTS.idCard);
    const pendingRead = async () => outputOf<{ pendingRead: unknown }>(await h.call(officer.screen, 'enrollment.current')).pendingRead;
    while (await pendingRead() === null) await new Promise((resolve) => setTimeout(resolve, 20));
  });
});

describe('testing the simulated fingerprint module from the set-up screen', () => {
  it('shows the finger\'s image and quality, audited', async () => {
    const kiosk = await openSimulatedKiosk();
    try {
      const technician = (await kiosk.screen('technician')).screen;
      const before = auditHeadSeq(kiosk.h.kiosk);
      kiosk.fingers.placeFinger('applicant', 2);
      const result = outputOf<{ role: string; image: string; width: number; height: number; quality: { score: number } }>(
        await kiosk.h.call(technician, 'devices.test', { role: 'fingerprint', timeoutSeconds: 30 }));
      expect(result).toMatchObject({ role: 'fingerprint', width: 256, height: 288 });
      expect(result.image).toMatch(/^data:image\/png;base64,/);
      expect(result.quality.score).toBeGreaterThan(0);
      expect(auditRowsAfter(kiosk.h.kiosk, before).map((row) => [row.action, row.details])).toEqual([['devices.tested', '{"passed":true,"role":"fingerprint"}']]);
    } finally {
      await kiosk.close();
    }
  });
});

describe('a setting changed by another process', () => {
  it('is picked up by the running kiosk without a restart', async () => {
    const { h, rig } = await kioskWithRig({ watchIntervalMs: 50 });
    const reader = await mrzReaderOnPty('cli-reader');
    // What `gatehouse devices set` does: its own connection to the store, the kiosk untouched.
    const cli = openKioskDatabase(h.dataDir);
    try {
      writeDeviceSettings(cli, 'document-reader', { kind: 'mrz', path: reader.path, framing: { framing: 'lines' } });
    } finally {
      cli.close();
    }
    await until(() => deviceOf(h, 'document-reader')?.state === 'ready');
    expect(rig.documentReader?.status.simulated).toBe(false);
  });
});
