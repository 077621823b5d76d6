// How the authority announces its next keys: the station-configuration setting
// `authorityNextKeys`, signed like every setting with the current key. A kiosk that knows it
// accepts documents and receipts signed with either key until the next keys take over, and
// from then seals to the next sealing key. Old kiosks ignore a setting they do not know.
import { z } from 'zod';
import { IsoTime, KeyId, PublicKeyText } from './wire-fields.js';

export const NEXT_KEYS_SETTING = 'authorityNextKeys';

export const AuthorityNextKeys = z.strictObject({
  signingKeyId: KeyId,
  signingPublicKey: PublicKeyText,
  sealingKeyId: KeyId,
  sealingPublicKey: PublicKeyText,
  /** From this moment the authority signs with the next signing key and kiosks seal to the next sealing key. */
  takesOverAt: IsoTime,
});
export type AuthorityNextKeys = z.infer<typeof AuthorityNextKeys>;
