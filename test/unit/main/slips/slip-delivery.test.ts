// Where a slip's PDF goes. Without a printer it is saved as NUMBER.pdf, 0600, in a slip folder
// created 0700 (a reprint replaces it, nothing half-written is left). With one it goes to CUPS
// as `lp -d PRINTER -t TITLE -` with the PDF on standard input and nothing written to disk; a
// fake `lp` placed first on PATH records its arguments and input. An `lp` that fails (its
// message kept), one that exits before reading, and none installed are SLIP_PRINT_FAILED; an
// abort (the job runner stopping) ends a hanging `lp`.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveSlip, sendToPrinter, slipFolderOf } from '../../../../main/slips/slip-delivery.js';

const NUMBER = 'K00A-260301-0042-N6';
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 37) & 0xff)), Buffer.from('\n%%EOF\n')]);

let scratch: string;
const path = process.env.PATH;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'gatehouse-slip-delivery-'));
});
afterEach(() => {
  process.env.PATH = path;
  rmSync(scratch, { recursive: true, force: true });
});

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** A fake `lp` first on PATH: it writes its arguments and standard input next to it, then runs `then`. */
function fakeLp(then = 'exit 0', { readInput = true } = {}): string {
  const bin = join(scratch, 'bin');
  mkdirSync(bin);
  const lp = join(bin, 'lp');
  writeFileSync(lp, [
    '#!/bin/sh',
    `printf '%s\\n' "$@" > '${bin}/args'`,
    readInput ? `cat > '${bin}/stdin'` : '',
    then,
  ].join('\n'));
  chmodSync(lp, 0o755);
  process.env.PATH = `${bin}:${path}`;
  return bin;
}

describe('saveSlip (a station without a printer)', () => {
  it('saves NUMBER.pdf, readable by the kiosk alone, in a folder it creates for the kiosk alone', async () => {
    const folder = join(scratch, 'data', 'slips');
    expect(saveSlip(PDF, NUMBER, folder)).toEqual({ kind: 'saved', file: join(folder, `${NUMBER}.pdf`) });
    const file = join(folder, `${NUMBER}.pdf`);
    expect(readFileSync(file).equals(PDF)).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(join(scratch, 'data'))).toBe(0o700);
  });

  it('replaces the PDF when the slip is saved again, leaving nothing half-written', async () => {
    const folder = join(scratch, 'slips');
    saveSlip(Buffer.from('%PDF-1.7 first'), NUMBER, folder);
    saveSlip(PDF, NUMBER, folder);
    expect(readdirSync(folder)).toEqual([`${NUMBER}.pdf`]);
    expect(readFileSync(join(folder, `${NUMBER}.pdf`)).equals(PDF)).toBe(true);
    expect(modeOf(join(folder, `${NUMBER}.pdf`))).toBe(0o600);
  });

  it('takes the folder setting, else DATA/slips', () => {
    expect(slipFolderOf('/var/lib/gatehouse', null)).toBe('/var/lib/gatehouse/slips');
    expect(slipFolderOf('/var/lib/gatehouse', '/srv/slips')).toBe('/srv/slips');
  });
});

describe('sendToPrinter', () => {
  it('runs lp -d PRINTER -t TITLE - with the PDF on standard input, and writes no file', async () => {
    const bin = fakeLp();
    await sendToPrinter(PDF, NUMBER, 'front-desk');
    expect(readFileSync(join(bin, 'args'), 'utf8')).toBe(['-d', 'front-desk', '-t', `Gatehouse ${NUMBER}`, '-', ''].join('\n'));
    expect(readFileSync(join(bin, 'stdin')).equals(PDF)).toBe(true);
    expect(readdirSync(scratch)).toEqual(['bin']);
  });

  it('refuses with SLIP_PRINT_FAILED when lp fails, keeping its message and naming the printer', async () => {
    fakeLp('echo "lp: The printer or class does not exist." >&2; exit 1');
    await expect(sendToPrinter(PDF, NUMBER, 'front-desk')).rejects.toMatchObject({
      name: 'GatehouseError', code: 'SLIP_PRINT_FAILED', details: { printer: 'front-desk' },
      message: expect.stringMatching(/"front-desk" \(lp: The printer or class does not exist\.\).*lpstat -p front-desk/),
    });
  });

  it('refuses with SLIP_PRINT_FAILED when lp exits at once without reading the PDF', async () => {
    fakeLp('exit 1', { readInput: false });
    await expect(sendToPrinter(PDF, NUMBER, 'front-desk')).rejects.toMatchObject({
      code: 'SLIP_PRINT_FAILED', message: expect.stringContaining('(exit 1)'),
    });
  });

  it('refuses with SLIP_PRINT_FAILED when there is no lp at all', async () => {
    process.env.PATH = join(scratch, 'empty');
    await expect(sendToPrinter(PDF, NUMBER, 'front-desk')).rejects.toMatchObject({
      code: 'SLIP_PRINT_FAILED', message: expect.stringContaining('ENOENT'),
    });
  });

  it('ends lp when its signal is aborted, as SLIP_PRINT_FAILED', async () => {
    const bin = fakeLp(`touch '${join(scratch, 'started')}'; exec sleep 600`);
    const controller = new AbortController();
    const printing = sendToPrinter(PDF, NUMBER, 'front-desk', controller.signal);
    while (!existsSync(join(scratch, 'started'))) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    await expect(printing).rejects.toMatchObject({ code: 'SLIP_PRINT_FAILED' });
    expect(readFileSync(join(bin, 'stdin')).equals(PDF)).toBe(true);
  });
});
