// What reading a document's chip gives the kiosk, in one normalised shape: how access was
// gained, the files exactly as read (they go into the sealed record, so an authority can
// re-check Passive Authentication itself), DG1's MRZ, the portrait, and the verdicts of
// Passive, Chip and Active Authentication. The reader (chip-reader.ts) fills it; the kiosk
// and `gatehouse chip read` consume it and never talk APDUs themselves.

import type { MrzAccessFields } from './bac.js';
import type { Dg1 } from './lds/dg1.js';
import type { PassiveAuthenticationResult } from './passive-authentication.js';

/** The secret that opens the chip: the MRZ's document number, birth and expiry dates, or the card access number printed on the card. */
export type ChipAccessKey =
  | ({ readonly kind: 'mrz' } & MrzAccessFields)
  | { readonly kind: 'can'; readonly can: string };

export interface ChipAccess {
  readonly protocol: 'PACE' | 'BAC';
  readonly password: 'mrz' | 'can';
  /** For the technician: the PACE protocol and curve ("id-PACE-ECDH-GM-AES-CBC-CMAC-128, brainpoolP256r1") or "BAC (3DES)". */
  readonly detail: string;
}

/** The elementary files the reader reads, by their LDS names. */
export type ChipFileName = 'EF.CardAccess' | 'EF.COM' | 'EF.SOD' | `DG${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16}`;

export interface ChipFile {
  readonly name: ChipFileName;
  /** The file exactly as read, outer tag and all. */
  readonly bytes: Uint8Array;
}

export type PortraitFormat = 'jpeg' | 'jpeg2000';

export interface ChipPortrait {
  /** As encoded on the chip (DG2's ISO 19794-5 image). */
  readonly format: PortraitFormat;
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * Chip Authentication (DG14) or Active Authentication (DG15): whether the chip proved it is not a
 * clone. Not performed: not-offered (no DG14 key or no DG15), unsupported (a key or protocol
 * Gatehouse cannot use), not-needed (Active Authentication when Chip Authentication was performed).
 */
export type CloneCheckOutcome =
  | { readonly performed: false; readonly reason: 'not-offered' | 'unsupported' | 'not-needed'; readonly detail: string }
  | { readonly performed: true; readonly verified: boolean; readonly protocol: string; readonly failure?: string };

/** What the reader is doing, for a progress bar: `fraction` runs 0 → 1 over the whole read. */
export interface ChipReadProgress {
  readonly stage: 'access-control' | 'reading' | 'authenticating' | 'verifying';
  /** While reading: the file and how far into it. */
  readonly file?: ChipFileName;
  readonly bytesRead?: number;
  readonly total?: number;
  readonly fraction: number;
}

export interface ChipReading {
  readonly access: ChipAccess;
  /** Every file read, in reading order. */
  readonly files: readonly ChipFile[];
  readonly dg1: Dg1;
  /** DG2's first face image; absent only when DG2 has none (a broken chip). */
  readonly portrait: ChipPortrait | null;
  readonly passiveAuthentication: PassiveAuthenticationResult;
  readonly chipAuthentication: CloneCheckOutcome;
  readonly activeAuthentication: CloneCheckOutcome;
  /** Milliseconds from the first APDU to the verdict. */
  readonly durationMs: number;
}
