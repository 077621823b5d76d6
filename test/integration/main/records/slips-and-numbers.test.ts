// Slips and enrollment numbers on a kiosk on simulated devices, through its RPC and its command
// line: the slip of the record a screen just sealed goes to the station's printer through CUPS's
// `lp` (here a stand-in on PATH that keeps what it was given: the PDF on its standard input, which
// poppler reads back), a printer that refuses leaves the record sealed and the slip queued in the
// kiosk's print job, which retries until the printer takes it, the slip is the sealing screen's own and forgotten when that screen ends or starts
// again, an officer reprints only their own records while a supervisor reprints any,
// `gatehouse records --json` lists held and rejected enrollments by state only, `gatehouse slip`
// catches a mistyped number by its check characters, and numbers count up per day across a
// restart of the kiosk.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnrollmentNumber } from '../../../../protocol/enrollment-number.js';
import { openKiosk, type Kiosk } from '../../../../main/kiosk/kiosk.js';
import { silentLog } from '../../../../main/log.js';
import type { SealedEnrollment } from '../../../../main/rpc/procedures/enrollment.js';
import type { PrintedSlip, RecordEntry } from '../../../../main/rpc/procedures/records.js';
import { jobById } from '../../../../main/jobs/job-store.js';
import { kioskDay } from '../../../../main/store/enrollment-numbers.js';
import { enrollmentOnReview, MRZ_LINES } from '../../../fixtures/enrollment-on-review.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import { auditHeadSeq, auditRowsAfter, errorOf, outputOf, type FixtureKey, type RecordedScreen } from '../../../fixtures/kiosk-harness.js';
import { openSimulatedKiosk, type SimulatedKiosk } from '../../../fixtures/simulated-fingerprint.js';
import { cleanEnv, runCli } from '../cli/run-cli.js';

type Sealed = z.infer<typeof SealedEnrollment>;
type Printed = z.infer<typeof PrintedSlip>;
type Entry = z.infer<typeof RecordEntry>;

const PRINTER = 'front-desk';

/**
 * A stand-in for CUPS's `lp`: each job's arguments and standard input kept as job-N.args and
 * job-N.pdf; fails as many more times as the number in `fail-next` says (out of paper).
 */
const FAKE_LP = `#!/bin/sh
here=$(dirname "$0")
left=$(cat "$here/fail-next" 2>/dev/null || echo 0)
if [ "$left" -gt 0 ]; then
  echo $((left - 1)) > "$here/fail-next"
  cat > /dev/null
  echo "lp: The printer is out of paper." >&2
  exit 1
fi
n=$(ls "$here" | grep -c '^job-.*\\.args$')
printf '%s\\n' "$@" > "$here/job-$n.args"
cat > "$here/job-$n.pdf"
`;

let kiosk: SimulatedKiosk;
let lpDir: string;
const pathBefore = process.env.PATH;
/** Set once the last test has stopped the kiosk to open its data directory again. */
let stopped = false;

beforeAll(async () => {
  kiosk = await openSimulatedKiosk();
  lpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-lp-'));
  fs.writeFileSync(path.join(lpDir, 'lp'), FAKE_LP, { mode: 0o755 });
  process.env.PATH = `${lpDir}${path.delimiter}${pathBefore}`;
});
afterAll(async () => {
  process.env.PATH = pathBefore;
  fs.rmSync(lpDir, { recursive: true, force: true });
  if (!kiosk) return;
  if (stopped) fs.rmSync(kiosk.h.dataDir, { recursive: true, force: true });
  else await kiosk.close();
});

const call = (recorded: RecordedScreen, method: string, input: unknown = {}) => kiosk.h.call(recorded.screen, method, input);
const pinOf = (key: FixtureKey) => ({ credential: { method: 'pin', name: kiosk.h.operator(key).name, pin: kiosk.h.operator(key).pin } });
const db = () => kiosk.h.kiosk.db;

/** An enrollment run by `who` (face and finger exceptions), approved on its screen by the supervisor. */
async function sealedBy(who: FixtureKey = 'officer', language: 'en' | 'de' | 'zh-CN' = 'en'): Promise<RecordedScreen & { id: string; sealed: Sealed }> {
  const recorded = await enrollmentOnReview(kiosk, { who, language });
  const sealed = outputOf<Sealed>(await call(recorded, 'enrollment.approve', pinOf('supervisor')));
  return { ...recorded, sealed };
}

async function settings(change: Record<string, unknown>): Promise<void> {
  const technician = await kiosk.screen('technician');
  outputOf(await call(technician, 'settings.update', change));
  kiosk.h.kiosk.closeScreen(technician.screen);
}

/** The jobs the stand-in `lp` was given, oldest first. */
function printJobs(): Array<{ args: string[]; pdf: Buffer }> {
  const count = fs.readdirSync(lpDir).filter((name) => /^job-\d+\.args$/.test(name)).length;
  return Array.from({ length: count }, (_, n) => ({
    args: fs.readFileSync(path.join(lpDir, `job-${n}.args`), 'utf8').trimEnd().split('\n'),
    pdf: fs.readFileSync(path.join(lpDir, `job-${n}.pdf`)),
  }));
}

function pdfText(pdf: Buffer): string {
  const file = path.join(lpDir, 'read.pdf');
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(file);
  }
}

const slipAudits = (after: number) => auditRowsAfter(kiosk.h.kiosk, after).filter((row) => row.action === 'record.slip-printed')
  .map((row) => [row.actor, JSON.parse(row.details)]);

describe('the slip of the record a screen just sealed', () => {
  beforeAll(() => settings({ slipPrinter: PRINTER, slipFolder: null }));
  afterAll(() => settings({ slipPrinter: null }));

  it('goes to the station\'s printer through lp, the PDF on its standard input, in the person\'s language or another', async () => {
    const recorded = await sealedBy('officer', 'de');
    const { number, recordId } = recorded.sealed;
    expect(outputOf<Entry>(await call(recorded, 'enrollment.finished'))).toMatchObject({ number, recordId, state: 'sealed', slipKept: true });
    const jobsBefore = printJobs().length;
    const start = auditHeadSeq(kiosk.h.kiosk);

    const printed = outputOf<Printed>(await call(recorded, 'enrollment.printSlip'));
    expect(printed).toEqual({ number, picture: expect.stringMatching(/^data:image\/png;base64,/), delivery: { kind: 'printed', printer: PRINTER } });
    const jobs = printJobs();
    expect(jobs).toHaveLength(jobsBefore + 1);
    const job = jobs.at(-1)!;
    expect(job.args).toEqual(['-d', PRINTER, '-t', `Gatehouse ${number}`, '-']);
    expect(job.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(job.pdf);
    expect(text).toContain(number);
    expect(text).toContain('Bestätigung der Erfassung'); // the consent was read in German
    expect(text).toContain('ERIKSSON');
    // Printed, not saved: no PDF of it on the kiosk's disk.
    expect(fs.existsSync(path.join(kiosk.h.dataDir, 'slips', `${number}.pdf`))).toBe(false);

    outputOf<Printed>(await call(recorded, 'enrollment.printSlip', { language: 'en' }));
    expect(pdfText(printJobs().at(-1)!.pdf)).toContain('Acknowledgement of enrollment');
    // Audited by number and the print job it went to, never by what it says.
    expect(slipAudits(start)).toEqual([
      [recorded.screen.actor, { recordId, number, delivery: 'queued', jobId: expect.any(Number) }],
      [recorded.screen.actor, { recordId, number, delivery: 'queued', jobId: expect.any(Number) }],
    ]);
  });

  it('waits in the print job when lp fails, leaving the record sealed, and is printed by the job once the printer takes it', async () => {
    const recorded = await sealedBy();
    const { number, recordId } = recorded.sealed;
    const jobsBefore = printJobs().length;
    const start = auditHeadSeq(kiosk.h.kiosk);
    fs.writeFileSync(path.join(lpDir, 'fail-next'), '2');

    // The screen is told at once that the slip waits for the printer.
    const printed = outputOf<Printed>(await call(recorded, 'enrollment.printSlip'));
    expect(printed).toEqual({ number, picture: expect.stringMatching(/^data:image\/png;base64,/), delivery: { kind: 'queued', printer: PRINTER } });
    const audits = slipAudits(start);
    expect(audits).toEqual([[recorded.screen.actor, { recordId, number, delivery: 'queued', jobId: expect.any(Number) }]]);
    const jobId = audits[0]![1].jobId as number;
    expect(jobById(db(), jobId)).toMatchObject({
      kind: 'slip.print', payload: { recordId, language: 'en', printer: PRINTER },
      lastError: { code: 'SLIP_PRINT_FAILED', message: expect.stringContaining('out of paper') },
    });
    expect(db().prepare('SELECT state FROM enrollments WHERE id = ?').get(recorded.id)).toEqual({ state: 'sealed' });
    expect(db().prepare('SELECT number, state FROM outbox WHERE record_id = ?').get(recordId)).toEqual({ number, state: 'queued' });

    // The job retries by itself: out of paper once more, then printed.
    const { jobs } = kiosk.h.kiosk;
    let job = await jobs.nextAttempt(jobId);
    while (job?.state === 'queued') job = await jobs.nextAttempt(jobId);
    expect(job).toMatchObject({ state: 'done', attempts: 3 });
    expect(printJobs()).toHaveLength(jobsBefore + 1);
    expect(pdfText(printJobs().at(-1)!.pdf)).toContain(number);
    expect(outputOf<Entry>(await call(recorded, 'enrollment.finished'))).toMatchObject({ number, state: 'sealed', slipKept: true });
  });

  it('is the sealing screen\'s own: refused on any other screen, and forgotten when that screen starts again or ends', async () => {
    const recorded = await sealedBy();
    for (const other of [await kiosk.screen('supervisor'), await kiosk.screen('officer'), await kiosk.screen(null)]) {
      expect(outputOf(await call(other, 'enrollment.finished'))).toBeNull();
      expect(errorOf(await call(other, 'enrollment.printSlip')).code).toBe('ENROLLMENT_NOT_FINISHED');
    }
    // The screen starts the next enrollment: the last one's slip is no longer offered there.
    outputOf(await call(recorded, 'enrollment.start', { flow: 'person' }));
    expect(outputOf(await call(recorded, 'enrollment.finished'))).toBeNull();
    expect(errorOf(await call(recorded, 'enrollment.printSlip')).code).toBe('ENROLLMENT_NOT_FINISHED');
    outputOf(await call(recorded, 'enrollment.cancel'));

    // The officer logs out after sealing: the screen's session ends and the slip goes with it.
    const next = await sealedBy();
    expect(outputOf(await call(next, 'enrollment.finished'))).toMatchObject({ number: next.sealed.number });
    outputOf(await call(next, 'auth.logout'));
    expect(outputOf(await call(next, 'enrollment.finished'))).toBeNull();
    expect(errorOf(await call(next, 'enrollment.printSlip')).code).toBe('ENROLLMENT_NOT_FINISHED');
  });
});

describe('printing a record\'s slip again from the records list', () => {
  let folder: string;
  beforeAll(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-slips-'));
    await settings({ slipPrinter: null, slipFolder: folder });
  });
  afterAll(async () => {
    await settings({ slipFolder: null });
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('lets an officer reprint only the records of their own enrollments and a supervisor any, saved as a private PDF without a printer', async () => {
    const mine = await sealedBy('officer');
    const theirs = await sealedBy('target');
    const target = await kiosk.screen('target');
    const supervisor = await kiosk.screen('supervisor');
    const start = auditHeadSeq(kiosk.h.kiosk);

    const notFound = errorOf(await call(target, 'records.printSlip', { recordId: mine.sealed.recordId }));
    expect(notFound).toMatchObject({ code: 'RECORD_NOT_FOUND', details: { recordId: mine.sealed.recordId } });
    expect(slipAudits(start)).toEqual([]);
    const own = outputOf<Printed>(await call(target, 'records.printSlip', { recordId: theirs.sealed.recordId }));
    const file = path.join(folder, `${theirs.sealed.number}.pdf`);
    expect(own).toMatchObject({ number: theirs.sealed.number, delivery: { kind: 'saved', file } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(pdfText(fs.readFileSync(file))).toContain(theirs.sealed.number);

    const anyone = outputOf<Printed>(await call(supervisor, 'records.printSlip', { recordId: mine.sealed.recordId, language: 'zh-CN' }));
    expect(anyone).toMatchObject({ number: mine.sealed.number, delivery: { kind: 'saved', file: path.join(folder, `${mine.sealed.number}.pdf`) } });
    expect(slipAudits(start)).toEqual([
      [target.screen.actor, { recordId: theirs.sealed.recordId, number: theirs.sealed.number, delivery: 'saved' }],
      [supervisor.screen.actor, { recordId: mine.sealed.recordId, number: mine.sealed.number, delivery: 'saved' }],
    ]);

    // The list follows the same rule.
    const listed = async (screen: RecordedScreen) =>
      outputOf<{ day: string; entries: Entry[] }>(await call(screen, 'records.list')).entries.map((entry) => entry.number);
    expect(await listed(target)).toContain(theirs.sealed.number);
    expect(await listed(target)).not.toContain(mine.sealed.number);
    expect(await listed(supervisor)).toEqual(expect.arrayContaining([mine.sealed.number, theirs.sealed.number]));
  });
});

describe('the kiosk\'s command line', () => {
  it('`gatehouse records --json` lists held and rejected enrollments by state, without names', async () => {
    const held = await enrollmentOnReview(kiosk);
    outputOf(await call(held, 'enrollment.holdForReview'));
    const rejected = await enrollmentOnReview(kiosk);
    outputOf(await call(rejected, 'enrollment.holdForReview'));
    const supervisor = await kiosk.screen('supervisor');
    outputOf(await call(supervisor, 'reviewQueue.reject', { id: rejected.id, reason: 'identity-doubt' }));
    const sealed = await sealedBy();

    const run = await runCli(['--data', kiosk.h.dataDir, 'records', '--json'], cleanEnv());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const { records } = JSON.parse(run.stdout) as { records: Array<Record<string, unknown>> };
    for (const record of records) {
      expect(Object.keys(record).sort()).toEqual(['ahead', 'at', 'decidedAt', 'decision', 'flow', 'number', 'reason', 'state']);
    }
    // The supervisor's reason code, never free text; no number was given to what was not sealed.
    expect(records.filter((record) => record.state === 'rejected-at-kiosk')).toContainEqual({
      number: null, at: expect.any(String), flow: 'person', state: 'rejected-at-kiosk', ahead: null,
      decision: null, reason: 'identity-doubt', decidedAt: expect.any(String),
    });
    expect(records.filter((record) => record.state === 'held')).toContainEqual({
      number: null, at: expect.any(String), flow: 'person', state: 'held', ahead: null, decision: null, reason: null, decidedAt: null,
    });
    expect(records).toContainEqual(expect.objectContaining({ number: sealed.sealed.number, state: 'sealed', ahead: expect.any(Number) }));
    for (const key of ['officer', 'supervisor', 'target'] as const) expect(run.stdout).not.toContain(kiosk.h.operator(key).name);
    for (const personal of ['ERIKSSON', 'ANNA', 'L898902C3', 'Storgatan', held.id, rejected.id]) expect(run.stdout).not.toContain(personal);
  });

  it('`gatehouse slip --record` refuses a mistyped number by its check characters (exit 2) and writes nothing', async () => {
    const { number } = outputOf<Sealed>(await call(await enrollmentOnReview(kiosk), 'enrollment.approve', pinOf('supervisor')));
    const out = path.join(lpDir, 'slip.pdf');
    // One digit of the sequence typed wrong: still shaped like a number, but its check characters do not fit.
    const typo = number.slice(0, 15) + (number[15] === '7' ? '8' : '7') + number.slice(16);
    expect(typo).toMatch(/^[0-9A-Z]{4}-\d{6}-\d{4}-[0-9A-Z]{2}$/);
    const run = await runCli(['--data', kiosk.h.dataDir, 'slip', '--record', typo, '--out', out], cleanEnv());
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`gatehouse: --record: ${(parseEnrollmentNumber(typo) as { message: string }).message} (CLI_INVALID_OPTIONS)\n`);
    expect(run.stderr).toContain('check characters');
    expect(fs.existsSync(out)).toBe(false);
    // Typed right (in lower case, without dashes, as people do), it is written.
    const right = await runCli(['--data', kiosk.h.dataDir, 'slip', '--record', number.replace(/-/g, '').toLowerCase(), '--out', out], cleanEnv());
    expect(right).toMatchObject({ code: 0, stdout: `${out}\n` });
    expect(pdfText(fs.readFileSync(out))).toContain(number);
  });
});

// Last: this stops the kiosk to open its data directory again.
describe('enrollment numbers', () => {
  it('count up per day across a restart of the kiosk, and start again at 1 the next day', async () => {
    const last = await sealedBy();
    const before = parseEnrollmentNumber(last.sealed.number);
    if (!before.ok) throw new Error(before.message);
    const code = kiosk.h.kiosk.provisioning.require().identity.code;
    expect(before.parts).toMatchObject({ kioskCode: code, day: kioskDay(new Date()) });
    // Every number this kiosk gave today, in order, 1 to the last one's.
    const today = (db().prepare('SELECT number FROM outbox WHERE number IS NOT NULL ORDER BY created_at').all() as Array<{ number: string }>)
      .map((row) => parseEnrollmentNumber(row.number)).map((parsed) => (parsed.ok ? parsed.parts.sequence : null));
    expect(today).toEqual(Array.from({ length: before.parts.sequence }, (_, i) => i + 1));

    await kiosk.rig.stop();
    await kiosk.h.kiosk.close();
    stopped = true;
    let shift = 0;
    const now = () => new Date(Date.now() + shift);
    const restarted = openKiosk({ dataDir: kiosk.h.dataDir, host: 'browser', log: silentLog, now });
    try {
      const sealAgain = () => sealedByKeyboard(restarted, kiosk.h.operator('officer'), kiosk.h.operator('supervisor'));
      expect(parseEnrollmentNumber(await sealAgain())).toMatchObject({
        ok: true, parts: { kioskCode: code, day: before.parts.day, sequence: before.parts.sequence + 1 },
      });
      shift = 24 * 60 * 60 * 1000; // the next day
      const nextDay = kioskDay(now());
      expect(nextDay).not.toBe(before.parts.day);
      expect(parseEnrollmentNumber(await sealAgain())).toMatchObject({ ok: true, parts: { kioskCode: code, day: nextDay, sequence: 1 } });
      expect(parseEnrollmentNumber(await sealAgain())).toMatchObject({ ok: true, parts: { kioskCode: code, day: nextDay, sequence: 2 } });
    } finally {
      restarted.close();
    }
  });
});

/**
 * A company registration on a kiosk without devices: the officer logged in, the passport typed by
 * a keyboard-wedge reader, a face exception, the supervisor's approval; the record's number.
 */
async function sealedByKeyboard(k: Kiosk, officer: { name: string; pin: string }, supervisor: { name: string; pin: string }): Promise<string> {
  const screen = k.openScreen(() => undefined);
  const call = (method: string, input: unknown = {}) => k.dispatcher.call(screen, method, input);
  try {
    outputOf(await call('auth.login', { name: officer.name, pin: officer.pin }));
    outputOf(await call('enrollment.start', { flow: 'company' }));
    const keys = MRZ_LINES.flatMap((line) => [...line, 'Enter']).map((key, i) => ({ key, at: 1_000 + i * 20 }));
    outputOf(await call('document.keyboardKeys', { keys }));
    const { pendingRead } = outputOf<{ pendingRead: { readId: string } | null }>(await call('enrollment.current'));
    outputOf(await call('enrollment.acceptDocument', { readId: pendingRead!.readId }));
    outputOf(await call('enrollment.recordFaceException', { reason: 'injured', note: 'Bandaged face', photo: exceptionPhoto() }));
    outputOf(await call('enrollment.saveDetails', {
      flow: 'company', companyName: 'Acme Trading GmbH', registrationNumber: 'HRB 1234', legalForm: 'limited-company',
      registeredAddress: 'Hauptstrasse 1, 10115 Berlin', role: 'director',
    }));
    outputOf(await call('enrollment.acceptConsent', { accepted: true, version: '2026-01', language: 'en' }));
    const sealed = outputOf<Sealed>(await call('enrollment.approve', { credential: { method: 'pin', name: supervisor.name, pin: supervisor.pin } }));
    return sealed.number;
  } finally {
    k.closeScreen(screen);
  }
}
