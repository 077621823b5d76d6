// What a slip says, made from enrollments on their review step: the number, record, time and
// kiosk of the sealed record; the name as the document gives it (MRZ surname and given names,
// or a CN resident card's name); the company of a registration; what was captured and what was
// recorded as not captured (face, liveness, fingers, with reasons); the consent's language; and
// a QR payload that verifies with this kiosk's public key (and no other) and names the number,
// the envelope's digest, the kiosk and the time. Nothing else about the person is on it.

import { describe, expect, it } from 'vitest';
import { readSlip, verifySlip } from '../../../../protocol/slip-payload.js';
import { SlipContent } from '../../../../main/slips/slip-content.js';
import {
  cnidRead, CONSENT, faceException, faceOutcome, fingerCapture, fingerException, livenessException, OFFICER, onReview,
  passportRead, SECOND_OFFICER,
} from '../enrollment/sample-enrollments.js';
import { CREDENTIALS, queuedRecord, SEALED_AT, slipOf } from './sample-slips.js';
import { credentialsOf, offlineIdentity } from '../../../fixtures/offline-identity.js';

describe('slipContent', () => {
  it('tells a clean person enrollment: number, record, time, kiosk, name from the MRZ, all captured, the consent\'s language', () => {
    const queued = queuedRecord(42);
    const slip = slipOf(onReview('person'), queued);
    expect(slip).toEqual({
      number: queued.number, recordId: queued.recordId, sealedAt: SEALED_AT, kioskName: 'Front desk', flow: 'person', language: CONSENT.language,
      name: 'ERIKSSON, ANNA MARIA', company: null,
      captured: { face: true, fingers: [2, 7] },
      notCaptured: { face: null, liveness: null, fingers: [] },
      qr: expect.stringMatching(/^GHS1:/),
    });
    expect(SlipContent.parse(slip)).toEqual(slip);
  });

  it('lists a liveness exception and a finger exception as not captured, with their reasons', () => {
    const slip = slipOf(onReview('person', {
      face: { outcome: faceOutcome({ livenessPassed: false, capture: 'officer' }), livenessException: livenessException(), by: OFFICER },
      fingers: [fingerException(2, { reason: 'missing', note: 'Amputated' }), fingerCapture(7)],
    }));
    expect(slip.captured).toEqual({ face: true, fingers: [7] });
    expect(slip.notCaptured).toEqual({ face: null, liveness: 'cannot-follow', fingers: [{ position: 2, reason: 'missing' }] });
  });

  it('tells a company registration: the name from a CN resident card, the company, a face exception', () => {
    const slip = slipOf(onReview('company', { ranBy: null, document: cnidRead(), documentBy: null, faceException: faceException(SECOND_OFFICER) }));
    expect(slip).toMatchObject({
      flow: 'company', name: '李示例',
      company: { name: 'Eriksson Bakery', registrationNumber: 'HRB 12345 B' }, // COMPANY_DETAILS
      captured: { face: false, fingers: [] },
      notCaptured: { face: 'cannot-face-camera', liveness: null, fingers: [] },
    });
  });

  it('takes a holder without given names by the surname alone', () => {
    expect(slipOf(onReview('company', { document: passportRead({ givenNames: '' }) })).name).toBe('ERIKSSON');
  });

  it.each(['en', 'de', 'zh-CN'] as const)('is in the language the consent was read in (%s)', (language) => {
    expect(slipOf(onReview('person', { consent: { ...CONSENT, language } })).language).toBe(language);
  });

  it('carries a QR payload that verifies with the kiosk\'s key and names the number, digest, kiosk and time', () => {
    const queued = queuedRecord(7);
    const { qr } = slipOf(onReview('person'), queued);
    const fields = { n: queued.number, d: queued.digest, k: CREDENTIALS.identity.kioskId, t: SEALED_AT };
    expect(verifySlip(qr, CREDENTIALS.keys.signing.publicKey)).toEqual({ ok: true, fields });
    expect(readSlip(qr)).toEqual({ ok: true, fields });
    expect(verifySlip(qr, credentialsOf(offlineIdentity()).keys.signing.publicKey)).toMatchObject({ ok: false, code: 'SLIP_SIGNATURE_INVALID' });
  });

  it('says nothing about the person beyond the name: no address, phone, document number or note', () => {
    const text = JSON.stringify(slipOf(onReview('person', { fingers: [fingerCapture(2), fingerException(7)] })));
    for (const detail of ['Hauptstraße', '1234567', 'L898902C3', 'Hand in a cast', '1974']) expect(text).not.toContain(detail);
  });

  it('is refused for an enrollment without consent', () => {
    expect(() => slipOf(onReview('person', { consent: null }))).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NO_CONSENT' }));
  });
});
