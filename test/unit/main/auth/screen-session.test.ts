// One screen's session with fake timers: who is logged in (or called to help without logging
// in) and whether an officer is present, when the idle countdown runs, and that expiry ends the
// session, announces it, sends the helping officer away and drops the registered capture data;
// another operator logging in on the screen drops it too, the same operator logging in again
// does not.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScreenSession } from '../../../../main/auth/screen-session.js';
import type { EventName } from '../../../../main/rpc/contract.js';
import type { EventSink } from '../../../../main/rpc/event-sink.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const officer = { id: 3, name: 'Olga Officer', role: 'officer', via: 'pin' } as const;
const called = { id: 5, name: 'Oskar Officer', role: 'officer', via: 'fingerprint' } as const;
const supervisor = { id: 8, name: 'Sina Supervisor', role: 'supervisor', via: 'pin' } as const;
const technician = { id: 9, name: 'Tim Technician', role: 'technician', via: 'pin' } as const;

function screen(timeoutSeconds = 120, warningSeconds = 30) {
  const events: Array<[EventName, unknown]> = [];
  const emit: EventSink = (name, payload) => {
    events.push([name, payload]);
  };
  const settings = { timeoutSeconds, warningSeconds };
  const onIdleExpire = vi.fn((s: ScreenSession) => {
    events.push(['expire-hook' as EventName, { operator: s.operator?.id ?? null }]);
  });
  const session = new ScreenSession({
    idleTimeoutSeconds: () => settings.timeoutSeconds, idleWarningSeconds: () => settings.warningSeconds, emit, onIdleExpire,
  });
  return { session, events, onIdleExpire, settings };
}

const warningsIn = (events: Array<[EventName, unknown]>) =>
  events.filter(([name]) => name === 'session.idleWarning').map(([, payload]) => (payload as { secondsLeft: number }).secondsLeft);

describe('ScreenSession', () => {
  it('starts anonymous, with no countdown on the start screen', () => {
    const { session, events } = screen();
    expect(session.operator).toBeNull();
    expect(session.role).toBeNull();
    expect(session.actor).toBe('anonymous');
    session.touch();
    session.touch(false);
    expect(session.idleCountdownRunning).toBe(false);
    vi.advanceTimersByTime(3_600_000);
    expect(events).toEqual([]);
  });

  it('counts down for an anonymous person away from the start screen and ends the session at 120 s', () => {
    const { session, events, onIdleExpire } = screen();
    const dropFrames = vi.fn();
    session.onEnd(dropFrames);
    session.touch(true);
    expect(session.idleCountdownRunning).toBe(true);
    vi.advanceTimersByTime(119_999);
    expect(dropFrames).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(warningsIn(events)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(events.slice(-2)).toEqual([['expire-hook', { operator: null }], ['session.ended', { reason: 'idle' }]]);
    expect(onIdleExpire).toHaveBeenCalledWith(session);
    expect(dropFrames).toHaveBeenCalledTimes(1);
    expect(session.idleCountdownRunning).toBe(false);
  });

  it('going back to the start screen stops the countdown for an anonymous person', () => {
    const { session, events } = screen();
    session.touch(true);
    vi.advanceTimersByTime(100_000);
    session.touch(false);
    expect(session.idleCountdownRunning).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(events.filter(([name]) => name === 'session.ended')).toEqual([]);
  });

  it('logs an operator out when the countdown runs out, telling the hook who it was first', () => {
    const { session, events } = screen();
    session.login(officer);
    expect(session.role).toBe('officer');
    expect(session.actor).toBe('operator:3');
    expect(session.idleCountdownRunning).toBe(true);
    vi.advanceTimersByTime(120_000);
    expect(events.slice(-2)).toEqual([['expire-hook', { operator: 3 }], ['session.ended', { reason: 'idle' }]]);
    expect(session.operator).toBeNull();
    expect(session.role).toBeNull();
    expect(session.actor).toBe('anonymous');
  });

  it('keeps a logged-in operator counting down even on the start screen', () => {
    const { session } = screen();
    session.login(officer);
    session.touch(false);
    expect(session.idleCountdownRunning).toBe(true);
  });

  it('resets the countdown on each touch', () => {
    const { session, events } = screen();
    session.login(officer);
    for (let i = 0; i < 5; i += 1) {
      vi.advanceTimersByTime(110_000);
      session.touch();
    }
    expect(session.operator).toEqual(officer);
    expect(events.some(([name]) => name === 'session.ended')).toBe(false);
    expect(warningsIn(events)).toHaveLength(5 * 21);
    vi.advanceTimersByTime(120_000);
    expect(session.operator).toBeNull();
  });

  it('reads the configured timeout and warning time again at each touch', () => {
    const { session, events, settings } = screen(120);
    settings.timeoutSeconds = 60;
    settings.warningSeconds = 10;
    session.login(officer);
    vi.advanceTimersByTime(49_999);
    expect(warningsIn(events)).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(warningsIn(events)).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
    expect(session.operator).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(session.operator).toBeNull();
  });

  it('ends on logout at once: no countdown left, capture data dropped once, listeners told', () => {
    const { session, events, onIdleExpire } = screen();
    const cleanup = vi.fn();
    const unregistered = vi.fn();
    session.onEnd(cleanup);
    session.onEnd(unregistered)();
    session.login(officer);
    session.end('logout');
    expect(session.operator).toBeNull();
    expect(session.idleCountdownRunning).toBe(false);
    expect(events).toEqual([['session.ended', { reason: 'logout' }]]);
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(unregistered).not.toHaveBeenCalled();
    session.end('logout');
    expect(cleanup).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(600_000);
    expect(onIdleExpire).not.toHaveBeenCalled();
  });

  it('drops capture data and its timer silently when the screen goes away', () => {
    const { session, events, onIdleExpire } = screen();
    const cleanup = vi.fn();
    session.onEnd(cleanup);
    session.login(officer);
    session.dispose();
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(session.operator).toBeNull();
    expect(session.idleCountdownRunning).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(events).toEqual([]);
    expect(onIdleExpire).not.toHaveBeenCalled();
  });

  it('cannot be logged in or re-armed once the screen has gone away', () => {
    const { session, onIdleExpire } = screen();
    session.dispose();
    session.login(officer); // e.g. a login that was still verifying its PIN when the socket closed
    session.touch(true);
    expect(session.operator).toBeNull();
    expect(session.idleCountdownRunning).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(onIdleExpire).not.toHaveBeenCalled();
  });

  it('drops the capture data when another operator logs in on the screen, without ending the session', () => {
    const { session, events } = screen();
    session.login(officer);
    const enrollment = vi.fn();
    session.onEnd(enrollment);
    session.login(supervisor);
    expect(enrollment).toHaveBeenCalledTimes(1);
    expect(session.operator).toEqual(supervisor);
    expect(session.idleCountdownRunning).toBe(true);
    expect(events.filter(([name]) => name === 'session.ended')).toEqual([]);
    // What the new operator starts is theirs to keep when they log in again.
    const theirs = vi.fn();
    session.onEnd(theirs);
    session.login({ ...supervisor, via: 'fingerprint' });
    expect(theirs).not.toHaveBeenCalled();
    session.end('logout');
    expect(theirs).toHaveBeenCalledTimes(1);
    expect(enrollment).toHaveBeenCalledTimes(1);
  });

  it('keeps the capture data when the operator logged in logs in again', () => {
    const { session } = screen();
    session.login(officer);
    const enrollment = vi.fn();
    session.onEnd(enrollment);
    session.login(officer);
    expect(enrollment).not.toHaveBeenCalled();
    expect(session.operator).toEqual(officer);
  });

  it('gives each screen its own id', () => {
    expect(screen().session.id).not.toBe(screen().session.id);
  });
});

describe('ScreenSession: an officer called to help', () => {
  it('counts an officer or supervisor logged in as present, and nobody else', () => {
    const { session } = screen();
    expect(session.officerPresent).toBe(false);
    session.login(technician);
    expect(session.officerPresent).toBe(false);
    session.login(officer);
    expect(session.officerPresent).toBe(true);
    session.login(supervisor);
    expect(session.officerPresent).toBe(true);
  });

  it('makes the called officer present and the actor, without logging the screen in', () => {
    const { session } = screen();
    session.assist(called);
    expect(session.assistant).toEqual(called);
    expect(session.officerPresent).toBe(true);
    expect(session.actor).toBe('operator:5');
    expect(session.operator).toBeNull();
    expect(session.role).toBeNull();
  });

  it('gives the logged-in operator the actor when someone also helps', () => {
    const { session } = screen();
    session.login(technician);
    session.assist(called);
    expect(session.actor).toBe('operator:9');
    expect(session.officerPresent).toBe(true);
  });

  it('sends the officer away on endAssist, leaving the person alone again', () => {
    const { session } = screen();
    session.assist(called);
    session.endAssist();
    expect(session.assistant).toBeNull();
    expect(session.officerPresent).toBe(false);
    expect(session.actor).toBe('anonymous');
  });

  it('restarts the countdown of a screen in a flow when the officer arrives', () => {
    const { session, events } = screen();
    session.touch(true);
    vi.advanceTimersByTime(100_000);
    session.assist(called);
    vi.advanceTimersByTime(100_000);
    expect(events.some(([name]) => name === 'session.ended')).toBe(false);
    expect(session.assistant).toEqual(called);
  });

  it('ends the help with the session: on logout, and when the countdown runs out', () => {
    const { session, events } = screen();
    session.assist(called);
    session.end('logout');
    expect(session.assistant).toBeNull();
    expect(session.officerPresent).toBe(false);

    session.touch(true);
    session.assist(called);
    vi.advanceTimersByTime(120_000);
    expect(events.filter(([name]) => name === 'session.ended')).toEqual([['session.ended', { reason: 'logout' }], ['session.ended', { reason: 'idle' }]]);
    expect(session.assistant).toBeNull();
    expect(session.actor).toBe('anonymous');
  });

  it('ends the help when the screen goes away, and takes none afterwards', () => {
    const { session, onIdleExpire } = screen();
    session.assist(called);
    session.dispose();
    expect(session.assistant).toBeNull();
    expect(session.officerPresent).toBe(false);
    session.assist(called);
    expect(session.assistant).toBeNull();
    expect(session.officerPresent).toBe(false);
    expect(session.idleCountdownRunning).toBe(false);
    vi.advanceTimersByTime(600_000);
    expect(onIdleExpire).not.toHaveBeenCalled();
  });
});
