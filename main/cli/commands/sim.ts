// `gatehouse sim idreader|fingerprint`: run a device simulator on a pseudo-terminal for a
// driver (or another kiosk) to open. Prints `ready PATH` once PATH is the serial device
// to open, and runs until SIGTERM, then removes the pty.

import type { Command } from 'commander';
import { startCnidSimulator, CNID_SCENARIOS } from '../../../native/sim/cnid-sim.js';
import { startFingerprintSimulator } from '../../../native/sim/fingerprint-sim.js';
import { startMrzSimulator, MRZ_SCENARIOS } from '../../../native/sim/mrz-sim.js';
import { GatehouseError } from '../../errors.js';
import { createLog } from '../../log.js';
import { Shutdown } from '../shutdown.js';

/** Runs a simulator until SIGTERM/SIGINT (handled from before it starts). */
async function runUntilStopped(start: () => Promise<{ path: string; stop(): Promise<void> }>): Promise<void> {
  const shutdown = new Shutdown(createLog('sim'));
  const sim = await start();
  shutdown.add('simulator', () => sim.stop());
  if (!shutdown.requested) process.stdout.write(`ready ${sim.path}\n`);
  await shutdown.finished;
}

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
        await runUntilStopped(() => startMrzSimulator({ link: options.link, baud, framing: framing as never, scenario: options.scenario }));
      } else if (options.kind === 'cnid') {
        await runUntilStopped(() => startCnidSimulator({ link: options.link, baud, scenario: options.scenario }));
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
      await runUntilStopped(() => startFingerprintSimulator({ link: options.link, baud: integer('--baud', options.baud), autoFinger }));
    });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatehouseError('CLI_INVALID_OPTIONS', '--framing must be JSON, e.g. {"framing":"lines","lineEnd":"cr"}.');
  }
}
