// Checking a scanned acknowledgement slip at the authority: the payload must parse, name a
// registered kiosk that is not revoked, carry that kiosk's signature, and name an enrollment
// number the authority holds from that kiosk with the very digest on the slip. Each way a slip
// can fail has its own code, so the person at the counter can say what is wrong with it.
import { nowIso, type Authority } from './authority.js';
import { decodePublicKey } from '../protocol/keys.js';
import type { ProcessingState } from '../protocol/record-status.js';
import { readSlip, verifySlip, type SlipFields, type SlipRefusal } from '../protocol/slip-payload.js';

export type SlipVerdictCode = SlipRefusal | 'SLIP_KIOSK_UNKNOWN' | 'SLIP_KIOSK_REVOKED' | 'SLIP_NUMBER_UNKNOWN' | 'SLIP_DIGEST_MISMATCH';

/** What a slip says, with the field names spelled out. */
export interface SlipClaims {
  number: string;
  digest: string;
  kioskId: string;
  sealedAt: string;
}

export type SlipVerdict =
  | ({ genuine: true; recordId: string; kioskCode: string; kioskName: string; state: ProcessingState; checkedAt: string } & SlipClaims)
  | { genuine: false; code: SlipVerdictCode; message: string; slip: SlipClaims | null; checkedAt: string };

const claimsOf = (fields: SlipFields): SlipClaims => ({ number: fields.n, digest: fields.d, kioskId: fields.k, sealedAt: fields.t });

export async function verifySlipAtAuthority(authority: Authority, payload: string): Promise<SlipVerdict> {
  const checkedAt = nowIso(authority);
  const read = readSlip(payload);
  if (!read.ok) return { genuine: false, code: read.code, message: read.message, slip: null, checkedAt };
  const slip = claimsOf(read.fields);
  const notGenuine = (code: SlipVerdictCode, message: string): SlipVerdict => ({ genuine: false, code, message, slip, checkedAt });

  const kiosk = await authority.repository.findKiosk(slip.kioskId);
  if (kiosk === undefined) return notGenuine('SLIP_KIOSK_UNKNOWN', `The slip names kiosk ${slip.kioskId}, which is not registered at this authority.`);
  if (kiosk.revokedAt !== null) {
    return notGenuine('SLIP_KIOSK_REVOKED', `The slip names kiosk ${kiosk.code} (${kiosk.name}), revoked at ${kiosk.revokedAt}; its slips are no longer taken as proof.`);
  }
  const verified = verifySlip(payload, decodePublicKey('ed25519', kiosk.signingPublicKey));
  if (!verified.ok) return notGenuine(verified.code, verified.message);

  const record = await authority.repository.findRecordByNumber(slip.number);
  if (record === undefined || record.kioskId !== kiosk.id) {
    return notGenuine('SLIP_NUMBER_UNKNOWN',
      `The authority holds no record with number ${slip.number} from kiosk ${kiosk.code}; if the enrollment was today, the kiosk may not have sent it yet.`);
  }
  if (record.digest !== slip.digest) {
    return notGenuine('SLIP_DIGEST_MISMATCH', `The record held under ${slip.number} has another digest than the slip: the slip is not for the record the authority holds.`);
  }
  const history = await authority.repository.statusHistory(record.kioskId, record.recordId);
  return { genuine: true, ...slip, recordId: record.recordId, kioskCode: kiosk.code, kioskName: kiosk.name, state: history.at(-1)!.state, checkedAt };
}
