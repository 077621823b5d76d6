// Every device family the kiosk can drive, by the role it fills. The kiosk opens, simulates
// and validates devices through this list alone, so a new kind of reader is one more entry
// here and one more folder in native/, never another branch in a service.

import type { z } from 'zod';
import type { DeviceRole, FamilyContext } from '../../native/device-family.js';
import { chipReaderFamily } from '../../native/emrtd/chip-reader-family.js';
import { cnidReaderFamily } from '../../native/idreader/cnid/cnid-reader-family.js';
import type { DocumentReader } from '../../native/idreader/document-reader.js';
import { mrzReaderFamily } from '../../native/idreader/mrz-reader/mrz-reader-family.js';
import { r30xFamily } from '../../native/fingerprint/r30x-family.js';
import type { DocumentReaderConfig } from './device-config.js';

export const DOCUMENT_READER_FAMILIES = [mrzReaderFamily, cnidReaderFamily] as const;
export const FINGERPRINT_FAMILIES = [r30xFamily] as const;
export const CHIP_READER_FAMILIES = [chipReaderFamily] as const;

export type DocumentReaderFamily = (typeof DOCUMENT_READER_FAMILIES)[number];
export type DocumentReaderKind = DocumentReaderFamily['kind'];

/** What validating a role's settings needs of a family. */
export interface FamilyDescription {
  readonly kind: string;
  readonly role: DeviceRole;
  readonly title: string;
  readonly config: z.ZodType;
}

/** Every family, each with the role it fills. */
export const FAMILIES: readonly FamilyDescription[] = [...DOCUMENT_READER_FAMILIES, ...FINGERPRINT_FAMILIES, ...CHIP_READER_FAMILIES];

/** The family of `role` whose settings carry `kind`; undefined when there is none. */
export function familyOf(role: DeviceRole, kind: unknown): FamilyDescription | undefined {
  return FAMILIES.find((family) => family.role === role && family.kind === kind);
}

/** The family whose settings carry `kind`. */
export function documentReaderFamily(kind: DocumentReaderKind): DocumentReaderFamily {
  return DOCUMENT_READER_FAMILIES.find((family) => family.kind === kind)!;
}

/** Opens the reader `config` describes with its own family. */
export function openDocumentReader(config: DocumentReaderConfig, context: FamilyContext): DocumentReader {
  // TypeScript cannot pair a union's member with its family's parameter; the kind does.
  const family = documentReaderFamily(config.kind) as { open(config: DocumentReaderConfig, context: FamilyContext): DocumentReader };
  return family.open(config, context);
}
