// The device set-up form generated from the families' real settings schemas (as
// `devices.setup` sends them, z.toJSONSchema of each family's zod schema): the fields it lays
// out, the settings it makes of what a technician typed (which the family's own schema must
// then accept), the problems it finds before sending, the kiosk's refusals placed on their
// fields, and words in every locale for every field, choice, family and device problem.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FAMILIES } from '../../../../main/devices/device-registry.js';
import { DeviceProblem } from '../../../../main/rpc/schemas.js';
import {
  choiceValues, fieldNames, initialValues, problemsFromRefusal, settingsFields, settingsFromValues, type FormValues, type JsonSchema, type SettingsField,
} from '../../../../renderer/src/components/devices/settings-form-model.js';
import { projectRoot } from '../../../e2e/support/kiosk-process.js';

const family = (kind: string) => FAMILIES.find((candidate) => candidate.kind === kind)!;
const schemaOf = (kind: string, io: 'input' | 'output' = 'input') => z.toJSONSchema(family(kind).config, { io }) as JsonSchema;
const fieldsOf = (kind: string, io: 'input' | 'output' = 'input') => settingsFields(schemaOf(kind, io));
const find = (fields: readonly SettingsField[], name: string) => fields.find((field) => field.name === name)!;

describe('the fields of a family', () => {
  it('lay out the MRZ reader: port, baud rate with its default, and the framing as one of three shapes', () => {
    const fields = fieldsOf('mrz');
    expect(fields.map((field) => field.name)).toEqual(['path', 'baud', 'framing']);
    expect(find(fields, 'path')).toMatchObject({ type: 'text', required: true, maxLength: 256 });
    expect(find(fields, 'baud')).toMatchObject({ type: 'integer', required: false, defaultValue: 9600, minimum: 1 });
    const framing = find(fields, 'framing');
    expect(framing.type).toBe('variants');
    if (framing.type !== 'variants') return;
    expect(framing.discriminator).toBe('framing');
    expect(framing.variants.map((variant) => variant.value)).toEqual(['lines', 'stx-etx', 'markers']);
    expect(framing.variants[2]!.fields.map((field) => field.name)).toEqual(['lineEnd', 'underscorePadding', 'idleGapMs', 'bcc', 'startMarker', 'endMarker']);
    expect(find(framing.variants[0]!.fields, 'lineEnd')).toMatchObject({ type: 'choice', options: ['cr', 'lf', 'crlf', 'any'], defaultValue: 'any' });
  });

  it('read a nullable reader name as text that may be left empty, and a yes/no as a box', () => {
    const fields = fieldsOf('pcsc');
    expect(find(fields, 'reader')).toMatchObject({ type: 'text', nullable: true, defaultValue: null });
    expect(find(fields, 'extendedLength')).toMatchObject({ type: 'boolean', defaultValue: false });
  });
});

describe('settings from what was typed', () => {
  it('start from the defaults and come back as settings the family accepts', () => {
    for (const io of ['input', 'output'] as const) {
      const fields = fieldsOf('mrz', io);
      const values = initialValues(fields, null);
      expect(values).toMatchObject({ path: '', baud: '9600', framing: { framing: 'lines', lineEnd: 'any', underscorePadding: false } });
      const { settings, problems } = settingsFromValues(fields, { ...values, path: '/dev/serial/by-id/usb-Reader-if00' });
      expect(problems.size, io).toBe(0);
      expect(family('mrz').config.parse({ kind: 'mrz', ...settings })).toMatchObject({ baud: 9600, framing: { framing: 'lines' } });
    }
  });

  it('start from the stored settings, switch the framing and keep what both shapes share', () => {
    const fields = fieldsOf('mrz');
    const stored = { kind: 'mrz', path: '/dev/ttyUSB0', baud: 19200, framing: { framing: 'stx-etx', lineEnd: 'cr', underscorePadding: true, idleGapMs: 500, bcc: 'xor' } };
    const values = initialValues(fields, stored);
    expect(values.framing).toMatchObject({ framing: 'stx-etx', bcc: 'xor', idleGapMs: '500' });
    const markers: FormValues = { ...values, framing: { ...(values.framing as FormValues), framing: 'markers', startMarker: '1b4d', endMarker: '1b45' } };
    const { settings, problems } = settingsFromValues(fields, markers);
    expect(problems.size).toBe(0);
    expect(family('mrz').config.parse({ kind: 'mrz', ...settings })).toEqual({
      kind: 'mrz', path: '/dev/ttyUSB0', baud: 19200,
      framing: { framing: 'markers', lineEnd: 'cr', underscorePadding: true, idleGapMs: 500, bcc: 'xor', startMarker: '1b4d', endMarker: '1b45' },
    });
  });

  it('take a module address in hex and leave an empty password out (the kiosk keeps the stored one)', () => {
    const fields = fieldsOf('r30x');
    const values: FormValues = { ...initialValues(fields, { kind: 'r30x', path: '/dev/ttyUSB1', baud: 57600, address: 1, passwordSet: true }), address: '0xFFFFFFFF' };
    expect(values.password).toBe('');
    const { settings, problems } = settingsFromValues(fields, values);
    expect(problems.size).toBe(0);
    expect(settings).toEqual({ path: '/dev/ttyUSB1', baud: 57600, address: 0xffff_ffff });
  });

  it('send an empty chip reader name as null: the first reader with a document', () => {
    const fields = fieldsOf('pcsc');
    const { settings } = settingsFromValues(fields, initialValues(fields, null));
    expect(family('pcsc').config.parse({ kind: 'pcsc', ...settings })).toEqual({ kind: 'pcsc', reader: null, extendedLength: false });
  });

  it('find what is wrong before sending, field by field', () => {
    const fields = fieldsOf('mrz');
    const values = initialValues(fields, null);
    const { problems } = settingsFromValues(fields, {
      ...values, baud: '0', framing: { ...(values.framing as FormValues), framing: 'markers', idleGapMs: 'soon', startMarker: 'zz', endMarker: '' },
    });
    expect(Object.fromEntries(problems)).toEqual({
      path: { code: 'required' },
      baud: { code: 'min', limit: 1 },
      'framing.idleGapMs': { code: 'integer' },
      'framing.startMarker': { code: 'pattern' },
      'framing.endMarker': { code: 'required' },
    });
  });

  it('place the kiosk\'s refusal on the fields it names; what names no field is counted apart', () => {
    const fields = fieldsOf('mrz');
    const { problems, unplaced } = problemsFromRefusal(fields, ['baud', 'framing.endMarker', 'framing.somethingElse', '(settings)']);
    expect([...problems.keys()].sort()).toEqual(['baud', 'framing', 'framing.endMarker']);
    expect(unplaced).toBe(1);
  });
});

describe('the set-up screen\'s words', () => {
  const locales = ['en', 'de', 'zh-CN'].map((code) => ({
    code, tree: JSON.parse(readFileSync(join(projectRoot, 'resources/locales', `${code}.json`), 'utf8')) as Record<string, unknown>,
  }));
  const lookUp = (tree: unknown, key: string) => key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);

  it('name every family, field, choice and device problem in every language', () => {
    const keys = [
      ...FAMILIES.flatMap((candidate) => {
        const fields = fieldsOf(candidate.kind);
        return [
          `devices.families.${candidate.kind}`,
          ...fieldNames(fields).flatMap((name) => [`devices.fields.${candidate.kind}.${name}.label`, `devices.fields.${candidate.kind}.${name}.hint`]),
          ...choiceValues(fields).map(([name, value]) => `devices.values.${name}.${value}`),
        ];
      }),
      ...DeviceProblem.options.map((problem) => `devices.problems.${problem}`),
    ];
    for (const { code, tree } of locales) expect(keys.filter((key) => typeof lookUp(tree, key) !== 'string'), code).toEqual([]);
  });
});
