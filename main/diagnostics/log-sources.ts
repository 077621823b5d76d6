// Where `gatehouse support-bundle` finds recent log lines when it is not the kiosk process
// (whose own lines are in memory, main/log.ts): a file the technician names (the kiosk's
// stderr saved, or a journal export), else the systemd journal of the kiosk's unit.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LogExcerpt } from './support-bundle.js';

/** The last `count` lines of `file`. */
export function logFileExcerpt(file: string, count: number): LogExcerpt {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  return { source: `file ${path.basename(file)}`, lines: lines.slice(-count) };
}

/** The last `count` lines the journal holds for `unit`; none (saying why) when there is no journal to read. */
export async function journalExcerpt(unit: string, count: number): Promise<LogExcerpt> {
  try {
    const { stdout } = await promisify(execFile)('journalctl', ['--unit', unit, '--output', 'cat', '--lines', String(count), '--no-pager', '--quiet'],
      { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 });
    return { source: `journal ${unit}`, lines: stdout.split('\n').filter((line) => line.trim() !== '') };
  } catch (error) {
    return { source: `none (journalctl: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, lines: [] };
  }
}
