// Keeps one device reachable across unplugs: opens a fresh Transport from a factory,
// reports status, notices the device going away and reopens it with backoff, so a
// driver only has to re-initialise the device each time it hears `connected`.
//
// API (for every driver):
//   const link = new DeviceLink({ name, createTransport, probe? });   // serialDeviceLink() for serial
//   link.on('status', ({ state, reason }) => …);  // 'connecting' | 'connected' | 'disconnected' | 'error'
//   link.start();               // opens in the background; retries forever until stop()
//   link.transport              // the open Transport while state is 'connected', else undefined
//   await link.stop();          // closes the transport; no more retries
// On `connected`, build the driver on `link.transport` and initialise the device; on
// `disconnected` drop it. `error` means an open attempt failed (the reason says why); the
// link keeps retrying, 250 ms doubling to 2 s by default. The transport's `close` event,
// or a failed `probe` (polled every 500 ms while connected), ends a connection.
// Status events repeat only when the state or the reason changes.

import { EventEmitter } from 'node:events';
import type { Transport } from './transport.js';

export type LinkState = 'connecting' | 'connected' | 'disconnected' | 'error';

export interface LinkStatus {
  readonly state: LinkState;
  readonly reason?: string;
  /** What made an open attempt fail (state 'error'), for telling a missing port from one held by another program. */
  readonly error?: Error;
}

export interface RetryDelays {
  readonly firstMs: number;
  readonly maxMs: number;
}

export interface DeviceLinkOptions {
  /** What is on the other end, for messages: "CN ID reader", "fingerprint module". */
  readonly name: string;
  /** Makes a fresh, unopened transport for every attempt. */
  readonly createTransport: () => Transport;
  /** Polled while connected; false means the device is gone though the transport has not noticed. */
  readonly probe?: () => Promise<boolean>;
  readonly probeIntervalMs?: number;
  readonly retry?: RetryDelays;
}

export type DeviceLinkEvents = { status: [status: LinkStatus] };

const DEFAULT_RETRY: RetryDelays = { firstMs: 250, maxMs: 2_000 };
const DEFAULT_PROBE_INTERVAL_MS = 500;

/** Delay before reopen attempt number `attempt` (0-based): doubling from firstMs, capped at maxMs. */
export function retryDelay(attempt: number, delays: RetryDelays = DEFAULT_RETRY): number {
  return Math.min(delays.maxMs, delays.firstMs * 2 ** Math.min(attempt, 30));
}

export class DeviceLink extends EventEmitter<DeviceLinkEvents> {
  #status: LinkStatus = { state: 'disconnected' };
  #running = false;
  /** Bumped by stop(), so an attempt still opening from an earlier start() gives up. */
  #generation = 0;
  #transport: Transport | undefined;
  #failedAttempts = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #detach: (() => void) | undefined;

  constructor(private readonly options: DeviceLinkOptions) {
    super();
  }

  get status(): LinkStatus {
    return this.#status;
  }

  get transport(): Transport | undefined {
    return this.#transport;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#failedAttempts = 0;
    this.#setStatus({ state: 'connecting' });
    void this.#attempt();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#generation += 1;
    clearTimeout(this.#retryTimer);
    const transport = this.#drop();
    this.#setStatus({ state: 'disconnected', reason: 'stopped' });
    await transport?.close().catch(() => undefined);
  }

  async #attempt(): Promise<void> {
    this.#retryTimer = undefined;
    const generation = this.#generation;
    let transport: Transport | undefined;
    try {
      transport = this.options.createTransport();
      await transport.open();
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#setStatus({ state: 'error', reason: `${this.options.name}: ${(error as Error).message}`, error: error as Error });
      this.#scheduleRetry();
      return;
    }
    if (generation !== this.#generation) {
      await transport.close().catch(() => undefined);
      return;
    }
    this.#failedAttempts = 0;
    this.#adopt(transport);
    this.#setStatus({ state: 'connected' });
  }

  #adopt(transport: Transport): void {
    let lastError = 'the link closed';
    const onError = (error: Error): void => { lastError = error.message; };
    const onClose = (): void => this.#lost(transport, lastError);
    transport.on('error', onError);
    transport.on('close', onClose);
    this.#transport = transport;
    this.#detach = () => {
      transport.off('error', onError);
      transport.off('close', onClose);
      clearInterval(this.#probeTimer);
    };
    const { probe } = this.options;
    if (!probe) return;
    let probing = false;
    this.#probeTimer = setInterval(() => {
      if (probing) return;
      probing = true;
      void probe().catch(() => false).then((present) => {
        probing = false;
        if (!present) this.#lost(transport, `${transport.description} is no longer present`);
      });
    }, this.options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS);
  }

  #lost(transport: Transport, cause: string): void {
    if (this.#transport !== transport) return;
    this.#drop();
    void transport.close().catch(() => undefined);
    this.#setStatus({
      state: 'disconnected',
      reason: `${this.options.name} on ${transport.description} went away (${cause}). `
        + 'Check the cable and power; reconnecting.',
    });
    this.#scheduleRetry();
  }

  #drop(): Transport | undefined {
    const transport = this.#transport;
    this.#detach?.();
    this.#detach = undefined;
    this.#transport = undefined;
    return transport;
  }

  #scheduleRetry(): void {
    if (!this.#running) return;
    const delay = retryDelay(this.#failedAttempts++, this.options.retry);
    this.#retryTimer = setTimeout(() => void this.#attempt(), delay);
  }

  #setStatus(status: LinkStatus): void {
    if (status.state === this.#status.state && status.reason === this.#status.reason) return;
    this.#status = status;
    this.emit('status', status);
  }
}
