// `gatehouse chip read`: a technician's test of a chip reader. Reads the chip of the document
// on the reader (PC/SC) with the key from its MRZ or its card access number and prints how
// access was gained, DG1, the portrait's format and size, and the Passive, Chip and Active
// Authentication results, checked against the kiosk's CSCA trust store or the certificates
// at --trust. Exit 0 when the chip checks out or cannot be verified, 1 when it fails.

import type { Command } from 'commander';
import { DeviceError } from '../../../native/device-error.js';
import { chipReaderFamily, type ChipReader } from '../../../native/emrtd/chip-reader-family.js';
import { describeChipReading, type ChipReadingSummary } from '../../../native/emrtd/chip-reader.js';
import type { ChipAccessKey } from '../../../native/emrtd/chip-reading.js';
import { CscaTrustStore, loadCscaFiles } from '../../../native/emrtd/csca-trust.js';
import { parseMrz } from '../../../native/idreader/mrz/index.js';
import { loadTrustStore } from '../../chip/csca-store.js';
import { GatehouseError } from '../../errors.js';
import { printJson, withDatabase } from '../cli-context.js';

interface ChipReadOptions {
  json?: boolean;
  reader?: string;
  mrz?: string[];
  can?: string;
  trust?: string;
  extendedLength?: boolean;
  wait: string;
}

/** The key the options give: the MRZ's access fields (its check digits must hold), or the CAN. */
function accessKey({ mrz, can }: ChipReadOptions, now: Date): { key: ChipAccessKey; printed: string | null } {
  if ((mrz === undefined) === (can === undefined)) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', 'Give either --mrz with the MRZ lines or --can with the card access number.');
  }
  if (can !== undefined) {
    if (!/^\d{6}$/.test(can)) throw new GatehouseError('CLI_INVALID_OPTIONS', '--can must be the six digits printed on the card.');
    return { key: { kind: 'can', can }, printed: null };
  }
  const parsed = parseMrz(mrz!, { now });
  if (!parsed.valid) {
    throw new GatehouseError('CLI_INVALID_OPTIONS', `The MRZ lines do not check out (${parsed.problems.map((p) => p.check).join(', ')}); type them again.`);
  }
  const { documentNumber, birthDate, expiryDate } = parsed.fields;
  return { key: { kind: 'mrz', documentNumber, birthDate, expiryDate }, printed: parsed.lines.join('') };
}

/** Resolves once the driver sees a card, or fails after `seconds` (CHIP_NO_CARD) or when PC/SC cannot be reached. */
async function cardOn(driver: ChipReader, seconds: number): Promise<void> {
  await driver.start();
  const { status } = driver;
  if (status.state === 'failed') throw status.error!;
  if (status.cardPresent) return;
  process.stderr.write(`Place the document on the chip reader (waiting ${seconds} s)…\n`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeviceError('CHIP_NO_CARD',
      status.state === 'no-reader' ? 'No chip reader is connected.' : `No document was placed on the chip reader within ${seconds} s.`)), seconds * 1000);
    driver.once('card', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function printText(summary: ChipReadingSummary, dg1MatchesMrz: boolean | null): void {
  const { access, dg1, portrait, passiveAuthentication: pa, chipAuthentication: ca, activeAuthentication: aa } = summary;
  const clone = (name: string, check: typeof ca) => (check.performed
    ? `${name}: ${check.verified ? 'passed' : `FAILED (${check.failure ?? 'no answer under the new keys'})`}`
    : `${name}: not performed (${check.reason})`);
  const lines = [
    `access: ${access.protocol} with the ${access.password.toUpperCase()} (${access.detail})`,
    `DG1: ${dg1.documentCode} ${dg1.issuingState} ${dg1.documentNumber}, ${dg1.surname}, ${dg1.givenNames}, born ${dg1.birthDate}, expires ${dg1.expiryDate}`
      + (dg1MatchesMrz === null ? '' : dg1MatchesMrz ? ' (equals the MRZ given)' : ' (DIFFERS from the MRZ given)'),
    `portrait: ${portrait ? `${portrait.format}, ${portrait.width}×${portrait.height}, ${portrait.bytes} bytes` : 'none'}`,
    `Passive Authentication: ${pa.status}${pa.status === 'valid' ? ` (CSCA ${pa.csca.country}: ${pa.csca.subject})` : ` (${pa.reason})`}`,
    clone('Chip Authentication', ca),
    clone('Active Authentication', aa),
    `files: ${summary.files.map((file) => `${file.name} ${file.bytes} B`).join(', ')}; ${summary.durationMs} ms`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerChipCommand(program: Command): void {
  const chip = program.command('chip').description('document chips (ICAO 9303 eMRTD) on a PC/SC reader');

  chip.command('read')
    .description('read and verify the chip of the document on the reader')
    .option('--json', 'print JSON')
    .option('--reader <name>', 'the PC/SC reader (default: the first with a card)')
    .option('--mrz <lines...>', 'the MRZ lines of the document (its key opens the chip)')
    .option('--can <digits>', 'the card access number printed on the card')
    .option('--trust <path>', 'CSCA certificates or master lists (a file or a folder) instead of the kiosk\'s trust store')
    .option('--extended-length', 'read with extended-length APDUs (readers that take them)')
    .option('--wait <seconds>', 'how long to wait for a document on the reader', '10')
    .action(async (options: ChipReadOptions, command: Command) => {
      const now = new Date();
      const { key, printed } = accessKey(options, now);
      const seconds = Number(options.wait);
      if (!Number.isFinite(seconds) || seconds < 0) throw new GatehouseError('CLI_INVALID_OPTIONS', `--wait must be a number of seconds, not "${options.wait}".`);
      let trustStore: CscaTrustStore;
      if (options.trust) {
        trustStore = new CscaTrustStore();
        await loadCscaFiles(trustStore, options.trust, { at: now });
      } else {
        trustStore = await withDatabase(command, (db) => loadTrustStore(db));
      }
      const driver = chipReaderFamily.open({ kind: 'pcsc', reader: options.reader ?? null, extendedLength: options.extendedLength === true }, { now: () => now });
      try {
        await cardOn(driver, seconds);
        const reading = await driver.read(key, { trustStore, now: () => now });
        const summary = describeChipReading(reading);
        const dg1MatchesMrz = printed === null ? null : reading.dg1.mrz === printed;
        if (options.json) printJson({ ...summary, dg1MatchesMrz, cscasTrusted: trustStore.size });
        else printText(summary, dg1MatchesMrz);
        const clonesFailed = [summary.chipAuthentication, summary.activeAuthentication].some((check) => check.performed && !check.verified);
        if (summary.passiveAuthentication.status === 'failed' || clonesFailed || dg1MatchesMrz === false) process.exitCode = 1;
      } finally {
        await driver.stop();
      }
    });
}
