// The checks behind `gatehouse doctor`, for a technician installing a kiosk: is the
// runtime right, do the native modules load, which chip readers PC/SC sees, is Chromium
// there, can we write data; then the station's own state (main/cli/station-checks.ts).

import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3-multiple-ciphers';
import { faceBackendInfo } from '../face/face-runtime.js';
import { findChromium } from '../host/chromium-launcher.js';
import { runStationChecks } from './station-checks.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** Optional checks warn but do not fail the doctor. */
  required: boolean;
  detail: string;
}

type Probe = () => Promise<string>;

const MIN_NODE = [20, 19];

/** The machine's checks (run together), then the station's (one after the other). */
export async function runDoctorChecks(dataDir: string, now?: () => number): Promise<DoctorCheck[]> {
  const probes: Array<[string, boolean, Probe]> = [
    ['node', true, checkNode],
    ['sqlite (SQLite3 Multiple Ciphers)', true, checkSqlite],
    ['serial ports (serialport)', true, checkSerial],
    ['USB HID (node-hid)', false, checkHid],
    ['chip readers (PC/SC)', false, checkChipReaders],
    ['chromium', false, checkChromium],
    ['face analysis (TensorFlow.js)', true, checkFace],
    ['data directory writable', true, () => checkWritable(dataDir)],
  ];
  const machine = await Promise.all(probes.map(async ([name, required, probe]) => {
    try {
      return { name, required, ok: true, detail: await probe() };
    } catch (error) {
      return { name, required, ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }));
  return [...machine, ...await runStationChecks(dataDir, now)];
}

async function checkNode(): Promise<string> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0]! || (major === MIN_NODE[0] && minor < MIN_NODE[1]!)) {
    throw new Error(`Node ${process.versions.node} is too old; ${MIN_NODE.join('.')} or newer is needed`);
  }
  return `Node ${process.versions.node}`;
}

async function checkSqlite(): Promise<string> {
  const db = new Database(':memory:');
  try {
    const { sqlite, cipher } = db.prepare('SELECT sqlite_version() AS sqlite, sqlite3mc_version() AS cipher').get() as { sqlite: string; cipher: string };
    return `SQLite ${sqlite}, ${cipher}`;
  } finally {
    db.close();
  }
}

async function checkSerial(): Promise<string> {
  const { SerialPort } = await import('serialport');
  const ports = await SerialPort.list();
  return `${ports.length} serial port(s) found`;
}

async function checkHid(): Promise<string> {
  const hid = await import('node-hid');
  return `${hid.devices().length} HID device(s) visible`;
}

async function checkChipReaders(): Promise<string> {
  const { PcscCardReaders } = await import('../../native/transport/pcsc-card-reader.js');
  const readers = new PcscCardReaders();
  try {
    const found = await readers.listReaders();
    if (found.length === 0) throw new Error('pcscd runs but sees no reader; plug the chip reader in (a contactless reader for passports)');
    return found.map((reader) => `"${reader.name}"${reader.cardPresent ? ' (card present)' : ''}`).join(', ');
  } finally {
    await readers.close();
  }
}

async function checkChromium(): Promise<string> {
  const executable = findChromium();
  if (!executable) throw new Error('not found; install the Debian package "chromium" (needed by the browser host)');
  const { stdout } = await promisify(execFile)(executable, ['--version'], { timeout: 10_000 });
  return `${executable}: ${stdout.trim()}`;
}

async function checkFace(): Promise<string> {
  const info = await faceBackendInfo();
  const backend = info.backend === 'wasm' ? `wasm${info.simd ? ' + SIMD' : ''}` : 'tfjs-node (native TensorFlow)';
  return `backend ${backend}, tfjs ${info.tfjsVersion}, models ${info.modelHash.slice(0, 12)}…`
    + (info.nativeUnavailable ? ` (tfjs-node not used: ${info.nativeUnavailable})` : '');
}

async function checkWritable(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const probe = join(dataDir, `.doctor-${process.pid}`);
  await writeFile(probe, 'ok');
  await rm(probe);
  return dataDir;
}
