// Simulated devices for a kiosk where a device is not configured (development, demos,
// tests): the same simulators the driver tests use, on pseudo-terminals under the data
// directory, so the real drivers run against them. The UI says "simulated devices".

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mrzFramingSchema } from '../../native/idreader/mrz-reader/framings.js';
import { formatMrz, type MrzFieldValues } from '../../native/idreader/mrz/index.js';
import { SAMPLE_CNID_CARD, startCnidSimulator, type RunningCnidSimulator } from '../../native/sim/cnid-sim.js';
import { startMrzSimulator, type RunningMrzSimulator } from '../../native/sim/mrz-sim.js';
import { R30X_DEFAULT_ADDRESS } from '../../native/fingerprint/r30x-packet.js';
import { startFingerprintSimulator } from '../../native/sim/fingerprint-sim.js';
import { GatehouseError } from '../errors.js';
import type { DocumentReaderConfig, FingerprintConfig } from './device-config.js';

export type SimulatedDocument = 'passport' | 'id-card' | 'visa' | 'cnid';
const FRAMING = { framing: 'lines', lineEnd: 'cr' } as const;

/** A fictional holder from Utopia (Doc 9303's specimen state) with a document valid for years yet. */
function sampleMrz(kind: Exclude<SimulatedDocument, 'cnid'>, now: Date): string[] {
  const expiry = new Date(now.getTime());
  expiry.setUTCFullYear(expiry.getUTCFullYear() + 6);
  const yymmdd = expiry.toISOString().slice(2, 10).replaceAll('-', '');
  const holder: Omit<MrzFieldValues, 'documentCode' | 'documentNumber' | 'optionalData'> = {
    issuingState: 'UTO', nationality: 'UTO', birthDate: '850312', sex: 'F', expiryDate: yymmdd,
    surname: 'MUSTERFRAU', givenNames: 'ERIKA ANNA', optionalData2: '',
  };
  if (kind === 'passport') return formatMrz({ ...holder, documentCode: 'P', documentNumber: 'C01X00T47', optionalData: '' }, 'TD3');
  if (kind === 'id-card') return formatMrz({ ...holder, documentCode: 'ID', documentNumber: 'T22000129', optionalData: '' }, 'TD1');
  return formatMrz({ ...holder, documentCode: 'V', documentNumber: 'VX1234567', optionalData: '' }, 'MRVA');
}

export interface DocumentSimulation {
  readonly readerConfig: DocumentReaderConfig;
  present(document: SimulatedDocument): Promise<void>;
  /** Presents a passport whose birth-date check digit is wrong, as a misread would. */
  presentMisread(): Promise<void>;
  remove(): void;
  stop(): Promise<void>;
}

/** An MRZ reader simulator, plus a CN ID reader simulator the technician can switch to. */
export async function startDocumentSimulation(dataDir: string, kind: 'mrz' | 'cnid', now: () => Date): Promise<DocumentSimulation> {
  const runDir = runDirectory(dataDir);
  if (kind === 'cnid') {
    const sim: RunningCnidSimulator = await startCnidSimulator({ link: join(runDir, 'cnid-reader'), scenario: 'idle' });
    return {
      readerConfig: { kind: 'cnid', path: sim.path, baud: 115_200 },
      present: async (document) => {
        if (document !== 'cnid') throw new GatehouseError('DEVICES_WRONG_SIMULATOR', 'The simulated reader is a CN resident-ID card reader; it reads no MRZ documents.');
        sim.simulator.insert(SAMPLE_CNID_CARD);
      },
      presentMisread: async () => {
        sim.simulator.inject('bad-read');
        sim.simulator.insert(SAMPLE_CNID_CARD);
      },
      remove: () => sim.simulator.remove(),
      stop: () => sim.stop(),
    };
  }
  const sim: RunningMrzSimulator = await startMrzSimulator({ link: join(runDir, 'mrz-reader'), framing: FRAMING, scenario: 'idle' });
  return {
    readerConfig: { kind: 'mrz', path: sim.path, baud: 9600, framing: mrzFramingSchema.parse(FRAMING) },
    present: async (document) => {
      if (document === 'cnid') throw new GatehouseError('DEVICES_WRONG_SIMULATOR', 'The simulated reader is an MRZ reader; it cannot read a CN ID card.');
      await sim.control.present(sampleMrz(document, now()));
    },
    presentMisread: async () => {
      sim.control.injectFault('bad-read');
      await sim.control.present(sampleMrz('passport', now()));
    },
    remove: () => undefined,
    stop: () => sim.stop(),
  };
}

export interface FingerprintSimulation {
  readonly config: FingerprintConfig;
  /** Puts one finger of a simulated person on the sensor; every finger of every person is its own virtual finger. */
  placeFinger(person: string, position: number): void;
  liftFinger(): void;
  stop(): Promise<void>;
}

/** The module runs at 115,200 baud here, the fastest it can be set to (images take ~3.5 s). */
const SIMULATED_FINGERPRINT_BAUD = 115_200;

/** A fingerprint module simulator on DATA/run/fingerprint (control socket DATA/run/fingerprint.control). */
export async function startFingerprintSimulation(dataDir: string): Promise<FingerprintSimulation> {
  const sim = await startFingerprintSimulator({ link: join(runDirectory(dataDir), 'fingerprint'), baud: SIMULATED_FINGERPRINT_BAUD });
  return {
    config: { path: sim.path, baud: SIMULATED_FINGERPRINT_BAUD, address: R30X_DEFAULT_ADDRESS, password: 0 },
    placeFinger: (person, position) => sim.control.placeFinger(virtualFingerSeed(person, position)),
    liftFinger: () => sim.control.liftFinger(),
    stop: () => sim.stop(),
  };
}

/** The simulator's seed for a person's finger: FNV-1a of the name (any case) and the finger position. */
export function virtualFingerSeed(person: string, position: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(`${person.toLowerCase()}#${position}`)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

function runDirectory(dataDir: string): string {
  const runDir = join(dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  return runDir;
}
