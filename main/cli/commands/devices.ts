// `gatehouse devices list|set|fingers|test`: the technician's device set-up from a shell, the
// same as the set-up screen's. `list` shows what each role is set up with (a module password
// never), what is plugged in and the fingers asked for; `set` validates a role's settings by
// its family and stores them with an audit entry of old and new in one transaction (a running
// kiosk picks them up by itself); `fingers` sets the fingers the person flow asks for; `test`
// opens the configured device itself and waits for a document, a finger or a card.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { DeviceError } from '../../../native/device-error.js';
import { chipReaderFamily } from '../../../native/emrtd/chip-reader-family.js';
import { r30xFamily } from '../../../native/fingerprint/r30x-family.js';
import { appendAudit } from '../../audit/audit-log.js';
import { ChipReaderService } from '../../devices/chip-reader-service.js';
import { readDevicesConfig, ROLE_KEYS, type DevicesConfig } from '../../devices/device-config.js';
import { detectDevices } from '../../devices/device-detection.js';
import { openDocumentReader } from '../../devices/device-registry.js';
import { deviceSettingsView, writeDeviceSettings } from '../../devices/device-settings.js';
import { testChipReader, testDocumentReader, testFingerprint } from '../../devices/device-test.js';
import { DocumentReaderService } from '../../devices/document-reader-service.js';
import { FingerprintService } from '../../devices/fingerprint-service.js';
import { readFingerprintPolicy, writeFingers } from '../../enrollment/fingerprint-policy.js';
import { GatehouseError } from '../../errors.js';
import { pageKeyPath } from '../../host/page-key-file.js';
import { createLog } from '../../log.js';
import { TestableRole, type DeviceTestResult } from '../../rpc/procedures/devices.js';
import type { Db } from '../../store/database.js';
import { dataDirOf, printJson, withDatabase } from '../cli-context.js';
import { integerOption } from '../provisioned-store.js';
import { Shutdown } from '../../kiosk/shutdown.js';

type Role = z.infer<typeof TestableRole>;
type Settings = Record<string, unknown>;
type TestResult = z.infer<typeof DeviceTestResult>;

const ROLES = TestableRole.options;
/** Finger positions in the ten-print order, for `devices fingers` and its help. */
const FINGER_NAMES = ['right thumb', 'right index', 'right middle', 'right ring', 'right little',
  'left thumb', 'left index', 'left middle', 'left ring', 'left little'];

interface SetOptions {
  settings?: string;
  path?: string;
  baud?: string;
  framing?: string;
  address?: string;
  password?: string;
  reader?: string;
  extendedLength?: boolean;
}

export function registerDevicesCommand(program: Command): void {
  const devices = program.command('devices').description('set up and test the devices of this kiosk');

  devices.command('list')
    .description('what each role is set up with, what is plugged in, and the fingers asked for')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const configured = await withDatabase(command, (db) => ({ config: readDevicesConfig(db), fingers: readFingerprintPolicy(db).fingers }));
      const detected = await detectDevices();
      const view = {
        roles: Object.fromEntries(ROLES.map((role) => [role, deviceSettingsView(roleSettings(configured.config, role))])),
        fingers: configured.fingers,
        detected,
      };
      if (options.json) return printJson(view);
      printList(view);
    });

  devices.command('set')
    .description('set the device of a role (or remove it with "none"); validated, audited, and taken up by a running kiosk')
    .argument('<role>', ROLES.join(', '))
    .argument('[kind]', 'mrz or cnid (document-reader), r30x (fingerprint), pcsc (chip-reader), or none')
    .option('--settings <json>', 'all settings as one JSON object (instead of the options below)')
    .option('--path <device>', 'serial device, best /dev/serial/by-id/… (stays across replugging)')
    .option('--baud <n>', 'baud rate')
    .option('--framing <json>', 'MRZ reader framing, e.g. \'{"framing":"stx-etx","bcc":"xor"}\'')
    .option('--address <hex>', 'fingerprint module address, hex (FFFFFFFF unless changed)')
    .option('--password <n>', 'fingerprint module password (0 unless set); left out: the stored one is kept')
    .option('--reader <name>', 'PC/SC reader name as `gatehouse devices list` shows it')
    .option('--extended-length', 'chip reader: read with extended-length APDUs')
    .option('--json', 'print JSON')
    .action(async (roleText: string, kind: string | undefined, { json, ...options }: SetOptions & { json?: boolean }, command: Command) => {
      const role = roleOf(roleText);
      const settings = settingsFrom(kind, options);
      const change = await withDatabase(command, (db) => db.transaction(() => {
        const written = writeDeviceSettings(db, role, settings);
        appendAudit(db, { actor: 'cli', action: 'devices.configured', details: { ...written } });
        return written;
      })());
      if (json) return printJson({ role, old: change.old, new: change.new });
      process.stdout.write(`${role}: ${describe(change.new)} (was ${describe(change.old)})\n`);
    });

  devices.command('fingers')
    .description(`the fingers the person flow asks for, in capture order (ten-print positions: ${FINGER_NAMES.map((name, i) => `${i + 1} ${name}`).join(', ')})`)
    .argument('<positions>', 'comma-separated, e.g. 2,7 (both index fingers) or 1,2,3,4,5,6,7,8,9,10')
    .option('--json', 'print JSON')
    .action(async (positions: string, options: { json?: boolean }, command: Command) => {
      const fingers = positions.split(',').map((text) => integerOption('fingers', text.trim(), 1, 10));
      const change = await withDatabase(command, (db) => db.transaction(() => {
        const written = writeFingers(db, fingers);
        appendAudit(db, { actor: 'cli', action: 'devices.fingers-set', details: { ...written } });
        return written;
      })());
      if (options.json) return printJson(change);
      process.stdout.write(`fingers: ${change.new.map((position) => `${position} ${FINGER_NAMES[position - 1]}`).join(', ')}\n`);
    });

  devices.command('test')
    .description('open the configured device of a role and wait for a document, a finger or a card')
    .argument('<role>', ROLES.join(', '))
    .option('--timeout <seconds>', 'how long to wait', '30')
    .option('--json', 'print JSON')
    .action(async (roleText: string, options: { timeout: string; json?: boolean }, command: Command) => {
      const role = roleOf(roleText);
      const timeoutMs = integerOption('--timeout', options.timeout, 1, 600) * 1000;
      const result = await withDatabase(command, (db) => runTest(db, role, timeoutMs, dataDirOf(command)));
      if (options.json) return printJson(result);
      printTestResult(result);
    });
}

function roleOf(text: string): Role {
  const parsed = TestableRole.safeParse(text);
  if (!parsed.success) throw new GatehouseError('CLI_INVALID_OPTIONS', `The role must be one of ${ROLES.join(', ')}, not "${text}".`);
  return parsed.data;
}

function roleSettings(config: DevicesConfig, role: Role): Settings | null {
  return config[ROLE_KEYS[role]];
}

/** The settings the options give (`kind` none: remove the device); each family's schema checks them. */
function settingsFrom(kind: string | undefined, options: SetOptions): Settings | null {
  const { settings: settingsJson, ...fields } = options;
  const given = Object.keys(fields);
  if (kind === 'none') {
    if (settingsJson !== undefined || given.length > 0) throw new GatehouseError('CLI_INVALID_OPTIONS', '"none" removes the device: give no settings with it.');
    return null;
  }
  if (settingsJson !== undefined) {
    if (given.length > 0) throw new GatehouseError('CLI_INVALID_OPTIONS', `Give --settings or the options (${given.map(optionName).join(', ')}), not both.`);
    const settings = parseJson('--settings', settingsJson);
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new GatehouseError('CLI_INVALID_OPTIONS', '--settings must be a JSON object, e.g. {"kind":"mrz","path":"/dev/ttyUSB0"}.');
    }
    return kind === undefined ? settings as Settings : { ...settings, kind };
  }
  if (kind === undefined) throw new GatehouseError('CLI_INVALID_OPTIONS', 'Give the kind of device (or "none"), or all settings with --settings.');
  return {
    kind,
    ...(fields.path !== undefined ? { path: fields.path } : {}),
    ...(fields.baud !== undefined ? { baud: integerOption('--baud', fields.baud, 1, 10_000_000) } : {}),
    ...(fields.framing !== undefined ? { framing: parseJson('--framing', fields.framing) } : {}),
    ...(fields.address !== undefined ? { address: hexOption('--address', fields.address) } : {}),
    ...(fields.password !== undefined ? { password: integerOption('--password', fields.password, 0, 0xffff_ffff) } : {}),
    ...(fields.reader !== undefined ? { reader: fields.reader } : {}),
    ...(fields.extendedLength ? { extendedLength: true } : {}),
  };
}

function optionName(field: string): string {
  return `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

function hexOption(name: string, text: string): number {
  if (!/^(0x)?[0-9a-f]{1,8}$/i.test(text)) throw new GatehouseError('CLI_INVALID_OPTIONS', `${name} must be up to 8 hex digits, e.g. FFFFFFFF, not "${text}".`);
  return Number.parseInt(text.replace(/^0x/i, ''), 16);
}

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `${name} must be JSON (${(error as Error).message}).`, { option: name });
  }
}

/**
 * Opens the role's configured device, tests it and closes it. SIGTERM/SIGINT are handled
 * before anything opens: they end the test (DEVICE_TEST_CANCELLED) and close the device.
 */
async function runTest(db: Db, role: Role, timeoutMs: number, dataDir: string): Promise<TestResult> {
  const shutdown = new Shutdown(createLog('devices'));
  const cancel = new AbortController();
  const seconds = timeoutMs / 1000;
  const options = {
    signal: cancel.signal,
    onWaiting: () => process.stderr.write(role === 'fingerprint'
      ? `Press a finger flat on the scanner (waiting ${seconds} s)…\n` : `Lay a document on the reader (waiting ${seconds} s)…\n`),
  };
  /** Starts the device with its release registered, then the test's cancellation (releases run newest first). */
  const started = <Device extends { start(): void; stop(): Promise<void> }>(device: Device | null): Device | null => {
    if (!device) return null;
    shutdown.add('device', () => device.stop());
    shutdown.add('test', () => cancel.abort());
    device.start();
    return device;
  };
  const config = readDevicesConfig(db);
  const now = () => new Date();
  const test = (): Promise<TestResult> => {
    if (role === 'document-reader') {
      const reader = config.documentReader && new DocumentReaderService(openDocumentReader(config.documentReader, { now }), { simulated: false });
      return testDocumentReader(started(reader), timeoutMs, options);
    }
    if (role === 'fingerprint') {
      const module = config.fingerprint && new FingerprintService(r30xFamily.open(config.fingerprint, { now }), { simulated: false });
      return testFingerprint(started(module), timeoutMs, options);
    }
    const chip = config.chipReader && new ChipReaderService(chipReaderFamily.open(config.chipReader, { now }),
      { db, now, simulated: false, readerName: config.chipReader.reader });
    return testChipReader(started(chip), timeoutMs, options);
  };
  try {
    const result = await test();
    appendAudit(db, { actor: 'cli', action: 'devices.tested', details: { role, passed: true } });
    return result;
  } catch (caught) {
    const error = heldByKiosk(caught, role, dataDir) ?? caught;
    const code = error instanceof GatehouseError || error instanceof DeviceError ? error.code : null;
    appendAudit(db, { actor: 'cli', action: 'devices.tested', details: { role, passed: false, code } });
    throw error;
  } finally {
    await shutdown.run();
  }
}

/** DEVICE_IN_USE when the device is held and a kiosk serves from this data folder: the kiosk is the one holding it. */
function heldByKiosk(error: unknown, role: Role, dataDir: string): GatehouseError | null {
  if (!(error instanceof GatehouseError) || error.details.problem !== 'in-use' || !existsSync(pageKeyPath(dataDir))) return null;
  return new GatehouseError('DEVICE_IN_USE',
    'The kiosk is running and holds this device: test it from the device set-up screen, or stop the kiosk.', { role });
}

function describe(settings: Settings | null): string {
  if (settings === null) return 'not set up';
  const { kind, ...rest } = settings;
  return `${String(kind)} ${JSON.stringify(rest)}`;
}

function printList(view: { roles: Record<string, Settings | null>; fingers: number[]; detected: Awaited<ReturnType<typeof detectDevices>> }): void {
  const lines: string[] = [];
  for (const [role, settings] of Object.entries(view.roles)) lines.push(`${role.padEnd(16)} ${describe(settings)}`);
  lines.push(`fingers          ${view.fingers.map((position) => `${position} ${FINGER_NAMES[position - 1]}`).join(', ')}`);
  const { serial, hid, chipReaders, notes } = view.detected;
  lines.push(`serial ports     ${serial.length === 0 ? 'none' : ''}`);
  for (const port of serial) {
    const ids = port.vendorId ? ` ${port.vendorId}:${port.productId}` : '';
    lines.push(`  ${port.stablePath ?? port.path}${port.stablePath ? ` (${port.path})` : ''}${ids}${port.manufacturer ? ` ${port.manufacturer}` : ''}`);
  }
  lines.push(`HID devices      ${hid.length === 0 ? 'none' : ''}`);
  for (const device of hid) lines.push(`  ${device.path} ${device.vendorId}:${device.productId} ${[device.manufacturer, device.product].filter(Boolean).join(' ')}`);
  lines.push(`chip readers     ${chipReaders.length === 0 ? 'none' : ''}`);
  for (const reader of chipReaders) lines.push(`  "${reader}"`);
  for (const note of notes) lines.push(`note: ${note}`);
  process.stdout.write(`${lines.map((line) => line.trimEnd()).join('\n')}\n`);
}

function printTestResult(result: TestResult): void {
  if (result.role === 'document-reader') {
    const lines = [`document reader: ${result.documentType} (${result.source}), ${result.valid ? 'checks hold' : 'checks FAIL'}`];
    for (const field of result.fields) lines.push(`  ${field.name.padEnd(18)} ${field.value}${field.ok ? '' : `  ← ${field.problem}`}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } else if (result.role === 'fingerprint') {
    const { score, method, components } = result.quality;
    process.stdout.write(`fingerprint scanner: image ${result.width}×${result.height}, quality ${score} (${method}; contrast `
      + `${components.contrast.toFixed(2)}, ridge clarity ${components.orientationCoherence.toFixed(2)}, area ${components.usableArea.toFixed(2)})\n`);
  } else {
    process.stdout.write(`chip reader "${result.reader}": ${result.cardPresent ? `card present, ATR ${result.atr}` : 'no card on it'}\n`);
  }
}
