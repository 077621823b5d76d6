// The one storage interface of the authority, implemented for SQLite (the default) and for
// PostgreSQL; the service above it never knows which. Every method that changes several rows
// does so in one transaction, and permanent dedup lives in the schema (record ids unique per kiosk:
// a record is known by its kiosk and its record id together, so one kiosk never sees another's).
import type { Receipt } from '../../protocol/receipt.js';
import type { ProcessingState } from '../../protocol/record-status.js';
import type { UpdateManifest } from '../../protocol/update-manifest.js';
import type { EnvelopeRows } from '../envelopes/envelope-rows.js';

export interface KioskRow {
  id: string;
  /** Four capital letters or digits, unique and permanent: the first part of the kiosk's enrollment numbers. */
  code: string;
  name: string;
  signingPublicKey: string;
  sealingPublicKey: string;
  registeredAt: string;
  revokedAt: string | null;
}

/** A kiosk about to be registered: the store gives it the next code. */
export type NewKiosk = Omit<KioskRow, 'code'>;

export interface RecordRow {
  recordId: string;
  kioskId: string;
  digest: string;
  size: number;
  kind: string;
  createdAt: string;
  receivedAt: string;
  /** The enrollment number from the envelope header, unique at this authority; null for records without one. */
  number: string | null;
  /** The receipt signed when the record was first stored, returned for every later duplicate. */
  receipt: Receipt;
}

export interface UploadRow {
  uploadId: string;
  recordId: string;
  kioskId: string;
  size: number;
  digest: string;
  /** Bytes committed so far. */
  offset: number;
  createdAt: string;
  updatedAt: string;
}

export interface CheckpointRow {
  kioskId: string;
  seq: number;
  headHash: string;
  at: string;
  signature: string;
  receivedAt: string;
}

/** One entry of the log of what became of a record; `seq` only grows, across all records. */
export interface StatusChangeRow {
  seq: number;
  recordId: string;
  kioskId: string;
  /** The record's enrollment number (from the record), null when it has none. */
  number: string | null;
  state: ProcessingState;
  reason: string | null;
  at: string;
}

export type NewStatusChange = Pick<StatusChangeRow, 'recordId' | 'kioskId' | 'state' | 'reason' | 'at'>;

export type PublishedKind = 'station-config' | 'operators';

export interface PublishedDocument {
  kind: PublishedKind;
  version: number;
  /** The signed document exactly as served. */
  document: unknown;
  publishedAt: string;
}

/** A package on the update channel; its file is updates/<sha256>.deb in the data directory. */
export interface PublishedUpdateRow {
  sha256: string;
  version: string;
  architecture: string;
  size: number;
  minimumVersion: string;
  publishedAt: string;
  expiresAt: string;
  /** The manifest signed with the update key, exactly as served. */
  manifest: UpdateManifest;
}

/** Added; the same package again with a fresh manifest; or refused: another package has its version and architecture. */
export type UpdateStored = 'added' | 'renewed' | 'version-taken';

export type AuthorityKeyPurpose = 'signing' | 'sealing' | 'update';

/** One of the authority's key pairs, its private key as its custody protected it. */
export interface AuthorityKeyRow {
  keyId: string;
  generation: number;
  purpose: AuthorityKeyPurpose;
  /** base64url of the raw public key. */
  publicKey: string;
  /** Which custody protected the private key (e.g. "kek"). */
  custody: string;
  protectedPrivateKey: string;
  createdAt: string;
  /** When this generation takes over signing and sealing. */
  activeFrom: string;
}

export interface TokenRow {
  hash: string;
  createdAt: string;
  expiresAt: string;
}

export type Registration = 'registered' | 'token-unknown' | 'token-used' | 'token-expired' | 'key-taken' | 'codes-exhausted';

/** The row now held under a unique key, and whether this call is what put it there. */
export interface Stored<Row> {
  row: Row;
  created: boolean;
}

export interface StoreCounts {
  records: number;
  kiosks: number;
  revokedKiosks: number;
  openUploads: number;
  checkpoints: number;
}

export interface AuthorityRepository {
  close(): Promise<void>;

  addToken(token: TokenRow): Promise<void>;
  /** Consumes the token and adds the kiosk with the next kiosk code in one transaction; changes nothing unless registered. */
  registerKiosk(tokenHash: string, now: string, kiosk: NewKiosk): Promise<Registration>;
  findKiosk(id: string): Promise<KioskRow | undefined>;
  listKiosks(): Promise<KioskRow[]>;
  /** Marks the kiosk revoked (first revocation time wins); false when there is no such kiosk. */
  revokeKiosk(id: string, at: string): Promise<boolean>;

  /** Records a request nonce; false when this key already used it. */
  rememberNonce(keyId: string, nonce: string, created: number): Promise<boolean>;
  /**
   * Drops the nonces created before `before` (a bucket boundary, nonce-window.ts) unless a sweep up
   * to there is done or running already, here or in another replica: how many, or null.
   */
  sweepNonces(before: number): Promise<number | null>;

  /**
   * Stores the record and logs it `received` at its receivedAt, unless its kiosk already holds its
   * id: returns whichever row now holds (kiosk, id); 'number-taken' (storing nothing) when another
   * record holds its number. Its envelope is already in the envelope store (envelopes/), under its digest.
   */
  storeRecord(row: RecordRow): Promise<Stored<RecordRow> | 'number-taken'>;
  findRecord(kioskId: string, recordId: string): Promise<RecordRow | undefined>;
  findRecordByNumber(number: string): Promise<RecordRow | undefined>;
  listRecords(): Promise<RecordRow[]>;

  /** The log of one record, oldest first. */
  statusHistory(kioskId: string, recordId: string): Promise<StatusChangeRow[]>;
  /** The latest change of every record (its current state). */
  latestStatusChanges(): Promise<StatusChangeRow[]>;
  /** The changes of this kiosk's records with seq above `after`, oldest first, at most `limit`. */
  statusChangesForKiosk(kioskId: string, after: number, limit: number): Promise<StatusChangeRow[]>;
  /**
   * Logs a change unless the record's latest change is no longer `expectedLatestSeq` (someone
   * decided in between): the new row, or undefined. A change is visible to readers only once every
   * change with a lower seq is, so a kiosk that pages by seq never skips one.
   */
  appendStatusChange(change: NewStatusChange, expectedLatestSeq: number): Promise<StatusChangeRow | undefined>;

  /**
   * Adds the upload, replacing (with its chunks) any open upload of the same kiosk for the same
   * record id; 'limit' (changing nothing) when the kiosk already has `maxOpen` other uploads open.
   */
  openUpload(row: UploadRow, maxOpen: number): Promise<'opened' | 'limit'>;
  findUpload(uploadId: string): Promise<UploadRow | undefined>;
  findUploadForRecord(kioskId: string, recordId: string): Promise<UploadRow | undefined>;
  /** Appends a chunk at `offset` if that is still the committed offset; undefined when it is not. */
  appendChunk(uploadId: string, offset: number, bytes: Uint8Array, at: string): Promise<UploadRow | undefined>;
  /** The chunk committed at `start` (chunks are contiguous); read one at a time, never the whole upload at once. */
  readUploadChunk(uploadId: string, start: number): Promise<Uint8Array | undefined>;
  deleteUpload(uploadId: string): Promise<void>;
  /** Deletes, with their chunks, the uploads with no chunk since `before`; how many. */
  deleteUploadsIdleSince(before: string): Promise<number>;

  /** Stores the checkpoint unless its (kiosk, seq) is taken; returns whichever row now holds it. */
  storeCheckpoint(row: CheckpointRow): Promise<Stored<CheckpointRow>>;
  listCheckpoints(kioskId: string): Promise<CheckpointRow[]>;

  /** Adds a version; false when that version of the kind already exists. */
  publish(document: PublishedDocument): Promise<boolean>;
  latestPublished(kind: PublishedKind): Promise<PublishedDocument | undefined>;

  /** Adds an update package, or replaces the manifest of the same package (same sha256), in one transaction. */
  storeUpdate(row: PublishedUpdateRow): Promise<UpdateStored>;
  findUpdate(sha256: string): Promise<PublishedUpdateRow | undefined>;
  /** Every published package, in no particular order (Debian versions do not sort in SQL). */
  listUpdates(): Promise<PublishedUpdateRow[]>;

  /** Adds one generation's keys in one transaction; false (adding none) when that generation exists already. */
  addAuthorityKeys(rows: readonly AuthorityKeyRow[]): Promise<boolean>;
  /** Every key the authority holds, oldest generation first. */
  listAuthorityKeys(): Promise<AuthorityKeyRow[]>;

  counts(): Promise<StoreCounts>;

  /** The SQL of the envelope stores on this database (migration 6), on the repository's own connection. */
  envelopeRows(): EnvelopeRows;
}
