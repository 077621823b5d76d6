import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mrzParseCommand, registerMrzCommand } from '../../../../main/cli/commands/mrz.js';
import { NOW, SPECIMENS } from '../../native/idreader/mrz/doc9303-specimens.js';

describe('mrzParseCommand', () => {
  it('gives the fields, checks and corrections of a specimen with exit code 0', () => {
    const outcome = mrzParseCommand(SPECIMENS.td3.lines, NOW);
    expect(outcome).toEqual({
      exitCode: 0,
      json: {
        format: 'TD3',
        valid: true,
        fields: {
          documentCode: 'P',
          issuingState: 'UTO',
          documentNumber: 'L898902C3',
          nationality: 'UTO',
          birthDate: '740812',
          sex: 'F',
          expiryDate: '120415',
          surname: 'ERIKSSON',
          givenNames: 'ANNA MARIA',
          optionalData: 'ZE184226B',
          optionalData2: '',
        },
        checks: {
          documentNumber: true,
          birthDate: true,
          expiryDate: true,
          optionalData: true,
          composite: true,
          documentCodeValid: true,
          issuingStateKnown: true,
          nationalityKnown: true,
          birthDateValid: true,
          expiryDateValid: true,
          sexValid: true,
          notExpired: false,
        },
        corrections: [],
      },
    });
    expect(JSON.parse(JSON.stringify(outcome.json))).toEqual(outcome.json);
  });

  it('still exits 0 for an MRZ whose check digits fail, with the suggested correction', () => {
    const [line1, line2] = SPECIMENS.td1.lines.slice(0, 2);
    const outcome = mrzParseCommand([line1, line2.replace('7408122', '74O8122'), SPECIMENS.td1.lines[2]], NOW);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.json).toMatchObject({
      format: 'TD1',
      valid: false,
      checks: { birthDate: false, composite: false, documentNumber: true },
      corrections: [{ field: 'birthDate', line: 2, column: 3, from: 'O', to: '0' }],
    });
  });

  it('exits 2 with a typed error for what is no MRZ', () => {
    expect(mrzParseCommand([SPECIMENS.td3.lines[0]], NOW)).toEqual({
      exitCode: 2,
      json: {
        error: { code: 'MRZ_BAD_LENGTH', message: expect.any(String), details: expect.objectContaining({ lineCount: 1 }) },
      },
    });
    expect(mrzParseCommand([], NOW).json).toMatchObject({ error: { code: 'MRZ_EMPTY' } });
    expect(mrzParseCommand(['P<UTO ERIKSSON', 'X'], NOW).json).toMatchObject({
      error: { code: 'MRZ_BAD_CHARACTER', details: { line: 1, column: 6 } },
    });
  });
});

describe('gatehouse mrz parse', () => {
  const run = async (...args: string[]) => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = new Command('gatehouse').exitOverride();
    registerMrzCommand(program);
    await program.parseAsync(['mrz', 'parse', ...args], { from: 'user' });
    const text = (spy: typeof stdout) => spy.mock.calls.map(([chunk]) => String(chunk)).join('');
    return { stdout: text(stdout), stderr: text(stderr), exitCode: process.exitCode };
  };

  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('prints one JSON object with --json', async () => {
    const { stdout, exitCode } = await run('--json', ...SPECIMENS.mrvb.lines);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'MRVB', valid: true, fields: { nationality: 'XXX' } });
    expect(exitCode).toBe(0);
  });

  it('prints a short readable table without --json', async () => {
    const { stdout } = await run(...SPECIMENS.td2.lines);
    expect(stdout).toMatch(/^TD2 {2}check digits valid\n/);
    expect(stdout).toContain('surname         ERIKSSON');
    expect(stdout).toContain('ok composite');
    expect(stdout.split('\n').length).toBeLessThan(20);
  });

  it('prints a JSON error and sets exit code 2 for unparseable input', async () => {
    const { stdout, stderr, exitCode } = await run('--json', 'P<UTO');
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'MRZ_BAD_LENGTH' } });
    expect(exitCode).toBe(2);
  });
});
