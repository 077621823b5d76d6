// The four-eyes rules as pure functions: which facts make an enrollment need a second operator
// (and in which order the reasons are given), and who may be that second operator: never one
// who took part, a supervisor where the station says so, a second officer where it allows one.
// The station's own rule (every enrollment of a flow) adds a reason; it never removes a mandatory one.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MANDATORY_SECOND_APPROVAL_REASONS, secondApprovalReasons, secondApproverRefusal, type ApprovalContext, type ApprovalFacts, type SecondApprovalReasonName,
} from '../../../../main/enrollment/four-eyes.js';
import { ROLES } from '../../../../main/rpc/define.js';
import { SecondApprovalReason } from '../../../../main/rpc/schemas.js';

const CLEAN: ApprovalFacts = {
  face: { decision: 'match', livenessPassed: true },
  faceException: false,
  chipSkipped: false,
  fingers: [{ kind: 'captured', duplicate: false }, { kind: 'captured', duplicate: false }],
  stationRule: false,
};

const OFFICER = { id: 3, role: 'officer' as const };
const SUPERVISOR = { id: 8, role: 'supervisor' as const };

const context = (overrides: Partial<ApprovalContext>): ApprovalContext => ({
  reasons: ['finger-exception'], participants: new Set([3]), approver: SUPERVISOR, secondApprover: 'supervisor', ...overrides,
});

describe('secondApprovalReasons', () => {
  it('gives none for a clean enrollment, with or without fingers', () => {
    expect(secondApprovalReasons(CLEAN)).toEqual([]);
    expect(secondApprovalReasons({ ...CLEAN, fingers: [] })).toEqual([]);
    expect(secondApprovalReasons({ face: null, faceException: false, chipSkipped: false, fingers: [], stationRule: false })).toEqual([]);
  });

  it.each<[string, ApprovalFacts, SecondApprovalReasonName[]]>([
    ['a face exception', { face: null, faceException: true, chipSkipped: false, fingers: [], stationRule: false }, ['face-exception']],
    ['a document chip not read', { ...CLEAN, chipSkipped: true }, ['chip-not-read']],
    ['a face in the review band', { ...CLEAN, face: { decision: 'review', livenessPassed: true } }, ['face-review-band']],
    ['a face without a passed liveness challenge', { ...CLEAN, face: { decision: 'match', livenessPassed: false } }, ['liveness-not-passed']],
    ['a finger exception', { ...CLEAN, fingers: [{ kind: 'captured', duplicate: false }, { kind: 'exception' }] }, ['finger-exception']],
    ['a duplicate finger', { ...CLEAN, fingers: [{ kind: 'captured', duplicate: true }] }, ['finger-duplicate']],
  ])('gives one reason for %s', (_name, facts, reasons) => {
    expect(secondApprovalReasons(facts)).toEqual(reasons);
  });

  it('gives each reason once, however many fingers share it', () => {
    expect(secondApprovalReasons({
      ...CLEAN, fingers: [{ kind: 'exception' }, { kind: 'exception' }, { kind: 'captured', duplicate: true }, { kind: 'captured', duplicate: true }],
    })).toEqual(['finger-exception', 'finger-duplicate']);
  });

  it('gives every reason in the fixed order', () => {
    expect(secondApprovalReasons({
      face: { decision: 'review', livenessPassed: false },
      faceException: true,
      chipSkipped: true,
      fingers: [{ kind: 'captured', duplicate: true }, { kind: 'exception' }],
      stationRule: true,
    })).toEqual(['chip-not-read', 'face-exception', 'face-review-band', 'liveness-not-passed', 'finger-exception', 'finger-duplicate', 'station-rule']);
    expect(SecondApprovalReason.options).toEqual([
      'chip-not-read', 'face-exception', 'face-review-band', 'liveness-not-passed', 'finger-exception', 'finger-duplicate', 'station-rule',
    ]);
  });

  it('adds the station\'s rule to a clean enrollment, and keeps every mandatory reason whatever the station asks', () => {
    expect(secondApprovalReasons({ ...CLEAN, stationRule: true })).toEqual(['station-rule']);
    expect(MANDATORY_SECOND_APPROVAL_REASONS).toEqual(SecondApprovalReason.options.filter((reason) => reason !== 'station-rule'));
    const doubtful = { ...CLEAN, face: { decision: 'review' as const, livenessPassed: true } };
    expect(secondApprovalReasons({ ...doubtful, stationRule: false })).toEqual(['face-review-band']);
    expect(secondApprovalReasons({ ...doubtful, stationRule: true })).toEqual(['face-review-band', 'station-rule']);
  });

  const facts: fc.Arbitrary<ApprovalFacts> = fc.record({
    face: fc.option(fc.record({ decision: fc.constantFrom('match' as const, 'review' as const), livenessPassed: fc.boolean() })),
    faceException: fc.boolean(),
    chipSkipped: fc.boolean(),
    fingers: fc.array(fc.oneof(
      fc.record({ kind: fc.constant('captured' as const), duplicate: fc.boolean() }),
      fc.constant({ kind: 'exception' as const }),
    ), { maxLength: 10 }),
    stationRule: fc.boolean(),
  });

  it('gives none exactly when there is no exception, no skipped chip, no review band, no failed liveness, no duplicate and no station rule', () => {
    fc.assert(fc.property(facts, ({ face, faceException, chipSkipped, fingers, stationRule }) => {
      const clean = !faceException && !chipSkipped && !stationRule
        && face?.decision !== 'review'
        && face?.livenessPassed !== false
        && fingers.every((finger) => finger.kind === 'captured' && !finger.duplicate);
      expect(secondApprovalReasons({ face, faceException, chipSkipped, fingers, stationRule }).length === 0).toBe(clean);
    }), { numRuns: 500 });
  });

  it('gives known reasons, each once, in the fixed order', () => {
    fc.assert(fc.property(facts, (input) => {
      const reasons = secondApprovalReasons(input);
      const order = reasons.map((reason) => SecondApprovalReason.options.indexOf(reason));
      expect(order.every((index) => index >= 0)).toBe(true);
      expect(order).toEqual([...new Set(order)].sort((a, b) => a - b));
    }), { numRuns: 300 });
  });
});

describe('secondApproverRefusal', () => {
  it('refuses an operator who took part, supervisor or not, whatever the station allows', () => {
    for (const secondApprover of ['supervisor', 'supervisor-or-officer'] as const) {
      for (const approver of [OFFICER, SUPERVISOR]) {
        const refusal = secondApproverRefusal(context({ approver, participants: new Set([approver.id, 12]), secondApprover }));
        expect(refusal).toMatchObject({ name: 'GatehouseError', code: 'ENROLLMENT_SECOND_APPROVER_REQUIRED', details: { reasons: ['finger-exception'] } });
      }
    }
  });

  it('refuses a second officer where the station wants a supervisor', () => {
    const refusal = secondApproverRefusal(context({ approver: { id: 5, role: 'officer' }, reasons: ['face-exception', 'finger-duplicate'] }));
    expect(refusal).toMatchObject({ code: 'ENROLLMENT_SUPERVISOR_REQUIRED', details: { reasons: ['face-exception', 'finger-duplicate'] } });
  });

  it('allows a second officer where the station allows one, and a supervisor who did not take part always', () => {
    expect(secondApproverRefusal(context({ approver: { id: 5, role: 'officer' }, secondApprover: 'supervisor-or-officer' }))).toBeNull();
    expect(secondApproverRefusal(context({ approver: SUPERVISOR, secondApprover: 'supervisor' }))).toBeNull();
    expect(secondApproverRefusal(context({ approver: SUPERVISOR, secondApprover: 'supervisor-or-officer' }))).toBeNull();
  });

  it('never refuses anyone for a clean enrollment', () => {
    fc.assert(fc.property(
      fc.record({
        participants: fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 6 }),
        approver: fc.record({ id: fc.integer({ min: 1, max: 20 }), role: fc.constantFrom(...ROLES) }),
        secondApprover: fc.constantFrom('supervisor' as const, 'supervisor-or-officer' as const),
      }),
      ({ participants, approver, secondApprover }) => {
        expect(secondApproverRefusal({ reasons: [], participants: new Set(participants), approver, secondApprover })).toBeNull();
      },
    ), { numRuns: 200 });
  });

  it('always refuses a participant when a second operator is needed', () => {
    fc.assert(fc.property(
      fc.subarray([...SecondApprovalReason.options], { minLength: 1 }),
      fc.constantFrom(...ROLES),
      fc.constantFrom('supervisor' as const, 'supervisor-or-officer' as const),
      (reasons, role, secondApprover) => {
        const refusal = secondApproverRefusal({ reasons, participants: new Set([7]), approver: { id: 7, role }, secondApprover });
        expect(refusal?.code).toBe('ENROLLMENT_SECOND_APPROVER_REQUIRED');
      },
    ), { numRuns: 100 });
  });
});
