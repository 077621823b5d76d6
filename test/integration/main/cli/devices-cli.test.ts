// `gatehouse devices list|set|fingers|test` as spawned processes against the simulators on
// real pseudo-terminals (`gatehouse sim …`, socat), with real SQLite stores: a document read
// and a finger captured through the configured devices, a device configured but absent, a
// device held by a running kiosk, invalid settings refused with nothing stored, an interrupted
// test, and every change in the audit log with its old and new value.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGreyPng } from '../../../../native/fingerprint/finger-image.js';
import { openKioskDatabase } from '../../../../main/store/database.js';
import { builtCli, cleanEnv, finished, runCli, startCli, tempDataDir, type CliRun } from './run-cli.js';

const dirs: string[] = [];
const children: Array<{ child: ChildProcessWithoutNullStreams; done: Promise<CliRun> }> = [];

function scratch(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  return dir;
}

/** Starts a long-running `gatehouse` command; resolves once a stdout line starts with `prefix`, with that line and those before it. */
async function startUntil(args: string[], prefix: string, env = cleanEnv())
  : Promise<{ line: string; before: string[]; child: ChildProcessWithoutNullStreams; done: Promise<CliRun> }> {
  const child = startCli(args, env);
  const done = finished(child);
  children.push({ child, done });
  const before: string[] = [];
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (text.startsWith(prefix)) resolve(text);
      else before.push(text);
    });
    void done.then((run) => reject(new Error(`gatehouse ${args.join(' ')} ended before "${prefix}": ${run.stderr}`)));
  });
  return { line, before, child, done };
}

async function stop(sim: { child: ChildProcessWithoutNullStreams; done: Promise<CliRun> }): Promise<CliRun> {
  sim.child.kill('SIGTERM');
  return sim.done;
}

/** `gatehouse sim idreader --kind mrz` on a pty at DIR/NAME. */
async function mrzSimulator(scenario: string) {
  const link = path.join(scratch(), 'mrz');
  const sim = await startUntil(['sim', 'idreader', '--kind', 'mrz', '--link', link, '--scenario', scenario], 'ready ');
  expect(sim.line).toBe(`ready ${link}`);
  return { link, ...sim };
}

/** `gatehouse sim fingerprint` at 115200 baud with a virtual finger always on the sensor. */
async function fingerprintSimulator() {
  const link = path.join(scratch(), 'fp');
  const sim = await startUntil(['sim', 'fingerprint', '--link', link, '--baud', '115200', '--auto-finger', '42'], 'ready ');
  return { link, ...sim };
}

/** One line to the fingerprint simulator's control socket, its answer back. */
function control(link: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(`${link}.control`);
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(answer.trim()));
    socket.end(`${line}\n`);
  });
}

function gatehouse(dir: string, ...args: string[]): Promise<CliRun> {
  return runCli([...args, '--data', dir]);
}

/** The same, talking to the PC/SC daemon at `socket` (a simulator's private pcscd). */
function gatehouseWithPcscd(socket: string, dir: string, ...args: string[]): Promise<CliRun> {
  return runCli([...args, '--data', dir], cleanEnv({ PCSCLITE_CSOCK_NAME: socket }));
}

/** The command's JSON output (as loosely typed as JSON.parse's). */
function json(run: CliRun) {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`no JSON on stdout (exit ${run.code}, signal ${run.signal}): ${run.stdout}${run.stderr}`);
  }
}

type AuditRow = { actor: string; details: ReturnType<typeof JSON.parse> };

function auditRows(dir: string, action: string): AuditRow[] {
  const db = openKioskDatabase(dir);
  try {
    return (db.prepare('SELECT actor, details FROM audit WHERE action = ? ORDER BY seq').all(action) as Array<{ actor: string; details: string }>)
      .map((row) => ({ actor: row.actor, details: JSON.parse(row.details) }));
  } finally {
    db.close();
  }
}

const MRZ_LINES = '{"framing":"lines","lineEnd":"cr"}';

beforeAll(() => {
  expect(fs.existsSync(builtCli), 'build first: npx tsc -p tsconfig.build.json').toBe(true);
});
afterAll(async () => {
  for (const sim of children) sim.child.kill('SIGTERM');
  await Promise.all(children.map((sim) => sim.done));
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('gatehouse devices', () => {
  it('sets a document reader on a simulator\'s pty, tests it with a read document\'s fields, and lists and audits it', async () => {
    const dir = scratch();
    const before = json(await gatehouse(dir, 'devices', 'list', '--json'));
    expect(before).toMatchObject({ roles: { 'document-reader': null, 'chip-reader': null, fingerprint: null }, fingers: [2, 7] });
    expect(before.detected).toMatchObject({ serial: expect.any(Array), hid: expect.any(Array), chipReaders: expect.any(Array), notes: expect.any(Array) });

    const sim = await mrzSimulator('repeat:1');
    // A pty is no serial port udev knows: it is not detected (only a /dev/serial/by-id link would show it).
    expect(json(await gatehouse(dir, 'devices', 'list', '--json')).detected.serial.map((port: { path: string }) => port.path))
      .not.toContain(fs.realpathSync(sim.link));

    const set = await gatehouse(dir, 'devices', 'set', 'document-reader', 'mrz', '--path', sim.link, '--framing', MRZ_LINES, '--json');
    expect(set.code).toBe(0);
    expect(json(set)).toEqual({
      role: 'document-reader', old: null,
      new: { kind: 'mrz', path: sim.link, baud: 9600, framing: { framing: 'lines', lineEnd: 'cr', underscorePadding: false, idleGapMs: 300 } },
    });

    const tested = await gatehouse(dir, 'devices', 'test', 'document-reader', '--json', '--timeout', '60');
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stderr).toContain('Lay a document on the reader');
    const result = json(tested);
    expect(result).toMatchObject({ role: 'document-reader', source: 'mrz', documentType: 'TD3', valid: true });
    expect(result.fields).toContainEqual({ name: 'documentNumber', value: 'L898902C3', ok: true });
    expect(result.fields).toContainEqual({ name: 'surname', value: 'ERIKSSON', ok: true });

    const text = await gatehouse(dir, 'devices', 'test', 'document-reader');
    expect(text).toMatchObject({ code: 0, stdout: expect.stringMatching(/^document reader: TD3 \(mrz\), checks hold\n[\s\S]*documentNumber +L898902C3/) });

    expect(json(await gatehouse(dir, 'devices', 'list', '--json')).roles['document-reader']).toEqual(json(set).new);
    const switched = await gatehouse(dir, 'devices', 'set', 'document-reader', 'cnid', '--path', sim.link);
    expect(switched).toMatchObject({ code: 0, stdout: expect.stringContaining('document-reader: cnid') });
    expect(auditRows(dir, 'devices.configured')).toEqual([
      { actor: 'cli', details: expect.objectContaining({ role: 'document-reader', old: null, new: json(set).new }) },
      { actor: 'cli', details: expect.objectContaining({ role: 'document-reader', old: json(set).new, new: { kind: 'cnid', path: sim.link, baud: 115200 } }) },
    ]);
    expect(auditRows(dir, 'devices.tested')).toEqual([
      { actor: 'cli', details: { role: 'document-reader', passed: true } },
      { actor: 'cli', details: { role: 'document-reader', passed: true } },
    ]);
  });

  it('sets a fingerprint module and tests it: an image of the finger with its quality; the password never shows', async () => {
    const dir = scratch();
    const sim = await fingerprintSimulator();
    const set = await gatehouse(dir, 'devices', 'set', 'fingerprint', 'r30x', '--path', sim.link, '--baud', '115200', '--address', 'ffffffff', '--json');
    expect(set.code, set.stdout).toBe(0);
    expect(json(set).new).toEqual({ kind: 'r30x', path: sim.link, baud: 115200, address: 0xffffffff });

    const tested = await gatehouse(dir, 'devices', 'test', 'fingerprint', '--json');
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    const result = json(tested);
    expect(result).toMatchObject({ role: 'fingerprint', width: 256, height: 288, quality: { method: expect.stringContaining('NFIQ 2-style'), score: expect.any(Number) } });
    expect(result.quality.score).toBeGreaterThan(0);
    const png = Buffer.from(result.image.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(decodeGreyPng(png)).toMatchObject({ width: 256, height: 288 });

    const listed = await gatehouse(dir, 'devices', 'list', '--json');
    expect(json(listed).roles.fingerprint).toEqual({ kind: 'r30x', path: sim.link, baud: 115200, address: 0xffffffff, passwordSet: false });

    // A password is stored, never shown or audited; left out on the next set, it is kept.
    expect((await gatehouse(dir, 'devices', 'set', 'fingerprint', 'r30x', '--path', sim.link, '--baud', '115200', '--password', '1234')).code).toBe(0);
    expect((await gatehouse(dir, 'devices', 'set', 'fingerprint', 'r30x', '--path', sim.link, '--baud', '115200')).code).toBe(0);
    expect(json(await gatehouse(dir, 'devices', 'list', '--json')).roles.fingerprint).toMatchObject({ passwordSet: true });
    const audit = auditRows(dir, 'devices.configured');
    expect(audit.map((row) => row.details.credentialChanged)).toEqual([false, true, false]);
    expect(JSON.stringify(audit)).not.toContain('1234');
    // The simulator knows no password: with the stored one the module refuses the handshake.
    const refused = await gatehouse(dir, 'devices', 'test', 'fingerprint', '--json');
    expect(refused.code).toBe(2);
    expect(json(refused).error).toMatchObject({ code: 'DEVICE_NOT_READY', details: { role: 'fingerprint', problem: 'wrong-settings' } });
  });

  it('tests a device configured but absent: exit 2 with the not-connected problem', async () => {
    const dir = scratch();
    const absent = path.join(dir, 'no-such-port');
    expect((await gatehouse(dir, 'devices', 'set', 'fingerprint', 'r30x', '--path', absent)).code).toBe(0);
    const run = await gatehouse(dir, 'devices', 'test', 'fingerprint', '--json');
    expect(run.code).toBe(2);
    const { error } = json(run);
    expect(error).toMatchObject({ code: 'DEVICE_NOT_READY', details: { role: 'fingerprint', problem: 'not-connected' } });
    expect(error.message).toContain(absent);

    expect((await gatehouse(dir, 'devices', 'set', 'document-reader', 'mrz', '--path', absent, '--framing', MRZ_LINES)).code).toBe(0);
    const text = await gatehouse(dir, 'devices', 'test', 'document-reader');
    expect(text).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^gatehouse: The document reader is not connected .*\(DEVICE_NOT_READY\)\n$/) });

    const unset = await gatehouse(dir, 'devices', 'test', 'chip-reader', '--json');
    expect(unset.code).toBe(2);
    expect(json(unset).error).toMatchObject({ code: 'DEVICE_NOT_READY', details: { role: 'chip-reader', problem: 'not-set-up' } });
    expect(auditRows(dir, 'devices.tested').map((row) => row.details))
      .toEqual(['fingerprint', 'document-reader', 'chip-reader'].map((role) => ({ role, passed: false, code: 'DEVICE_NOT_READY' })));
  });

  it('refuses invalid settings with the field named, and stores nothing', async () => {
    const dir = scratch();
    const good = await gatehouse(dir, 'devices', 'set', 'document-reader', '--json',
      '--settings', `{"kind":"mrz","path":"/dev/ttyUSB0","framing":${MRZ_LINES}}`);
    expect(good.code).toBe(0);
    const refusals: Array<[string[], object]> = [
      [['fingerprint', 'r30x', '--path', '/dev/ttyUSB1', '--baud', '1234'], { code: 'DEVICES_SETTINGS_INVALID', details: { role: 'fingerprint', fields: ['baud'] } }],
      [['document-reader', 'barcode', '--path', '/dev/ttyUSB0'], { code: 'DEVICES_SETTINGS_INVALID', details: { fields: ['kind'] } }],
      [['document-reader', 'mrz', '--path', '/dev/ttyUSB0', '--framing', '{"framing":'], { code: 'CLI_INVALID_OPTIONS', message: expect.stringContaining('--framing must be JSON') }],
      [['document-reader', 'mrz', '--path', '/dev/ttyUSB0', '--framing', '{"framing":"smoke-signals"}'], { code: 'DEVICES_SETTINGS_INVALID', details: { fields: ['framing.framing'] } }],
      [['fingerprint', 'r30x', '--path', '/dev/ttyUSB1', '--address', 'xyz'], { code: 'CLI_INVALID_OPTIONS', message: expect.stringContaining('--address') }],
      [['document-reader', 'mrz', '--framing', MRZ_LINES], { code: 'DEVICES_SETTINGS_INVALID', details: { fields: ['path'] } }],
      [['scanner', 'mrz'], { code: 'CLI_INVALID_OPTIONS', message: expect.stringContaining('document-reader, chip-reader, fingerprint') }],
      [['document-reader', 'none', '--path', '/dev/ttyUSB0'], { code: 'CLI_INVALID_OPTIONS' }],
      [['document-reader', '--settings', '{"kind":"mrz"}', '--path', '/dev/ttyUSB0'], { code: 'CLI_INVALID_OPTIONS', message: expect.stringContaining('not both') }],
      [['document-reader', '--settings', '[1]'], { code: 'CLI_INVALID_OPTIONS', message: expect.stringContaining('JSON object') }],
    ];
    for (const [args, error] of refusals) {
      const run = await gatehouse(dir, 'devices', 'set', ...args, '--json');
      expect(run.code, args.join(' ')).toBe(2);
      expect(json(run).error, args.join(' ')).toMatchObject(error);
    }
    const listed = json(await gatehouse(dir, 'devices', 'list', '--json'));
    expect(listed.roles).toEqual({ 'document-reader': json(good).new, 'chip-reader': null, fingerprint: null });
    expect(auditRows(dir, 'devices.configured')).toHaveLength(1);

    const removed = await gatehouse(dir, 'devices', 'set', 'document-reader', 'none', '--json');
    expect(json(removed)).toEqual({ role: 'document-reader', old: json(good).new, new: null });
  });

  it('sets the fingers the person flow asks for, in the order given, audited; refuses other positions', async () => {
    const dir = scratch();
    const set = await gatehouse(dir, 'devices', 'fingers', '7,2,1', '--json');
    expect(json(set)).toEqual({ old: [2, 7], new: [7, 2, 1] });
    expect(await gatehouse(dir, 'devices', 'fingers', '1,2,3,4,5,6,7,8,9,10'))
      .toMatchObject({ code: 0, stdout: 'fingers: 1 right thumb, 2 right index, 3 right middle, 4 right ring, 5 right little, '
        + '6 left thumb, 7 left index, 8 left middle, 9 left ring, 10 left little\n' });
    for (const [bad, error] of [['2,2', 'DEVICES_FINGERS_INVALID'], ['11', 'CLI_INVALID_OPTIONS'], ['0', 'CLI_INVALID_OPTIONS'], ['two', 'CLI_INVALID_OPTIONS'], ['', 'CLI_INVALID_OPTIONS']]) {
      const run = await gatehouse(dir, 'devices', 'fingers', bad!, '--json');
      expect({ bad, code: run.code, error: json(run).error.code }).toEqual({ bad, code: 2, error });
    }
    expect(json(await gatehouse(dir, 'devices', 'list', '--json')).fingers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(auditRows(dir, 'devices.fingers-set')).toEqual([
      { actor: 'cli', details: { old: [2, 7], new: [7, 2, 1] } },
      { actor: 'cli', details: { old: [7, 2, 1], new: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } },
    ]);
  });

  it('lists the chip readers pcscd sees, sets one and tests it: the card on it with its answer to reset', async () => {
    const dir = scratch();
    const chip = await startUntil(['sim', 'chip'], 'ready ');
    const socket = /^PCSCLITE_CSOCK_NAME=(\S+)$/.exec(chip.before[0] ?? '')?.[1];
    const reader = chip.line.slice('ready '.length);
    expect(socket).toMatch(/pcscd\.comm$/);
    expect(json(await gatehouseWithPcscd(socket!, dir, 'devices', 'list', '--json')).detected.chipReaders).toContain(reader);

    expect((await gatehouseWithPcscd(socket!, dir, 'devices', 'set', 'chip-reader', 'pcsc', '--reader', reader, '--extended-length')).code).toBe(0);
    const tested = await gatehouseWithPcscd(socket!, dir, 'devices', 'test', 'chip-reader', '--json');
    expect(tested.code, tested.stdout).toBe(0);
    expect(json(tested)).toEqual({ role: 'chip-reader', reader, cardPresent: true, atr: expect.stringMatching(/^3b[0-9a-f]+$/) });

    expect((await gatehouseWithPcscd(socket!, dir, 'devices', 'set', 'chip-reader', 'pcsc', '--reader', 'ACS ACR1252 00 00')).code).toBe(0);
    const absent = await gatehouseWithPcscd(socket!, dir, 'devices', 'test', 'chip-reader', '--json');
    expect(absent.code).toBe(2);
    expect(json(absent).error).toMatchObject({ code: 'DEVICE_NOT_READY', details: { role: 'chip-reader', problem: 'not-connected' } });
    expect((await stop(chip)).code).toBe(0);
  });

  it('says when nothing was read in time, and ends a test on SIGTERM, releasing the port', async () => {
    const dir = scratch();
    const sim = await mrzSimulator('idle');
    expect((await gatehouse(dir, 'devices', 'set', 'document-reader', 'mrz', '--path', sim.link, '--framing', MRZ_LINES)).code).toBe(0);

    const timedOut = await gatehouse(dir, 'devices', 'test', 'document-reader', '--timeout', '1', '--json');
    expect(timedOut.code).toBe(2);
    expect(json(timedOut).error).toEqual({
      code: 'DEVICE_TEST_TIMEOUT', message: 'No document was read in 1 s: lay a document on the reader and test again.',
      details: { role: 'document-reader', seconds: 1 },
    });

    const child = startCli(['devices', 'test', 'document-reader', '--json', '--data', dir]);
    const done = finished(child);
    await new Promise<void>((resolve) => createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.startsWith('Lay a document on the reader')) resolve();
    }));
    child.kill('SIGTERM');
    const run = await done;
    expect(run, run.stderr).toMatchObject({ code: 2, stdout: expect.stringContaining('"code":"DEVICE_TEST_CANCELLED"') });
    // The port was let go: the next test opens it (and times out, the reader being idle).
    const again = await gatehouse(dir, 'devices', 'test', 'document-reader', '--timeout', '1', '--json');
    expect(json(again).error.code).toBe('DEVICE_TEST_TIMEOUT');
  });

  it('says so when the running kiosk holds the device', async () => {
    const dir = scratch();
    const sim = await fingerprintSimulator();
    const reader = await mrzSimulator('idle');
    expect((await gatehouse(dir, 'devices', 'set', 'fingerprint', 'r30x', '--path', sim.link, '--baud', '115200')).code).toBe(0);
    expect((await gatehouse(dir, 'devices', 'set', 'document-reader', 'mrz', '--path', reader.link, '--framing', MRZ_LINES)).code).toBe(0);
    const kiosk = await startUntil(['serve', '--no-browser', '--data', dir], 'ready ', cleanEnv({ DISPLAY: '', WAYLAND_DISPLAY: '' }));
    // The kiosk's handshake widens the module's packets to 256 bytes: from then on it holds the port.
    await expect.poll(async () => JSON.parse((await control(sim.link, 'status')).replace(/^ok /, '')).packetSize, { timeout: 60_000 }).toBe(256);

    const run = await gatehouse(dir, 'devices', 'test', 'fingerprint', '--json');
    expect(run.code).toBe(2);
    expect(json(run).error).toEqual({
      code: 'DEVICE_IN_USE', message: 'The kiosk is running and holds this device: test it from the device set-up screen, or stop the kiosk.',
      details: { role: 'fingerprint' },
    });
    expect((await stop(kiosk)).code).toBe(0);
  });
});
