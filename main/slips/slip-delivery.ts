// Where a printed slip goes: to the station's printer through CUPS (`lp`, the PDF on its
// standard input, so it is never written to disk here; run by the slip's print job, which retries
// a printer that is off or out of paper), or, on a station without a printer, as a PDF file in
// the slip folder (the setting, else DATA/slips): a new 0600 file in a folder only the kiosk may
// use (refused otherwise), since it names the person.

import { spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GatehouseError } from '../errors.js';
import { writePrivateFile } from '../store/private-file.js';

/** Printed at once, or waiting in the kiosk's print job for the printer to be ready; or saved as a PDF. */
export type SlipDelivery = { kind: 'printed'; printer: string } | { kind: 'queued'; printer: string } | { kind: 'saved'; file: string };

export interface SlipOutput {
  /** A CUPS queue name; null when the station has no printer. */
  printer: string | null;
  /** Where PDFs go without a printer. */
  folder: string;
}

/** The folder slips are saved to without a printer: the setting, else under the data directory. */
export const slipFolderOf = (dataDir: string, setting: string | null) => setting ?? join(dataDir, 'slips');

/** Saves the slip as NUMBER.pdf in `folder` (made 0700 if missing; refused when others may use it). */
export function saveSlip(pdf: Uint8Array, number: string, folder: string): SlipDelivery {
  assertPrivateFolder(folder);
  const file = join(folder, `${number}.pdf`);
  writePrivateFile(file, pdf);
  return { kind: 'saved', file };
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

/** `lp -d PRINTER -t "Gatehouse NUMBER" -` with the PDF on standard input; SLIP_PRINT_FAILED with lp's words when it fails. `signal` ends lp. */
export function sendToPrinter(pdf: Uint8Array, number: string, printer: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (why: string) => new GatehouseError('SLIP_PRINT_FAILED',
      `The slip could not be sent to printer "${printer}" (${why}). Check the printer and its queue (lpstat -p ${printer}).`, { printer });
    const child = spawn('lp', ['-d', printer, '-t', `Gatehouse ${number}`, '-'], { stdio: ['pipe', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-1000); });
    child.on('error', (error) => reject(failed(error.message)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(failed(stderr.trim() || `exit ${code}`))));
    child.stdin.on('error', () => undefined); // lp may exit before reading it all; its exit code says why
    child.stdin.end(pdf);
  });
}
