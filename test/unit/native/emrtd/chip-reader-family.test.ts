// The chip reader family's settings as a technician fills them in: what they take with their
// defaults, what they refuse, and that a set-up screen can be generated from them.

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChipReaderSettings, chipReaderFamily } from '../../../../native/emrtd/chip-reader-family.js';

describe('ChipReaderSettings', () => {
  it('reads the first reader with a card, in short-length APDUs, unless told otherwise', () => {
    expect(ChipReaderSettings.parse({ kind: 'pcsc' })).toEqual({ kind: 'pcsc', reader: null, extendedLength: false });
    expect(ChipReaderSettings.parse({ kind: 'pcsc', reader: null })).toEqual({ kind: 'pcsc', reader: null, extendedLength: false });
    expect(ChipReaderSettings.parse({ kind: 'pcsc', reader: 'ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC] 00 00', extendedLength: true }))
      .toEqual({ kind: 'pcsc', reader: 'ACS ACR1252 1S CL Reader [ACR1252 Dual Reader PICC] 00 00', extendedLength: true });
  });

  it.each<[string, unknown]>([
    ['another kind', { kind: 'nfc' }],
    ['no kind', { reader: 'Reader 00 00' }],
    ['an empty reader name', { kind: 'pcsc', reader: '' }],
    ['a reader name over 256 characters', { kind: 'pcsc', reader: 'R'.repeat(257) }],
    ['a reader that is no string', { kind: 'pcsc', reader: 0 }],
    ['extended length given as text', { kind: 'pcsc', extendedLength: 'yes' }],
    ['an unknown key', { kind: 'pcsc', protocol: 'T=1' }],
  ])('refuses %s', (_, settings) => {
    expect(ChipReaderSettings.safeParse(settings).success).toBe(false);
  });

  it('titles the family and describes every setting, for a set-up screen', () => {
    const schema = z.toJSONSchema(chipReaderFamily.config, { io: 'input' }) as {
      title?: string; properties: Record<string, { title?: string; description?: string }>;
    };
    expect(schema.title).toBe('Chip reader (PC/SC)');
    expect(Object.keys(schema.properties)).toEqual(['kind', 'reader', 'extendedLength']);
    for (const name of ['reader', 'extendedLength']) {
      expect(schema.properties[name], name).toMatchObject({ title: expect.any(String), description: expect.any(String) });
    }
  });

  it('is the chip-reader family whose traces are APDUs', () => {
    expect(chipReaderFamily).toMatchObject({ kind: 'pcsc', role: 'chip-reader', trace: 'apdu', title: 'Chip reader (PC/SC)' });
  });
});
