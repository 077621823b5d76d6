// The peak resident memory (VmHWM) of a child process, sampled from /proc while it runs: the
// kernel keeps the high-water mark, so sampling only has to catch the process before it exits.

import { readFileSync } from 'node:fs';

export interface PeakMemory {
  /** Reads the high-water mark now (also done every `everyMs`). */
  sample(): void;
  /** The highest VmHWM seen, in MiB; stops sampling. */
  stop(): number;
}

export function samplePeakMemory(pid: number, everyMs = 20): PeakMemory {
  let peakKiB = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
    } catch {
      // the process has just exited
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      return peakKiB / 1024;
    },
  };
}
