// The devices of this kiosk: one slot per role, each running the configured family's driver,
// or nothing ("not set up"). A slot is replaced while the kiosk runs (`configure`), when a
// technician changes the `devices` setting from the screen or the CLI; the kiosk listens to
// the rig's one event surface, never to a service object that a change would replace.
// Simulators stand in for unconfigured roles only on a kiosk started with --simulate (the chip
// reader only when asked too); families come from the registry, nothing here knows a kind.

import { EventEmitter } from 'node:events';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { canonicalJson } from '../../protocol/canonical-json.js';
import type { DeviceError } from '../../native/device-error.js';
import type { DeviceRole, SimulationContext } from '../../native/device-family.js';
import { chipReaderFamily, type ChipReaderSimulation } from '../../native/emrtd/chip-reader-family.js';
import { r30xFamily, type FingerprintSimulation } from '../../native/fingerprint/r30x-family.js';
import type { DocumentReaderSimulation, DocumentReading } from '../../native/idreader/document-reader.js';
import { silentLog, type Log } from '../log.js';
import type { DeviceStatus } from '../rpc/schemas.js';
import type { Db } from '../store/database.js';
import { ChipReaderService } from './chip-reader-service.js';
import { ROLE_KEYS, readDevicesConfig, type DocumentReaderConfig, type RoleConfigs } from './device-config.js';
import type { DeviceFault } from './device-problem.js';
import { documentReaderFamily, openDocumentReader, type DocumentReaderKind } from './device-registry.js';
import { DocumentReaderService } from './document-reader-service.js';
import { FingerprintService } from './fingerprint-service.js';

type DeviceStatusView = z.infer<typeof DeviceStatus>;

export type DeviceRigEvents = {
  /** A document the reader read, whichever reader fills the role now. */
  reading: [reading: DocumentReading];
  failure: [error: DeviceError];
  /** A role's device changed state; `fault` is the technical detail of its problem. */
  status: [status: DeviceStatusView, fault: DeviceFault | null];
  /** The chip reader was replaced or removed: whoever reads chips takes the new one. */
  chipReader: [reader: ChipReaderService | null];
};

export interface DeviceRigOptions {
  dataDir: string;
  db: Db;
  now: () => Date;
  log?: Log;
  /** Let simulators stand in for the document reader and fingerprint module not configured (never on a packaged kiosk). */
  simulate?: boolean;
  /** With `simulate`: which document reader to simulate. */
  simulatedReader?: DocumentReaderKind;
  /** With `simulate`: simulate a chip reader too (a private pcscd with a virtual reader and chipped sample documents). */
  simulateChip?: boolean;
  /** The simulated chips' portrait; the simulator's generated one unless given. */
  simulatedPortrait?: SimulatedPortrait | null;
  /** How often the stored `devices` setting is compared with what runs (a change from the CLI); 0: never. */
  watchIntervalMs?: number;
}

/** A JPEG portrait and its size, as a simulated chip's DG2 holds it. */
export interface SimulatedPortrait {
  image: Uint8Array;
  width: number;
  height: number;
}

/** What a role runs now: its service and, on a simulated role, the simulator under it. */
interface Slot<Service, Simulation> {
  service: Service | null;
  simulation: Simulation | null;
  /** The stored settings it runs on (canonical JSON); null: none configured; undefined: not started (yet, or its start failed). */
  settings: string | null | undefined;
}

const NOT_SET_UP: Record<DeviceRole, DeviceStatusView> = {
  'document-reader': { kind: 'document-reader', name: 'Document reader', state: 'not-configured', simulated: false, problem: 'not-set-up' },
  'chip-reader': { kind: 'chip-reader', name: 'Chip reader', state: 'not-configured', simulated: false, problem: 'not-set-up' },
  fingerprint: { kind: 'fingerprint', name: 'Fingerprint scanner', state: 'not-configured', simulated: false, problem: 'not-set-up' },
};

const ROLES: readonly DeviceRole[] = ['document-reader', 'fingerprint', 'chip-reader'];
const STORED_SETTINGS_POLL_MS = 2_000;

export class DeviceRig extends EventEmitter<DeviceRigEvents> {
  readonly simulationAllowed: boolean;
  /** The portrait simulated chips carry; null: the simulator's own. */
  readonly simulatedPortrait: SimulatedPortrait | null;
  readonly #documentReader: Slot<DocumentReaderService, DocumentReaderSimulation<DocumentReaderConfig>> = emptySlot();
  readonly #fingerprint: Slot<FingerprintService, FingerprintSimulation> = emptySlot();
  readonly #chipReader: Slot<ChipReaderService, ChipReaderSimulation> = emptySlot();
  /** Kept from its first start to the rig's end: this process's PC/SC goes to its private pcscd from then on. */
  #chipSimulator: ChipReaderSimulation | null = null;
  /** Reconfigurations run one at a time, in the order asked. */
  #queue: Promise<unknown> = Promise.resolve();
  #watch: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #context: SimulationContext;

  constructor(private readonly options: DeviceRigOptions) {
    super();
    this.simulationAllowed = options.simulate === true;
    this.simulatedPortrait = options.simulatedPortrait ?? null;
    const runDir = join(options.dataDir, 'run');
    // Simulators' device files and control sockets: this user's alone, like the rest of the data folder.
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    chmodSync(runDir, 0o700);
    this.#context = { now: options.now, runDir };
  }

  get documentReader(): DocumentReaderService | null {
    return this.#documentReader.service;
  }

  get fingerprint(): FingerprintService | null {
    return this.#fingerprint.service;
  }

  get chipReader(): ChipReaderService | null {
    return this.#chipReader.service;
  }

  /** Present while the document reader is simulated. */
  get simulation(): DocumentReaderSimulation<DocumentReaderConfig> | null {
    return this.#documentReader.simulation;
  }

  /** Present while the fingerprint module is simulated. */
  get fingerprintSimulation(): FingerprintSimulation | null {
    return this.#fingerprint.simulation;
  }

  /** Present while the chip reader is simulated. */
  get chipSimulation(): ChipReaderSimulation | null {
    return this.#chipReader.simulation;
  }

  /** Every role's state now, a role without a device as "not set up". */
  statuses(): DeviceStatusView[] {
    return ROLES.map((role) => this.#slot(role).service?.status ?? NOT_SET_UP[role]);
  }

  /** Runs the stored settings of every role whose settings differ from what runs; resolves with the roles changed. */
  applyStoredSettings(): Promise<DeviceRole[]> {
    return this.#serially(async () => {
      const stored = readDevicesConfig(this.options.db);
      const changed = ROLES.filter((role) => this.#slot(role).settings !== settingsKey(stored[ROLE_KEYS[role]]));
      for (const role of changed) await this.#replace(role, stored[ROLE_KEYS[role]]);
      return changed;
    });
  }

  /** Replaces the device of `role` with the one `config` describes (null: none, or its simulator on a simulating kiosk). */
  configure<Role extends DeviceRole>(role: Role, config: RoleConfigs[Role] | null): Promise<void> {
    return this.#serially(() => this.#replace(role, config));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watch);
    await this.#queue;
    for (const role of ROLES) await this.#clear(role);
    await this.#chipSimulator?.stop();
    this.#chipSimulator = null;
  }

  /** Compares the stored settings with what runs every `intervalMs` (a change made by the CLI); a failure is logged once until it changes. */
  watchStoredSettings(intervalMs: number): void {
    if (intervalMs <= 0) return;
    let lastFailure: string | null = null;
    this.#watch = setInterval(() => {
      this.applyStoredSettings().then(() => {
        lastFailure = null;
      }, (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastFailure) (this.options.log ?? silentLog).error('stored device settings cannot be applied', { error: message });
        lastFailure = message;
      });
    }, intervalMs);
    this.#watch.unref();
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.#queue.then(() => {
      if (this.#stopped) throw new Error('the device rig was stopped');
      return task();
    });
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #replace(role: DeviceRole, config: RoleConfigs[DeviceRole] | null): Promise<void> {
    await this.#clear(role);
    const slot = this.#slot(role);
    if (role === 'document-reader') await this.#startDocumentReader(config as DocumentReaderConfig | null);
    else if (role === 'fingerprint') await this.#startFingerprint(config as RoleConfigs['fingerprint'] | null);
    else await this.#startChipReader(config as RoleConfigs['chip-reader'] | null);
    // Only now: a start that failed (a simulator that would not start) is tried again by the next comparison.
    slot.settings = settingsKey(config);
    const { service } = slot;
    if (!service) this.emit('status', NOT_SET_UP[role], null);
    (this.options.log ?? silentLog).info('device configured', {
      role, kind: config?.kind ?? null, simulated: slot.simulation !== null, running: service !== null,
    });
  }

  async #startDocumentReader(config: DocumentReaderConfig | null): Promise<void> {
    const slot = this.#documentReader;
    slot.simulation = config || !this.simulationAllowed ? null
      : await documentReaderFamily(this.options.simulatedReader ?? 'mrz').simulate(this.#context);
    const settings = config ?? slot.simulation?.config;
    if (!settings) return;
    const service = new DocumentReaderService(openDocumentReader(settings, this.#context), { simulated: slot.simulation !== null });
    service.on('reading', (reading) => {
      if (slot.service === service) this.emit('reading', reading);
    });
    service.on('failure', (error) => {
      if (slot.service === service) this.emit('failure', error);
    });
    this.#install(slot, service);
  }

  async #startFingerprint(config: RoleConfigs['fingerprint'] | null): Promise<void> {
    const slot = this.#fingerprint;
    slot.simulation = config || !this.simulationAllowed ? null : await r30xFamily.simulate(this.#context);
    const settings = config ?? slot.simulation?.config;
    if (!settings) return;
    this.#install(slot, new FingerprintService(r30xFamily.open(settings, this.#context), { simulated: slot.simulation !== null }));
  }

  async #startChipReader(config: RoleConfigs['chip-reader'] | null): Promise<void> {
    const slot = this.#chipReader;
    if (!config && this.simulationAllowed && this.options.simulateChip) {
      this.#chipSimulator ??= await chipReaderFamily.simulate(this.#context);
    }
    slot.simulation = config ? null : this.#chipSimulator;
    const settings = config ?? slot.simulation?.config;
    if (settings) {
      const { db, now } = this.options;
      this.#install(slot, new ChipReaderService(chipReaderFamily.open(settings, this.#context), {
        db, now, simulated: slot.simulation !== null, readerName: settings.reader, simulatorCscas: slot.simulation?.cscaCertificates ?? [],
      }));
    }
    this.emit('chipReader', slot.service);
  }

  /** Starts `service` in `slot`, its states forwarded while it fills the slot. */
  #install<Service extends DocumentReaderService | FingerprintService | ChipReaderService>(slot: Slot<Service, unknown>, service: Service): void {
    slot.service = service;
    (service as EventEmitter<{ status: [DeviceStatusView, DeviceFault | null] }>).on('status', (status, fault) => {
      if (slot.service !== service) return; // a replaced device's last words
      if (fault) (this.options.log ?? silentLog).warn('device problem', { kind: status.kind, problem: status.problem, code: fault.code, detail: fault.detail });
      this.emit('status', status, fault);
    });
    service.start();
    this.emit('status', service.status, null);
  }

  async #clear(role: DeviceRole): Promise<void> {
    const slot = this.#slot(role);
    const { service, simulation } = slot;
    slot.service = null;
    slot.simulation = null;
    slot.settings = undefined;
    await service?.stop();
    if (simulation && simulation !== this.#chipSimulator) await simulation.stop();
  }

  #slot(role: DeviceRole): Slot<DocumentReaderService | FingerprintService | ChipReaderService, { stop(): Promise<void> }> {
    return role === 'document-reader' ? this.#documentReader : role === 'fingerprint' ? this.#fingerprint : this.#chipReader;
  }
}

/** Starts the configured devices (and, with `simulate`, simulators for the rest) and follows changes to the stored settings. */
export async function startDeviceRig(options: DeviceRigOptions): Promise<DeviceRig> {
  const rig = new DeviceRig(options);
  try {
    await rig.applyStoredSettings();
  } catch (error) {
    await rig.stop();
    throw error;
  }
  rig.watchStoredSettings(options.watchIntervalMs ?? STORED_SETTINGS_POLL_MS);
  return rig;
}

function emptySlot<Service, Simulation>(): Slot<Service, Simulation> {
  return { service: null, simulation: null, settings: undefined };
}

function settingsKey(config: object | null): string | null {
  return config === null ? null : canonicalJson(config);
}
