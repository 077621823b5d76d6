// An enrollment held for a supervisor, frozen to JSON and parts and sealed to the kiosk's own
// key: thawing gives back the same enrollment (its view, its bytes, its four-eyes reasons and
// participants, among them the officers who captured or decided the face, and who held it
// when) on 'awaiting-review'; a property test runs arbitrary details, notes, exceptions, face
// officers and finger sets through the codec; JSON of another shape, another kiosk's keys, an
// envelope of another kind or opened under another enrollment's id, and a flipped byte are all
// refused; the sealed bytes show nothing in the clear.

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { generateSealingKeyPair, keyIdOf } from '../../../../protocol/keys.js';
import { openSealedRecord, readSealedHeader, sealRecord } from '../../../../protocol/sealed-record.js';
import type { Enrollment } from '../../../../main/enrollment/enrollment.js';
import { enrollmentMedia } from '../../../../main/enrollment/enrollment-media.js';
import { buildEnrollmentRecord } from '../../../../main/enrollment/enrollment-record.js';
import type { OperatorRefView } from '../../../../main/enrollment/exception-evidence.js';
import type { FingerOutcomeRecord } from '../../../../main/enrollment/fingerprint-captures.js';
import {
  freezeEnrollment, HELD_ENROLLMENT_KIND, openHeldEnrollment, sealHeldEnrollment, thawEnrollment,
} from '../../../../main/enrollment/held-enrollment.js';
import { ROLES } from '../../../../main/rpc/define.js';
import {
  CompanyDetails, CompanyRole, EnrollmentPurpose, FaceExceptionReason, FingerExceptionReason, Language, LegalForm,
  LivenessExceptionReason, PersonDetails, type Flow,
} from '../../../../main/rpc/schemas.js';
import { SAMPLE_CNID_CARD } from '../../../../native/sim/cnid-sim.js';
import {
  chipRead, cnidRead, containsBytes, correctableRead, faceException, faceOutcome, fingerCapture, fingerException, kioskCredentials, livenessException,
  OFFICER, onReview, passportRead, photoBytes, SECOND_OFFICER, SUPERVISOR, type Captures,
} from './sample-enrollments.js';
import { ChipCheck } from '../../../../main/enrollment/chip-check.js';

const NOW = new Date('2024-06-15T12:31:00Z');
/** Held by OFFICER at NOW, as sealHeldEnrollment(…, OFFICER, NOW) writes it. */
const HELD = { by: OFFICER, at: NOW.toISOString() };
const CREDENTIALS = kioskCredentials();

/** The person flow: a corrected passport read, a face taken without a passed challenge, finger 2 captured, finger 7 excepted with a photo. */
const personHeld = () => onReview('person', {
  document: correctableRead(),
  useCorrection: true,
  face: { outcome: faceOutcome({ decision: 'review', livenessPassed: false, capture: 'officer' }), livenessException: livenessException(), by: OFFICER },
  fingers: [fingerCapture(2), fingerException(7, { by: SECOND_OFFICER })],
});

/** The company flow: a CN ID card with its photo, a face exception with its photo, nobody logged in. */
const companyHeld = () => onReview('company', { ranBy: null, document: cnidRead(), documentBy: null, faceException: faceException(SECOND_OFFICER) });

const partsAsHex = (parts: ReadonlyArray<{ name: string; bytes: Uint8Array }>) =>
  parts.map((part) => [part.name, Buffer.from(part.bytes).toString('hex')]);

/** Everything the two enrollments show and carry is the same, but the thawed one waits for review. */
function expectSameHeld(thawed: Enrollment, original: Enrollment): void {
  expect(thawed.state).toBe('awaiting-review');
  expect(thawed.view()).toEqual({ ...original.view(), state: 'awaiting-review' });
  const before = freezeEnrollment(original, HELD);
  const after = freezeEnrollment(thawed, HELD);
  expect(after.json).toEqual(before.json);
  expect(partsAsHex(after.parts)).toEqual(partsAsHex(before.parts));
  expect(enrollmentMedia(thawed)).toEqual(enrollmentMedia(original));
  expect(thawed.secondApproval()).toEqual(original.secondApproval());
  expect(thawed.held).toEqual(HELD);
  expect(thawed.participants()).toEqual(new Set([...original.participants(), OFFICER.id]));
}

describe('freezeEnrollment / thawEnrollment', () => {
  it('gives back a person enrollment with its liveness exception, captured finger and finger exception', () => {
    const original = personHeld();
    const { json, parts } = freezeEnrollment(original, HELD);
    const thawed = thawEnrollment(json, parts);
    expectSameHeld(thawed, original);
    expect(thawed).toMatchObject({ id: original.id, flow: 'person', step: 'review', ranBy: OFFICER, startedAt: original.startedAt });
    expect(thawed.document?.capture.mrzLines).toEqual(original.document?.capture.mrzLines);
    expect(thawed.document?.capture.view.suggestedCorrection?.changes).toEqual([{ field: 'documentNumber', from: 'O', to: '0' }]);
    expect(thawed.secondApproval()).toEqual(['face-review-band', 'liveness-not-passed', 'finger-exception']);
    expect(thawed.face?.livenessException?.photo).toEqual(livenessException().photo);
    const finger7 = thawed.fingerprints?.outcomes()[1];
    expect(finger7).toMatchObject({ kind: 'exception', position: 7, by: SECOND_OFFICER, photo: fingerException(7).photo });
    expect(thawed.fingerprints?.captured(2)).toEqual(fingerCapture(2));
    expect(partsAsHex(parts).map(([name]) => name)).toEqual([
      'portrait-live.jpg', 'portrait-document.jpg', 'liveness-exception.jpg',
      'finger-2.iso', 'finger-2-template.bin', 'finger-2.png', 'finger-7-exception.jpg',
    ]);
  });

  it('gives back a company registration with its card photo and face exception', () => {
    const original = companyHeld();
    const { json, parts } = freezeEnrollment(original, HELD);
    const thawed = thawEnrollment(json, parts);
    expectSameHeld(thawed, original);
    expect(thawed).toMatchObject({ flow: 'company', ranBy: null, fingerprints: null, face: null });
    expect(thawed.document?.capture.cardPhoto).toEqual(SAMPLE_CNID_CARD.photo);
    expect(thawed.faceException?.photo).toEqual(faceException().photo);
    expect(thawed.secondApproval()).toEqual(['face-exception']);
    expect([...thawed.participants()].sort()).toEqual([OFFICER.id, SECOND_OFFICER.id].sort()); // who recorded the exception, and who held it
    expect(partsAsHex(parts).map(([name]) => name)).toEqual(['document-photo.wlt', 'face-exception.jpg']);
  });

  it('gives back a chip read with its verdict, its files exactly as read and its portrait, and one skipped with its reason', async () => {
    const document = passportRead();
    const read = onReview('person', { document, chip: await chipRead(document) });
    const { json, parts } = freezeEnrollment(read, HELD);
    const thawed = thawEnrollment(json, parts);
    expectSameHeld(thawed, read);
    expect(thawed.document?.chip).toEqual(read.document?.chip);
    expect(thawed.document?.chip?.view).toMatchObject({ status: 'done', verdict: 'verified' });
    expect(parts.map((part) => part.name)).toEqual(expect.arrayContaining(['chip-EF.COM.bin', 'chip-DG1.bin', 'chip-DG2.bin', 'chip-EF.SOD.bin', 'portrait-chip.jpg']));

    const skippedChip = new ChipCheck({ ...document, chip: document.chip! });
    skippedChip.skip({ reason: 'chip-unreadable', note: 'cracked cover', by: OFFICER, at: NOW.toISOString() });
    const skipped = onReview('person', { document: passportRead(), chip: skippedChip });
    const frozen = freezeEnrollment(skipped, HELD);
    const back = thawEnrollment(frozen.json, frozen.parts);
    expectSameHeld(back, skipped);
    expect(back.secondApproval()).toEqual(['chip-not-read']);
    expect(back.participants()).toContain(OFFICER.id);
  });

  it('keeps a face exception without a photo (no camera) as one without', () => {
    const original = onReview('company', { faceException: faceException(OFFICER, null) });
    const { json, parts } = freezeEnrollment(original, HELD);
    expect(parts.map((part) => part.name)).toEqual([]);
    expectSameHeld(thawEnrollment(json, parts), original);
  });

  it('writes JSON without bytes, that survives being written out as text', () => {
    const { json } = freezeEnrollment(personHeld(), HELD);
    expect(containsBytes(json)).toBe(false);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json).toMatchObject({ format: 'gatehouse-held-enrollment', version: 1, requestedFingers: [2, 7] });
  });

  it('freezes only an enrollment on its review step with the consent given', () => {
    expect(() => freezeEnrollment(onReview('person', { consent: null }), HELD)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_NO_CONSENT' }));
    const moved = onReview('company');
    moved.enter('details');
    expect(() => freezeEnrollment(moved, HELD)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_WRONG_STEP' }));
  });

  it('makes the same record from a thawed enrollment as from the original (approval from the queue)', () => {
    for (const original of [personHeld(), companyHeld()]) {
      const { json, parts } = freezeEnrollment(original, HELD);
      const approval = { by: SUPERVISOR, method: 'pin' as const, at: NOW, kioskVersion: '0.9.0', held: { at: NOW.toISOString(), by: OFFICER } };
      const fromQueue = buildEnrollmentRecord(thawEnrollment(json, parts), approval);
      const atScreen = buildEnrollmentRecord(original, approval);
      expect(fromQueue.json).toEqual(atScreen.json);
      expect(partsAsHex(fromQueue.parts)).toEqual(partsAsHex(atScreen.parts));
    }
  });
});

describe('thawEnrollment refuses', () => {
  const frozen = () => freezeEnrollment(personHeld(), HELD);
  const withJson = (change: (json: Record<string, unknown>) => unknown) => {
    const { json, parts } = frozen();
    return () => thawEnrollment(change(structuredClone(json) as Record<string, unknown>), parts);
  };

  it.each<[string, (json: Record<string, unknown>) => unknown]>([
    ['no object at all', () => 'held'],
    ['an empty object', () => ({})],
    ['another format', (json) => ({ ...json, format: 'gatehouse-record' })],
    ['another version', (json) => ({ ...json, version: 2 })],
    ['an id that is no uuid', (json) => ({ ...json, id: '../etc/passwd' })],
    ['an unknown flow', (json) => ({ ...json, flow: 'family' })],
    ['a key it does not know', (json) => ({ ...json, extra: true })],
    ['a finger position out of range', (json) => ({ ...json, requestedFingers: [2, 11] })],
    ['an unknown finger exception reason', (json) => ({
      ...json, fingers: (json.fingers as Array<Record<string, unknown>>).map((f) => (f.kind === 'exception' ? { ...f, reason: 'lost' } : f)),
    })],
    ['a captured finger without its parts', (json) => ({
      ...json, fingers: (json.fingers as Array<Record<string, unknown>>).map((f) => (f.kind === 'captured' ? { ...f, isoPart: undefined } : f)),
    })],
    ['details that fail their schema', (json) => ({ ...json, details: { flow: 'person', address: 'x' } })],
    ['a face with an unknown decision', (json) => ({
      ...json, face: { ...(json.face as object), verification: { ...(json.face as { verification: object }).verification, decision: 'perhaps' } },
    })],
    ['a consent in an unknown language', (json) => ({ ...json, consent: { version: '1', language: 'fr', acceptedAt: 'now' } })],
    ['no time it was held', ({ heldAt: _heldAt, ...json }) => json],
    ['a face without who captured and decided it', (json) => {
      const face = { ...(json.face as Record<string, unknown>) };
      delete face.capturedBy;
      delete face.decidedBy;
      return { ...json, face };
    }],
  ])('JSON with %s, as ENROLLMENT_HELD_UNREADABLE', (_name, change) => {
    expect(withJson(change)).toThrow(expect.objectContaining({ code: 'ENROLLMENT_HELD_UNREADABLE' }));
  });

  it('JSON naming a part it does not carry', () => {
    const { json, parts } = frozen();
    expect(() => thawEnrollment(json, parts.filter((part) => part.name !== 'finger-7-exception.jpg')))
      .toThrow(expect.objectContaining({ code: 'ENROLLMENT_HELD_UNREADABLE', message: expect.stringMatching(/names a part "finger-7-exception.jpg" it does not carry/) }));
  });

  it('details of the other flow', () => {
    expect(withJson((json) => ({ ...json, flow: 'company', requestedFingers: [], fingers: [] })))
      .toThrow(expect.objectContaining({ code: 'ENROLLMENT_WRONG_FLOW' }));
  });
});

describe('sealHeldEnrollment / openHeldEnrollment', () => {
  it.each<[string, () => Enrollment]>([['person', personHeld], ['company', companyHeld]])(
    'opens the %s enrollment it sealed, with the same kiosk\'s keys',
    (_flow, make) => {
      const original = make();
      const envelope = sealHeldEnrollment(CREDENTIALS, original, OFFICER, NOW);
      expectSameHeld(openHeldEnrollment(CREDENTIALS, envelope, original.id), original);
    },
  );

  it('carries who held it and when, and the officers who captured and decided the face, as participants', () => {
    const original = onReview('company', {
      ranBy: null, documentBy: null,
      face: { outcome: faceOutcome({ decision: 'review', capture: 'officer', capturedBy: SECOND_OFFICER, decidedBy: SUPERVISOR }), livenessException: null, by: null },
    });
    const heldAt = new Date('2024-06-15T13:02:00Z');
    const thawed = openHeldEnrollment(CREDENTIALS, sealHeldEnrollment(CREDENTIALS, original, OFFICER, heldAt), original.id);
    expect(thawed.held).toEqual({ by: OFFICER, at: heldAt.toISOString() });
    expect(thawed.face?.outcome).toMatchObject({ capturedBy: SECOND_OFFICER, decidedBy: SUPERVISOR });
    // The supervisor who decided the review band took part: they may not give the second approval.
    expect([...thawed.participants()].sort((a, b) => a - b)).toEqual([OFFICER.id, SECOND_OFFICER.id, SUPERVISOR.id]);
  });

  it('seals to the kiosk\'s own key, as a held enrollment under its id, signed by the kiosk', () => {
    const original = personHeld();
    const envelope = sealHeldEnrollment(CREDENTIALS, original, OFFICER, NOW);
    expect(readSealedHeader(envelope)).toMatchObject({
      recordId: original.id, kioskId: CREDENTIALS.identity.kioskId, createdAt: NOW.toISOString(), kind: HELD_ENROLLMENT_KIND,
      sealedTo: keyIdOf(CREDENTIALS.keys.sealing.publicKey),
    });
    // The authority cannot open it: it never leaves the kiosk.
    expect(() => openSealedRecord(envelope, {
      authoritySealingPrivateKey: generateSealingKeyPair().privateKey, kioskSigningPublicKey: CREDENTIALS.keys.signing.publicKey,
    })).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'ENVELOPE_WRONG_AUTHORITY_KEY' }));
  });

  it('shows nothing in the clear: no name, no note, no photo', () => {
    const original = personHeld();
    const envelope = Buffer.from(sealHeldEnrollment(CREDENTIALS, original, OFFICER, NOW));
    for (const text of ['ERIKSSON', 'Hauptstraße', 'Hand in a cast', 'Could not turn the head']) expect(envelope.includes(text)).toBe(false);
    expect(envelope.includes(Buffer.from(photoBytes(120)).subarray(200, 264))).toBe(false);
  });

  it('refuses another kiosk\'s keys, and a kiosk whose sealing key was swapped', () => {
    const envelope = sealHeldEnrollment(CREDENTIALS, personHeld(), OFFICER, NOW);
    const other = kioskCredentials();
    const id = readSealedHeader(envelope).recordId;
    expect(() => openHeldEnrollment(other, envelope, id)).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'ENVELOPE_SIGNATURE_INVALID' }));
    const swapped = { ...CREDENTIALS, keys: { signing: CREDENTIALS.keys.signing, sealing: other.keys.sealing } };
    expect(() => openHeldEnrollment(swapped, envelope, id)).toThrow(expect.objectContaining({ name: 'ProtocolError', code: 'ENVELOPE_WRONG_AUTHORITY_KEY' }));
  });

  it('refuses an envelope with any one byte flipped', () => {
    const original = companyHeld();
    const envelope = sealHeldEnrollment(CREDENTIALS, original, OFFICER, NOW);
    fc.assert(fc.property(fc.integer({ min: 0, max: envelope.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const damaged = Uint8Array.from(envelope);
      damaged[at]! ^= mask;
      expect(() => openHeldEnrollment(CREDENTIALS, damaged, original.id)).toThrow();
    }), { numRuns: 120 });
    const last = Uint8Array.from(envelope);
    last[last.length - 1]! ^= 1;
    expect(() => openHeldEnrollment(CREDENTIALS, last, original.id)).toThrow(expect.objectContaining({ code: 'ENVELOPE_SIGNATURE_INVALID' }));
  });

  it('refuses an envelope of another kind, under another id, or holding another enrollment, though the kiosk signed it', () => {
    const original = companyHeld();
    const { json, parts } = freezeEnrollment(original, HELD);
    const seal = (kind: string, recordId: string) => sealRecord({
      recordId, kioskId: CREDENTIALS.identity.kioskId, createdAt: NOW.toISOString(), kind, json, parts,
      authoritySealingPublicKey: CREDENTIALS.keys.sealing.publicKey, kioskSigningPrivateKey: CREDENTIALS.keys.signing.privateKey,
    }).bytes;
    const genuine = seal(HELD_ENROLLMENT_KIND, original.id);
    const misplaced = (found: string, foundId: string) => expect.objectContaining({ code: 'KIOSK_SEALED_MISPLACED', details: expect.objectContaining({ found, foundId }) });
    expect(() => openHeldEnrollment(CREDENTIALS, seal('company-registration', original.id), original.id))
      .toThrow(misplaced('company-registration', original.id));
    // Another row's envelope copied under this id (or this one opened for another row).
    const other = randomUUID();
    expect(() => openHeldEnrollment(CREDENTIALS, genuine, other)).toThrow(misplaced(HELD_ENROLLMENT_KIND, original.id));
    // An envelope under the id asked for, whose JSON is another enrollment.
    expect(() => openHeldEnrollment(CREDENTIALS, seal(HELD_ENROLLMENT_KIND, other), other))
      .toThrow(expect.objectContaining({ code: 'ENROLLMENT_HELD_UNREADABLE', message: expect.stringContaining(`holds enrollment ${original.id}`) }));
    expectSameHeld(openHeldEnrollment(CREDENTIALS, genuine, original.id), original);
  });
});

describe('the held-enrollment codec, property', () => {
  const operator: fc.Arbitrary<OperatorRefView> = fc.record({
    id: fc.integer({ min: 1, max: 1_000_000 }), name: fc.string({ unit: 'grapheme', maxLength: 30 }), role: fc.constantFrom(...ROLES),
  });
  const by = fc.option(operator);
  const note = fc.string({ unit: 'grapheme', maxLength: 80 });
  const at = fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  const photo = fc.option(fc.uint8Array({ minLength: 1, maxLength: 96 }));
  const line = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
  const address = fc.string({ unit: 'grapheme', minLength: 5, maxLength: 120 });

  /** Values `arbitrary` gives that `field` accepts, as `field` outputs them (trimmed). */
  const valid = <T>(field: z.ZodType<T>, arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<T> =>
    arbitrary.map((raw) => field.safeParse(raw)).filter((parsed) => parsed.success).map((parsed) => parsed.data!);
  /** A choice and its note: a note with "other", and only then. */
  const choice = <C extends string>(options: readonly C[]) => fc.constantFrom(...options)
    .chain((picked) => fc.record({ picked: fc.constant(picked), note: picked === 'other' ? line : fc.constant(null) }));

  /** Details as the RPC layer hands them on: run through their schema. */
  const personDetails = fc.record({
    address,
    phone: fc.option(fc.stringMatching(/^\+?[0-9]{2,4}( ?[0-9]{2,5}){2,3}$/)),
    email: fc.option(fc.stringMatching(/^[A-Za-z0-9_+-]{1,12}(\.[a-z0-9_+-]{1,8})?@[a-z0-9][a-z0-9-]{0,10}\.[a-z]{2,6}$/)),
    purpose: choice(EnrollmentPurpose.options),
  }).map(({ purpose, ...rest }) => ({ flow: 'person' as const, ...rest, purpose: purpose.picked, purposeNote: purpose.note }));
  const companyDetails = fc.record({
    companyName: line,
    registrationNumber: fc.stringMatching(/^[A-Z0-9ÄÖÜ一-龥][A-Za-z0-9 ./-]{0,30}$/),
    legalForm: choice(LegalForm.options),
    registeredAddress: address,
    role: fc.constantFrom(...CompanyRole.options),
  }).map(({ legalForm, ...rest }) => ({ flow: 'company' as const, ...rest, legalForm: legalForm.picked, legalFormNote: legalForm.note }));

  const fingers: fc.Arbitrary<FingerOutcomeRecord[]> = fc.uniqueArray(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 10 })
    .chain((positions) => fc.tuple(...positions.map((position) => fc.oneof(
      fc.record({
        by,
        duplicateOf: fc.option(fc.oneof(
          fc.record({ kind: fc.constant('session' as const), position: fc.integer({ min: 1, max: 10 }) }),
          fc.record({ kind: fc.constant('operator' as const), operatorId: fc.option(fc.integer({ min: 1, max: 999 })) }),
        )),
      }).map((capture) => fingerCapture(position, capture) as FingerOutcomeRecord),
      fc.record({ reason: fc.constantFrom(...FingerExceptionReason.options), note, photo, by, at })
        .map((e) => ({ kind: 'exception' as const, position, ...e }) as FingerOutcomeRecord),
    ))));

  const faceStep = fc.oneof(
    fc.record({
      decision: fc.constantFrom('match' as const, 'review' as const),
      livenessPassed: fc.boolean(),
      capture: fc.constantFrom('automatic' as const, 'officer' as const),
      capturedBy: operator,
      decidedBy: operator,
      by,
      livenessException: fc.option(fc.record({ reason: fc.constantFrom(...LivenessExceptionReason.options), note, photo, by, at })),
    }).map(({ decision, livenessPassed, capture, capturedBy, decidedBy, by: faceBy, livenessException: exception }): Captures => ({
      face: { outcome: faceOutcome({ decision, livenessPassed, capture, capturedBy, decidedBy }), livenessException: exception, by: faceBy },
    })),
    fc.record({ reason: fc.constantFrom(...FaceExceptionReason.options), note, photo, by, at })
      .map((exception): Captures => ({ face: null, faceException: exception })),
  );

  const heldEnrollment = (flow: Flow) => fc.record({
    ranBy: by,
    documentBy: by,
    faceStep,
    fingers: flow === 'person' ? fingers : fc.constant([]),
    details: flow === 'person' ? valid(PersonDetails, personDetails) : valid(CompanyDetails, companyDetails),
    consent: fc.record({ version: fc.string({ maxLength: 12 }), language: fc.constantFrom(...Language.options), acceptedAt: at }),
    card: fc.boolean(),
  }).map(({ faceStep: face, card, ...captures }) => onReview(flow, {
    ...captures, ...face, document: card ? cnidRead() : correctableRead(), useCorrection: !card,
  }));

  it.each<Flow>(['person', 'company'])('gives back any %s enrollment it froze', (flow) => {
    fc.assert(fc.property(heldEnrollment(flow), (original) => {
      const { json, parts } = freezeEnrollment(original, HELD);
      // Through text, as the envelope carries it.
      expectSameHeld(thawEnrollment(JSON.parse(JSON.stringify(json)), parts), original);
    }), { numRuns: 150 });
  });

  it('gives back any enrollment it sealed, through the envelope', () => {
    fc.assert(fc.property(fc.constantFrom<Flow>('person', 'company').chain(heldEnrollment), (original) => {
      expectSameHeld(openHeldEnrollment(CREDENTIALS, sealHeldEnrollment(CREDENTIALS, original, OFFICER, NOW), original.id), original);
    }), { numRuns: 40 });
  });
});
