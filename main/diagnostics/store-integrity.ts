// SQLite's integrity_check of the kiosk's store, run on a worker thread over a read-only
// connection of its own: on a realistic store (500 MiB: 1,700 queued records of 300 KB and
// 50,000 audit entries) it takes 2 s to 17 s (`npm run bench -- diagnostics`, by machine load),
// which on the kiosk's own connection would freeze every screen, device and the sync loop. The worker opens the existing file only
// (never creates one) and is given the key in memory; it runs plain JavaScript so it works
// from the sources (tests) as from dist/. The two key pragmas are those of applyDatabaseKey.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DATABASE_CIPHER } from '../store/database-encryption.js';

/** Resolved here: an eval'd worker resolves modules from the working directory, not from this file. */
const SQLITE_MODULE = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModule);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  if (workerData.keyHex !== null) {
    db.pragma("cipher = '" + workerData.cipher + "'");
    db.pragma('key = "x\\'' + workerData.keyHex + '\\'"');
  }
  parentPort.postMessage({ lines: db.pragma('integrity_check').map((row) => row.integrity_check) });
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message || error) });
} finally {
  if (db) db.close();
}`;

/** The lines integrity_check reports for the store `file` (["ok"] when intact); `key` null for a plain store. */
export function integrityCheckOffThread(file: string, key: Buffer | null): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { sqliteModule: SQLITE_MODULE, file, cipher: DATABASE_CIPHER, keyHex: key?.toString('hex') ?? null },
    });
    worker.once('message', (answer: { lines: string[] } | { error: string }) => {
      if ('lines' in answer) resolve(answer.lines);
      // SQLite could not read the store far enough to check it: that is its finding.
      else resolve([answer.error]);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the integrity check stopped (worker exit ${code}) before it answered`)));
  });
}
