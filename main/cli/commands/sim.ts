// `gatehouse sim idreader|fingerprint|chip`: run a device simulator for a driver (or another
// kiosk) to open. The serial devices print `ready PATH` once PATH is the pseudo-terminal to
// open; the chip prints `ready READER` once pcscd reports the virtual passport in that PC/SC
// reader. Each runs until SIGTERM, then removes its pty or its card and private pcscd.

import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { startChipSimulator } from '../../../native/sim/chip-sim.js';
import { startCnidSimulator, CNID_SCENARIOS } from '../../../native/sim/cnid-sim.js';
import { CHIP_SCENARIOS, chipScenario } from '../../../native/sim/emrtd/virtual-chip.js';
import { startFingerprintSimulator } from '../../../native/sim/fingerprint-sim.js';
import { startMrzSimulator, MRZ_SCENARIOS } from '../../../native/sim/mrz-sim.js';
import { GatehouseError } from '../../errors.js';
import { createLog } from '../../log.js';
import { Shutdown } from '../../kiosk/shutdown.js';

/**
 * Runs a simulator until SIGTERM/SIGINT (handled from before it starts); prints the lines
 * `announce` gives, the last one `ready …`, once it is ready.
 */
async function runUntilStopped<Sim extends { stop(): Promise<void> }>(start: () => Promise<Sim>, announce: (sim: Sim) => string[]): Promise<void> {
  const shutdown = new Shutdown(createLog('sim'));
  const sim = await start();
  shutdown.add('simulator', () => sim.stop());
  if (!shutdown.requested) process.stdout.write(announce(sim).map((line) => `${line}\n`).join(''));
  await shutdown.finished;
}

const readyAtPath = (sim: { path: string }): string[] => [`ready ${sim.path}`];

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `${name} must be a positive whole number, not "${value}".`);
  }
  return number;
}

export function registerSimCommand(program: Command): void {
  const sim = program.command('sim').description('device simulators on pseudo-terminals');

  sim.command('idreader')
    .description('an identity-document reader')
    .requiredOption('--kind <kind>', 'mrz (ICAO 9303 MRZ reader) or cnid (Chinese resident ID reader)')
    .requiredOption('--link <path>', 'where the serial device appears')
    .option('--baud <n>', 'baud rate')
    .option('--framing <json>', 'MRZ framing as JSON, e.g. \'{"framing":"stx-etx","bcc":"xor"}\'')
    .option('--scenario <name>', `mrz: ${MRZ_SCENARIOS.join(', ')}; cnid: ${CNID_SCENARIOS.join(', ')}`)
    .action(async (options: { kind: string; link: string; baud?: string; framing?: string; scenario?: string }) => {
      const baud = integer('--baud', options.baud);
      if (options.kind === 'mrz') {
        const framing: unknown = options.framing ? parseJson(options.framing) : undefined;
        await runUntilStopped(() => startMrzSimulator({ link: options.link, baud, framing: framing as never, scenario: options.scenario }), readyAtPath);
      } else if (options.kind === 'cnid') {
        await runUntilStopped(() => startCnidSimulator({ link: options.link, baud, scenario: options.scenario }), readyAtPath);
      } else {
        throw new GatehouseError('CLI_INVALID_OPTIONS', `--kind must be mrz or cnid, not "${options.kind}".`);
      }
    });

  sim.command('fingerprint')
    .description('an R30x/ZFM/AS608 fingerprint module (control socket at LINK.control)')
    .requiredOption('--link <path>', 'where the serial device appears')
    .option('--baud <n>', 'baud rate (9600 × 1–12)', '57600')
    .option('--auto-finger <seed>', 'keep the virtual finger SEED on the sensor for every GenImg')
    .action(async (options: { link: string; baud: string; autoFinger?: string }) => {
      const autoFinger = options.autoFinger === undefined ? undefined : integer('--auto-finger', options.autoFinger);
      await runUntilStopped(() => startFingerprintSimulator({ link: options.link, baud: integer('--baud', options.baud), autoFinger }), readyAtPath);
    });

  sim.command('chip')
    .description('an ePassport chip on a vsmartcard-vpcd reader of a private pcscd (or of a running pcscd with --port)')
    .option('--scenario <name>', CHIP_SCENARIOS.join(', '), 'valid')
    .option('--port <n>', 'the vpcd port of a pcscd that already runs (vsmartcard-vpcd listens on 35963); default: start a private pcscd')
    .option('--csca-out <file>', 'write the test CSCA certificate there (PEM if FILE ends in .pem, else DER) for `gatehouse trust import`')
    .action(async (options: { scenario: string; port?: string; cscaOut?: string }) => {
      const scenario = chipScenario(options.scenario);
      const port = integer('--port', options.port);
      await runUntilStopped(async () => {
        const chip = await startChipSimulator({ port, now: () => new Date() });
        try {
          if (options.cscaOut) await writeCertificate(options.cscaOut, chip.cscaCertificate);
          return { reader: await chip.present(scenario), socketPath: chip.socketPath, stop: () => chip.stop() };
        } catch (error) {
          await chip.stop();
          throw error;
        }
      }, ({ reader, socketPath }) => [...(socketPath ? [`PCSCLITE_CSOCK_NAME=${socketPath}`] : []), `ready ${reader}`]);
    });
}

/** PEM for a .pem file, DER otherwise; `gatehouse trust import` takes either. */
async function writeCertificate(path: string, der: Uint8Array): Promise<void> {
  const bytes = path.toLowerCase().endsWith('.pem') ? new X509Certificate(der).toString() : der;
  await writeFile(path, bytes).catch((error: NodeJS.ErrnoException) => {
    throw new GatehouseError('CLI_FILE_UNWRITABLE', `Cannot write ${path}: ${error.code ?? error.message}.`, { path });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatehouseError('CLI_INVALID_OPTIONS', '--framing must be JSON, e.g. {"framing":"lines","lineEnd":"cr"}.');
  }
}
