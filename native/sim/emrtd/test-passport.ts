// The files of a test passport's chip — EF.COM, DG1 from MRZ lines, DG2 from a JPEG or JPEG
// 2000 portrait, optional DG11/DG12, DG14/DG15 bytes supplied by the caller, EF.SOD signed by
// a Document Signer of the test PKI — with the scenario knobs the chip simulator and the
// Passive Authentication tests need: valid, a data group altered after signing, a rogue DS,
// an expired DS or CSCA, a country the kiosk does not trust.

import { formatMrz } from '../../idreader/mrz/index.js';
import { encodeEfCom } from '../../emrtd/lds/ef-com.js';
import { encodeDg1 } from '../../emrtd/lds/dg1.js';
import { encodeDg2 } from '../../emrtd/lds/dg2.js';
import { encodeDg11, encodeDg12, type AdditionalDetailInput } from '../../emrtd/lds/additional-details.js';
import { encodeDg14, encodeDg15 } from '../../emrtd/lds/public-key-groups.js';
import { portraitFace } from '../../emrtd/lds/iso19794-5.js';
import { EF_CARD_ACCESS, EF_COM, EF_SOD, dataGroupFile, type DataGroupNumber } from '../../emrtd/lds/lds-files.js';
import { buildSod } from '../../emrtd/sod.js';
import type { HashName } from '../../emrtd/pki/algorithms.js';
import type { TestCertificate, TestDocumentSignerName, TestPki } from './test-pki.js';
import { testPortraitJpeg, type TestPortrait } from './test-portrait.js';

export interface TestPassportOptions {
  documentSigner: TestCertificate;
  /** MRZ lines (TD1, TD2 or TD3); defaults to the 9303 specimen Anna Eriksson, valid for five more years. */
  mrz?: readonly string[];
  /** Defaults to the drawn JPEG of test-portrait.ts. */
  portrait?: TestPortrait;
  dg11?: readonly AdditionalDetailInput[];
  dg12?: readonly AdditionalDetailInput[];
  /** SecurityInfos DER (a SET) for DG14, as security-infos.ts would write it. */
  dg14?: Uint8Array;
  /** The Active Authentication SubjectPublicKeyInfo DER for DG15. */
  dg15?: Uint8Array;
  /** EF.CardAccess bytes to place in the master file (PACE parameters); not covered by the SOD. */
  cardAccess?: Uint8Array;
  /** The data groups' hash in the SOD; SHA-256 unless given. */
  hash?: HashName;
  /** The SOD's signing-time attribute; a day into the DS's validity unless given, null for none. */
  signingTime?: Date | null;
  /** Data group whose bytes are changed after the SOD was signed (one byte). */
  alterAfterSigning?: DataGroupNumber;
  /** Reference time for the default MRZ's expiry; now unless given. */
  now?: Date;
}

export interface TestPassport {
  /** Every file by file identifier (EF.COM 011E, DG1 0101 …, EF.SOD 011D, EF.CardAccess 011C). */
  files: ReadonlyMap<number, Uint8Array>;
  /** The data groups by number, as the chip returns them (after any alteration). */
  dataGroups: ReadonlyMap<DataGroupNumber, Uint8Array>;
  com: Uint8Array;
  sod: Uint8Array;
  mrz: string[];
  documentSigner: TestCertificate;
}

const yymmdd = (date: Date): string => date.toISOString().slice(2, 10).replace(/-/g, '');

/** The 9303 specimen (Anna Maria Eriksson, L898902C3) with an expiry five years after `now`. */
export function specimenMrz(now: Date = new Date()): string[] {
  const expiry = new Date(now.getTime() + 5 * 365 * 86_400_000);
  return formatMrz({
    documentCode: 'P', issuingState: 'UTO', documentNumber: 'L898902C3', nationality: 'UTO', birthDate: '740812', sex: 'F',
    expiryDate: yymmdd(expiry), surname: 'ERIKSSON', givenNames: 'ANNA MARIA', optionalData: 'ZE184226B', optionalData2: '',
  }, 'TD3');
}

/** One byte changed: a DG1 name letter (so the MRZ still reads) or, elsewhere, the last byte. */
function alter(dataGroup: DataGroupNumber, bytes: Uint8Array): Uint8Array {
  const altered = Uint8Array.from(bytes);
  // DG1 = 61 L 5F1F L' MRZ: the surname of a TD3 starts at MRZ position 5.
  const at = dataGroup === 1 ? altered.indexOf(0x1f) + 2 + 5 : altered.length - 1;
  altered[at] = dataGroup === 1 ? (altered[at] === 0x58 ? 0x59 : 0x58) : altered[at]! ^ 0x01;
  return altered;
}

export function buildTestPassport(options: TestPassportOptions): TestPassport {
  const { documentSigner: ds } = options;
  const mrz = [...(options.mrz ?? specimenMrz(options.now))];
  const portrait = options.portrait ?? testPortraitJpeg();
  const dataGroups = new Map<DataGroupNumber, Uint8Array>([
    [1, encodeDg1(mrz)],
    [2, encodeDg2([{ record: { faces: [portraitFace(portrait.image, portrait.width, portrait.height)] } }])],
  ]);
  if (options.dg11) dataGroups.set(11, encodeDg11(options.dg11));
  if (options.dg12) dataGroups.set(12, encodeDg12(options.dg12));
  if (options.dg14) dataGroups.set(14, encodeDg14(options.dg14));
  if (options.dg15) dataGroups.set(15, encodeDg15(options.dg15));
  const signingTime = options.signingTime === undefined ? new Date(ds.certificate.notBefore.getTime() + 86_400_000) : options.signingTime;
  const sod = buildSod({
    dataGroups,
    hash: options.hash ?? 'sha256',
    signer: { certificate: ds.der, privateKey: ds.key.privateKey, scheme: ds.key.scheme },
    ...(signingTime ? { signingTime } : {}),
  });
  if (options.alterAfterSigning !== undefined) {
    const original = dataGroups.get(options.alterAfterSigning);
    if (!original) throw new RangeError(`DG${options.alterAfterSigning} is not in this passport`);
    dataGroups.set(options.alterAfterSigning, alter(options.alterAfterSigning, original));
  }
  const com = encodeEfCom({ dataGroups: [...dataGroups.keys()] });
  const files = new Map<number, Uint8Array>([[EF_COM.fid, com], [EF_SOD.fid, sod]]);
  for (const [n, bytes] of dataGroups) files.set(dataGroupFile(n).fid, bytes);
  if (options.cardAccess) files.set(EF_CARD_ACCESS.fid, options.cardAccess);
  return { files, dataGroups, com, sod, mrz, documentSigner: ds };
}

export type PassportScenario = 'valid' | 'altered-dg1' | 'rogue-ds' | 'expired-ds' | 'expired-csca' | 'unknown-csca';

const SCENARIO_SIGNERS: Readonly<Record<Exclude<PassportScenario, 'valid' | 'altered-dg1'>, TestDocumentSignerName>> = {
  'rogue-ds': 'rogue',
  'expired-ds': 'expired',
  'expired-csca': 'after-csca-expiry',
  'unknown-csca': 'other-country',
};

/**
 * A passport for a named scenario: valid and altered-dg1 are signed by `signer` (default the
 * P-256 DS); the others by the test PKI's DS for that case.
 */
export function buildScenarioPassport(
  pki: TestPki,
  scenario: PassportScenario,
  options: Omit<TestPassportOptions, 'documentSigner' | 'alterAfterSigning'> & { signer?: TestDocumentSignerName } = {},
): TestPassport {
  const { signer = 'p256', ...rest } = options;
  const name = scenario === 'valid' || scenario === 'altered-dg1' ? signer : SCENARIO_SIGNERS[scenario];
  return buildTestPassport({
    now: pki.now,
    ...rest,
    documentSigner: pki.documentSigners[name],
    ...(scenario === 'altered-dg1' ? { alterAfterSigning: 1 as const } : {}),
  });
}
