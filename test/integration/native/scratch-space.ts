// Per-test scratch space for pty tests: a fresh temporary directory for pty links, and
// cleanups (simulators, ports, links) run in reverse order after each test.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export interface ScratchSpace {
  /** A path inside this test's directory. */
  path(name: string): string;
  defer(cleanup: () => Promise<unknown>): void;
}

export function useScratchSpace(prefix: string): ScratchSpace {
  let dir = '';
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    path: (name) => join(dir, name),
    defer: (cleanup) => { cleanups.push(cleanup); },
  };
}
