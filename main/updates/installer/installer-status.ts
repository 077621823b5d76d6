// What the update installer is doing and has done, in one file (status.json in its state folder)
// that is replaced whole after every step: the attempt in progress with its phase (so a run after
// a power cut knows whether to finish or roll back), the last outcome, and the recent events. The
// kiosk reads it — root writes it 0644 — to show it on the diagnostics screen and to append the
// events to its own audit chain (installer-audit.ts), so the chain keeps one writer.
//
// Phases of an attempt: `installing` (dpkg is installing the new package) → `checking` (the new
// version is installed; the kiosk is restarted and its health checked) → done, or, when dpkg or
// the health check failed, `rolling-back` (the previous package is installed again) → done.

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DebianVersionText } from '../../../protocol/debian-version.js';
import { IsoTime } from '../../../protocol/wire-fields.js';
import { GatehouseError } from '../../errors.js';
import { installerFolders } from './installer-folders.js';
import { readOptionalFile, writeReadableFile } from './readable-file.js';

export const InstallPhase = z.enum(['installing', 'checking', 'rolling-back']);
export type InstallPhase = z.infer<typeof InstallPhase>;

export const InstallOutcome = z.enum(['installed', 'rolled-back', 'rollback-failed', 'refused']);
export type InstallOutcome = z.infer<typeof InstallOutcome>;

/** The installer's events; each becomes an audit entry of the same name (installer-audit.ts). */
export const InstallerAction = z.enum([
  'update.install-refused', 'update.install-started', 'update.install-resumed', 'update.installed',
  'update.install-failed', 'update.rolled-back', 'update.rollback-failed',
]);
export type InstallerAction = z.infer<typeof InstallerAction>;

/** Why something failed: an error code (UPDATE_…) and the sentence for the technician. */
export const Failure = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/),
  message: z.string().max(1000),
});
export type Failure = z.infer<typeof Failure>;

const PackagePath = z.string().regex(/^\/[^\0]{1,1000}\.deb$/, 'an absolute path of a .deb file');

export const InstallAttempt = z.strictObject({
  id: z.uuid(),
  from: DebianVersionText,
  to: DebianVersionText,
  phase: InstallPhase,
  /** The new version's package (kept in packages/). */
  packageFile: PackagePath,
  /** The version installed before, to roll back to. */
  previousPackageFile: PackagePath,
  startedAt: IsoTime,
  updatedAt: IsoTime,
  /** Why the attempt is rolling back. */
  failure: Failure.optional(),
});
export type InstallAttempt = z.infer<typeof InstallAttempt>;

export const LastOutcome = z.strictObject({
  outcome: InstallOutcome,
  at: IsoTime,
  /** Absent for an update refused before an attempt began. */
  attemptId: z.uuid().optional(),
  from: DebianVersionText.optional(),
  /** The version offered; absent when the staged update was unreadable. */
  to: DebianVersionText.optional(),
  failure: Failure.optional(),
});
export type LastOutcome = z.infer<typeof LastOutcome>;

export const InstallerEvent = z.strictObject({
  seq: z.number().int().positive(),
  at: IsoTime,
  action: InstallerAction,
  attemptId: z.uuid().optional(),
  from: DebianVersionText.optional(),
  to: DebianVersionText.optional(),
  phase: InstallPhase.optional(),
  code: Failure.shape.code.optional(),
});
export type InstallerEvent = z.infer<typeof InstallerEvent>;

/** How many events the file keeps (an attempt writes about five). */
export const KEPT_EVENTS = 100;

export const InstallerStatus = z.strictObject({
  format: z.literal('gatehouse-update-status'),
  formatVersion: z.literal(1),
  /** Made with the file: a new file (a purged state folder) starts a new sequence the kiosk audits afresh. */
  journalId: z.uuid(),
  lastSeq: z.number().int().nonnegative(),
  attempt: InstallAttempt.nullable(),
  last: LastOutcome.nullable(),
  events: z.array(InstallerEvent).max(KEPT_EVENTS),
});
export type InstallerStatus = z.infer<typeof InstallerStatus>;

/**
 * The installer's status in `file` (by default the installed kiosk's), or null when it never ran;
 * UPDATE_STATUS_UNREADABLE when the file is not one. The diagnostics screen and the kiosk's audit
 * of the installer's events read it so.
 */
export function readInstallerStatus(file: string = installerFolders().statusFile): InstallerStatus | null {
  const text = readOptionalFile(file);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = InstallerStatus.safeParse(json);
  if (!parsed.success) {
    throw new GatehouseError('UPDATE_STATUS_UNREADABLE',
      `${file} is not the update installer's status (${parsed.error.issues[0]?.path.join('.') || 'not JSON'}); the installer will not guess whether an update was half-done. ` +
        'Check "dpkg -s gatehouse", then move the file aside and run the installer again.', { file });
  }
  return parsed.data;
}

type NewAttempt = Omit<InstallAttempt, 'phase' | 'startedAt' | 'updatedAt' | 'failure'>;
type EventFields = Pick<InstallerEvent, 'action'> & Partial<Omit<InstallerEvent, 'seq' | 'at' | 'action'>>;

/** The status file as the installer keeps it: every change is written (durably) before the call returns. */
export class InstallerStatusFile {
  private constructor(
    private readonly file: string,
    private status: InstallerStatus,
    private readonly now: () => Date,
  ) {}

  /** Reads `file`, or starts a new status when there is none. */
  static open(file: string, now: () => Date): InstallerStatusFile {
    const status = readInstallerStatus(file) ?? {
      format: 'gatehouse-update-status', formatVersion: 1, journalId: randomUUID(), lastSeq: 0, attempt: null, last: null, events: [],
    };
    return new InstallerStatusFile(file, status, now);
  }

  get current(): InstallerStatus {
    return this.status;
  }

  get attempt(): InstallAttempt | null {
    return this.status.attempt;
  }

  /** An update refused before anything was installed; `to` when the staged update said which version. */
  refuse(to: string | undefined, failure: Failure): void {
    this.write({ last: { outcome: 'refused', at: this.stamp(), to, failure } }, { action: 'update.install-refused', to, code: failure.code });
  }

  /** An attempt begins: dpkg is about to install the new package. */
  start(attempt: NewAttempt): InstallAttempt {
    const at = this.stamp();
    const started: InstallAttempt = { ...attempt, phase: 'installing', startedAt: at, updatedAt: at };
    this.write({ attempt: started }, { action: 'update.install-started', ...this.about(started) });
    return started;
  }

  /** A run after an interruption takes the attempt up again where it stood. */
  resume(attempt: InstallAttempt): void {
    this.write({}, { action: 'update.install-resumed', ...this.about(attempt), phase: attempt.phase });
  }

  /** The new version is installed; its health is checked next. */
  installed(attempt: InstallAttempt): InstallAttempt {
    return this.setAttempt({ ...attempt, phase: 'checking' });
  }

  /** Installing or the health check failed: the previous package goes back on. */
  rollBack(attempt: InstallAttempt, failure: Failure): InstallAttempt {
    const next: InstallAttempt = { ...attempt, phase: 'rolling-back', failure, updatedAt: this.stamp() };
    this.write({ attempt: next }, { action: 'update.install-failed', ...this.about(attempt), code: failure.code });
    return next;
  }

  /** The attempt is over: the new version runs, or the previous one runs again, or not even that. */
  finish(attempt: InstallAttempt, outcome: Exclude<InstallOutcome, 'refused'>, failure?: Failure): void {
    const action = outcome === 'installed' ? 'update.installed' : outcome === 'rolled-back' ? 'update.rolled-back' : 'update.rollback-failed';
    this.write(
      { attempt: null, last: { outcome, at: this.stamp(), attemptId: attempt.id, from: attempt.from, to: attempt.to, failure } },
      { action, ...this.about(attempt), code: failure?.code },
    );
  }

  private setAttempt(attempt: InstallAttempt): InstallAttempt {
    const next = { ...attempt, updatedAt: this.stamp() };
    this.write({ attempt: next });
    return next;
  }

  private about(attempt: InstallAttempt): Pick<InstallerEvent, 'attemptId' | 'from' | 'to'> {
    return { attemptId: attempt.id, from: attempt.from, to: attempt.to };
  }

  private write(change: Partial<Pick<InstallerStatus, 'attempt' | 'last'>>, event?: EventFields): void {
    const next: InstallerStatus = { ...this.status, ...change };
    if (event) {
      const seq = next.lastSeq + 1;
      const entry = InstallerEvent.parse(Object.fromEntries(Object.entries({ seq, at: this.stamp(), ...event }).filter(([, value]) => value !== undefined)));
      next.lastSeq = seq;
      next.events = [...next.events, entry].slice(-KEPT_EVENTS);
    }
    writeReadableFile(this.file, `${JSON.stringify(InstallerStatus.parse(next), null, 2)}\n`);
    this.status = next;
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}
