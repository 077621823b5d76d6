// The rule of decisions on a record, as a table: anything undecided can be taken into review,
// accepted or rejected; a decided record can be decided again the other way but never goes back
// to review.

import { describe, expect, it } from 'vitest';
import { DECISIONS, decisionRefusal, type Decision } from '../../../authority/record-processing.js';
import type { ProcessingState } from '../../../protocol/record-status.js';

describe('decisions on a record', () => {
  const allowed: Record<ProcessingState, Decision[]> = {
    received: ['in-review', 'accepted', 'rejected'],
    'in-review': ['in-review', 'accepted', 'rejected'],
    accepted: ['accepted', 'rejected'],
    rejected: ['accepted', 'rejected'],
  };

  it.each(Object.entries(allowed))('from %s allow exactly %j', (state, decisions) => {
    for (const decision of DECISIONS) {
      const refusal = decisionRefusal(state as ProcessingState, decision);
      if (decisions.includes(decision)) expect(refusal, decision).toBeUndefined();
      else expect(refusal, decision).toMatch(/never goes back to in-review/);
    }
  });
});
