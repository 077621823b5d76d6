import { describe, it, expect } from 'vitest';
import { assertAuditSafe } from '../../../../main/audit/audit-log.js';

describe('assertAuditSafe', () => {
  it.each([
    'pin', 'PIN', 'PINs', 'newPin', 'pinHash', 'PINHash', 'PINAttempts', 'pin_code', 'password', 'adminPassword', 'clientSecret',
    'mrz', 'mrzLine1', 'documentNumber', 'document_number', 'DOCUMENT-NUMBER', 'docNo', 'idNumber', 'passportNumber',
    'fingerprint', 'fingerTemplates', 'template', 'portrait', 'photo', 'faceImage', 'face', 'image', 'biometrics', 'selfie',
  ])('refuses the key %s', (key) => {
    expect(() => assertAuditSafe({ [key]: 1 })).toThrow(
      expect.objectContaining({ code: 'AUDIT_UNSAFE_DETAILS', details: { path: `details.${key}` } }),
    );
  });

  it.each(['operatorId', 'role', 'reason', 'count', 'mapping', 'shipping', 'interface', 'surface', 'decision', 'recordId', 'station'])(
    'accepts the key %s',
    (key) => {
      expect(() => assertAuditSafe({ [key]: 'value' })).not.toThrow();
    },
  );

  it('looks into nested objects and arrays and names the path, not the value', () => {
    const details = { subject: { kind: 'person', readings: [{ ok: true }, { mrzLine2: 'L898902C36UTO7408122F1204159' }] } };
    expect(() => assertAuditSafe(details)).toThrow(
      expect.objectContaining({
        code: 'AUDIT_UNSAFE_DETAILS',
        message: expect.not.stringContaining('L898902C3'),
        details: { path: 'details.subject.readings[1].mrzLine2' },
      }),
    );
  });

  it('refuses bytes anywhere', () => {
    for (const bytes of [Buffer.from('jpeg'), new Uint8Array(4), new Float32Array(2), new ArrayBuffer(8)]) {
      expect(() => assertAuditSafe({ evidence: [bytes] })).toThrow(
        expect.objectContaining({ code: 'AUDIT_UNSAFE_DETAILS', details: { path: 'details.evidence[0]' } }),
      );
    }
  });

  it('allows strings up to 256 characters', () => {
    expect(() => assertAuditSafe({ reason: 'x'.repeat(256) })).not.toThrow();
    expect(() => assertAuditSafe({ reason: 'x'.repeat(257) })).toThrow(expect.objectContaining({ code: 'AUDIT_UNSAFE_DETAILS' }));
    expect(() => assertAuditSafe({ list: ['ok', 'y'.repeat(300)] })).toThrow(expect.objectContaining({ code: 'AUDIT_UNSAFE_DETAILS' }));
  });

  it('refuses values that are not plain JSON', () => {
    for (const value of [new Date(), 10n, Number.NaN, Number.POSITIVE_INFINITY, new Map(), () => 1]) {
      expect(() => assertAuditSafe({ value })).toThrow(expect.objectContaining({ code: 'AUDIT_DETAILS_NOT_JSON' }));
    }
  });

  it('accepts plain JSON details, including absent optional fields', () => {
    expect(() => assertAuditSafe({ role: 'officer', attempts: 3, locked: false, until: null, note: undefined, tags: ['a'], nested: Object.create(null) })).not.toThrow();
  });
});
