// The technician's device configuration (settings key "devices"): what the schema takes,
// with its defaults, what it refuses, how a bad stored value is reported, and that it is
// made of exactly the registry's families, each described well enough for a set-up screen.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChipReaderConfig, DevicesConfig, DocumentReaderConfig, FingerprintConfig, readDevicesConfig } from '../../../../main/devices/device-config.js';
import { CHIP_READER_FAMILIES, DOCUMENT_READER_FAMILIES, FINGERPRINT_FAMILIES } from '../../../../main/devices/device-registry.js';
import { GatehouseError } from '../../../../main/errors.js';
import { openDatabase, type Db } from '../../../../main/store/database.js';
import { setSetting } from '../../../../main/store/settings.js';

describe('DevicesConfig', () => {
  it('means "nothing set up" (simulators only with --simulate) and the default camera when empty', () => {
    expect(DevicesConfig.parse({})).toEqual({ documentReader: null, chipReader: null, fingerprint: null, camera: null });
    expect(DevicesConfig.parse({ documentReader: null })).toMatchObject({ documentReader: null });
  });

  it('fills in the default baud rates and framing options', () => {
    expect(DocumentReaderConfig.parse({ kind: 'cnid', path: '/dev/ttyUSB0' })).toEqual({ kind: 'cnid', path: '/dev/ttyUSB0', baud: 115_200 });
    const mrz = DocumentReaderConfig.parse({ kind: 'mrz', path: '/dev/ttyACM0', framing: { framing: 'stx-etx', bcc: 'xor' } });
    expect(mrz).toMatchObject({ kind: 'mrz', path: '/dev/ttyACM0', baud: 9600, framing: { framing: 'stx-etx', bcc: 'xor' } });
    expect(DocumentReaderConfig.parse({ kind: 'mrz', path: '/dev/ttyS1', baud: 19_200, framing: { framing: 'lines' } }))
      .toMatchObject({ baud: 19_200 });
  });

  const MRZ = { kind: 'mrz', path: '/dev/ttyACM0', framing: { framing: 'lines' } };
  it.each<[string, unknown]>([
    ['an unknown reader kind', { kind: 'barcode', path: '/dev/ttyACM0' }],
    ['no kind', { path: '/dev/ttyACM0' }],
    ['no path', { kind: 'cnid' }],
    ['an empty path', { kind: 'cnid', path: '' }],
    ['a path over 256 characters', { kind: 'cnid', path: `/dev/${'x'.repeat(256)}` }],
    ['a path that is no string', { kind: 'cnid', path: 3 }],
    ['a zero baud rate', { kind: 'cnid', path: '/dev/ttyUSB0', baud: 0 }],
    ['a negative baud rate', { ...MRZ, baud: -9600 }],
    ['a fractional baud rate', { ...MRZ, baud: 9600.5 }],
    ['a baud rate given as text', { ...MRZ, baud: '9600' }],
    ['an MRZ reader without framing', { kind: 'mrz', path: '/dev/ttyACM0' }],
    ['an unknown framing', { ...MRZ, framing: { framing: 'json' } }],
    ['an unknown line end', { ...MRZ, framing: { framing: 'lines', lineEnd: 'nul' } }],
    ['a block check on plain lines', { ...MRZ, framing: { framing: 'lines', bcc: 'xor' } }],
    ['markers that are no hex', { ...MRZ, framing: { framing: 'markers', startMarker: 'zz', endMarker: '03' } }],
    ['the same start and end marker', { ...MRZ, framing: { framing: 'markers', startMarker: '1b4d', endMarker: '1B4D' } }],
    ['a framing on a CN ID reader', { kind: 'cnid', path: '/dev/ttyUSB0', framing: { framing: 'lines' } }],
    ['an unknown key', { ...MRZ, vendor: 'acme' }],
  ])('refuses a document reader with %s', (_, reader) => {
    expect(DocumentReaderConfig.safeParse(reader).success).toBe(false);
    expect(DevicesConfig.safeParse({ documentReader: reader }).success).toBe(false);
  });

  it('takes a fingerprint module with the R30x defaults, and refuses rates the module cannot run at', () => {
    expect(DevicesConfig.parse({}).fingerprint).toBeNull();
    const module = { kind: 'r30x', path: '/dev/ttyUSB1' };
    expect(FingerprintConfig.parse(module)).toEqual({ kind: 'r30x', path: '/dev/ttyUSB1', baud: 57_600, address: 0xffff_ffff, password: 0 });
    expect(FingerprintConfig.parse({ ...module, baud: 115_200, address: 1, password: 0x1234 })).toMatchObject({ baud: 115_200 });
    for (const bad of [{ baud: 56_000 }, { baud: 0 }, { baud: 124_800 }, { address: -1 }, { password: 2 ** 32 }, { path: '' }, { vendor: 'zfm' }, { kind: 'zfm' }]) {
      expect(FingerprintConfig.safeParse({ ...module, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
    expect(FingerprintConfig.safeParse({ path: '/dev/ttyUSB1' }).success).toBe(false);
  });

  it('takes a PC/SC chip reader, by name or the first with a card, with short APDUs unless told', () => {
    expect(DevicesConfig.parse({ chipReader: { kind: 'pcsc' } }).chipReader).toEqual({ kind: 'pcsc', reader: null, extendedLength: false });
    expect(ChipReaderConfig.parse({ kind: 'pcsc', reader: 'ACS ACR1252 00 00', extendedLength: true })).toEqual({ kind: 'pcsc', reader: 'ACS ACR1252 00 00', extendedLength: true });
    expect(() => ChipReaderConfig.parse({ kind: 'pcsc', reader: '' })).toThrow();
  });

  it('refuses unknown top-level keys', () => {
    expect(DevicesConfig.safeParse({ documentReader: null, documentScanner: { path: '/dev/ttyS0' } }).success).toBe(false);
    expect(DevicesConfig.safeParse([]).success).toBe(false);
  });
});

describe('readDevicesConfig', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => db.close());

  it('is "no reader" while nothing is stored', () => {
    expect(readDevicesConfig(db)).toMatchObject({ documentReader: null });
  });

  it('reads the stored configuration with its defaults', () => {
    setSetting(db, 'devices', { documentReader: { kind: 'cnid', path: '/dev/ttyUSB0' } });
    expect(readDevicesConfig(db).documentReader).toEqual({ kind: 'cnid', path: '/dev/ttyUSB0', baud: 115_200 });
  });

  it('names the setting when the stored value is bad, instead of falling back to simulators', () => {
    setSetting(db, 'devices', { documentReader: { kind: 'mrz', path: '/dev/ttyACM0' } });
    let thrown: unknown;
    try {
      readDevicesConfig(db);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatehouseError);
    expect(thrown).toMatchObject({ code: 'SETTING_INVALID', details: { key: 'devices' } });
  });
});

describe('the device registry', () => {
  it('is what the configuration accepts: one kind per family, each in the role it fills', () => {
    expect(DocumentReaderConfig.options.map((option) => option.shape.kind.value)).toEqual(DOCUMENT_READER_FAMILIES.map((f) => f.kind));
    expect(FingerprintConfig.options.map((option) => option.shape.kind.value)).toEqual(FINGERPRINT_FAMILIES.map((f) => f.kind));
    expect(ChipReaderConfig.options.map((option) => option.shape.kind.value)).toEqual(CHIP_READER_FAMILIES.map((f) => f.kind));
    expect(DOCUMENT_READER_FAMILIES.every((f) => f.role === 'document-reader')).toBe(true);
    expect(FINGERPRINT_FAMILIES.every((f) => f.role === 'fingerprint')).toBe(true);
    expect(CHIP_READER_FAMILIES.every((f) => f.role === 'chip-reader' && f.trace === 'apdu')).toBe(true);
  });

  it('describes every family\'s settings with a title and every setting with a title and description, for a set-up screen', () => {
    for (const family of [...DOCUMENT_READER_FAMILIES, ...FINGERPRINT_FAMILIES, ...CHIP_READER_FAMILIES]) {
      const schema = z.toJSONSchema(family.config, { io: 'input' }) as { title?: string; properties: Record<string, { title?: string; description?: string }> };
      expect(schema.title, family.kind).toBe(family.title);
      for (const [name, property] of Object.entries(schema.properties)) {
        if (name === 'kind') continue;
        expect(property.title, `${family.kind}.${name}`).toEqual(expect.any(String));
        expect(property.description, `${family.kind}.${name}`).toEqual(expect.any(String));
      }
    }
  });
});
