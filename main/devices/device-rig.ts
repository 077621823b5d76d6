// The devices of this kiosk, started together: for each role, the configured family's driver,
// or that family's simulator when none is configured (said plainly in the status bar and
// header). Families come from the registry; nothing here knows a reader's kind.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentReaderSimulation } from '../../native/idreader/document-reader.js';
import { r30xFamily, type FingerprintSimulation } from '../../native/fingerprint/r30x-family.js';
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
  stop(): Promise<void>;
}

export interface DeviceRigOptions {
  dataDir: string;
  db: Db;
  now: () => Date;
  /** Which document reader to simulate when none is configured. */
  simulatedReader?: DocumentReaderKind;
}

export async function startDeviceRig({ dataDir, db, now, simulatedReader = 'mrz' }: DeviceRigOptions): Promise<DeviceRig> {
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
  return {
    documentReader,
    fingerprint,
    simulation,
    fingerprintSimulation,
    async stop() {
      await documentReader.stop();
      await fingerprint.stop();
      await simulation?.stop();
      await fingerprintSimulation?.stop();
    },
  };
}
