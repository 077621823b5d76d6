// Opening a document's chip (ICAO 9303-11 §4: access control), as the chip reader does it:
// EF.CardAccess read in plain from the master file (a BAC-only chip has none); PACE with the
// MRZ or the CAN when the chip offers a suite Gatehouse speaks; otherwise, or when the chip
// refuses PACE itself (MSE:Set AT), BAC with the MRZ after selecting the eMRTD application.
// The reader's errors become the few a person at the kiosk can act on: CHIP_ACCESS_DENIED (the
// key is wrong), CHIP_NEEDS_CAN (the chip opens only with its card access number) and
// CHIP_NEEDS_MRZ (a CAN was typed for a chip that takes only the MRZ). Everything else —
// a chip that stops answering, a broken PACE exchange — keeps the protocol's own error.

import { DeviceError } from '../device-error.js';
import type { ApduTransport } from '../transport/apdu-transport.js';
import { bac } from './bac.js';
import { PlainChannel, SecureChannel } from './chip-channel.js';
import type { RandomSource } from './chip-crypto.js';
import type { ChipAccess, ChipAccessKey } from './chip-reading.js';
import { EmrtdSession } from './emrtd-session.js';
import { EF_CARD_ACCESS } from './lds/lds-files.js';
import { performPace, type PacePassword, type PaceResult } from './pace.js';
import type { SecureMessaging } from './secure-messaging.js';
import { parseSecurityInfos, type SecurityInfo } from './security-infos.js';

export interface OpenedChip {
  readonly access: ChipAccess;
  /** The session every later command travels under; the eMRTD application is selected. */
  readonly secureMessaging: SecureMessaging;
}

/** Errors that mean "this chip does not do PACE (that way)": the reader tries BAC instead. */
const PACE_NOT_AVAILABLE = new Set(['CHIP_PACE_NOT_OFFERED', 'CHIP_PACE_UNSUPPORTED', 'CHIP_PACE_REFUSED', 'CHIP_DOMAIN_PARAMETERS_UNSUPPORTED']);
/** How a chip says a file is not there for us: absent, protected, or a command it does not know. */
const FILE_NOT_AVAILABLE = new Set(['CHIP_FILE_NOT_FOUND', 'CHIP_SECURITY_STATUS_NOT_SATISFIED', 'CHIP_COMMAND_FAILED']);

/** EF.CardAccess as read, or null when the chip has none (a BAC-only passport). */
export async function readCardAccess(transport: ApduTransport): Promise<Uint8Array | null> {
  try {
    return await new EmrtdSession(new PlainChannel(transport)).readFile({ fileId: EF_CARD_ACCESS.fid });
  } catch (error) {
    if (error instanceof DeviceError && FILE_NOT_AVAILABLE.has(error.code)) return null;
    throw error;
  }
}

/** The SecurityInfos of EF.CardAccess; none when it is absent or unreadable (the reader then tries BAC). */
export function cardAccessInfos(cardAccess: Uint8Array | null): SecurityInfo[] {
  if (!cardAccess) return [];
  try {
    return parseSecurityInfos(cardAccess);
  } catch (error) {
    if (error instanceof DeviceError && error.code === 'CHIP_SECURITY_INFOS_MALFORMED') return [];
    throw error;
  }
}

function accessDenied(key: ChipAccessKey, protocol: ChipAccess['protocol'], cause: DeviceError): DeviceError {
  return new DeviceError('CHIP_ACCESS_DENIED', key.kind === 'mrz'
    ? 'The chip refused the key from the MRZ: check the document number, date of birth and date of expiry against the data page, then read the chip again.'
    : 'The chip refused the card access number: check the six digits printed on the card (CAN), then read the chip again.',
  { protocol, password: key.kind, cause: cause.code, sw: cause.details['sw'] });
}

function pacePassword(key: ChipAccessKey): PacePassword {
  if (key.kind === 'can') return { kind: 'can', can: key.can };
  const { documentNumber, birthDate, expiryDate } = key;
  return { kind: 'mrz', fields: { documentNumber, birthDate, expiryDate } };
}

/**
 * Access control with `key`: PACE when `cardAccess` offers it, BAC otherwise or when the chip
 * refuses PACE; then the eMRTD application is selected under the new session.
 */
export async function openChip(
  transport: ApduTransport, cardAccess: readonly SecurityInfo[], key: ChipAccessKey, { random }: { random?: RandomSource } = {},
): Promise<OpenedChip> {
  let paceRefused: DeviceError | null = null;
  if (cardAccess.some((info) => info.type === 'PACEInfo')) {
    let pace: PaceResult | null = null;
    try {
      pace = await performPace(transport, cardAccess, pacePassword(key), random ? { random } : {});
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      if (error.code === 'CHIP_PACE_PASSWORD_REJECTED') throw accessDenied(key, 'PACE', error);
      if (!PACE_NOT_AVAILABLE.has(error.code)) throw error;
      paceRefused = error;
    }
    if (pace) {
      await new EmrtdSession(new SecureChannel(transport, pace.session)).selectApplication();
      return { access: { protocol: 'PACE', password: key.kind, detail: `${pace.suite.name}, ${pace.curve}` }, secureMessaging: pace.session };
    }
  }
  if (key.kind === 'can') {
    throw new DeviceError('CHIP_NEEDS_MRZ',
      'This chip does not open with a card access number: read the document\'s MRZ (the two or three lines at the bottom of the data page) and read the chip again.',
      { pace: paceRefused ? paceRefused.code : 'not offered' });
  }
  await new EmrtdSession(new PlainChannel(transport)).selectApplication();
  try {
    const secureMessaging = await bac(transport, key, random ? { random } : {});
    return { access: { protocol: 'BAC', password: 'mrz', detail: 'BAC (3DES)' }, secureMessaging };
  } catch (error) {
    if (!(error instanceof DeviceError)) throw error;
    if (error.code === 'CHIP_BAC_DENIED') throw accessDenied(key, 'BAC', error);
    if (paceRefused && (error.code === 'CHIP_BAC_NOT_SUPPORTED' || error.code === 'CHIP_BAC_FAILED')) {
      throw new DeviceError('CHIP_NEEDS_CAN',
        'This card opens only with its card access number (CAN), the six digits printed on its front: type them in and read the chip again.',
        { pace: paceRefused.code, bac: error.code, ...paceRefused.details });
    }
    throw error;
  }
}
