// The installer's status file (what it is doing and did) and its events in the kiosk's audit log:
// any sequence of steps reads back exactly as written and numbers its events without a gap;
// whatever else lies in its place is refused with one code, never half-read; and the kiosk audits
// each event once — across restarts, a trimmed event list and a status file made anew.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../../main/audit/audit-log.js';
import { verifyAudit } from '../../../main/audit/audit-verify.js';
import { GatehouseError } from '../../../main/errors.js';
import { openDatabase } from '../../../main/store/database.js';
import { auditInstallerEvents, INSTALLER_AUDIT_ACTOR } from '../../../main/updates/installer/installer-audit.js';
import { InstallerStatusFile, KEPT_EVENTS, readInstallerStatus, type InstallAttempt } from '../../../main/updates/installer/installer-status.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

function statusFile(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-update-status-'));
  folders.push(folder);
  return path.join(folder, 'status.json');
}

let tick = Date.parse('2027-03-01T10:00:00.000Z');
const clock = () => new Date((tick += 1000));

const attemptFields = (to: string) => ({
  id: crypto.randomUUID(), from: '1.0.0', to, packageFile: `/var/lib/gatehouse-update/packages/gatehouse_${to}_amd64.deb`,
  previousPackageFile: '/var/lib/gatehouse-update/packages/gatehouse_1.0.0_amd64.deb',
});

type Step = 'refuse' | 'install' | 'unhealthy' | 'rollback-fails' | 'interrupted';

/** One whole attempt (or a refusal) through the status file, as the installer goes through it. */
function play(status: InstallerStatusFile, step: Step, to: string): void {
  if (step === 'refuse') return status.refuse(to, { code: 'UPDATE_EXPIRED', message: 'expired' });
  let attempt: InstallAttempt = status.start(attemptFields(to));
  if (step === 'interrupted') {
    status.resume(attempt);
    attempt = status.rollBack(attempt, { code: 'UPDATE_INTERRUPTED', message: 'cut' });
    return status.finish(attempt, 'rolled-back', attempt.failure);
  }
  attempt = status.installed(attempt);
  if (step === 'install') return status.finish(attempt, 'installed');
  attempt = status.rollBack(attempt, { code: 'UPDATE_HEALTH_CHECK_FAILED', message: 'no answer' });
  if (step === 'unhealthy') return status.finish(attempt, 'rolled-back', attempt.failure);
  return status.finish(attempt, 'rollback-failed', { code: 'UPDATE_ROLLBACK_FAILED', message: 'dpkg failed' });
}

const steps = fc.array(fc.tuple(fc.constantFrom<Step>('refuse', 'install', 'unhealthy', 'rollback-fails', 'interrupted'), fc.constantFrom('1.1.0', '2:1.0~rc1-3', '1.2')),
  { maxLength: 30 });

describe('the installer status file', () => {
  it('reads back as written after any sequence of attempts, its events numbered without a gap', () => {
    fc.assert(fc.property(steps, (sequence) => {
      const file = statusFile();
      const status = InstallerStatusFile.open(file, clock);
      for (const [step, to] of sequence) play(status, step, to);
      const read = readInstallerStatus(file);
      if (sequence.length === 0) {
        expect(read).toBeNull();
        return;
      }
      expect(read).toEqual(status.current);
      expect(read!.attempt).toBeNull();
      expect(read!.events.length).toBe(Math.min(read!.lastSeq, KEPT_EVENTS));
      read!.events.forEach((event, index) => expect(event.seq).toBe(read!.lastSeq - read!.events.length + index + 1));
      // Reopened, it carries on the same journal.
      expect(InstallerStatusFile.open(file, clock).current).toEqual(read);
    }), { numRuns: 25 });
  });

  it('refuses anything else in its place with UPDATE_STATUS_UNREADABLE', () => {
    const file = statusFile();
    const status = InstallerStatusFile.open(file, clock);
    play(status, 'install', '1.1.0');
    const good = fs.readFileSync(file);
    fc.assert(fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
        fc.json().map((text) => Buffer.from(text)),
        fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, flip]) => {
          const changed = Buffer.from(good);
          changed[at]! ^= flip;
          return changed;
        }),
        fc.nat(good.length - 1).map((length) => good.subarray(0, length)),
      ),
      (bytes) => {
        fs.writeFileSync(file, bytes);
        try {
          const read = readInstallerStatus(file);
          // A change that still parses (a digit in a time, a letter in a message) is a status all the same.
          expect(read?.format).toBe('gatehouse-update-status');
        } catch (error) {
          expect(error).toBeInstanceOf(GatehouseError);
          expect((error as GatehouseError).code).toBe('UPDATE_STATUS_UNREADABLE');
        }
      },
    ), { numRuns: 300 });
  });
});

describe('the installer\'s events in the kiosk audit log', () => {
  it('are audited once each, in order, with the installer\'s time and versions', () => {
    const db = openDatabase(':memory:');
    const file = statusFile();
    expect(auditInstallerEvents(db, file)).toBe(0); // the installer never ran
    const status = InstallerStatusFile.open(file, clock);
    play(status, 'unhealthy', '1.2.0');

    expect(auditInstallerEvents(db, file)).toBe(3);
    expect(auditInstallerEvents(db, file)).toBe(0); // the kiosk restarted: nothing twice
    const entries = listAudit(db, { actor: INSTALLER_AUDIT_ACTOR });
    expect(entries.map((entry) => entry.action)).toEqual(['update.install-started', 'update.install-failed', 'update.rolled-back']);
    expect(entries[1]!.details).toMatchObject({
      journal: status.current.journalId, journalSeq: 2, from: '1.0.0', to: '1.2.0', code: 'UPDATE_HEALTH_CHECK_FAILED', occurredAt: status.current.events[1]!.at,
    });

    play(status, 'refuse', '1.3.0');
    expect(auditInstallerEvents(db, file)).toBe(1);
    expect(listAudit(db, { actor: INSTALLER_AUDIT_ACTOR, order: 'newest-first', limit: 1 })[0]).toMatchObject({ action: 'update.install-refused' });
    expect(verifyAudit(db).ok).toBe(true);
  });

  it('picks up where it stopped when more events came than the file keeps, and starts afresh with a new status file', () => {
    const db = openDatabase(':memory:');
    const file = statusFile();
    const status = InstallerStatusFile.open(file, clock);
    play(status, 'install', '1.1.0');
    expect(auditInstallerEvents(db, file)).toBe(2);
    for (let i = 0; i < KEPT_EVENTS + 10; i += 1) play(status, 'refuse', '1.0.0');

    expect(auditInstallerEvents(db, file)).toBe(KEPT_EVENTS); // the 10 trimmed away are lost, none twice
    const seqs = listAudit(db, { actor: INSTALLER_AUDIT_ACTOR, limit: 1000 }).map((entry) => entry.details.journalSeq);
    expect(new Set(seqs).size).toBe(seqs.length);

    fs.rmSync(file); // the state folder purged and made again
    play(InstallerStatusFile.open(file, clock), 'install', '1.2.0');
    expect(auditInstallerEvents(db, file)).toBe(2);
    expect(verifyAudit(db).ok).toBe(true);
  });
});
