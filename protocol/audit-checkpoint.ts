// Audit checkpoints: a kiosk's signed statement of its audit-log head (sequence number and
// entry hash) at a time, kept by the authority so that a later truncated log shows.
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { signJson, verifyJson } from './signed-json.js';
import { IsoTime, KioskId, Sha256Hex, SignatureText } from './wire-fields.js';

const CONTEXT = 'gatehouse audit-checkpoint v1';

export const AuditCheckpoint = z.strictObject({
  kioskId: KioskId,
  seq: z.number().int().positive(),
  headHash: Sha256Hex,
  at: IsoTime,
  signature: SignatureText,
});
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;

export const signAuditCheckpoint = (fields: Omit<AuditCheckpoint, 'signature'>, kioskSigningKey: KeyObject): AuditCheckpoint =>
  signJson(CONTEXT, fields, kioskSigningKey);

export const verifyAuditCheckpoint = (checkpoint: unknown, kioskSigningPublicKey: KeyObject) =>
  verifyJson(CONTEXT, AuditCheckpoint, checkpoint, kioskSigningPublicKey);
