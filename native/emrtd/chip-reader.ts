// Reading a document's chip into one ChipReading (chip-reading.ts): the kiosk's and `gatehouse
// chip read`'s only way in. Over any APDU transport (PC/SC, the virtual chip, a replayed trace):
//   EF.CardAccess (plain) → PACE or BAC (chip-access.ts) → EF.COM → DG14 and at once Chip
//   Authentication → DG1, DG2, DG11, DG12, DG15 as EF.COM lists them → EF.SOD → Active
//   Authentication when Chip Authentication was not performed → Passive Authentication.
// Chip Authentication comes right after DG14, before the other data groups (9303-11's inspection
// procedure leaves the order to the reader), so the portrait and the rest travel under keys only
// the genuine chip holds. DG3 and
// DG4 (fingerprints, iris) need Extended Access Control and are not read; an optional file the
// chip refuses (6982) or lacks is skipped, a mandatory one (EF.COM, DG1, DG2, EF.SOD) fails the
// read. Should the chip drop secure messaging on the way (a plain 6982, a failed Chip
// Authentication), access control is run again and reading goes on. `signal` is honoured
// between APDUs: an aborted read fails with CHIP_READ_CANCELLED.

import { DeviceError } from '../device-error.js';
import type { MrzFormat, MrzSex } from '../idreader/mrz/index.js';
import type { ApduTransport } from '../transport/apdu-transport.js';
import { performActiveAuthentication, type ActiveAuthenticationResult } from './active-authentication.js';
import { cardAccessInfos, openChip, readCardAccess } from './chip-access.js';
import { performChipAuthentication } from './chip-authentication.js';
import { SecureChannel } from './chip-channel.js';
import type { RandomSource } from './chip-crypto.js';
import { ChipReadMeter } from './chip-read-progress.js';
import type {
  ChipAccess, ChipAccessKey, ChipFile, ChipPortrait, ChipReading, ChipReadProgress, CloneCheckOutcome, PortraitFormat,
} from './chip-reading.js';
import type { CscaTrustStore } from './csca-trust.js';
import { EmrtdSession } from './emrtd-session.js';
import { decodeDg1 } from './lds/dg1.js';
import { decodeDg2 } from './lds/dg2.js';
import { decodeEfCom } from './lds/ef-com.js';
import { dataGroupFile, EF_COM, EF_SOD, type DataGroupNumber, type LdsFile } from './lds/lds-files.js';
import { passiveAuthentication, type PassiveAuthenticationResult } from './passive-authentication.js';
import type { SecureMessaging } from './secure-messaging.js';
import { parseSecurityInfos, type SecurityInfo } from './security-infos.js';

export interface ReadChipOptions {
  /** The CSCAs Passive Authentication anchors in. */
  readonly trustStore: CscaTrustStore;
  /** The time of the checks (certificate validity, DG1's expiry); the clock by default. */
  readonly now?: () => Date;
  readonly onProgress?: (progress: ChipReadProgress) => void;
  /** Aborting stops the read before its next APDU (CHIP_READ_CANCELLED). */
  readonly signal?: AbortSignal;
  /** The reader and the chip take extended-length APDUs: files come in 4 KB chunks instead of 223–256 bytes. */
  readonly extendedLength?: boolean;
  /** The reader's randomness (PACE and CA keys, BAC and AA challenges); tests and trace replays fix it. */
  readonly random?: RandomSource;
}

/** Optional data groups read when EF.COM lists them, after DG1 and DG2. */
const OPTIONAL_GROUPS: readonly DataGroupNumber[] = [11, 12, 15];
/** What a chip answers for a file it will not give us: we go on without it. */
const SKIPPED_FILE = new Set(['CHIP_SECURITY_STATUS_NOT_SATISFIED', 'CHIP_FILE_NOT_FOUND']);
/** What an unreadable DG14 or DG15 key throws: the clone check is then unsupported, the read goes on. */
const UNUSABLE_KEY = new Set(['ASN1_MALFORMED', 'CHIP_TLV_MALFORMED', 'CHIP_DOMAIN_PARAMETERS_UNSUPPORTED', 'CHIP_EC_POINT_INVALID', 'CHIP_SECURITY_INFOS_MALFORMED']);

function cancellable(transport: ApduTransport, signal: AbortSignal | undefined): ApduTransport {
  if (!signal) return transport;
  return {
    description: transport.description,
    transmit(command) {
      if (signal.aborted) {
        return Promise.reject(new DeviceError('CHIP_READ_CANCELLED',
          `The chip read on ${transport.description} was cancelled before it finished; nothing of it was kept.`));
      }
      return transport.transmit(command);
    },
  };
}

/** The secure messaging session of the read, opened again should the chip drop it. */
class ChipLink {
  readonly #transport: ApduTransport;
  readonly #cardAccess: readonly SecurityInfo[];
  readonly #key: ChipAccessKey;
  readonly #options: ReadChipOptions;
  #secureMessaging: SecureMessaging;
  #session: EmrtdSession;

  constructor(transport: ApduTransport, cardAccess: readonly SecurityInfo[], key: ChipAccessKey, options: ReadChipOptions, secureMessaging: SecureMessaging) {
    this.#transport = transport;
    this.#cardAccess = cardAccess;
    this.#key = key;
    this.#options = options;
    this.#secureMessaging = secureMessaging;
    this.#session = this.#sessionFor(secureMessaging);
  }

  get transport(): ApduTransport {
    return this.#transport;
  }

  /** The open session, after access control again if the chip ended the last one. */
  async secureMessaging(): Promise<SecureMessaging> {
    if (!this.#secureMessaging.isOpen) {
      const random = this.#options.random;
      this.use((await openChip(this.#transport, this.#cardAccess, this.#key, random ? { random } : {})).secureMessaging);
    }
    return this.#secureMessaging;
  }

  async files(): Promise<EmrtdSession> {
    await this.secureMessaging();
    return this.#session;
  }

  /** Continues under `secureMessaging` (Chip Authentication's new keys). */
  use(secureMessaging: SecureMessaging): void {
    if (secureMessaging === this.#secureMessaging) return;
    this.#secureMessaging = secureMessaging;
    this.#session = this.#sessionFor(secureMessaging);
  }

  #sessionFor(secureMessaging: SecureMessaging): EmrtdSession {
    return new EmrtdSession(new SecureChannel(this.#transport, secureMessaging), { extendedLength: this.#options.extendedLength ?? false });
  }
}

/** Chip Authentication with DG14's key: its outcome and the session to go on with. */
async function chipAuthentication(link: ChipLink, dg14: Uint8Array, random: RandomSource | undefined): Promise<CloneCheckOutcome> {
  let infos: SecurityInfo[];
  try {
    infos = parseSecurityInfos(dg14);
  } catch (error) {
    if (error instanceof DeviceError) return { performed: false, reason: 'unsupported', detail: error.message };
    throw error;
  }
  const result = await performChipAuthentication(link.transport, await link.secureMessaging(), infos, random ? { random } : {});
  if (!result.performed) return { performed: false, reason: result.reason, detail: result.detail };
  link.use(result.session);
  return {
    performed: true, verified: result.verified, protocol: `${result.suite.name}, ${result.curve}`,
    ...(result.failure ? { failure: result.failure } : {}),
  };
}

function activeAuthenticationOutcome(result: ActiveAuthenticationResult): CloneCheckOutcome {
  if (!result.performed) return { performed: false, reason: result.reason, detail: result.detail };
  const protocol = result.algorithm === 'rsa-iso9796-2' ? 'RSA, ISO/IEC 9796-2 scheme 1' : 'ECDSA';
  return {
    performed: true, verified: result.verified, protocol: result.hash ? `${protocol} with ${result.hash.toUpperCase()}` : protocol,
    ...(result.failure ? { failure: result.failure } : {}),
  };
}

/** Active Authentication with DG15's key (and DG14's ActiveAuthenticationInfo for ECDSA). */
async function activeAuthentication(link: ChipLink, dg15: Uint8Array | undefined, dg14: Uint8Array | undefined, random: RandomSource | undefined): Promise<CloneCheckOutcome> {
  if (!dg15) return { performed: false, reason: 'not-offered', detail: 'The chip has neither a Chip Authentication key (DG14) nor an Active Authentication key (DG15).' };
  try {
    const infos = dg14 ? parseSecurityInfos(dg14) : [];
    const channel = new SecureChannel(link.transport, await link.secureMessaging());
    return activeAuthenticationOutcome(await performActiveAuthentication(channel, dg15, infos, random ? { random } : {}));
  } catch (error) {
    if (error instanceof DeviceError && UNUSABLE_KEY.has(error.code)) return { performed: false, reason: 'unsupported', detail: error.message };
    throw error;
  }
}

const PORTRAIT_FORMATS: Readonly<Record<'jpeg' | 'jp2' | 'j2k', PortraitFormat>> = { jpeg: 'jpeg', jp2: 'jpeg2000', j2k: 'jpeg2000' };

/** DG2's first face image, or null when DG2 holds none the kiosk can show (Passive Authentication still covers DG2). */
function portraitOf(dg2: Uint8Array): ChipPortrait | null {
  try {
    const { portrait } = decodeDg2(dg2);
    return { format: PORTRAIT_FORMATS[portrait.format], bytes: portrait.image, width: portrait.width, height: portrait.height };
  } catch (error) {
    if (error instanceof DeviceError && error.code.startsWith('LDS_')) return null;
    throw error;
  }
}

export async function readChip(transport: ApduTransport, key: ChipAccessKey, options: ReadChipOptions): Promise<ChipReading> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const { random } = options;
  const meter = new ChipReadMeter(options.onProgress);
  const chip = cancellable(transport, options.signal);
  const files: ChipFile[] = [];
  const groups = new Map<DataGroupNumber, Uint8Array>();

  meter.accessControl(false);
  const cardAccessBytes = await readCardAccess(chip);
  if (cardAccessBytes) files.push({ name: 'EF.CardAccess', bytes: cardAccessBytes });
  const cardAccess = cardAccessInfos(cardAccessBytes);
  const opened = await openChip(chip, cardAccess, key, random ? { random } : {});
  const access: ChipAccess = opened.access;
  const link = new ChipLink(chip, cardAccess, key, options, opened.secureMessaging);
  meter.accessControl(true);

  const read = async (file: LdsFile): Promise<Uint8Array> => {
    const bytes = await (await link.files()).readFile({ fileId: file.fid }, {
      onProgress: ({ bytesRead, total }) => meter.reading(file.name, bytesRead, total),
    });
    files.push({ name: file.name, bytes });
    if (file.dataGroup) groups.set(file.dataGroup, bytes);
    return bytes;
  };
  const readOptional = async (file: LdsFile): Promise<Uint8Array | undefined> => {
    try {
      return await read(file);
    } catch (error) {
      if (!(error instanceof DeviceError) || !SKIPPED_FILE.has(error.code)) throw error;
      meter.reading(file.name, 0, 0);
      return undefined;
    }
  };

  const listed = new Set(decodeEfCom(await read(EF_COM)).dataGroups);
  const optional = OPTIONAL_GROUPS.filter((n) => listed.has(n)).map(dataGroupFile);
  const dg14File = listed.has(14) ? dataGroupFile(14) : undefined;
  meter.plan([...(dg14File ? [dg14File] : []), dataGroupFile(1), dataGroupFile(2), ...optional, EF_SOD].map((file) => file.name));

  const dg14 = dg14File && await readOptional(dg14File);
  let chipAuthenticationOutcome: CloneCheckOutcome = {
    performed: false, reason: 'not-offered', detail: 'The chip has no DG14 (Chip Authentication public key).',
  };
  if (dg14) {
    meter.authenticating();
    chipAuthenticationOutcome = await chipAuthentication(link, dg14, random);
  }
  const dg1 = await read(dataGroupFile(1));
  const dg2 = await read(dataGroupFile(2));
  for (const file of optional) await readOptional(file);
  const sod = await read(EF_SOD);

  meter.authenticating();
  const activeAuthenticationOutcome: CloneCheckOutcome = chipAuthenticationOutcome.performed
    ? { performed: false, reason: 'not-needed', detail: 'Chip Authentication was performed instead.' }
    : await activeAuthentication(link, groups.get(15), dg14, random);

  meter.verifying();
  const at = now();
  const reading: ChipReading = {
    access,
    files,
    dg1: decodeDg1(dg1, { now: at }),
    portrait: portraitOf(dg2),
    passiveAuthentication: passiveAuthentication({ sod, dataGroups: groups, trustStore: options.trustStore, at }),
    chipAuthentication: chipAuthenticationOutcome,
    activeAuthentication: activeAuthenticationOutcome,
    durationMs: Math.round(performance.now() - started),
  };
  meter.done();
  return reading;
}

/** A chip reading as plain JSON for people and logs (`gatehouse chip read --json`): sizes instead of bytes. */
export interface ChipReadingSummary {
  readonly access: ChipAccess;
  readonly files: readonly { readonly name: ChipFile['name']; readonly bytes: number }[];
  readonly dg1: {
    readonly format: MrzFormat;
    readonly lines: readonly string[];
    /** Every check digit of the chip's MRZ holds. */
    readonly checkDigitsValid: boolean;
    readonly documentCode: string;
    readonly issuingState: string;
    readonly documentNumber: string;
    readonly surname: string;
    readonly givenNames: string;
    readonly nationality: string;
    /** YYYY-MM-DD, or YYMMDD as printed when it is no calendar date. */
    readonly birthDate: string;
    readonly sex: MrzSex | null;
    readonly expiryDate: string;
  };
  readonly portrait: { readonly format: PortraitFormat; readonly width: number; readonly height: number; readonly bytes: number } | null;
  /** As Passive Authentication reports it: status, the CSCA's country and subject or the reason, and each check. */
  readonly passiveAuthentication: PassiveAuthenticationResult;
  readonly chipAuthentication: CloneCheckOutcome;
  readonly activeAuthentication: CloneCheckOutcome;
  readonly durationMs: number;
}

export function describeChipReading(reading: ChipReading): ChipReadingSummary {
  const { format, valid, fields } = reading.dg1.parsed;
  const { portrait } = reading;
  return {
    access: reading.access,
    files: reading.files.map(({ name, bytes }) => ({ name, bytes: bytes.length })),
    dg1: {
      format,
      lines: reading.dg1.lines,
      checkDigitsValid: valid,
      documentCode: fields.documentCode,
      issuingState: fields.issuingState,
      documentNumber: fields.documentNumber,
      surname: fields.surname,
      givenNames: fields.givenNames,
      nationality: fields.nationality,
      birthDate: fields.birthDateIso ?? fields.birthDate,
      sex: fields.sex,
      expiryDate: fields.expiryDateIso ?? fields.expiryDate,
    },
    portrait: portrait && { format: portrait.format, width: portrait.width, height: portrait.height, bytes: portrait.bytes.length },
    passiveAuthentication: reading.passiveAuthentication,
    chipAuthentication: reading.chipAuthentication,
    activeAuthentication: reading.activeAuthentication,
    durationMs: reading.durationMs,
  };
}
