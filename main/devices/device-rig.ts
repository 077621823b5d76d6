// The devices of this kiosk, started together: the configured ones, or simulators on
// pseudo-terminals when none is configured (said plainly in the status bar and header).

import type { Db } from '../store/database.js';
import { readDevicesConfig } from './device-config.js';
import { startDocumentSimulation, type DocumentSimulation } from './device-simulation.js';
import { DocumentReaderService } from './document-reader-service.js';

export interface DeviceRig {
  readonly documentReader: DocumentReaderService;
  /** Present when the kiosk runs on simulators. */
  readonly simulation: DocumentSimulation | null;
  stop(): Promise<void>;
}

export async function startDeviceRig({ dataDir, db, now }: { dataDir: string; db: Db; now: () => Date }): Promise<DeviceRig> {
  const configured = readDevicesConfig(db).documentReader;
  const simulation = configured ? null : await startDocumentSimulation(dataDir, 'mrz', now);
  const readerConfig = configured ?? simulation!.readerConfig;
  const documentReader = new DocumentReaderService(readerConfig, { simulated: simulation !== null, now });
  documentReader.start();
  return {
    documentReader,
    simulation,
    async stop() {
      await documentReader.stop();
      await simulation?.stop();
    },
  };
}
