// The package manager as the update installer uses it: which gatehouse version dpkg has installed
// (and whether completely), the machine's architecture, a package file's control fields, installing
// a package file, and rebuilding an installed package into a file (dpkg-repack) to roll back to.
// `root` runs all of it against another root folder (dpkg --root), which is how the tests install
// real packages without touching the machine; the installer never runs apt: an update must install
// offline, so a new version's dependencies must already be met (dpkg refuses it otherwise, and the
// installer rolls back).

import fs from 'node:fs';
import path from 'node:path';
import { parseControlFields, type DebianControlFields } from '../../../protocol/debian-version.js';
import { GatehouseError } from '../../errors.js';
import { describeFailure, runCommand, type CommandResult } from './system-command.js';

export interface InstalledPackage {
  version: string;
  /** dpkg's package state: `installed` when unpacked and configured, else half-installed, unpacked, half-configured … */
  state: string;
}

export type ControlFields = DebianControlFields;

export type InstallResult = { ok: true } | { ok: false; message: string };

export interface DpkgOptions {
  /** Another root folder (dpkg --root); the machine's own when absent. */
  root?: string;
  /**
   * Run maintainer scripts in the real root with DPKG_ROOT set (dpkg --force-script-chrootless)
   * rather than chrooted into `root`, which holds no shell. Only with `root`.
   */
  chrootlessScripts?: boolean;
}

/** Long enough for a package of a few hundred MiB with maintainer scripts that restart services. */
const DPKG_TIMEOUT_MS = 10 * 60_000;
const QUERY_TIMEOUT_MS = 60_000;

export class Dpkg {
  constructor(private readonly options: DpkgOptions = {}) {}

  /** Where installed files land: "/" or the test root. */
  get installRoot(): string {
    return this.options.root ?? '/';
  }

  /** The installed version of `name` and its state, or null when dpkg has none (or only its configuration files). */
  async installed(name: string): Promise<InstalledPackage | null> {
    const result = await runCommand('dpkg-query', [...this.rootArgs(), '-W', '-f=${Version}\\t${db:Status-Status}\\n', name], { timeoutMs: QUERY_TIMEOUT_MS });
    if (result.code === 1 && /no packages found/i.test(result.stderr)) return null;
    const [version, state] = this.answer('dpkg-query', result).trim().split('\t');
    if (!version || !state || state === 'not-installed' || state === 'config-files') return null;
    return { version, state };
  }

  /** The machine's Debian architecture (amd64, arm64 …). */
  async architecture(): Promise<string> {
    const result = await runCommand('dpkg', ['--print-architecture'], { timeoutMs: QUERY_TIMEOUT_MS });
    return this.answer('dpkg', result).trim();
  }

  /** Package, Version and Architecture from the control file of the package at `file`. */
  async controlFields(file: string): Promise<ControlFields> {
    const result = await runCommand('dpkg-deb', ['--field', file, 'Package', 'Version', 'Architecture'], { timeoutMs: QUERY_TIMEOUT_MS });
    return parseControlFields(this.answer('dpkg-deb', result));
  }

  /**
   * `dpkg -i file`, keeping configuration files a technician changed (no question is asked: the
   * installer runs without a terminal). A failure is an answer, not an error: the caller rolls back.
   */
  async install(file: string): Promise<InstallResult> {
    const chrootless = this.options.chrootlessScripts && this.options.root !== undefined ? ['--force-script-chrootless'] : [];
    const result = await runCommand('dpkg', [...this.rootArgs(), ...chrootless, '--force-confdef', '--force-confold', '--install', file], {
      timeoutMs: DPKG_TIMEOUT_MS,
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
    return result.code === 0 ? { ok: true } : { ok: false, message: dpkgReason(result) ?? describeFailure('dpkg', result) };
  }

  /** Rebuilds the installed package `name` (dpkg-repack) into `folder`; returns the file made. */
  async repack(name: string, folder: string): Promise<string> {
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    const before = new Set(fs.readdirSync(folder));
    const result = await runCommand('dpkg-repack', [...this.rootArgs(), name], { cwd: folder, timeoutMs: DPKG_TIMEOUT_MS });
    if (result.code !== 0) {
      throw new GatehouseError('UPDATE_NO_ROLLBACK_PACKAGE',
        `The installed ${name} could not be rebuilt for a rollback (${describeFailure('dpkg-repack', result)}); nothing was installed.`, { package: name });
    }
    const made = fs.readdirSync(folder).filter((file) => file.endsWith('.deb') && !before.has(file));
    if (made.length !== 1) {
      throw new GatehouseError('UPDATE_NO_ROLLBACK_PACKAGE', `dpkg-repack made ${made.length} package files for ${name}, not one; nothing was installed.`, { package: name });
    }
    return path.join(folder, made[0]!);
  }

  private rootArgs(): string[] {
    return this.options.root === undefined ? [] : [`--root=${this.options.root}`];
  }

  private answer(program: string, result: CommandResult): string {
    if (result.code !== 0) throw new GatehouseError('UPDATE_PROGRAM_FAILED', `${describeFailure(program, result)}.`, { program });
    return result.stdout;
  }
}

/**
 * What dpkg said first went wrong: its first error line with the indented lines that explain it
 * ("dpkg: dependency problems prevent configuration of gatehouse: gatehouse depends on …"),
 * rather than the last line, which only names the package.
 */
function dpkgReason(result: CommandResult): string | null {
  const lines = result.stderr.split('\n');
  const first = lines.findIndex((line) => line.startsWith('dpkg: ') && !line.startsWith('dpkg: warning'));
  if (first === -1) return null;
  const explanation: string[] = [];
  for (const line of lines.slice(first + 1, first + 3)) {
    if (!/^\s/.test(line)) break;
    explanation.push(line);
  }
  return [lines[first]!, ...explanation].map((line) => line.trim()).join(' ').slice(0, 400);
}
