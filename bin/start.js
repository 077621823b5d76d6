#!/usr/bin/env node
// `npm start`: runs the Electron kiosk when Electron's binary is installed and the
// browser host with the system Chromium otherwise, saying which and why in one line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importBuilt } from './built.js';

const { chooseHost } = await importBuilt('main/app/host-choice.js');
const choice = await chooseHost({
  // From plain Node, the electron package exports its binary's path and throws when the binary is missing.
  locateElectron: async () => (await import('electron')).default,
  exists: existsSync,
  projectRoot: dirname(dirname(fileURLToPath(import.meta.url))),
  node: process.execPath,
  args: process.argv.slice(2),
});
process.stdout.write(`${choice.reason}\n`);

const child = spawn(choice.command, choice.args, { stdio: 'inherit' });
child.on('error', (error) => {
  process.stderr.write(`gatehouse: could not run ${choice.command}: ${error.message}\n`);
  process.exit(2);
});
// Ctrl-C reaches the child through the terminal already; a service manager's SIGTERM is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
