// The provisioning and sync procedures and events: registering the kiosk with the authority
// (technician), the sync panel's state and "sync now", exporting queued records as a signed
// bundle for a USB stick and importing the receipt file brought back (supervisor).

import { z } from 'zod';
import { event, procedure } from '../define.js';
import { Empty } from '../schemas.js';

const watchers = ['supervisor', 'technician'] as const;
const KeyId = z.string().regex(/^[0-9a-f]{32}$/);
/** A path on the kiosk, e.g. a mounted USB stick. */
const LocalPath = z.string().trim().min(1).max(4096).refine((p) => p.startsWith('/'), 'an absolute path');

export const ProvisioningStatus = z.object({
  provisioned: z.boolean(),
  kioskId: z.string().nullable(),
  name: z.string().nullable(),
  authorityUrl: z.string().nullable(),
  registeredAt: z.string().nullable(),
  /** Key ids a technician compares with what the authority shows. */
  fingerprints: z.object({ kioskSigning: KeyId, kioskSealing: KeyId, authoritySigning: KeyId, authoritySealing: KeyId }).nullable(),
});

/** transient: retried by itself; config: retried, a technician must fix it; reject: refused for good; halt: sync stopped. */
const SyncFailureKind = z.enum(['transient', 'config', 'reject', 'halt']);

export const SyncProgress = z.object({
  /** halted: the authority refused the kiosk's credentials (or a receipt failed); sync waits for a technician. */
  state: z.enum(['not-provisioned', 'idle', 'syncing', 'offline', 'halted']),
  /** Records waiting for a receipt (exported ones included). */
  queueDepth: z.number().int().nonnegative(),
  /** Of those, carried out in an export bundle and waiting for its receipt file. */
  exported: z.number().int().nonnegative(),
  /** Refused by the authority for good; kept sealed for a technician to look into. */
  rejected: z.number().int().nonnegative(),
  oldestUnsyncedAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  /** The record being sent now. */
  transfer: z.object({ recordId: z.string(), bytes: z.number().int().nonnegative(), total: z.number().int().positive() }).nullable(),
  /**
   * The failure that stands, in plain words; `config`: records wait and are retried, but a
   * technician must fix the cause first (keys, clock, address, limits).
   */
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string(), kind: SyncFailureKind }).nullable(),
  /** The last round that tried records: how many went, and the records not delivered with the code why (the first 20). */
  lastRound: z.object({
    at: z.string(),
    delivered: z.number().int().nonnegative(),
    retried: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    failures: z.array(z.object({ recordId: z.string(), outcome: z.enum(['retried', 'rejected']), code: z.string(), kind: SyncFailureKind })),
  }).nullable(),
});

export const syncProcedures = {
  'provisioning.status': procedure({
    summary: 'Whether this kiosk is registered with an authority: kiosk id, authority URL, pinned key fingerprints.',
    input: Empty,
    output: ProvisioningStatus,
    access: watchers,
  }),
  'provisioning.register': procedure({
    summary: 'Generate the kiosk keys and register with the authority using a one-time token.',
    input: z.object({
      authorityUrl: z.string().trim().min(1).max(2048),
      token: z.string().trim().min(1).max(200),
      name: z.string().trim().min(1).max(100),
    }).strict(),
    output: ProvisioningStatus,
    access: ['technician'],
    audit: 'provisioning.register',
  }),
  'sync.status': procedure({
    summary: 'The sync panel: queue depth, oldest unsynced record, last success, current transfer, last error.',
    input: Empty,
    output: SyncProgress,
    access: watchers,
  }),
  'sync.now': procedure({
    summary: 'Start a sync round now (after a halt too, once the cause is fixed).',
    input: Empty,
    output: SyncProgress,
    access: watchers,
  }),
  'sync.export': procedure({
    summary: 'Write every queued record to one signed bundle in a folder (a USB stick); they stay queued until a receipt arrives.',
    input: z.object({ directory: LocalPath }).strict(),
    output: z.object({ bundleId: z.string(), file: z.string(), records: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
    access: ['supervisor'],
    audit: 'records.exported',
  }),
  'sync.importReceipts': procedure({
    summary: "Import the authority's receipt file for an exported bundle; records with a verified receipt leave the queue.",
    input: z.object({ file: LocalPath }).strict(),
    output: z.object({
      accepted: z.number().int().nonnegative(),
      alreadyAccepted: z.number().int().nonnegative(),
      unknown: z.number().int().nonnegative(),
    }),
    access: ['supervisor'],
    audit: 'receipts.imported',
  }),
} as const;

export const syncEvents = {
  'sync.progress': event({
    summary: 'Sync state changed: queue, transfer progress, success or failure.',
    payload: SyncProgress,
  }),
} as const;
