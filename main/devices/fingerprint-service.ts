// Runs the fingerprint module (R30x / ZFM / AS608) over its serial link: connects the
// driver at every (re)connection, reports the module's state to the status board, and
// hands the module to one operation at a time (captures and log-ins queue up, whichever
// screen asks), each cancellable by its owner. Its state carries the problem an officer can
// act on; the technical fault goes with it to the status board, never to a screen.

import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { DeviceError } from '../../native/device-error.js';
import type { R30xDriver } from '../../native/fingerprint/r30x-driver.js';
import type { R30xModuleLink } from '../../native/fingerprint/r30x-family.js';
import type { R30xSystemParameters } from '../../native/fingerprint/r30x-protocol.js';
import type { DeviceLink, LinkStatus } from '../../native/transport/device-link.js';
import { GatehouseError } from '../errors.js';
import type { DeviceStatus } from '../rpc/schemas.js';
import { classifyDeviceError, deviceFault, linkView, type DeviceFault, type DeviceProblemView } from './device-problem.js';
import { deviceProblemError } from './device-test.js';

type DeviceStatusView = z.infer<typeof DeviceStatus>;

/** What an operation gets: the connected driver, the module's parameters, and its cancellation. */
export interface ModuleAccess {
  driver: R30xDriver;
  parameters: R30xSystemParameters;
  /** Every slot of the module's library, as a Search range. */
  library: { startPage: number; count: number };
  signal: AbortSignal;
}

/** Who runs an operation (a screen): its end cancels the operation. */
export interface FingerprintOwner {
  onEnd(cleanup: () => void): () => void;
}

const WIDEST_PACKET = 256;
/** Waits before the handshake is tried again after it failed (a module busy after power-up, a loaded host); then it stays in error. */
const HANDSHAKE_RETRIES_MS = [1_000, 3_000];

export type FingerprintServiceEvents = {
  /** The state changed; `fault` is the technical detail of a problem (never for an officer's screen). */
  status: [status: DeviceStatusView, fault: DeviceFault | null];
};

export class FingerprintService extends EventEmitter<FingerprintServiceEvents> {
  readonly #link: DeviceLink;
  #status: DeviceStatusView;
  /** The technical detail of the current problem, for the error a refused operation gets. */
  #fault: DeviceFault | null = null;
  #module: Omit<ModuleAccess, 'signal'> | null = null;
  /** Bumped at every link change, so a handshake that finishes late is ignored. */
  #generation = 0;
  #queueTail: Promise<unknown> = Promise.resolve();
  readonly #running = new Map<FingerprintOwner, AbortController>();

  readonly #handshakeRetriesMs: readonly number[];

  constructor(
    private readonly module: R30xModuleLink,
    { simulated, handshakeRetriesMs = HANDSHAKE_RETRIES_MS }: { simulated: boolean; handshakeRetriesMs?: readonly number[] },
  ) {
    super();
    this.#status = { kind: 'fingerprint', name: 'Fingerprint scanner', state: 'disconnected', simulated };
    this.#link = module.link;
    this.#handshakeRetriesMs = handshakeRetriesMs;
    this.#link.on('status', (status) => this.#linkChanged(status));
  }

  get status(): DeviceStatusView {
    return this.#status;
  }

  start(): void {
    this.#link.start();
  }

  async stop(): Promise<void> {
    for (const controller of this.#running.values()) controller.abort();
    await this.#link.stop();
  }

  /**
   * Runs `task` with the module to itself once the operations queued before it are done.
   * One operation per owner at a time; `cancel(owner)`, the owner's end or any of `signals`
   * cancels it (the capture flow stops at its next poll; a queued one never starts).
   */
  async use<T>(owner: FingerprintOwner, task: (access: ModuleAccess) => Promise<T>, signals: AbortSignal[] = []): Promise<T> {
    if (this.#running.has(owner)) {
      throw new GatehouseError('FINGERPRINT_BUSY', 'A fingerprint operation is already running on this screen; finish or cancel it first.');
    }
    const controller = new AbortController();
    this.#running.set(owner, controller);
    const stopWatching = owner.onEnd(() => controller.abort());
    const turn = this.#queueTail.then(() => this.#run(task, AbortSignal.any([controller.signal, ...signals])));
    this.#queueTail = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      stopWatching();
      this.#running.delete(owner);
    }
  }

  /** Cancels the owner's operation; false when it has none. */
  cancel(owner: FingerprintOwner): boolean {
    const controller = this.#running.get(owner);
    controller?.abort();
    return controller !== undefined;
  }

  async #run<T>(task: (access: ModuleAccess) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw new DeviceError('FINGER_CAPTURE_CANCELLED', 'Fingerprint capture was cancelled.');
    const module = this.#module;
    // Still connecting or shaking hands: it has not answered yet.
    if (!module) throw deviceProblemError('fingerprint', this.#status.problem ?? 'not-responding', this.#fault);
    this.#report('busy');
    try {
      return await task({ ...module, signal });
    } finally {
      if (this.#module === module) this.#report('ready');
    }
  }

  #linkChanged(status: LinkStatus): void {
    const generation = ++this.#generation;
    this.#module = null;
    const { state, problem, fault } = linkView(status);
    if (state !== 'connected') {
      this.#report(state, problem, fault);
      return;
    }
    this.#report('connected');
    void this.#handshake(this.module.driverOn(this.#link.transport!), generation);
  }

  /**
   * Connects the driver and widens its packets; a failed step is tried again after each of
   * the retry waits, then leaves the scanner in error, with its problem (a wrong password or
   * address is wrong-settings, silence not-responding).
   */
  async #handshake(driver: R30xDriver, generation: number, attempt = 0): Promise<void> {
    try {
      const connected = await driver.connect();
      // 256-byte data packets carry an image at ~96 % of the line rate (128: ~92 %).
      const parameters = connected.packetSize === WIDEST_PACKET ? connected
        : (await driver.setSysPara('packetSize', WIDEST_PACKET), await driver.readSysPara());
      if (generation !== this.#generation) return;
      this.#module = { driver, parameters, library: { startPage: 0, count: parameters.capacity } };
      this.#report('ready');
    } catch (error) {
      if (generation !== this.#generation) return;
      const retryMs = this.#handshakeRetriesMs[attempt];
      if (retryMs === undefined) {
        this.#report('error', classifyDeviceError(error), deviceFault(error));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      if (generation === this.#generation) await this.#handshake(driver, generation, attempt + 1);
    }
  }

  #report(state: DeviceStatusView['state'], problem?: DeviceProblemView, fault: DeviceFault | null = null): void {
    const { kind, name, simulated } = this.#status;
    this.#status = { kind, name, state, simulated, ...(problem ? { problem } : {}) };
    this.#fault = fault;
    this.emit('status', this.#status, fault);
  }
}

/** The module, or the error a screen shows on a kiosk without one: set it up. */
export function availableModule(module: FingerprintService | null): FingerprintService {
  if (!module) throw deviceProblemError('fingerprint', 'not-set-up');
  return module;
}
