// Fuzz targets for the eMRTD chip codecs in native/: BER-TLV, DER, command and response
// APDUs, secure messaging (both ends), the LDS files (EF.COM, DG1, DG2, DG11/12, DG14/15,
// EF.CardAccess), EF.SOD with its CMS and certificates, and Passive Authentication over
// mutated files. The valid inputs come from the virtual passport the simulator issues.
import fc from 'fast-check';
import { encodeTlv, readTlv, readTlvs } from '../../native/emrtd/ber-tlv.js';
import {
  bitString, encodeInteger, encodeOctetString, encodeOid, encodeSequence, encodeSetOf, integer, octetString, oid, parseDer, rawBytes, sequence, text, time,
} from '../../native/emrtd/der.js';
import { encodeCommandApdu, encodeResponseApdu, parseCommandApdu, parseResponseApdu, type CommandApdu } from '../../native/transport/command-apdu.js';
import { ChipSecureMessaging, SecureMessaging } from '../../native/emrtd/secure-messaging.js';
import type { SmCipher } from '../../native/emrtd/chip-crypto.js';
import {
  decodeDg1, decodeDg11, decodeDg12, decodeDg14, decodeDg15, decodeDg2, decodeEfCom, encodeDg1, encodeEfCom,
} from '../../native/emrtd/lds/index.js';
import { ldsFileByFid, type DataGroupNumber } from '../../native/emrtd/lds/lds-files.js';
import { decodeSod } from '../../native/emrtd/sod.js';
import { parseSignedData } from '../../native/emrtd/pki/cms.js';
import { parseCertificate } from '../../native/emrtd/pki/x509.js';
import { parseSecurityInfos } from '../../native/emrtd/security-infos.js';
import { passiveAuthentication } from '../../native/emrtd/passive-authentication.js';
import { createTestPki } from '../../native/sim/emrtd/test-pki.js';
import { specimenMrz } from '../../native/sim/emrtd/test-passport.js';
import { personalisePassport } from '../../native/sim/emrtd/virtual-passport.js';
import type { CscaTrustStore } from '../../native/emrtd/csca-trust.js';
import { anyBytes, hostileBytes, mutated } from '../generators.js';
import { defineTarget, expect, sameBytes, sameValue, typed, type FuzzTarget } from '../fuzz-target.js';

const NOW = new Date('2026-12-07T00:00:00Z');

interface PassportCorpus {
  files: Map<string, Uint8Array>;
  dataGroups: Map<DataGroupNumber, Uint8Array>;
  sod: Uint8Array;
  certificates: Uint8Array[];
  trustStore: CscaTrustStore;
}

let corpus: PassportCorpus | null = null;

/** A genuine passport's files (both clone-check variants, so DG14 and DG15 exist), made once. */
export function passportCorpus(): PassportCorpus {
  if (corpus) return corpus;
  const pki = createTestPki({ now: NOW });
  const files = new Map<string, Uint8Array>();
  const dataGroups = new Map<DataGroupNumber, Uint8Array>();
  let sod: Uint8Array = new Uint8Array(0);
  for (const cloneCheck of ['chip-authentication', 'active-authentication'] as const) {
    const passport = personalisePassport({
      pki, now: NOW, mrz: specimenMrz(NOW), signing: 'valid', pace: { curve: 'brainpoolP256r1', cipher: 'aes-128' }, cloneCheck,
    });
    for (const file of passport.files) {
      const lds = ldsFileByFid(file.fileId);
      if (lds) files.set(lds.name, file.content);
    }
    if (cloneCheck === 'chip-authentication') {
      for (const [n, bytes] of passport.passport.dataGroups) dataGroups.set(n, bytes);
      sod = passport.passport.sod;
    }
  }
  const certificates = [pki.cscas.rsa.der, pki.cscas.brainpool.der, ...Object.values(pki.documentSigners).map((c) => c.der)];
  corpus = { files, dataGroups, sod, certificates, trustStore: pki.trustStore() };
  return corpus;
}

/** A corpus file, the corpus built on first draw (so targets that are not run cost nothing). */
const corpusFile = (name: string) => fc.constant(null).map(() => passportCorpus().files.get(name) ?? new Uint8Array(0));

const tlvTree: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(fc.constantFrom(0x04, 0x5f1f, 0x80, 0x87, 0x97, 0x99, 0x8e, 0x5f0e, 0x5f8101), fc.uint8Array({ maxLength: 300 })).map(([tag, value]) => encodeTlv(tag, value)),
    fc.tuple(fc.constantFrom(0x30, 0x61, 0x7c, 0x7f61, 0xa0), fc.array(tie('node'), { maxLength: 3 })).map(([tag, children]) => encodeTlv(tag, children)),
  ),
})).node;

const berTlvTarget = defineTarget({
  name: 'emrtd/ber-tlv',
  weight: 1,
  arbitrary: fc.record({ valid: fc.array(tlvTree, { maxLength: 3 }), hostile: hostileBytes(tlvTree) }),
  check({ valid, hostile }) {
    const joined = Uint8Array.from(Buffer.concat(valid));
    const read = readTlvs(joined);
    expect(sameBytes(Buffer.concat(read.map((tlv) => encodeTlv(tlv.tag, tlv.value))), joined), 'BER-TLV does not re-encode to the bytes read');
    const parsed = typed(() => readTlvs(hostile), ['CHIP_TLV_MALFORMED']);
    if (parsed.ok) for (const tlv of parsed.value) typed(() => readTlv(tlv.value), ['CHIP_TLV_MALFORMED']);
  },
});

type DerValue = { kind: 'int'; value: bigint } | { kind: 'oid'; value: string } | { kind: 'octets'; value: Uint8Array } | { kind: 'seq'; value: DerValue[] };

const derValue: fc.Arbitrary<DerValue> = fc.letrec<{ v: DerValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.bigInt({ min: 0n, max: 1n << 130n }).map((value): DerValue => ({ kind: 'int', value })),
    fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.nat({ max: 2 ** 31 }), { maxLength: 6 }))
      .map(([a, b, rest]): DerValue => ({ kind: 'oid', value: [a, b, ...rest].join('.') })),
    fc.uint8Array({ maxLength: 200 }).map((value): DerValue => ({ kind: 'octets', value })),
    fc.array(tie('v'), { maxLength: 4 }).map((value): DerValue => ({ kind: 'seq', value })),
  ),
})).v;

function encodeDer(value: DerValue): Uint8Array {
  switch (value.kind) {
    case 'int': return encodeInteger(value.value);
    case 'oid': return encodeOid(value.value);
    case 'octets': return encodeOctetString(value.value);
    case 'seq': return encodeSequence(value.value.map(encodeDer));
  }
}

function decodeDer(node: ReturnType<typeof parseDer>, like: DerValue): DerValue {
  switch (like.kind) {
    case 'int': return { kind: 'int', value: integer(node, 'INTEGER') };
    case 'oid': return { kind: 'oid', value: oid(node, 'OID') };
    case 'octets': return { kind: 'octets', value: octetString(node, 'OCTET STRING') };
    case 'seq': return { kind: 'seq', value: sequence(node, 'SEQUENCE').map((child, i) => decodeDer(child, like.value[i]!)) };
  }
}

/** Reads a hostile DER tree with every accessor, as a parser walking unknown data would. */
function walkDer(node: ReturnType<typeof parseDer>, depth = 0): void {
  rawBytes(node);
  for (const read of [integer, oid, octetString, bitString, text, time] as const) typed(() => read(node, 'node'));
  if (depth < 6) {
    const children = typed(() => sequence(node, 'node'));
    if (children.ok) for (const child of children.value) walkDer(child, depth + 1);
  }
}

const derTarget = defineTarget({
  name: 'emrtd/der',
  weight: 0.5,
  arbitrary: fc.record({ value: derValue, hostile: hostileBytes(derValue.map(encodeDer)), set: fc.array(derValue, { maxLength: 3 }) }),
  check({ value, hostile, set }) {
    const bytes = encodeDer(value);
    const node = parseDer(bytes, 'fuzz');
    expect(sameBytes(rawBytes(node), bytes), 'DER raw bytes differ from the encoding');
    expect(sameValue(decodeDer(node, value), value), 'DER value changed in the round trip');
    typed(() => parseDer(encodeSetOf(set.map(encodeDer)), 'set'));
    const parsed = typed(() => parseDer(hostile, 'fuzz'));
    if (parsed.ok) walkDer(parsed.value);
  },
});

const commandApdu: fc.Arbitrary<CommandApdu> = fc.record({
  cla: fc.integer({ min: 0, max: 0xf3 }).map((c) => c & ~0x0c),
  ins: fc.integer({ min: 0, max: 255 }),
  p1: fc.integer({ min: 0, max: 255 }),
  p2: fc.integer({ min: 0, max: 255 }),
  data: fc.oneof(fc.uint8Array({ maxLength: 260 }), fc.uint8Array({ minLength: 256, maxLength: 1200 })),
  ne: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 65536 })),
});

const apduTarget = defineTarget({
  name: 'emrtd/apdu',
  weight: 1,
  arbitrary: fc.record({ command: commandApdu, extended: fc.boolean(), hostile: hostileBytes(commandApdu.map((c) => encodeCommandApdu(c))), response: anyBytes(40) }),
  check({ command, extended, hostile, response }) {
    const parsed = parseCommandApdu(encodeCommandApdu(command, { extended }));
    expect(sameValue({ ...command, data: command.data ?? new Uint8Array(0) }, { cla: parsed.cla, ins: parsed.ins, p1: parsed.p1, p2: parsed.p2, data: parsed.data, ne: parsed.ne }),
      'command APDU changed in the round trip');
    const back = typed(() => parseCommandApdu(hostile), ['APDU_MALFORMED']);
    if (back.ok) expect(sameBytes(encodeCommandApdu(back.value, { extended: back.value.extended }), hostile), 'a command APDU that parses does not re-encode to its bytes');
    const answer = typed(() => parseResponseApdu(response), ['APDU_NO_STATUS_WORD']);
    if (answer.ok) expect(sameBytes(encodeResponseApdu(answer.value), response), 'response APDU changed in the round trip');
  },
});

const cipher = fc.constantFrom<SmCipher>('3des', 'aes-128', 'aes-192', 'aes-256');
const KEY_BYTES: Record<SmCipher, number> = { '3des': 16, 'aes-128': 16, 'aes-192': 24, 'aes-256': 32 };
const sessionKeys = cipher.chain((c) => fc.record({
  cipher: fc.constant(c),
  ksEnc: fc.uint8Array({ minLength: KEY_BYTES[c], maxLength: KEY_BYTES[c] }),
  ksMac: fc.uint8Array({ minLength: KEY_BYTES[c], maxLength: KEY_BYTES[c] }),
}));

const smTarget = defineTarget({
  name: 'emrtd/secure-messaging',
  weight: 0.2,
  arbitrary: fc.record({
    keys: sessionKeys,
    command: commandApdu.map((c) => ({ ...c, data: c.data?.subarray(0, 200), ne: Math.min(c.ne ?? 0, 200) })),
    response: fc.record({ data: fc.uint8Array({ maxLength: 200 }), sw: fc.constantFrom(0x9000, 0x6282, 0x6a82, 0x6982) }),
    damage: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
  }),
  check({ keys, command, response, damage }) {
    const terminal = new SecureMessaging(keys);
    const chip = new ChipSecureMessaging(keys);
    const sent = chip.unprotectCommand(terminal.protectCommand(command));
    expect(sameValue([sent.ins, sent.p1, sent.p2, sent.data ?? new Uint8Array(0), sent.ne ?? 0], [command.ins, command.p1, command.p2, command.data ?? new Uint8Array(0), command.ne]),
      'command changed through secure messaging');
    const answered = terminal.unprotectResponse(chip.protectResponse(response));
    expect(sameValue(answered, response), 'response changed through secure messaging');
    // A damaged protected command or response must be refused with a typed error, never accepted.
    const protectedCommand = Uint8Array.from(terminal.protectCommand(command));
    for (const at of damage) protectedCommand[at % protectedCommand.length]! ^= 0x01 << (at % 8);
    const damagedCommand = typed(() => chip.unprotectCommand(protectedCommand));
    const mutatedOnlyHeader = damage.every((at) => at % protectedCommand.length < 4);
    if (damagedCommand.ok && !mutatedOnlyHeader) {
      expect(sameValue(damagedCommand.value.data ?? new Uint8Array(0), command.data ?? new Uint8Array(0)), 'a damaged protected command was accepted with other data');
    }
  },
});

const LDS_DECODERS: Record<string, (bytes: Uint8Array) => unknown> = {
  'EF.COM': decodeEfCom,
  DG1: (bytes) => decodeDg1(bytes, { now: NOW }),
  DG2: decodeDg2,
  DG11: decodeDg11,
  DG12: decodeDg12,
  DG14: decodeDg14,
  DG15: decodeDg15,
  'EF.CardAccess': parseSecurityInfos,
  'EF.SOD': decodeSod,
};

const ldsTarget = defineTarget({
  name: 'emrtd/lds-files',
  weight: 0.3,
  arbitrary: fc.constantFrom(...Object.keys(LDS_DECODERS)).chain((name) => fc.record({ name: fc.constant(name), bytes: hostileBytes(corpusFile(name), 300) })),
  check({ name, bytes }) {
    typed(() => LDS_DECODERS[name]!(bytes));
  },
});

const ldsRoundTrip = defineTarget({
  name: 'emrtd/lds-round-trip',
  weight: 0.3,
  arbitrary: fc.record({
    dataGroups: fc.uniqueArray(fc.integer({ min: 1, max: 16 }), { maxLength: 16 }) as fc.Arbitrary<DataGroupNumber[]>,
    unicode: fc.constantFrom('040000', '050200'),
    lds: fc.constantFrom('0107', '0108'),
    td3: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<'), minLength: 88, maxLength: 88 }),
  }),
  check({ dataGroups, unicode, lds, td3 }) {
    const com = decodeEfCom(encodeEfCom({ ldsVersion: lds, unicodeVersion: unicode, dataGroups }));
    expect(sameValue(com, { ldsVersion: lds, unicodeVersion: unicode, dataGroups }), 'EF.COM changed in the round trip');
    const lines = [td3.slice(0, 44), td3.slice(44)];
    const dg1 = typed(() => decodeDg1(encodeDg1(lines), { now: NOW }));
    if (dg1.ok) expect(sameValue(dg1.value.lines, lines), 'DG1 lines changed in the round trip');
  },
});

const pkiTarget = defineTarget({
  name: 'emrtd/sod-cms-x509',
  weight: 0.1,
  arbitrary: fc.record({
    sod: hostileBytes(fc.constant(null).map(() => passportCorpus().sod), 64),
    certificate: hostileBytes(fc.nat().map((i) => passportCorpus().certificates[i % passportCorpus().certificates.length]!), 64),
  }),
  check({ sod, certificate }) {
    typed(() => decodeSod(sod));
    const unwrapped = typed(() => readTlv(sod).tlv.value);
    if (unwrapped.ok) typed(() => parseSignedData(unwrapped.value, 'EF.SOD'));
    typed(() => parseCertificate(certificate));
  },
});

/**
 * True when `changed` differs from `sod` only inside SignedData.digestAlgorithms, a field no
 * signature covers and that the verifier does not cross-check (reported in docs/RELIABILITY.md).
 */
function onlyInDigestAlgorithms(sod: Uint8Array, changed: Uint8Array): boolean {
  if (changed.length !== sod.length) return false;
  const version = Buffer.from(sod).indexOf(Buffer.from([0x02, 0x01, 0x03]));
  const set = readTlv(sod, version + 3);
  const differing = sod.findIndex((byte, i) => byte !== changed[i]);
  const last = sod.length - 1 - [...sod].reverse().findIndex((byte, i) => byte !== changed[sod.length - 1 - i]);
  return differing >= version + 3 && last < set.next;
}

const passiveAuthenticationTarget = defineTarget({
  name: 'emrtd/passive-authentication',
  weight: 0.02,
  arbitrary: fc.constantFrom<'sod' | DataGroupNumber>('sod', 1, 2, 11, 12, 14).chain((target) => fc.record({
    target: fc.constant(target),
    bytes: mutated(fc.constant(null).map(() => (target === 'sod' ? passportCorpus().sod : passportCorpus().dataGroups.get(target) ?? new Uint8Array(0)))),
  })),
  check({ target, bytes }) {
    const { dataGroups, sod, trustStore } = passportCorpus();
    const groups = new Map(dataGroups);
    if (target !== 'sod') groups.set(target, bytes);
    const changed = target === 'sod' ? !sameBytes(bytes, sod) : !sameBytes(bytes, dataGroups.get(target)!);
    const result = typed(() => passiveAuthentication({ sod: target === 'sod' ? bytes : sod, dataGroups: groups, trustStore, at: NOW }));
    if (result.ok && changed && result.value.status === 'valid') {
      expect(target === 'sod' && onlyInDigestAlgorithms(sod, bytes), `Passive Authentication called a changed ${target === 'sod' ? 'EF.SOD' : `DG${target}`} valid`);
    }
  },
});

export const emrtdTargets: readonly FuzzTarget<never>[] = [
  berTlvTarget, derTarget, apduTarget, smTarget, ldsTarget, ldsRoundTrip, pkiTarget, passiveAuthenticationTarget,
] as unknown as FuzzTarget<never>[];
