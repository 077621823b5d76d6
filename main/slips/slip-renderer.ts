// Drawing a slip with Chromium's own PDF printing (headless, its own throw-away profile, no
// network), and the picture of that PDF the screen shows (poppler's pdftoppm), so the person
// sees exactly what is printed. The HTML and PDF name the person: they are written only to a
// private temporary folder (0700) and removed as soon as the bytes are read.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatehouseError } from '../errors.js';
import { findChromium } from '../host/chromium-launcher.js';

/** Runs `command` to its end; its standard error (for the technician's log) when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
    child.on('error', (error) => reject(renderFailed(command, error.message)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(renderFailed(command, `exit ${code}: ${stderr.trim()}`))));
  });
}

function renderFailed(command: string, why: string): GatehouseError {
  return new GatehouseError('SLIP_RENDER_FAILED', `The slip could not be drawn (${command}: ${why}). Check that Chromium and poppler-utils are installed.`,
    { command });
}

async function inPrivateFolder<T>(work: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), 'gatehouse-slip-')); // mkdtemp creates it 0700
  try {
    return await work(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The slip's HTML printed to PDF by Chromium. */
export function slipPdf(html: string): Promise<Buffer> {
  const chromium = findChromium();
  if (!chromium) {
    return Promise.reject(new GatehouseError('SLIP_RENDER_FAILED', 'No Chromium was found to print the slip; install the chromium package or set GATEHOUSE_CHROMIUM.'));
  }
  return inPrivateFolder(async (folder) => {
    const page = join(folder, 'slip.html');
    const pdf = join(folder, 'slip.pdf');
    await writeFile(page, html, { mode: 0o600 });
    await run(chromium, [
      '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-extensions', '--no-pdf-header-footer', `--user-data-dir=${join(folder, 'profile')}`,
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      `--print-to-pdf=${pdf}`, pathToFileURL(page).href,
    ]);
    return readFile(pdf);
  });
}

/** The first page of `pdf` as a PNG, `dpi` dots per inch. */
export function slipPicture(pdf: Uint8Array, dpi = 110): Promise<Buffer> {
  return inPrivateFolder(async (folder) => {
    const input = join(folder, 'slip.pdf');
    await writeFile(input, pdf, { mode: 0o600 });
    await run('pdftoppm', ['-png', '-singlefile', '-r', String(dpi), input, join(folder, 'slip')]);
    return readFile(join(folder, 'slip.png'));
  });
}
