// Orderly shutdown for long-running processes (the kiosk under either host, `sim`): each
// resource registers how to release it as soon as it exists, and on run() — a SIGTERM/SIGINT
// for the CLI's processes, Electron's quit for its host — the releases run newest first, each
// one even if another failed. A resource that appears after shutdown began is released at once.

import type { Log } from '../log.js';

export class Shutdown {
  readonly #steps: Array<[name: string, release: () => unknown]> = [];
  #running: Promise<void> | null = null;
  #markFinished: () => void = () => undefined;
  /** Resolves once shutdown has finished. */
  readonly finished = new Promise<void>((resolve) => { this.#markFinished = resolve; });

  /** With `signals` (the default), SIGTERM and SIGINT start the shutdown; a host with its own quit path passes false. */
  constructor(private readonly log: Log, { signals = true }: { signals?: boolean } = {}) {
    if (!signals) return;
    process.once('SIGTERM', () => void this.run());
    process.once('SIGINT', () => void this.run());
  }

  get requested(): boolean {
    return this.#running !== null;
  }

  add(name: string, release: () => unknown): void {
    if (this.#running) void this.#release(name, release);
    else this.#steps.push([name, release]);
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const [name, release] of this.#steps.splice(0).reverse()) await this.#release(name, release);
      this.#markFinished();
    })();
    return this.#running;
  }

  async #release(name: string, release: () => unknown): Promise<void> {
    try {
      await release();
    } catch (error) {
      this.log.error('shutdown step failed', { step: name, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
