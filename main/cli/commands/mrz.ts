// `gatehouse mrz parse [--json] LINE...`: parse an MRZ typed or pasted by a technician
// checking a document reader, with every check and any suggested OCR correction.

import type { Command } from 'commander';
import { DeviceError } from '../../../native/device-error.js';
import {
  parseMrz,
  type MrzChecks,
  type MrzCorrection,
  type MrzFields,
  type MrzFormat,
} from '../../../native/idreader/mrz/index.js';
import { printJson } from '../cli-context.js';

const REPORTED_FIELDS = [
  'documentCode',
  'issuingState',
  'documentNumber',
  'nationality',
  'birthDate',
  'sex',
  'expiryDate',
  'surname',
  'givenNames',
  'optionalData',
  'optionalData2',
] as const satisfies readonly (keyof MrzFields)[];

export interface MrzParseJson {
  format: MrzFormat;
  valid: boolean;
  fields: Pick<MrzFields, (typeof REPORTED_FIELDS)[number]>;
  checks: MrzChecks;
  corrections: MrzCorrection[];
}

export interface MrzErrorJson {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export type MrzParseOutcome = { exitCode: 0; json: MrzParseJson } | { exitCode: 2; json: MrzErrorJson };

/** The whole command without I/O: exit 0 with the parse (valid or not), 2 when it is no MRZ. */
export function mrzParseCommand(lines: string[], now?: Date): MrzParseOutcome {
  try {
    const result = parseMrz(lines, { now });
    const { format, valid, checks, corrections } = result;
    const fields = Object.fromEntries(REPORTED_FIELDS.map((key) => [key, result.fields[key]]));
    return { exitCode: 0, json: { format, valid, fields: fields as MrzParseJson['fields'], checks, corrections } };
  } catch (error) {
    if (!(error instanceof DeviceError)) throw error;
    return { exitCode: 2, json: { error: { code: error.code, message: error.message, details: error.details } } };
  }
}

function printTable(json: MrzParseJson): void {
  const out: string[] = [`${json.format}  check digits ${json.valid ? 'valid' : 'INVALID'}`];
  for (const [key, value] of Object.entries(json.fields)) out.push(`  ${key.padEnd(16)}${value ?? '(unreadable)'}`);
  const checks = Object.entries(json.checks).map(([name, ok]) => `${ok ? 'ok' : 'FAIL'} ${name}`);
  out.push(`  checks: ${checks.join(', ')}`);
  for (const c of json.corrections) {
    out.push(`  suggested: line ${c.line} column ${c.column} ${c.from} -> ${c.to} (${c.field})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerMrzCommand(program: Command): void {
  const mrz = program.command('mrz').description('ICAO Doc 9303 machine-readable zones');
  mrz.command('parse')
    .description("parse MRZ lines (quote each line: '<' is special to the shell)")
    .argument('<lines...>', 'the MRZ lines, top to bottom')
    .option('--json', 'print JSON')
    .action((lines: string[], options: { json?: boolean }) => {
      const outcome = mrzParseCommand(lines);
      if (outcome.exitCode === 2) {
        const { error } = outcome.json;
        // With --json a script reads one JSON object from stdout, error or not.
        if (options.json) process.stdout.write(`${JSON.stringify(outcome.json)}\n`);
        else process.stderr.write(`gatehouse: ${error.message} (${error.code})\n`);
      } else if (options.json) {
        printJson(outcome.json);
      } else {
        printTable(outcome.json);
      }
      process.exitCode = outcome.exitCode;
    });
}
