// The files of an eMRTD (ICAO Doc 9303-10 §4.6, §4.7): each one's file identifier, short
// file identifier and the tag its content starts with, so the session can select and read a
// file and a codec can check it got the file it expected. EF.CardAccess sits in the master
// file (PACE parameters); every other file here sits in the eMRTD application.

/** The eMRTD application's AID (9303-10 §4.1). */
export const EMRTD_AID: Uint8Array = Uint8Array.of(0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);

export type DataGroupNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16;

export type LdsFileName = 'EF.COM' | 'EF.SOD' | 'EF.CardAccess' | `DG${DataGroupNumber}`;

export interface LdsFile {
  readonly name: LdsFileName;
  /** File identifier for SELECT (P1 02/00 with the two bytes). */
  readonly fid: number;
  /** Short file identifier for READ BINARY with P1 = 0x80 | sfi. */
  readonly sfi: number;
  /** The tag the file's content starts with; null for EF.CardAccess (a DER SET, tag 31). */
  readonly tag: number | null;
  readonly dataGroup: DataGroupNumber | null;
}

/** 9303-10 Table 35 (LDS1 data groups) – the application tags in data group order. */
const DATA_GROUP_TAGS: readonly number[] = [
  0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70,
];

export const EF_COM: LdsFile = { name: 'EF.COM', fid: 0x011e, sfi: 0x1e, tag: 0x60, dataGroup: null };
export const EF_SOD: LdsFile = { name: 'EF.SOD', fid: 0x011d, sfi: 0x1d, tag: 0x77, dataGroup: null };
export const EF_CARD_ACCESS: LdsFile = { name: 'EF.CardAccess', fid: 0x011c, sfi: 0x1c, tag: null, dataGroup: null };

/** DG1 … DG16: FID 0101 … 0110, SFI 01 … 10. */
export const DATA_GROUP_FILES: readonly LdsFile[] = DATA_GROUP_TAGS.map((tag, index) => {
  const dataGroup = (index + 1) as DataGroupNumber;
  return { name: `DG${dataGroup}`, fid: 0x0100 + dataGroup, sfi: dataGroup, tag, dataGroup };
});

export const LDS_FILES: readonly LdsFile[] = [EF_COM, ...DATA_GROUP_FILES, EF_SOD, EF_CARD_ACCESS];

export function isDataGroupNumber(n: number): n is DataGroupNumber {
  return Number.isInteger(n) && n >= 1 && n <= 16;
}

/** The file of data group `n`; RangeError outside 1–16 (a programming error, not chip data). */
export function dataGroupFile(n: number): LdsFile {
  if (!isDataGroupNumber(n)) throw new RangeError(`There is no data group ${n}; data groups are 1–16.`);
  return DATA_GROUP_FILES[n - 1]!;
}

/** The data group whose content starts with `tag` (EF.COM lists data groups by these tags). */
export function dataGroupForTag(tag: number): DataGroupNumber | null {
  const index = DATA_GROUP_TAGS.indexOf(tag);
  return index === -1 ? null : ((index + 1) as DataGroupNumber);
}

export function ldsFileByFid(fid: number): LdsFile | undefined {
  return LDS_FILES.find((file) => file.fid === fid);
}
