// The devices of this kiosk, started together: for each role, the configured family's driver,
// or that family's simulator when none is configured (said plainly in the status bar and
// header); the chip reader is simulated only when asked. Families come from the registry; nothing here knows a reader's kind.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentReaderSimulation } from '../../native/idreader/document-reader.js';
import { chipReaderFamily, type ChipReaderSimulation } from '../../native/emrtd/chip-reader-family.js';
import { r30xFamily, type FingerprintSimulation } from '../../native/fingerprint/r30x-family.js';
import { ChipReaderService } from './chip-reader-service.js';
import type { Db } from '../store/database.js';
import { readDevicesConfig, type DocumentReaderConfig } from './device-config.js';
import { documentReaderFamily, openDocumentReader, type DocumentReaderKind } from './device-registry.js';
import { DocumentReaderService } from './document-reader-service.js';
import { FingerprintService } from './fingerprint-service.js';

export interface DeviceRig {
  readonly documentReader: DocumentReaderService;
  readonly fingerprint: FingerprintService;
  /** Present when the kiosk runs on a simulated document reader. */
  readonly simulation: DocumentReaderSimulation<DocumentReaderConfig> | null;
  /** Present when the kiosk runs on a simulated fingerprint module. */
  readonly fingerprintSimulation: FingerprintSimulation | null;
  /** Null when the kiosk has no chip reader. */
  readonly chipReader: ChipReaderService | null;
  /** Present when the kiosk runs on a simulated chip reader. */
  readonly chipSimulation: ChipReaderSimulation | null;
  /** The portrait simulated chips carry; null: the simulator's own. */
  readonly simulatedPortrait: SimulatedPortrait | null;
  stop(): Promise<void>;
}

export interface DeviceRigOptions {
  dataDir: string;
  db: Db;
  now: () => Date;
  /** Which document reader to simulate when none is configured. */
  simulatedReader?: DocumentReaderKind;
  /** With no chip reader configured, simulate one (a private pcscd with a virtual reader and chipped sample documents). */
  simulateChip?: boolean;
  /** The simulated chips' portrait; the simulator's generated one unless given. */
  simulatedPortrait?: SimulatedPortrait | null;
}

/** A JPEG portrait and its size, as a simulated chip's DG2 holds it. */
export interface SimulatedPortrait {
  image: Uint8Array;
  width: number;
  height: number;
}

export async function startDeviceRig({ dataDir, db, now, simulatedReader = 'mrz', simulateChip = false, simulatedPortrait = null }: DeviceRigOptions): Promise<DeviceRig> {
  const devices = readDevicesConfig(db);
  const runDir = join(dataDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const context = { now, runDir };

  const simulation: DocumentReaderSimulation<DocumentReaderConfig> | null = devices.documentReader
    ? null : await documentReaderFamily(simulatedReader).simulate(context);
  const readerConfig = devices.documentReader ?? simulation!.config;
  const documentReader = new DocumentReaderService(openDocumentReader(readerConfig, context), { simulated: simulation !== null });
  documentReader.start();

  const fingerprintSimulation = devices.fingerprint ? null : await r30xFamily.simulate(context);
  const fingerprintConfig = devices.fingerprint ?? fingerprintSimulation!.config;
  const fingerprint = new FingerprintService(r30xFamily.open(fingerprintConfig, context), { simulated: fingerprintSimulation !== null });
  fingerprint.start();

  const chipSimulation = devices.chipReader || !simulateChip ? null : await chipReaderFamily.simulate(context);
  const chipConfig = devices.chipReader ?? chipSimulation?.config ?? null;
  const chipReader = chipConfig && new ChipReaderService(chipReaderFamily.open(chipConfig, context), {
    db, now, simulated: chipSimulation !== null, simulatorCscas: chipSimulation?.cscaCertificates ?? [],
  });
  chipReader?.start();
  return {
    documentReader,
    fingerprint,
    simulation,
    fingerprintSimulation,
    chipReader,
    chipSimulation,
    simulatedPortrait,
    async stop() {
      await documentReader.stop();
      await fingerprint.stop();
      await chipReader?.stop();
      await simulation?.stop();
      await fingerprintSimulation?.stop();
      await chipSimulation?.stop();
    },
  };
}
