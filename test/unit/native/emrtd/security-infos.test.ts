// SecurityInfos of EF.CardAccess and DG14: real files parse (unknown protocols kept, never
// fatal), the encoder writes what the parser reads (property), and the OID codec round-trips.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../../../native/device-error.js';
import { decodeOidContent, encodeInteger, encodeOid, encodeSequence, oidContent } from '../../../../native/emrtd/der.js';
import { ecAlgorithmIdentifier, EC_DOMAINS, KeyAlgorithmOid } from '../../../../native/emrtd/ec-curves.js';
import {
  chipAuthenticationInfo, chipAuthenticationProtocolOid, describePaceProtocol, encodeSecurityInfo, encodeSecurityInfos, infosOfType, paceInfo,
  paceProtocolOid, parseSecurityInfos, SecurityProtocolOid, type KeyAgreement, type SecurityInfo,
} from '../../../../native/emrtd/security-infos.js';
import { hex, toHex } from './emrtd-fixtures.js';

/**
 * EF.CardAccess of a German eID test card ("ePA - BDr GmbH - Testkarte v2.0"), from the
 * frankmorgner/openpace Ruby binding example (bindings/ruby/example.rb); the example string
 * carries 38 more bytes after the SET, left out here.
 */
const GERMAN_EID_CARD_ACCESS = '318182300D060804007F00070202020201023012060A04007F000702020302020201020201413012060A04007F0007020204020202010202010D'
  + '301C060904007F000702020302300C060704007F0007010202010D020141302B060804007F0007020206161F655041202D2042447220476D6248202D20546573746B617274652076322E30';

describe('parsing SecurityInfos', () => {
  it('reads a German eID CardAccess: TA, CA, PACE recognised; CA domain parameters and CardInfoLocator kept as unknown', () => {
    const infos = parseSecurityInfos(hex(GERMAN_EID_CARD_ACCESS));
    expect(infos.map((info) => info.type)).toEqual(['TerminalAuthenticationInfo', 'ChipAuthenticationInfo', 'PACEInfo', 'unknown', 'unknown']);
    expect(infos[1]).toMatchObject({ version: 2, keyId: 65, suite: { name: 'id-CA-ECDH-AES-CBC-CMAC-128' } });
    expect(infos[2]).toMatchObject({ version: 2, parameterId: 13, suite: { mapping: 'GM', keyAgreement: 'ECDH', cipher: 'aes-128' } });
    expect(infos[4]).toMatchObject({ protocol: '0.4.0.127.0.7.2.2.6' });
    expect(infos[4]).not.toHaveProperty('problem');
    expect(toHex(encodeSecurityInfos(infos))).toBe(GERMAN_EID_CARD_ACCESS);
  });

  it('names every PACE protocol and refuses what is not one', () => {
    expect(describePaceProtocol('0.4.0.127.0.7.2.2.4.1.1')?.name).toBe('id-PACE-DH-GM-3DES-CBC-CBC');
    expect(describePaceProtocol('0.4.0.127.0.7.2.2.4.4.3')?.name).toBe('id-PACE-ECDH-IM-AES-CBC-CMAC-192');
    expect(describePaceProtocol('0.4.0.127.0.7.2.2.4.6.4')?.name).toBe('id-PACE-ECDH-CAM-AES-CBC-CMAC-256');
    expect(describePaceProtocol('0.4.0.127.0.7.2.2.4.6.1')).toBeUndefined();
    expect(describePaceProtocol('0.4.0.127.0.7.2.2.4.5.2')).toBeUndefined();
    expect(describePaceProtocol('0.4.0.127.0.7.2.2.4.2')).toBeUndefined();
    expect(paceProtocolOid('ECDH', 'CAM', 'aes-192')).toBe('0.4.0.127.0.7.2.2.4.6.3');
    expect(() => paceProtocolOid('DH', 'CAM', 'aes-128')).toThrow(RangeError);
    expect(() => paceProtocolOid('ECDH', 'CAM', '3des')).toThrow(RangeError);
  });

  it('reads DG14 inside its 6E tag', () => {
    const set = encodeSecurityInfos([paceInfo(paceProtocolOid('ECDH', 'GM', 'aes-128'), 13)]);
    const dg14 = Buffer.concat([Uint8Array.of(0x6e, set.length), set]);
    expect(infosOfType(parseSecurityInfos(dg14), 'PACEInfo')).toHaveLength(1);
  });

  it('keeps a malformed known SecurityInfo as unknown with the reason, and the others', () => {
    const broken = encodeSequence([encodeOid('0.4.0.127.0.7.2.2.4.2.2'), encodeOid('1.2.3')]);
    const notASequence = encodeInteger(5);
    const infos = parseSecurityInfos(encodeSecurityInfos([
      { type: 'unknown', der: broken }, { type: 'unknown', der: notASequence }, paceInfo(paceProtocolOid('ECDH', 'GM', 'aes-256'), 16),
    ]));
    expect(infos).toContainEqual({ type: 'unknown', protocol: '0.4.0.127.0.7.2.2.4.2.2', der: Uint8Array.from(broken), problem: expect.stringContaining('version') });
    expect(infos).toContainEqual({ type: 'unknown', der: Uint8Array.from(notASequence), problem: 'not a SEQUENCE' });
    expect(infosOfType(infos, 'PACEInfo')).toHaveLength(1);
  });

  it('throws CHIP_SECURITY_INFOS_MALFORMED only when the SET itself is unreadable', () => {
    for (const bad of ['3003020105', '31050201', '310302010500']) {
      expect(() => parseSecurityInfos(hex(bad))).toThrow(DeviceError);
      try {
        parseSecurityInfos(hex(bad));
      } catch (error) {
        expect((error as DeviceError).code).toBe('CHIP_SECURITY_INFOS_MALFORMED');
      }
    }
  });
});

// --- generators ----------------------------------------------------------------------------

const oidArbitrary = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(fc.bigInt({ min: 0n, max: (1n << 70n) }), { minLength: 1, maxLength: 6 }))
  .map(([first, second, rest]) => [first, second, ...rest].join('.'));

const optionalId = fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined });
const withOptional = <T extends object>(base: T, key: string, value: number | undefined) => (value === undefined ? base : { ...base, [key]: value });

const paceProtocols = ['1', '2', '3', '4', '6'].flatMap((family) => ['1', '2', '3', '4'].map((cipher) => `${SecurityProtocolOid.pace}.${family}.${cipher}`))
  .filter((oid) => describePaceProtocol(oid) !== undefined);
const caProtocols = (['DH', 'ECDH'] as KeyAgreement[]).flatMap((agreement) => (['3des', 'aes-128', 'aes-192', 'aes-256'] as const)
  .map((cipher) => chipAuthenticationProtocolOid(agreement, cipher)));

const algorithmIdentifier = fc.tuple(fc.constantFrom(...EC_DOMAINS), fc.constantFrom('standardized', 'named', 'explicit') as fc.Arbitrary<'standardized' | 'named' | 'explicit'>)
  .map(([curve, encoding]) => ecAlgorithmIdentifier(curve, encoding));

const securityInfo: fc.Arbitrary<SecurityInfo> = fc.oneof(
  fc.tuple(fc.constantFrom(...paceProtocols), fc.nat(9), optionalId)
    .map(([protocol, version, parameterId]) => ({ ...paceInfo(protocol, parameterId), version })),
  fc.tuple(fc.constantFrom('1', '2', '3', '4', '6'), algorithmIdentifier, optionalId)
    .map(([family, domainParameter, parameterId]) => withOptional({ type: 'PACEDomainParameterInfo' as const, protocol: `${SecurityProtocolOid.pace}.${family}`, domainParameter }, 'parameterId', parameterId)),
  fc.tuple(fc.constantFrom(...caProtocols), fc.nat(3), optionalId)
    .map(([protocol, version, keyId]) => ({ ...chipAuthenticationInfo(protocol, keyId), version })),
  fc.tuple(fc.boolean(), algorithmIdentifier, fc.uint8Array({ minLength: 1, maxLength: 140 }), optionalId)
    .map(([dh, algorithm, subjectPublicKey, keyId]) => withOptional({
      type: 'ChipAuthenticationPublicKeyInfo' as const,
      protocol: dh ? SecurityProtocolOid.pkDh : SecurityProtocolOid.pkEcdh,
      keyAgreement: (dh ? 'DH' : 'ECDH') as KeyAgreement,
      publicKey: { algorithm: dh ? { oid: KeyAlgorithmOid.dhPublicNumber, parameters: Uint8Array.from(encodeInteger(7)) } : algorithm, subjectPublicKey },
    }, 'keyId', keyId)),
  fc.tuple(fc.nat(3), oidArbitrary)
    .map(([version, signatureAlgorithm]) => ({ type: 'ActiveAuthenticationInfo' as const, protocol: SecurityProtocolOid.activeAuthentication, version, signatureAlgorithm })),
  fc.tuple(fc.nat(3), fc.option(fc.tuple(fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.option(fc.uint8Array({ minLength: 1, maxLength: 1 }), { nil: undefined })), { nil: undefined }))
    .map(([version, file]) => ({
      type: 'TerminalAuthenticationInfo' as const, protocol: SecurityProtocolOid.terminalAuthentication, version,
      ...(file ? { efCvca: file[1] ? { fid: file[0], sfid: file[1] } : { fid: file[0] } } : {}),
    })),
  fc.tuple(oidArbitrary.filter((oid) => !oid.startsWith('0.4.0.127.0.7.2') && oid !== SecurityProtocolOid.activeAuthentication), fc.uint8Array({ maxLength: 20 }))
    .map(([protocol, extra]) => ({ type: 'unknown' as const, protocol, der: Uint8Array.from(encodeSequence([encodeOid(protocol), encodeInteger(BigInt(`0x0${toHex(extra)}`))])) })),
);

describe('SecurityInfos round trip (properties)', () => {
  it('parse(encode(infos)) gives the infos back, in DER SET order', () => {
    fc.assert(fc.property(fc.array(securityInfo, { maxLength: 8 }), (infos) => {
      const sorted = [...infos].sort((a, b) => Buffer.compare(encodeSecurityInfo(a), encodeSecurityInfo(b)));
      expect(parseSecurityInfos(encodeSecurityInfos(infos))).toEqual(sorted);
    }), { numRuns: 300 });
  });

  it('OIDs survive encoding', () => {
    fc.assert(fc.property(oidArbitrary, (oid) => {
      expect(decodeOidContent(oidContent(oid))).toBe(oid);
    }));
    expect(toHex(oidContent('0.4.0.127.0.7.2.2.4.2.2'))).toBe('04007F00070202040202');
    expect(toHex(oidContent('1.2.840.10045.2.1'))).toBe('2A8648CE3D0201');
    expect(decodeOidContent(hex('883703'))).toBe('2.999.3');
    for (const bad of ['', '2A80', '2A8001']) expect(() => decodeOidContent(hex(bad)), bad).toThrow(expect.objectContaining({ code: 'ASN1_MALFORMED' }));
  });
});
