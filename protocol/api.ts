// The /v1 contract shared by the authority and the kiosk: the paths, and a zod schema for every
// JSON request and response body. Envelopes and upload chunks travel as application/octet-stream;
// every route but kiosk registration needs an HTTP message signature (http-signature.ts).
import { z } from 'zod';
import { AuditCheckpoint } from './audit-checkpoint.js';
import { KioskCode } from './enrollment-number.js';
import { Receipt } from './receipt.js';
import { OperatorList, StationConfig } from './station-documents.js';
import { DebianArchitecture } from './update-manifest.js';
import { ByteCount, IsoTime, KeyId, KioskId, PublicKeyText, RecordId, Sha256Hex } from './wire-fields.js';

export { RecordStatusPage } from './record-status.js';
export { AuditCheckpoint, OperatorList, Receipt, StationConfig };

export const apiPaths = {
  /** GET → 200 Health (unsigned): how a kiosk learns the authority is there, changing nothing. */
  health: '/v1/health',
  /** POST RegisterKioskRequest → 201 RegisterKioskResponse (unsigned: the one-time token authorises it). */
  kiosks: '/v1/kiosks',
  /** PUT envelope bytes → 201 (new) or 200 (already held, same digest) RecordStored; GET → 200 RecordStored. */
  record: (recordId: string) => `/v1/records/${recordId}`,
  /** POST CreateUploadRequest → 201 UploadState (new), 200 UploadState (resume) or 200 RecordStored. */
  recordUploads: (recordId: string) => `/v1/records/${recordId}/uploads`,
  /** GET → 200 UploadState: the committed offset to resume from. */
  upload: (uploadId: string) => `/v1/uploads/${uploadId}`,
  /** PUT chunk bytes at the committed offset → 200 UploadState. */
  uploadChunk: (uploadId: string, offset: number) => `/v1/uploads/${uploadId}?offset=${offset}`,
  /** POST CompleteUploadRequest → 201 or 200 RecordStored. */
  uploadComplete: (uploadId: string) => `/v1/uploads/${uploadId}/complete`,
  /** GET → 200 StationConfig. */
  stationConfig: '/v1/station-config',
  /** GET → 200 OperatorList. */
  operators: '/v1/operators',
  /** POST AuditCheckpoint → 201 (new) or 200 (already held) AuditCheckpointStored. */
  auditCheckpoints: '/v1/audit-checkpoints',
  /** GET → 200 RecordStatusPage: what became of this kiosk's records, changes after `after`. */
  recordStatus: (after: number) => `/v1/record-status?after=${after}`,
  /** GET → 200 the signed UpdateManifest (update-manifest.ts) of the newest package for `architecture`; 404 UPDATE_NONE_PUBLISHED. */
  updateLatest: (architecture: string) => `/v1/updates/latest?architecture=${encodeURIComponent(architecture)}`,
  /** GET → 200 (or 206 with Range, 416 outside it: byte-range.ts) the package bytes whose SHA-256 is `sha256`. */
  updatePackage: (sha256: string) => `/v1/updates/packages/${sha256}`,
} as const;

export const Health = z.strictObject({
  service: z.literal('gatehouse-authority'),
  signingKeyId: z.string(),
});

/** Every refusal: a stable code, a message a person can act on, and safe details. */
export const ApiError = z.strictObject({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type ApiError = z.infer<typeof ApiError>;

export const RegisterKioskRequest = z.strictObject({
  token: z.string().min(1).max(200),
  name: z.string().trim().min(1).max(100),
  signingPublicKey: PublicKeyText,
  sealingPublicKey: PublicKeyText,
});
export type RegisterKioskRequest = z.infer<typeof RegisterKioskRequest>;

/**
 * The authority's public keys, which the kiosk pins at registration. The update key signs update
 * manifests only; every authority sends it, but a kiosk registered before it existed has none.
 */
export const AuthorityPublicKeys = z.strictObject({
  signingKeyId: KeyId,
  signingPublicKey: PublicKeyText,
  sealingKeyId: KeyId,
  sealingPublicKey: PublicKeyText,
  updateKeyId: KeyId.optional(),
  updatePublicKey: PublicKeyText.optional(),
});
export type AuthorityPublicKeys = z.infer<typeof AuthorityPublicKeys>;

export const RegisterKioskResponse = z.strictObject({
  kioskId: KioskId,
  /** The kiosk's short code, unique at this authority: the first part of its enrollment numbers. */
  code: KioskCode,
  name: z.string(),
  registeredAt: IsoTime,
  authority: AuthorityPublicKeys,
});
export type RegisterKioskResponse = z.infer<typeof RegisterKioskResponse>;

export const RecordStored = z.strictObject({
  status: z.literal('stored'),
  recordId: RecordId,
  digest: Sha256Hex,
  receipt: Receipt,
});
export type RecordStored = z.infer<typeof RecordStored>;

export const CreateUploadRequest = z.strictObject({
  size: z.number().int().positive(),
  digest: Sha256Hex,
});
export type CreateUploadRequest = z.infer<typeof CreateUploadRequest>;

export const UploadState = z.strictObject({
  status: z.literal('uploading'),
  uploadId: z.uuid(),
  recordId: RecordId,
  size: ByteCount,
  digest: Sha256Hex,
  /** Bytes committed so far; the next chunk must start here. */
  offset: ByteCount,
  maxChunkBytes: z.number().int().positive(),
});
export type UploadState = z.infer<typeof UploadState>;

export const CreateUploadResponse = z.discriminatedUnion('status', [UploadState, RecordStored]);
export type CreateUploadResponse = z.infer<typeof CreateUploadResponse>;

export const CompleteUploadRequest = z.strictObject({ digest: Sha256Hex });
export type CompleteUploadRequest = z.infer<typeof CompleteUploadRequest>;

export const AuditCheckpointStored = z.strictObject({
  status: z.literal('stored'),
  kioskId: KioskId,
  seq: z.number().int().positive(),
  headHash: Sha256Hex,
  receivedAt: IsoTime,
});
export type AuditCheckpointStored = z.infer<typeof AuditCheckpointStored>;

/** The query of GET /v1/updates/latest: the kiosk's Debian architecture (a package for "all" fits any). */
export const UpdateLatestQuery = z.strictObject({
  architecture: DebianArchitecture,
});

/** The query of PUT /v1/uploads/:uploadId: the offset the chunk starts at. */
export const UploadChunkQuery = z.strictObject({
  offset: z.string().regex(/^(0|[1-9][0-9]{0,14})$/, 'offset is a whole number of bytes').transform(Number),
});
