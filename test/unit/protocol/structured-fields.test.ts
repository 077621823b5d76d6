// The structured-field subset behind the signature headers: what is serialized parses back to
// the same value, escapes survive, and input outside RFC 8941 is refused rather than guessed at.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { parseDictionary, serializeInnerList, type SfInnerList } from '../../../protocol/structured-fields.js';

describe('structured fields', () => {
  it('parses back what it serialized', () => {
    const printable = fc.stringMatching(/^[\x20-\x7e]{0,20}$/);
    fc.assert(fc.property(fc.array(printable, { maxLength: 4 }), printable, fc.integer({ min: 0, max: 2 ** 40 }), (names, nonce, created) => {
      const list: SfInnerList = {
        list: names.map((value) => ({ item: { type: 'string', value }, params: [] })),
        params: [['created', { type: 'integer', value: created }], ['nonce', { type: 'string', value: nonce }]],
      };
      expect(parseDictionary(`sig1=${serializeInnerList(list)}`).get('sig1')).toEqual(list);
    }));
  });

  it('reads several members, byte sequences, tokens and bare flags', () => {
    const parsed = parseDictionary('sha-256=:AAEC:,  sig2=("@path");alg=ed25519, flag;x=?0');
    expect(parsed.get('sha-256')).toEqual({ item: { type: 'binary', value: Buffer.from([0, 1, 2]) }, params: [] });
    expect(parsed.get('sig2')).toEqual({ list: [{ item: { type: 'string', value: '@path' }, params: [] }], params: [['alg', { type: 'token', value: 'ed25519' }]] });
    expect(parsed.get('flag')).toEqual({ item: { type: 'boolean', value: true }, params: [['x', { type: 'boolean', value: false }]] });
  });

  it.each(['Sig=1', 'a=1,', 'a="open', 'a="bad\\q"', 'a=:AB:', 'a=1.5', 'a=("x"', 'a=1 b=2', 'a=?2', 'a="tab\t"'])('refuses %j', (text) => {
    expect(() => parseDictionary(text)).toThrow(ProtocolError);
  });
});
