// DG1: the MRZ the chip holds, read through the same MRZ parser as the optical readers, for
// all three document sizes.

import { describe, expect, it } from 'vitest';
import { decodeDg1, encodeDg1 } from '../../../../../native/emrtd/lds/index.js';
import { NOW, SPECIMENS } from '../../idreader/mrz/doc9303-specimens.js';
import { errorOf } from './lds-arbitraries.js';

describe('DG1', () => {
  it.each(['td3', 'td2', 'td1'] as const)('reads the 9303 %s specimen into the MRZ parser\'s fields', (name) => {
    const specimen = SPECIMENS[name]!;
    const bytes = encodeDg1(specimen.lines);
    const mrz = specimen.lines.join('');
    expect([...bytes.subarray(0, 2)]).toEqual([0x61, mrz.length + 3]);
    expect([...bytes.subarray(2, 5)]).toEqual([0x5f, 0x1f, mrz.length]);
    const dg1 = decodeDg1(bytes, { now: NOW });
    expect(dg1.lines).toEqual(specimen.lines);
    expect(dg1.parsed.format).toBe(specimen.format);
    expect(dg1.parsed.valid).toBe(true);
    expect(dg1.parsed.fields).toMatchObject(specimen.fields);
  });

  it('keeps a check digit that does not hold visible instead of refusing the file', () => {
    const lines = [...SPECIMENS.td3!.lines];
    lines[1] = lines[1]!.replace('L898902C36', 'L898902C37');
    const dg1 = decodeDg1(encodeDg1(lines), { now: NOW });
    expect(dg1.parsed.valid).toBe(false);
    expect(dg1.parsed.checks.documentNumber).toBe(false);
  });

  it.each([
    ['an MRZ of 87 characters', (mrz: string) => mrz.slice(1), '87 characters'],
    ['a lower-case letter', (mrz: string) => `p${mrz.slice(1)}`, 'character 1'],
    ['a line break', (mrz: string) => `${mrz.slice(0, 44)}\n${mrz.slice(45)}`, 'character 45'],
  ])('refuses %s', (_case, damage, reason) => {
    const mrz = damage(SPECIMENS.td3!.lines.join(''));
    const bytes = Uint8Array.from([0x61, mrz.length + 3, 0x5f, 0x1f, mrz.length, ...Buffer.from(mrz, 'latin1')]);
    const error = errorOf(() => decodeDg1(bytes));
    expect(error).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { file: 'DG1' } });
    expect((error as Error).message).toContain(reason);
  });

  it('refuses a DG1 with another object beside the MRZ', () => {
    const mrz = SPECIMENS.td3!.lines.join('');
    const bytes = Uint8Array.from([0x61, mrz.length + 6, 0x5f, 0x1f, mrz.length, ...Buffer.from(mrz), 0x53, 0x01, 0x00]);
    expect(errorOf(() => decodeDg1(bytes))).toMatchObject({ code: 'LDS_FILE_MALFORMED', details: { tag: 0x53 } });
  });
});
