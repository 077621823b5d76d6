// The document-reader families on real pseudo-terminals (socat): each family's simulator read
// by its real driver through the registry, readings turned into captures or failures as the
// kiosk does, reader state for the status bar (with the officer's problem and the technician's
// fault) across unplug and replug, and the device rig choosing between a configured reader, the
// simulation (only when asked) and nothing.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DeviceRig, startDeviceRig } from '../../../../main/devices/device-rig.js';
import type { DocumentReaderConfig } from '../../../../main/devices/device-config.js';
import { documentReaderFamily, openDocumentReader } from '../../../../main/devices/device-registry.js';
import type { DeviceFault } from '../../../../main/devices/device-problem.js';
import { DocumentReaderService } from '../../../../main/devices/document-reader-service.js';
import { captureFromReading, readFailure, type DocumentCapture } from '../../../../main/enrollment/document-capture.js';
import type { ReadFailureView } from '../../../../main/enrollment/enrollment.js';
import { DeviceError } from '../../../../native/device-error.js';
import type { DocumentReaderSimulation } from '../../../../native/idreader/document-reader.js';
import type { DeviceStatus } from '../../../../main/rpc/contract.js';
import { openDatabase } from '../../../../main/store/database.js';
import { setSetting } from '../../../../main/store/settings.js';
import { SAMPLE_CNID_CARD } from '../../../../native/sim/cnid-sim.js';
import { MRZ_SAMPLE_DOCUMENTS, startMrzSimulator } from '../../../../native/sim/mrz-sim.js';
import { useScratchSpace } from '../../native/scratch-space.js';

type Status = ReturnType<typeof DeviceStatus.parse>;
const now = () => new Date();
const scratch = useScratchSpace('gatehouse-reader-service-');
let dataDir: string;
beforeEach(() => {
  dataDir = scratch.path('data');
});

interface Recorded {
  captures: DocumentCapture[];
  failures: ReadFailureView[];
  statuses: Status[];
  faults: (DeviceFault | null)[];
}

function record(service: DocumentReaderService): Recorded {
  const recorded: Recorded = { captures: [], failures: [], statuses: [], faults: [] };
  service.on('reading', (reading) => recorded.captures.push(captureFromReading(reading)));
  service.on('failure', (error) => recorded.failures.push(readFailure(error, now())));
  service.on('status', (status, fault) => {
    recorded.statuses.push({ ...status });
    recorded.faults.push(fault);
  });
  return recorded;
}

/** Waits for `condition`, generously; the limit only turns a hang into a readable failure. */
async function within(ms: number, what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Simulation = DocumentReaderSimulation<DocumentReaderConfig>;

async function simulation(kind: 'mrz' | 'cnid'): Promise<Simulation> {
  const runDir = join(dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const sim = await documentReaderFamily(kind).simulate({ runDir, now });
  scratch.defer(() => sim.stop());
  return sim;
}

async function readyService(sim: Simulation): Promise<{ service: DocumentReaderService; events: Recorded }> {
  const service = new DocumentReaderService(openDocumentReader(sim.config, { now }), { simulated: true });
  const events = record(service);
  service.start();
  scratch.defer(() => service.stop());
  await within(10_000, 'the reader to be ready', () => service.status.state === 'ready');
  return { service, events };
}

const field = (capture: DocumentCapture | undefined, name: string) => capture?.view.fields.find((f) => f.name === name);
const marked = (capture: DocumentCapture | undefined) => capture?.view.fields.filter((f) => !f.ok).map((f) => f.name);

describe('DocumentReaderService on the simulated MRZ reader', () => {
  it('puts the reader on a pty under DATA/run and reports it ready', async () => {
    const sim = await simulation('mrz');
    expect(sim.config).toMatchObject({ kind: 'mrz', path: join(dataDir, 'run', 'mrz-reader'), baud: 9600 });
    expect(existsSync(sim.config.path)).toBe(true);
    const { service, events } = await readyService(sim);
    expect(service.status).toEqual({ kind: 'document-reader', name: 'MRZ document reader', state: 'ready', simulated: true });
    // Connecting shows as not yet there; nothing is ready before the port is open.
    expect(events.statuses.map((s) => s.state)).toEqual(['disconnected', 'ready']);
    expect(events.statuses.every((s) => s.kind === 'document-reader' && s.simulated)).toBe(true);
  });

  it('turns each sample document into a capture with every field passing', async () => {
    const sim = await simulation('mrz');
    const { events } = await readyService(sim);
    for (const sample of ['passport', 'id-card', 'visa'] as const) await sim.present(sample);
    await within(10_000, 'three captures', () => events.captures.length === 3);

    expect(events.captures.map((c) => c.view.documentType)).toEqual(['TD3', 'TD1', 'MRVA']);
    for (const capture of events.captures) {
      expect(capture.view).toMatchObject({ source: 'mrz', valid: true, expired: false, suggestedCorrection: null, portraitAvailable: false });
      expect(marked(capture)).toEqual([]);
      expect(field(capture, 'surname')?.value).toBe('MUSTERFRAU');
      expect(field(capture, 'givenNames')?.value).toBe('ERIKA ANNA');
      expect(capture.mrzLines).toHaveLength(capture.view.documentType === 'TD1' ? 3 : 2);
      expect(capture.cardPhoto).toBeNull();
    }
    expect(events.captures.map((c) => field(c, 'documentNumber')?.value)).toEqual(['C01X00T47', 'T22000129', 'VX1234567']);
    expect(events.failures).toEqual([]);
  });

  it('turns a misread into a capture that does not check out, with the birth date marked', async () => {
    const sim = await simulation('mrz');
    const { events } = await readyService(sim);
    await sim.presentMisread();
    await within(10_000, 'a capture', () => events.captures.length === 1);
    const [capture] = events.captures;
    expect(capture?.view).toMatchObject({ documentType: 'TD3', valid: false, expired: false });
    expect(marked(capture)).toEqual(['birthDate']);
    expect(field(capture, 'birthDate')?.problem).toMatch(/check digit/);
    expect(events.failures).toEqual([]);
  });

  it('refuses to present a CN ID card', async () => {
    const sim = await simulation('mrz');
    const refused = await sim.present('cnid').then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(DeviceError);
    expect(refused).toMatchObject({ code: 'DEVICES_WRONG_SIMULATOR' });
  });

  it('reports the reader disconnected when it goes away, and reads again once it is back', async () => {
    const sim = await simulation('mrz');
    const { service, events } = await readyService(sim);
    await sim.present('passport');
    await within(10_000, 'a capture', () => events.captures.length === 1);

    await sim.stop();
    await within(5_000, 'the reader to be reported gone', () => service.status.state === 'disconnected');
    expect(service.status.problem).toBe('not-connected');
    expect(events.faults.at(-1)?.detail).toMatch(/MRZ document reader .* went away/);
    expect(events.captures).toHaveLength(1);

    const replugged = await simulation('mrz');
    expect(replugged.config.path).toBe(sim.config.path);
    await within(10_000, 'the reader to be ready again', () => service.status.state === 'ready');
    expect(service.status.problem).toBeUndefined();
    expect(events.faults.at(-1)).toBeNull();
    await replugged.present('id-card');
    await within(10_000, 'a capture after the replug', () => events.captures.length === 2);
    expect(events.captures[1]?.view).toMatchObject({ documentType: 'TD1', valid: true });
  });
});

describe('DocumentReaderService on the simulated CN ID reader', () => {
  it('turns the sample card into a capture with every field passing and the photo kept', async () => {
    const sim = await simulation('cnid');
    expect(sim.config).toEqual({ kind: 'cnid', path: join(dataDir, 'run', 'cnid-reader'), baud: 115_200 });
    const { service, events } = await readyService(sim);
    expect(service.status).toMatchObject({ name: 'ID card reader', state: 'ready', simulated: true });
    await sim.present('cnid');
    await within(10_000, 'a capture', () => events.captures.length === 1);
    const [capture] = events.captures;
    expect(capture?.view).toMatchObject({
      source: 'cnid', documentType: 'CNID', valid: true, expired: false, portraitAvailable: false, suggestedCorrection: null,
    });
    expect(marked(capture)).toEqual([]);
    expect(field(capture, 'idNumber')?.value).toBe(SAMPLE_CNID_CARD.text.idNumber);
    expect(field(capture, 'name')?.value).toBe(SAMPLE_CNID_CARD.text.name);
    expect(capture?.cardPhoto).toEqual(SAMPLE_CNID_CARD.photo);
    expect(capture?.mrzLines).toBeNull();
    expect(events.failures).toEqual([]);
  });

  it('reports a misread card as a failure a person can act on, then reads the card on the next poll', async () => {
    const sim = await simulation('cnid');
    const { events } = await readyService(sim);
    await sim.presentMisread();
    await within(10_000, 'a failure and a capture', () => events.failures.length >= 1 && events.captures.length >= 1);
    expect(events.failures).toHaveLength(1);
    expect(events.failures[0]).toMatchObject({ code: 'CNID_READ_FAILED', message: expect.stringContaining(sim.config.path) });
    expect(events.failures[0]?.message).not.toContain(SAMPLE_CNID_CARD.text.idNumber);
    expect(Date.parse(events.failures[0]!.at)).toBeLessThanOrEqual(Date.parse(events.captures[0]!.view.at));
    expect(events.captures).toHaveLength(1);
    expect(events.captures[0]?.view).toMatchObject({ valid: true, documentType: 'CNID' });
  });

  it('reports the reader disconnected when it goes away', async () => {
    const sim = await simulation('cnid');
    const { service, events } = await readyService(sim);
    await sim.stop();
    await within(5_000, 'the reader to be reported gone', () => service.status.state === 'disconnected');
    expect(service.status.problem).toBe('not-connected');
    expect(events.faults.at(-1)?.detail).toMatch(/ID card reader/);
  });
});

describe('startDeviceRig', () => {
  async function rig(options: { simulate?: boolean } = {}): Promise<DeviceRig> {
    const db = openDatabase(':memory:');
    scratch.defer(async () => db.close());
    return rigOn(db, options);
  }

  async function rigOn(db: ReturnType<typeof openDatabase>, { simulate = false }: { simulate?: boolean } = {}): Promise<DeviceRig> {
    const started = await startDeviceRig({ dataDir, db, now, simulate, watchIntervalMs: 0 });
    scratch.defer(() => started.stop());
    return started;
  }

  it('with --simulate, runs on the MRZ simulation when no reader is configured, and says so', async () => {
    const started = await rig({ simulate: true });
    expect(started.simulation).not.toBeNull();
    expect(started.simulation?.config.path).toBe(join(dataDir, 'run', 'mrz-reader'));
    const events = record(started.documentReader!);
    await within(10_000, 'the reader to be ready', () => started.documentReader!.status.state === 'ready');
    expect(started.documentReader!.status).toMatchObject({ name: 'MRZ document reader', simulated: true });
    await started.simulation!.present('passport');
    await within(10_000, 'a capture', () => events.captures.length === 1);
    expect(events.captures[0]?.view).toMatchObject({ documentType: 'TD3', valid: true });
  });

  it('opens the configured reader and starts no simulation', async () => {
    const framing = { framing: 'lines', lineEnd: 'crlf' } as const;
    const reader = await startMrzSimulator({ link: scratch.path('acme-reader'), framing, scenario: 'idle' });
    scratch.defer(() => reader.stop());
    const db = openDatabase(':memory:');
    scratch.defer(async () => db.close());
    setSetting(db, 'devices', { documentReader: { kind: 'mrz', path: reader.path, framing } });

    const started = await rigOn(db, { simulate: true });
    expect(started.simulation).toBeNull();
    expect(existsSync(join(dataDir, 'run', 'mrz-reader'))).toBe(false);
    expect(existsSync(join(dataDir, 'run', 'cnid-reader'))).toBe(false);
    const events = record(started.documentReader!);
    await within(10_000, 'the reader to be ready', () => started.documentReader!.status.state === 'ready');
    expect(started.documentReader!.status).toEqual({ kind: 'document-reader', name: 'MRZ document reader', state: 'ready', simulated: false });

    await reader.control.present(MRZ_SAMPLE_DOCUMENTS.passport);
    await within(10_000, 'a capture', () => events.captures.length === 1);
    // The Doc 9303 specimen: every check digit holds, but it expired in 2012.
    expect(events.captures[0]?.view).toMatchObject({ documentType: 'TD3', valid: true, expired: true });
    expect(field(events.captures[0], 'documentNumber')?.value).toBe('L898902C3');
    expect(events.statuses.every((s) => !s.simulated)).toBe(true);
  });

  it('reports a configured reader that is not there, rather than simulating one', async () => {
    const db = openDatabase(':memory:');
    scratch.defer(async () => db.close());
    setSetting(db, 'devices', { documentReader: { kind: 'cnid', path: scratch.path('unplugged') } });
    const started = new DeviceRig({ dataDir, db, now, simulate: true });
    scratch.defer(() => started.stop());
    const faults: (DeviceFault | null)[] = [];
    started.on('status', (status, fault) => {
      if (status.kind === 'document-reader') faults.push(fault);
    });
    await started.applyStoredSettings();
    expect(started.simulation).toBeNull();
    const events = record(started.documentReader!);
    await within(10_000, 'an error status', () => started.documentReader!.status.state === 'error');
    expect(started.documentReader!.status).toEqual({ kind: 'document-reader', name: 'ID card reader', state: 'error', simulated: false, problem: 'not-connected' });
    expect(faults.at(-1)).toMatchObject({ code: 'SERIAL_OPEN_FAILED', detail: expect.stringContaining(scratch.path('unplugged')) });
    expect(events.captures).toEqual([]);
  });

  it('without --simulate, runs nothing for a role not set up and reports it "not set up"', async () => {
    const started = await rig();
    expect([started.documentReader, started.fingerprint, started.chipReader]).toEqual([null, null, null]);
    expect([started.simulation, started.fingerprintSimulation, started.chipSimulation]).toEqual([null, null, null]);
    expect(existsSync(join(dataDir, 'run', 'mrz-reader'))).toBe(false);
    expect(existsSync(join(dataDir, 'run', 'fingerprint'))).toBe(false);
    expect(started.statuses().map((status) => [status.kind, status.state, status.problem])).toEqual([
      ['document-reader', 'not-configured', 'not-set-up'], ['fingerprint', 'not-configured', 'not-set-up'], ['chip-reader', 'not-configured', 'not-set-up'],
    ]);
  });
});
