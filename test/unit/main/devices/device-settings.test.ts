// Changing a role's device as the set-up screen and `gatehouse devices set` do: validated by
// the family's own schema, the stored module password kept when left out, and the change as
// the audit entry records it (never the password; the audit log's own check passes).

import { describe, expect, it } from 'vitest';
import { assertAuditSafe } from '../../../../main/audit/audit-log.js';
import { readDevicesConfig } from '../../../../main/devices/device-config.js';
import { deviceSettingsView, writeDeviceSettings } from '../../../../main/devices/device-settings.js';
import { GatehouseError } from '../../../../main/errors.js';
import { openDatabase } from '../../../../main/store/database.js';

const SCANNER = { kind: 'r30x', path: '/dev/serial/by-id/usb-Silicon_Labs_CP2102-if00-port0', baud: 57_600, address: 0xffff_ffff };

function refusal(run: () => unknown): GatehouseError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('it was not refused');
}

describe('writeDeviceSettings', () => {
  it('stores a family\'s settings with their defaults and returns old and new for the audit', () => {
    const db = openDatabase(':memory:');
    const change = writeDeviceSettings(db, 'document-reader', { kind: 'mrz', path: '/dev/ttyUSB0', framing: { framing: 'lines' } });
    expect(change).toEqual({
      role: 'document-reader', old: null, credentialChanged: false,
      new: { kind: 'mrz', path: '/dev/ttyUSB0', baud: 9600, framing: expect.objectContaining({ framing: 'lines' }) },
    });
    expect(readDevicesConfig(db).documentReader).toEqual(change.new);
    expect(() => assertAuditSafe({ ...change })).not.toThrow();
  });

  it('keeps the stored module password when the input leaves it out, and never returns it', () => {
    const db = openDatabase(':memory:');
    const first = writeDeviceSettings(db, 'fingerprint', { ...SCANNER, password: 1234 });
    expect(first).toMatchObject({ credentialChanged: true, new: { kind: 'r30x', baud: 57_600 } });
    expect(first.new).not.toHaveProperty('password');

    const second = writeDeviceSettings(db, 'fingerprint', { ...SCANNER, baud: 115_200 });
    expect(readDevicesConfig(db).fingerprint).toMatchObject({ baud: 115_200, password: 1234 });
    expect(second).toMatchObject({ credentialChanged: false, old: { baud: 57_600 }, new: { baud: 115_200 } });
    expect(JSON.stringify(second)).not.toContain('1234');
    expect(() => assertAuditSafe({ ...second })).not.toThrow();

    expect(writeDeviceSettings(db, 'fingerprint', { ...SCANNER, password: 0 }).credentialChanged).toBe(true);
    expect(readDevicesConfig(db).fingerprint?.password).toBe(0);
  });

  it('refuses settings its family does not accept, naming the fields and never a value, and stores nothing', () => {
    const db = openDatabase(':memory:');
    const wrong = refusal(() => writeDeviceSettings(db, 'fingerprint', { ...SCANNER, baud: 12_345, password: 987_654 }));
    expect(wrong).toMatchObject({ code: 'DEVICES_SETTINGS_INVALID', details: { role: 'fingerprint', fields: ['baud'] } });
    expect(wrong.message).not.toContain('987654');
    expect(refusal(() => writeDeviceSettings(db, 'fingerprint', { kind: 'mrz', path: '/dev/ttyUSB0' })))
      .toMatchObject({ code: 'DEVICES_SETTINGS_INVALID', details: { fields: ['kind'] } });
    expect(refusal(() => writeDeviceSettings(db, 'chip-reader', { kind: 'pcsc', reader: 'x', surprise: true })))
      .toMatchObject({ code: 'DEVICES_SETTINGS_INVALID' });
    expect(readDevicesConfig(db)).toEqual({ documentReader: null, chipReader: null, fingerprint: null, camera: null });
  });

  it('sets and clears the camera, and removes a role\'s device with null', () => {
    const db = openDatabase(':memory:');
    writeDeviceSettings(db, 'camera', { deviceId: 'a1b2', label: 'Logitech C920' });
    expect(readDevicesConfig(db).camera).toEqual({ deviceId: 'a1b2', label: 'Logitech C920' });
    expect(refusal(() => writeDeviceSettings(db, 'camera', { deviceId: '' }))).toMatchObject({ code: 'DEVICES_SETTINGS_INVALID' });
    writeDeviceSettings(db, 'fingerprint', SCANNER);
    expect(writeDeviceSettings(db, 'fingerprint', null)).toMatchObject({ old: { kind: 'r30x' }, new: null });
    expect(readDevicesConfig(db)).toMatchObject({ fingerprint: null, camera: { deviceId: 'a1b2' } });
  });
});

describe('deviceSettingsView', () => {
  it('says whether a password is stored instead of showing it', () => {
    expect(deviceSettingsView({ ...SCANNER, password: 42 })).toEqual({ ...SCANNER, passwordSet: true });
    expect(deviceSettingsView({ ...SCANNER, password: 0 })).toEqual({ ...SCANNER, passwordSet: false });
    expect(deviceSettingsView({ kind: 'pcsc', reader: null, extendedLength: true })).toEqual({ kind: 'pcsc', reader: null, extendedLength: true });
    expect(deviceSettingsView(null)).toBeNull();
  });
});
