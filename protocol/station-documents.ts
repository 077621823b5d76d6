// The documents the authority publishes to every kiosk: the station configuration and the
// operator list, each versioned (a kiosk keeps the highest version it verified) and signed.
import { z } from 'zod';
import { authorityDocumentKind } from './signed-json.js';
import { IsoTime, KeyId, SignatureText } from './wire-fields.js';

const Version = z.number().int().positive();

export const StationConfig = z.strictObject({
  version: Version,
  issuedAt: IsoTime,
  authorityKeyId: KeyId,
  /** Station settings by name; the kiosk validates the ones it knows. */
  settings: z.record(z.string().min(1).max(100), z.json()),
  signature: SignatureText,
});
export type StationConfig = z.infer<typeof StationConfig>;

export const OperatorEntry = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(['officer', 'supervisor', 'technician']),
  active: z.boolean(),
});

export const OperatorList = z.strictObject({
  version: Version,
  issuedAt: IsoTime,
  authorityKeyId: KeyId,
  operators: z.array(OperatorEntry).max(10_000),
  signature: SignatureText,
});
export type OperatorList = z.infer<typeof OperatorList>;

export const stationConfigDocument = authorityDocumentKind('gatehouse station-config v1', StationConfig);
export const operatorListDocument = authorityDocumentKind('gatehouse operator-list v1', OperatorList);
