// Offline export: every record still waiting for a receipt, written as one bundle signed by the
// kiosk key (protocol/bundle.ts) into a folder a supervisor carries to the authority.
// Exported records stay queued: only a receipt, by sync or by the receipt file brought back,
// takes them out of the queue.
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { writeBundle, type BundleProgress } from '../../protocol/bundle.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import { GatehouseError } from '../errors.js';
import type { KioskCredentials } from '../provisioning/kiosk-credentials.js';
import type { Db } from '../store/database.js';
import { readEnvelope, waitingRecords } from '../store/outbox.js';

export interface WrittenBundle {
  bundleId: string;
  file: string;
  bytes: number;
  recordIds: string[];
}

/** Writes the bundle; the caller marks the records exported and audits it in one transaction. */
export async function writeExportBundle(
  db: Db, credentials: KioskCredentials, directory: string, now: Date, onProgress?: (progress: BundleProgress) => void,
): Promise<WrittenBundle> {
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) {
    throw new GatehouseError('EXPORT_FOLDER_MISSING', `There is no folder ${directory}; insert the USB stick and choose its folder.`, { directory });
  }
  const records = waitingRecords(db);
  if (records.length === 0) throw new GatehouseError('EXPORT_NOTHING_QUEUED', 'No record is waiting for the authority; there is nothing to export.');
  const bundleId = randomUUID();
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const file = join(directory, `gatehouse-${stamp}-${bundleId.slice(0, 8)}.ghbundle`);
  let written: { size: number };
  try {
    written = await writeBundle(file, {
      bundleId,
      kioskId: credentials.identity.kioskId,
      createdAt: now.toISOString(),
      records,
      readEnvelope: (recordId) => readEnvelope(db, recordId),
      kioskSigningPrivateKey: credentials.keys.signing.privateKey,
      onProgress,
    });
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    const code = error instanceof ProtocolError ? error.code : (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    throw new GatehouseError('EXPORT_FAILED', `The bundle could not be written to ${directory} (${code}); nothing was marked exported.`,
      { directory, cause: code });
  }
  return { bundleId, file, bytes: written.size, recordIds: records.map((r) => r.recordId) };
}
