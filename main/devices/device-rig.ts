// The devices of this kiosk, started together: the configured ones, or simulators on
// pseudo-terminals when none is configured (said plainly in the status bar and header).

import type { Db } from '../store/database.js';
import { readDevicesConfig } from './device-config.js';
import {
  startDocumentSimulation, startFingerprintSimulation, type DocumentSimulation, type FingerprintSimulation,
} from './device-simulation.js';
import { DocumentReaderService } from './document-reader-service.js';
import { FingerprintService } from './fingerprint-service.js';

export interface DeviceRig {
  readonly documentReader: DocumentReaderService;
  readonly fingerprint: FingerprintService;
  /** Present when the kiosk runs on a simulated document reader. */
  readonly simulation: DocumentSimulation | null;
  /** Present when the kiosk runs on a simulated fingerprint module. */
  readonly fingerprintSimulation: FingerprintSimulation | null;
  stop(): Promise<void>;
}

export interface DeviceRigOptions {
  dataDir: string;
  db: Db;
  now: () => Date;
  /** Which document reader to simulate when none is configured. */
  simulatedReader?: 'mrz' | 'cnid';
}

export async function startDeviceRig({ dataDir, db, now, simulatedReader = 'mrz' }: DeviceRigOptions): Promise<DeviceRig> {
  const devices = readDevicesConfig(db);
  const configured = devices.documentReader;
  const simulation = configured ? null : await startDocumentSimulation(dataDir, simulatedReader, now);
  const readerConfig = configured ?? simulation!.readerConfig;
  const documentReader = new DocumentReaderService(readerConfig, { simulated: simulation !== null, now });
  documentReader.start();
  const fingerprintSimulation = devices.fingerprint ? null : await startFingerprintSimulation(dataDir);
  const fingerprint = new FingerprintService(devices.fingerprint ?? fingerprintSimulation!.config,
    { simulated: fingerprintSimulation !== null });
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
