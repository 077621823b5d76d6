// What is plugged into the kiosk, for the technician choosing a device for each role (the
// set-up screen and `gatehouse devices list`): serial ports with the /dev/serial/by-id name
// udev gives a USB serial device (it stays the same across replugging, where /dev/ttyUSB0
// may not), HID devices, and the PC/SC readers pcscd sees. Whatever cannot be looked at is
// a note for the technician, never a failure.
//
// What is and is not detectable: serialport lists the ports udev knows as serial (ttyS,
// ttyUSB, ttyACM, ttyAMA …); pseudo-terminals (/dev/pts/N: the simulators, socat) are not
// among them and show up only through a by-id link that points at them. A by-id link whose
// port the listing missed (a driver naming its ttys otherwise) is listed from the link alone,
// without ids. HID devices need the optional node-hid module; chip readers need pcscd.

import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { z } from 'zod';
import { SerialPort } from 'serialport';
import { DeviceError } from '../../native/device-error.js';
import { PcscCardReaders } from '../../native/transport/pcsc-card-reader.js';
import type { DetectedDevices, DetectedHidDevice, DetectedSerialPort } from '../rpc/procedures/devices.js';

type DetectedDevicesView = z.infer<typeof DetectedDevices>;
type SerialPortView = z.infer<typeof DetectedSerialPort>;
type HidDeviceView = z.infer<typeof DetectedHidDevice>;
type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];

/** What node-hid's `devicesAsync()` gives for each HID interface (the fields used here). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  manufacturer?: string;
  product?: string;
}

/** Where detection looks; each part can be replaced (tests use a folder of their own links, fake listings). */
export interface DetectionSources {
  /** The folder of udev's stable serial names. */
  byIdDir: string;
  listSerialPorts(): Promise<PortInfo[]>;
  listHidDevices(): Promise<HidDeviceInfo[]>;
  listChipReaders(): Promise<string[]>;
  /** How long PC/SC may take to list its readers before detection goes on without them. */
  pcscTimeoutMs: number;
}

export const SERIAL_BY_ID_DIR = '/dev/serial/by-id';
const PCSC_TIMEOUT_MS = 3_000;

const DEFAULT_SOURCES: DetectionSources = {
  byIdDir: SERIAL_BY_ID_DIR,
  listSerialPorts: () => SerialPort.list(),
  listHidDevices: () => nodeHid().devicesAsync(),
  listChipReaders: pcscReaderNames,
  pcscTimeoutMs: PCSC_TIMEOUT_MS,
};

export async function detectDevices(sources: Partial<DetectionSources> = {}): Promise<DetectedDevicesView> {
  const use = { ...DEFAULT_SOURCES, ...sources };
  // Notes in a fixed order (serial, HID, PC/SC), whichever listing ends first.
  const notes: [string[], string[], string[]] = [[], [], []];
  const [serial, hid, chipReaders] = await Promise.all([
    serialPorts(use, notes[0]),
    hidDevices(use, notes[1]),
    chipReaderNames(use, notes[2]),
  ]);
  return { serial, hid, chipReaders, notes: notes.flat() };
}

/** A USB vendor or product id as four lower-case hex digits ("0403"), from a number or udev's/serialport's text; null when there is none. */
export function usbId(value: number | string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const hex = typeof value === 'number' ? (Number.isInteger(value) && value >= 0 && value <= 0xffff ? value.toString(16) : '')
    : value.trim().toLowerCase().replace(/^0x/, '');
  return /^[0-9a-f]{1,4}$/.test(hex) ? hex.padStart(4, '0') : null;
}

/**
 * The stable name of every serial device in `byIdDir`, keyed by the device file it resolves to
 * (`/dev/ttyUSB0` → `/dev/serial/by-id/usb-FTDI_…-if00-port0`). Links are read in name order and
 * the first for a device is kept; a dangling link (the device just went away) is skipped; no
 * folder (no USB serial device plugged in since boot) is no names.
 */
export async function stableSerialNames(byIdDir: string): Promise<Map<string, string>> {
  const names = await readdir(byIdDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  const byDevice = new Map<string, string>();
  for (const name of names.sort()) {
    const link = join(byIdDir, name);
    const target = await realpath(link).catch(() => null);
    if (target !== null && !byDevice.has(target)) byDevice.set(target, link);
  }
  return byDevice;
}

async function serialPorts(sources: DetectionSources, notes: string[]): Promise<SerialPortView[]> {
  const [listed, stableNames] = await Promise.all([
    sources.listSerialPorts().catch((error: unknown) => {
      notes.push(`Serial ports could not be listed (${messageOf(error)}); is udevadm installed?`);
      return [];
    }),
    stableSerialNames(sources.byIdDir).catch((error: unknown) => {
      notes.push(`${sources.byIdDir} could not be read (${messageOf(error)}); ports are listed without their stable names.`);
      return new Map<string, string>();
    }),
  ]);
  const ports = new Map<string, SerialPortView>();
  for (const port of listed) {
    const device = await realpath(port.path).catch(() => port.path);
    ports.set(device, {
      path: port.path,
      stablePath: stableNames.get(device) ?? null,
      vendorId: usbId(port.vendorId),
      productId: usbId(port.productId),
      manufacturer: port.manufacturer ?? null,
      product: null, // udev's model name is not in serialport's listing; the by-id name carries it
      serialNumber: port.serialNumber ?? null,
    });
  }
  for (const [device, stablePath] of stableNames) {
    if (!ports.has(device)) {
      ports.set(device, { path: device, stablePath, vendorId: null, productId: null, manufacturer: null, product: null, serialNumber: null });
    }
  }
  return [...ports.values()].sort((a, b) => a.path.localeCompare(b.path));
}

async function hidDevices(sources: DetectionSources, notes: string[]): Promise<HidDeviceView[]> {
  let listed: HidDeviceInfo[];
  try {
    listed = await sources.listHidDevices();
  } catch (error) {
    notes.push(`USB-HID devices could not be listed: ${messageOf(error)}. Install the optional node-hid module to use HID readers.`);
    return [];
  }
  const devices = new Map<string, HidDeviceView>();
  for (const device of listed) {
    const vendorId = usbId(device.vendorId);
    const productId = usbId(device.productId);
    if (!device.path || devices.has(device.path) || vendorId === null || productId === null) continue;
    devices.set(device.path, {
      path: device.path, vendorId, productId, manufacturer: device.manufacturer || null, product: device.product || null,
    });
  }
  return [...devices.values()].sort((a, b) => a.path.localeCompare(b.path));
}

async function chipReaderNames(sources: DetectionSources, notes: string[]): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeviceError('PCSC_TIMEOUT', `pcscd did not list its readers within ${sources.pcscTimeoutMs / 1000} s`)),
      sources.pcscTimeoutMs);
  });
  try {
    return await Promise.race([sources.listChipReaders(), timeout]);
  } catch (error) {
    if (error instanceof DeviceError && error.code === 'PCSC_NO_READER') return [];
    notes.push(`Chip readers could not be listed: ${messageOf(error)}`);
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The reader names pcscd lists, through the kiosk's own PC/SC code. Its context calls are
 * synchronous inside libpcsclite, which gives up on an unreachable pcscd by itself; the
 * timeout above covers a pcscd that is slow to answer.
 */
async function pcscReaderNames(): Promise<string[]> {
  const readers = new PcscCardReaders();
  try {
    return (await readers.listReaders()).map((reader) => reader.name);
  } finally {
    await readers.close();
  }
}

/** node-hid, loaded only when HID devices are listed: it is optional, and its native addon may be missing or fail to load. */
function nodeHid(): { devicesAsync(): Promise<HidDeviceInfo[]> } {
  return createRequire(import.meta.url)('node-hid') as { devicesAsync(): Promise<HidDeviceInfo[]> };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
