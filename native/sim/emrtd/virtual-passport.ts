// Personalisation of a virtual passport chip: what an issuer writes onto a chip, made from the
// test PKI at test time — the data groups of a test passport (DG1 from the MRZ, DG2 with the
// portrait, DG11, DG12, DG14 with the Chip Authentication key or DG15 with the Active
// Authentication key), EF.SOD signed by the scenario's Document Signer, EF.CardAccess offering
// PACE, and the chip's secrets: the MRZ fields BAC and PACE take, the CAN, the private keys.
// The keys are made once per process, like the test PKI's.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { MrzAccessFields } from '../../emrtd/bac.js';
import { secureRandom, type SmCipher } from '../../emrtd/chip-crypto.js';
import { ecDomain, randomScalar, type CurveName } from '../../emrtd/ec-curves.js';
import { EF_CARD_ACCESS, ldsFileByFid } from '../../emrtd/lds/lds-files.js';
import {
  chipAuthenticationProtocolOid, encodeSecurityInfos, paceInfo, paceProtocolOid, type SecurityInfo,
} from '../../emrtd/security-infos.js';
import { parseMrz } from '../../idreader/mrz/index.js';
import { activeAuthenticationPublicKeyInfo, type ActiveAuthenticationKey } from './active-authentication-chip.js';
import { chipAuthenticationSecurityInfos, type ChipAuthenticationKey } from './chip-authentication-chip.js';
import type { ChipFile } from './chip-file-system.js';
import { buildScenarioPassport, type PassportScenario, type TestPassport } from './test-passport.js';
import type { TestDocumentSignerName, TestPki } from './test-pki.js';
import type { TestPortrait } from './test-portrait.js';

export interface VirtualPassportOptions {
  readonly pki: TestPki;
  /** The time the passport is issued around (DG12's date of issue); the PKI's time by default. */
  readonly now?: Date;
  /** The printed MRZ lines; DG1 holds them and BAC and PACE keys come from them. */
  readonly mrz: readonly string[];
  /** Whose signature EF.SOD carries: the test passport scenarios. */
  readonly signing: PassportScenario;
  /** The Document Signer of a valid (or altered) passport; the P-256 one by default. */
  readonly signer?: TestDocumentSignerName;
  /** JPEG or JPEG 2000; the drawn portrait of test-portrait.ts by default. */
  readonly portrait?: TestPortrait;
  /** PACE's domain parameters and cipher (EF.CardAccess); null for a chip without PACE. */
  readonly pace: { readonly curve: CurveName; readonly cipher: SmCipher } | null;
  /** Chip Authentication (a key in DG14) or Active Authentication (a key in DG15). */
  readonly cloneCheck: 'chip-authentication' | 'active-authentication';
}

export interface VirtualPassport {
  readonly passport: TestPassport;
  readonly files: readonly ChipFile[];
  /** What the MRZ's BAC and PACE keys are made of. */
  readonly accessFields: MrzAccessFields;
  /** EF.CardAccess's PACEInfos; empty without PACE. */
  readonly cardAccess: readonly SecurityInfo[];
  readonly chipAuthenticationKeys?: readonly ChipAuthenticationKey[];
  readonly activeAuthenticationKey?: ActiveAuthenticationKey;
}

let chipAuthenticationKey: ChipAuthenticationKey | null = null;
let activeAuthenticationRsaKey: KeyObject | null = null;

/** The chip's Chip Authentication key pair: brainpoolP256r1 with AES-128 sessions, as German and many other passports have. */
function caKey(): ChipAuthenticationKey {
  const curve = ecDomain('brainpoolP256r1');
  chipAuthenticationKey ??= { curve, privateKey: randomScalar(curve, secureRandom), protocol: chipAuthenticationProtocolOid('ECDH', 'aes-128') };
  return chipAuthenticationKey;
}

/** The chip's Active Authentication key: RSA 1024 with SHA-1, the most common AA key in passports. */
function aaKey(): ActiveAuthenticationKey {
  activeAuthenticationRsaKey ??= generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  return { kind: 'rsa', privateKey: activeAuthenticationRsaKey, hash: 'sha1' };
}

const yyyymmdd = (date: Date): string => date.toISOString().slice(0, 10).replace(/-/g, '');

export function personalisePassport(options: VirtualPassportOptions): VirtualPassport {
  const { pki, mrz, pace, cloneCheck } = options;
  const now = options.now ?? pki.now;
  const { fields } = parseMrz(mrz, { now });
  const accessFields = { documentNumber: fields.documentNumber, birthDate: fields.birthDate, expiryDate: fields.expiryDate };
  const cardAccess = pace ? [paceInfo(paceProtocolOid('ECDH', 'GM', pace.cipher), ecDomain(pace.curve).standardizedId)] : [];
  const chipAuthenticationKeys = cloneCheck === 'chip-authentication' ? [caKey()] : undefined;
  const activeAuthenticationKey = cloneCheck === 'active-authentication' ? aaKey() : undefined;
  const passport = buildScenarioPassport(pki, options.signing, {
    mrz,
    ...(options.signer ? { signer: options.signer } : {}),
    ...(options.portrait ? { portrait: options.portrait } : {}),
    dg11: [
      { name: 'fullName', value: `${fields.surname.replace(/ /g, '<')}<<${fields.givenNames.replace(/ /g, '<')}` },
      { name: 'placeOfBirth', value: 'UTOPIA CITY' },
    ],
    dg12: [
      { name: 'issuingAuthority', value: 'UTOPIA PASSPORT OFFICE' },
      { name: 'dateOfIssue', value: yyyymmdd(new Date(now.getTime() - 365 * 86_400_000)) },
    ],
    ...(chipAuthenticationKeys ? { dg14: encodeSecurityInfos(chipAuthenticationKeys.flatMap((key) => chipAuthenticationSecurityInfos(key))) } : {}),
    ...(activeAuthenticationKey ? { dg15: activeAuthenticationPublicKeyInfo(activeAuthenticationKey) } : {}),
    ...(pace ? { cardAccess: encodeSecurityInfos(cardAccess) } : {}),
  });
  const files = [...passport.files].map(([fileId, content]): ChipFile => {
    const inMasterFile = fileId === EF_CARD_ACCESS.fid;
    return {
      fileId,
      shortFileId: ldsFileByFid(fileId)!.sfi,
      content,
      ...(inMasterFile ? { location: 'master-file' as const, requires: 'none' as const } : {}),
    };
  });
  return {
    passport, files, accessFields, cardAccess,
    ...(chipAuthenticationKeys ? { chipAuthenticationKeys } : {}),
    ...(activeAuthenticationKey ? { activeAuthenticationKey } : {}),
  };
}
