import { describe, expect, it } from 'vitest';
import { DevicesConfig } from '../../../../../main/devices/device-config.js';
import { databaseAtVersion, migrateTo } from './database-at-version.js';

const NOW = '2026-12-01T09:00:00.000Z';

describe('migration 0010 device-kinds', () => {
  function migrated(devices: unknown) {
    const db = databaseAtVersion(9);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('devices', JSON.stringify(devices), NOW);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('idleTimeoutSeconds', '90', NOW);
    expect(migrateTo(db, 10)).toEqual({ from: 9, to: 10 });
    const row = db.prepare("SELECT value FROM settings WHERE key = 'devices'").get() as { value: string };
    const other = db.prepare("SELECT value FROM settings WHERE key = 'idleTimeoutSeconds'").get() as { value: string };
    expect(other.value).toBe('90');
    return JSON.parse(row.value) as unknown;
  }

  it('names the R30x family of a fingerprint module configured without a kind, keeping its settings', () => {
    const devices = migrated({ documentReader: { kind: 'cnid', path: '/dev/ttyUSB0' }, fingerprint: { path: '/dev/ttyUSB1', baud: 115200 } });
    expect(devices).toEqual({ documentReader: { kind: 'cnid', path: '/dev/ttyUSB0' }, fingerprint: { kind: 'r30x', path: '/dev/ttyUSB1', baud: 115200 } });
    expect(DevicesConfig.parse(devices).fingerprint).toMatchObject({ kind: 'r30x', path: '/dev/ttyUSB1', baud: 115200 });
  });

  it('leaves a configuration without a fingerprint module, or with a null one, as it was', () => {
    expect(migrated({ documentReader: null })).toEqual({ documentReader: null });
    expect(migrated({ documentReader: null, fingerprint: null })).toEqual({ documentReader: null, fingerprint: null });
  });
});
