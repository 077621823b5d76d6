// Orderly shutdown for long-running commands (serve, sim): SIGTERM/SIGINT handlers are in
// place before anything starts, each resource registers how to release it as soon as it
// exists, and on a signal the releases run newest first, each one even if another failed.
// A resource that appears after the signal is released at once.

import type { Log } from '../log.js';

export class Shutdown {
  readonly #steps: Array<[name: string, release: () => unknown]> = [];
  #running: Promise<void> | null = null;
  #markFinished: () => void = () => undefined;
  /** Resolves once shutdown has finished. */
  readonly finished = new Promise<void>((resolve) => { this.#markFinished = resolve; });

  constructor(private readonly log: Log) {
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
