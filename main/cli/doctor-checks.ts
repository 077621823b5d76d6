// The checks behind `gatehouse doctor` and the diagnostics screen, for a technician installing
// or looking after a kiosk: is the runtime right, do the native modules load, which serial
// ports, HID devices and chip readers are there, is Chromium there, can we write data; then
// the station's own state (main/cli/station-checks.ts). Each is data (main/diagnostics/doctor-check.ts).

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3-multiple-ciphers';
import { CheckProblem, runChecks, type CheckDefinition, type DoctorCheck, type Finding, type ProgressListener } from '../diagnostics/doctor-check.js';
import { faceBackendInfo } from '../face/face-runtime.js';
import { findChromium } from '../host/chromium-launcher.js';
import { stationChecks, type StationCheckOptions } from './station-checks.js';

const MIN_NODE = [20, 19];

/** The machine's checks; they run together. */
export function machineChecks(dataDir: string): CheckDefinition[] {
  return [
    { id: 'node', group: 'machine', name: 'node', required: true, probe: checkNode },
    { id: 'sqlite', group: 'machine', name: 'sqlite (SQLite3 Multiple Ciphers)', required: true, probe: checkSqlite },
    { id: 'serial-ports', group: 'devices', name: 'serial ports (serialport)', required: true, probe: checkSerial },
    { id: 'hid', group: 'devices', name: 'USB HID (node-hid)', required: false, probe: checkHid },
    { id: 'chip-readers', group: 'devices', name: 'chip readers (PC/SC)', required: false, probe: checkChipReaders },
    { id: 'chromium', group: 'machine', name: 'chromium', required: false, probe: checkChromium },
    { id: 'face', group: 'machine', name: 'face analysis (TensorFlow.js)', required: true, probe: checkFace },
    { id: 'data-writable', group: 'station', name: 'data directory writable', required: true, probe: () => checkWritable(dataDir) },
  ];
}

/** The machine's checks (run together), then the station's (one after the other). */
export async function runDoctorChecks(dataDir: string, options: StationCheckOptions = {}, onProgress?: ProgressListener): Promise<DoctorCheck[]> {
  const station = stationChecks(dataDir, options);
  try {
    return await runChecks(machineChecks(dataDir), station.checks, onProgress);
  } finally {
    station.release();
  }
}

async function checkNode(): Promise<string> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0]! || (major === MIN_NODE[0] && minor < MIN_NODE[1]!)) {
    throw new CheckProblem('too-old', `Node ${process.versions.node} is too old; ${MIN_NODE.join('.')} or newer is needed`, { needed: MIN_NODE.join('.') });
  }
  return `Node ${process.versions.node}`;
}

/** The SQLite and cipher versions this build runs. */
export function sqliteVersions(): { sqlite: string; cipher: string } {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version() AS sqlite, sqlite3mc_version() AS cipher').get() as { sqlite: string; cipher: string };
  } finally {
    db.close();
  }
}

async function checkSqlite(): Promise<string> {
  const { sqlite, cipher } = sqliteVersions();
  return `SQLite ${sqlite}, ${cipher}`;
}

async function checkSerial(): Promise<Finding> {
  const { SerialPort } = await import('serialport');
  const ports = await SerialPort.list();
  return { detail: `${ports.length} serial port(s) found`, values: { count: ports.length } };
}

async function checkHid(): Promise<Finding> {
  const hid = await import('node-hid');
  const count = hid.devices().length;
  return { detail: `${count} HID device(s) visible`, values: { count } };
}

async function checkChipReaders(): Promise<Finding> {
  const { PcscCardReaders } = await import('../../native/transport/pcsc-card-reader.js');
  const readers = new PcscCardReaders();
  try {
    const found = await readers.listReaders().catch((error: unknown) => {
      throw new CheckProblem('no-service', error instanceof Error ? error.message : String(error));
    });
    if (found.length === 0) throw new CheckProblem('no-reader', 'pcscd runs but sees no reader; plug the chip reader in (a contactless reader for passports)');
    return { detail: found.map((reader) => `"${reader.name}"${reader.cardPresent ? ' (card present)' : ''}`).join(', '), values: { count: found.length } };
  } finally {
    await readers.close();
  }
}

/** `chromium --version` of the Chromium the browser host launches; null when there is none. */
export async function chromiumVersion(): Promise<{ executable: string; version: string } | null> {
  const executable = findChromium();
  if (!executable) return null;
  const { stdout } = await promisify(execFile)(executable, ['--version'], { timeout: 10_000 });
  return { executable, version: stdout.trim() };
}

async function checkChromium(): Promise<string> {
  const found = await chromiumVersion();
  if (!found) throw new CheckProblem('not-found', 'not found; install the Debian package "chromium" (needed by the browser host)');
  return `${found.executable}: ${found.version}`;
}

async function checkFace(): Promise<string> {
  const info = await faceBackendInfo();
  const backend = info.backend === 'wasm' ? `wasm${info.simd ? ' + SIMD' : ''}` : 'tfjs-node (native TensorFlow)';
  return `backend ${backend}, tfjs ${info.tfjsVersion}, models ${info.modelHash.slice(0, 12)}…`
    + (info.nativeUnavailable ? ` (tfjs-node not used: ${info.nativeUnavailable})` : '');
}

async function checkWritable(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const probe = join(dataDir, `.doctor-${process.pid}-${randomUUID()}`); // two runs at once (two screens) each write their own
  await writeFile(probe, 'ok');
  await rm(probe);
  return dataDir;
}
