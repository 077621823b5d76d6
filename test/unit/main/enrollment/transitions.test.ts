// The enrollment's transition table, read as the workflow reads it: each flow's steps in order,
// that every capture step can be cancelled by whoever is at the screen and abandoned by the
// kiosk, which states are final, that approving carries the four-eyes guard, that an event
// which does not apply finds no transition, and who may fire what.

import { describe, expect, it } from 'vitest';
import { secondApproverRefusal } from '../../../../main/enrollment/four-eyes.js';
import {
  CAPTURE_STATES, isCaptureState, isFinal, stepsOf, TRANSITIONS, transitionFor, type EnrollmentEvent, type Firer,
} from '../../../../main/enrollment/transitions.js';
import { EnrollmentState, type Flow } from '../../../../main/rpc/schemas.js';

const FLOWS: Flow[] = ['person', 'company'];
const STATES = EnrollmentState.options;
const EVENTS: EnrollmentEvent[] = [
  'document-accepted', 'face-accepted', 'face-exception', 'fingerprints-finished', 'details-saved', 'details-reopened',
  'approved', 'held', 'review-approved', 'review-rejected', 'cancelled', 'abandoned',
];
const FINAL = ['sealed', 'rejected', 'cancelled', 'abandoned'] as const;

/** Where `events` lead from the document step, or null as soon as one does not apply. */
function walk(flow: Flow, events: EnrollmentEvent[]): string | null {
  let state: (typeof STATES)[number] = 'document';
  for (const event of events) {
    const transition = transitionFor(flow, state, event);
    if (!transition) return null;
    state = transition.to;
  }
  return state;
}

describe('stepsOf', () => {
  it('lists the person flow\'s steps in order', () => {
    expect(stepsOf('person')).toEqual(['document', 'face', 'fingerprints', 'details', 'review']);
  });

  it('lists the company flow\'s steps in order, without fingerprints', () => {
    expect(stepsOf('company')).toEqual(['document', 'face', 'details', 'review']);
  });

  it('uses only capture states', () => {
    for (const flow of FLOWS) expect(stepsOf(flow).every((step) => CAPTURE_STATES.includes(step))).toBe(true);
  });
});

describe('the states', () => {
  it('calls the five screen steps capture states, and nothing else', () => {
    expect(STATES.filter((state) => isCaptureState(state))).toEqual(['document', 'face', 'fingerprints', 'details', 'review']);
    expect(CAPTURE_STATES).toEqual(['document', 'face', 'fingerprints', 'details', 'review']);
  });

  it('makes sealed, rejected, cancelled and abandoned final, and no other state', () => {
    expect(STATES.filter((state) => isFinal(state))).toEqual([...FINAL]);
    for (const state of FINAL) {
      for (const flow of FLOWS) for (const event of EVENTS) expect(transitionFor(flow, state, event)).toBeNull();
    }
  });

  it('names only known states, flows and firers in the table', () => {
    for (const t of TRANSITIONS) {
      expect(STATES).toContain(t.from);
      expect(STATES).toContain(t.to);
      expect(t.flows.length).toBeGreaterThan(0);
      expect(t.by.length).toBeGreaterThan(0);
    }
  });

  it('has at most one transition per flow, state and event', () => {
    for (const flow of FLOWS) {
      for (const from of STATES) {
        for (const event of EVENTS) {
          expect(TRANSITIONS.filter((t) => t.flows.includes(flow) && t.from === from && t.event === event).length).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});

describe('transitionFor', () => {
  it.each<[Flow, EnrollmentEvent[], string]>([
    ['person', ['document-accepted', 'face-accepted', 'fingerprints-finished', 'details-saved'], 'review'],
    ['person', ['document-accepted', 'face-exception', 'fingerprints-finished', 'details-saved', 'approved'], 'sealed'],
    ['company', ['document-accepted', 'face-accepted', 'details-saved'], 'review'],
    ['company', ['document-accepted', 'face-exception', 'details-saved', 'details-reopened', 'details-saved'], 'review'],
    ['company', ['document-accepted', 'face-accepted', 'details-saved', 'held', 'review-approved'], 'sealed'],
    ['person', ['document-accepted', 'face-accepted', 'fingerprints-finished', 'details-saved', 'held', 'review-rejected'], 'rejected'],
  ])('leads the %s flow through %j to %s', (flow, events, end) => {
    expect(walk(flow, events)).toBe(end);
  });

  it.each<[Flow, string, EnrollmentEvent]>([
    ['company', 'face', 'fingerprints-finished'], // the company flow has no fingerprint step
    ['company', 'fingerprints', 'fingerprints-finished'],
    ['person', 'document', 'face-accepted'], // a step skipped
    ['person', 'document', 'approved'],
    ['person', 'details', 'approved'],
    ['person', 'details', 'held'],
    ['person', 'review', 'review-approved'], // only a held enrollment is approved from the queue
    ['company', 'review', 'review-rejected'],
    ['person', 'awaiting-review', 'approved'],
    ['person', 'awaiting-review', 'cancelled'], // a held enrollment is decided, never cancelled
    ['company', 'awaiting-review', 'abandoned'],
    ['person', 'details', 'details-reopened'],
  ])('finds no transition in the %s flow from %s on %s', (flow, state, event) => {
    expect(transitionFor(flow, state as never, event)).toBeNull();
  });

  it('moves the face step to the fingerprints (person) or the details (company)', () => {
    for (const event of ['face-accepted', 'face-exception'] as const) {
      expect(transitionFor('person', 'face', event)?.to).toBe('fingerprints');
      expect(transitionFor('company', 'face', event)?.to).toBe('details');
    }
  });

  it('lets every capture step of both flows be cancelled by whoever is at the screen and abandoned by the kiosk alone', () => {
    for (const flow of FLOWS) {
      for (const step of stepsOf(flow)) {
        expect(transitionFor(flow, step, 'cancelled')).toMatchObject({ to: 'cancelled', by: ['person', 'officer', 'supervisor'], guard: null });
        expect(transitionFor(flow, step, 'abandoned')).toMatchObject({ to: 'abandoned', by: ['system'], guard: null });
      }
    }
  });

  it('puts the four-eyes guard on approving at the screen and from the queue, and on nothing else', () => {
    for (const flow of FLOWS) {
      expect(transitionFor(flow, 'review', 'approved')).toMatchObject({ to: 'sealed', guard: secondApproverRefusal });
      expect(transitionFor(flow, 'awaiting-review', 'review-approved')).toMatchObject({ to: 'sealed', guard: secondApproverRefusal });
    }
    const guarded = TRANSITIONS.filter((t) => t.guard !== null).map((t) => t.event);
    expect(new Set(guarded)).toEqual(new Set(['approved', 'review-approved']));
  });

  it('holds an enrollment from the review step only, for a supervisor to decide', () => {
    for (const flow of FLOWS) {
      expect(transitionFor(flow, 'review', 'held')).toMatchObject({ to: 'awaiting-review', guard: null });
      expect(transitionFor(flow, 'awaiting-review', 'review-rejected')?.to).toBe('rejected');
    }
  });
});

describe('who may fire what', () => {
  const firers = (flow: Flow, state: string, event: EnrollmentEvent): readonly Firer[] | undefined =>
    transitionFor(flow, state as never, event)?.by;

  it.each<[Flow, string, EnrollmentEvent, Firer[]]>([
    ['person', 'document', 'document-accepted', ['person', 'officer', 'supervisor']],
    ['company', 'face', 'face-accepted', ['person', 'officer', 'supervisor']],
    ['person', 'face', 'face-exception', ['officer', 'supervisor']],
    ['company', 'face', 'face-exception', ['officer', 'supervisor']],
    ['person', 'fingerprints', 'fingerprints-finished', ['officer', 'supervisor']],
    ['company', 'details', 'details-saved', ['person', 'officer', 'supervisor']],
    ['person', 'review', 'details-reopened', ['person', 'officer', 'supervisor']],
    ['company', 'review', 'approved', ['officer', 'supervisor']],
    ['person', 'review', 'held', ['officer', 'supervisor']],
    ['person', 'awaiting-review', 'review-approved', ['supervisor']],
    ['company', 'awaiting-review', 'review-rejected', ['supervisor']],
  ])('in the %s flow, %s on %s: %j', (flow, state, event, by) => {
    expect(firers(flow, state, event)).toEqual(by);
  });

  it('never lets a person alone record an exception, finish the fingers, approve or hold', () => {
    const officersOnly: EnrollmentEvent[] = ['face-exception', 'fingerprints-finished', 'approved', 'held', 'review-approved', 'review-rejected'];
    for (const t of TRANSITIONS.filter((row) => officersOnly.includes(row.event))) expect(t.by).not.toContain('person');
  });

  it('gives a technician no transition, and the kiosk itself only the abandonment', () => {
    expect(TRANSITIONS.filter((t) => t.by.includes('technician'))).toEqual([]);
    expect(new Set(TRANSITIONS.filter((t) => t.by.includes('system')).map((t) => t.event))).toEqual(new Set(['abandoned']));
  });
});
