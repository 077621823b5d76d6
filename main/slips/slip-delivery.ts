// Where a printed slip goes: to the station's printer through CUPS (`lp`, the PDF on its
// standard input, so it is never written to disk here), or, on a station without a printer, as
// a PDF file in the slip folder (the setting, else DATA/slips): a new 0600 file in a folder only
// the kiosk may use (refused otherwise), since it names the person.

import { spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GatehouseError } from '../errors.js';
import { writePrivateFile } from '../store/private-file.js';

export type SlipDelivery = { kind: 'printed'; printer: string } | { kind: 'saved'; file: string };

export interface SlipOutput {
  /** A CUPS queue name; null when the station has no printer. */
  printer: string | null;
  /** Where PDFs go without a printer. */
  folder: string;
}

/** The folder slips are saved to without a printer: the setting, else under the data directory. */
export const slipFolderOf = (dataDir: string, setting: string | null) => setting ?? join(dataDir, 'slips');

export async function deliverSlip(pdf: Uint8Array, number: string, output: SlipOutput): Promise<SlipDelivery> {
  if (output.printer === null) {
    assertPrivateFolder(output.folder);
    const file = join(output.folder, `${number}.pdf`);
    writePrivateFile(file, pdf);
    return { kind: 'saved', file };
  }
  await print(pdf, output.printer, `Gatehouse ${number}`);
  return { kind: 'printed', printer: output.printer };
}

/** A slip names the person: the folder it is saved in must be the kiosk's own (created 0700 if missing). */
function assertPrivateFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const { mode, uid } = statSync(folder);
  if ((mode & 0o077) !== 0 || (process.getuid && uid !== process.getuid())) {
    throw new GatehouseError('SLIP_FOLDER_NOT_PRIVATE',
      `The slip folder ${folder} can be read or written by others than the kiosk; run "chmod 700 ${folder}" or choose another folder.`, { folder });
  }
}

function print(pdf: Uint8Array, printer: string, title: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (why: string) => new GatehouseError('SLIP_PRINT_FAILED',
      `The slip could not be sent to printer "${printer}" (${why}). Check the printer and its queue (lpstat -p ${printer}).`, { printer });
    const child = spawn('lp', ['-d', printer, '-t', title, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-1000); });
    child.on('error', (error) => reject(failed(error.message)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(failed(stderr.trim() || `exit ${code}`))));
    child.stdin.on('error', () => undefined); // lp may exit before reading it all; its exit code says why
    child.stdin.end(pdf);
  });
}
