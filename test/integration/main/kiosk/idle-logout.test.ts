// The idle timeout through a real kiosk with fake timers: the default 120 s from the
// settings, the countdown events a screen receives, and expiry that logs the operator
// out, drops capture data and audits the logout.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import {
  auditHeadSeq, auditRowsAfter, openKioskHarness, outputOf, type KioskHarness, type RecordedScreen,
} from '../../../fixtures/kiosk-harness.js';

let h: KioskHarness;
beforeEach(async () => {
  vi.useFakeTimers();
  h = await openKioskHarness();
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

const countdown = (from: number) => Array.from({ length: from }, (_, i) => from - i);
const warnings = ({ events }: RecordedScreen) =>
  events.filter((e) => e.name === 'session.idleWarning').map((e) => (e.payload as { secondsLeft: number }).secondsLeft);
const ended = ({ events }: RecordedScreen) => events.filter((e) => e.name === 'session.ended').map((e) => e.payload);

describe('idle logout', () => {
  it('logs an officer out after the default 120 s, counting down the last 30 s first', async () => {
    const recorded = await h.loggedIn('officer');
    const { screen } = recorded;
    const dropCapture = vi.fn();
    screen.onEnd(dropCapture);
    const before = auditHeadSeq(h.kiosk);

    vi.advanceTimersByTime(89_999);
    expect(warnings(recorded)).toEqual([]);
    vi.advanceTimersByTime(30_000);
    expect(warnings(recorded)).toEqual(countdown(30));
    expect(screen.operator).not.toBeNull();
    expect(ended(recorded)).toEqual([]);
    expect(auditHeadSeq(h.kiosk)).toBe(before);

    vi.advanceTimersByTime(1);
    expect(screen.operator).toBeNull();
    expect(ended(recorded)).toEqual([{ reason: 'idle' }]);
    expect(recorded.events.at(-1)?.name).toBe('session.ended');
    expect(dropCapture).toHaveBeenCalledTimes(1);
    const officerId = h.operator('officer').id;
    expect(auditRowsAfter(h.kiosk, before)).toEqual([
      { seq: before + 1, actor: `operator:${officerId}`, action: 'auth.idle-logout', details: `{"operatorId":${officerId}}` },
    ]);
    expect(verifyAudit(h.kiosk.db)).toMatchObject({ ok: true });
    expect(outputOf(await h.call(screen, 'auth.whoami'))).toBeNull();
  });

  it('is reset by session.touch', async () => {
    const recorded = await h.loggedIn('supervisor');
    for (let i = 0; i < 3; i += 1) {
      vi.advanceTimersByTime(115_000);
      expect(outputOf(await h.call(recorded.screen, 'session.touch', { away: true }))).toEqual({ idleTimeoutSeconds: 120 });
    }
    expect(recorded.screen.role).toBe('supervisor');
    expect(ended(recorded)).toEqual([]);
    vi.advanceTimersByTime(120_000);
    expect(recorded.screen.role).toBeNull();
  });

  it('follows the idle timeout set in the station settings', async () => {
    const technician = await h.loggedIn('technician');
    outputOf(await h.call(technician.screen, 'settings.update', { idleTimeoutSeconds: 45 }));
    const officer = await h.loggedIn('officer');
    vi.advanceTimersByTime(44_999);
    expect(officer.screen.operator).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(officer.screen.operator).toBeNull();
    expect(warnings(officer).at(-1)).toBe(1);
  });

  it('runs no countdown for an anonymous screen on the start screen', async () => {
    const recorded = h.openScreen();
    expect(outputOf(await h.call(recorded.screen, 'session.touch', { away: false }))).toEqual({ idleTimeoutSeconds: 120 });
    expect(recorded.screen.idleCountdownRunning).toBe(false);
    vi.advanceTimersByTime(3_600_000);
    // Status bar updates (the sync service reporting after the harness provisioned the kiosk) are not the session's.
    expect(recorded.events.filter((e) => e.name !== 'system.statusChanged')).toEqual([]);
  });

  it('returns an anonymous person who walked away to the start, without an audit entry', async () => {
    const recorded = h.openScreen();
    const dropCapture = vi.fn();
    recorded.screen.onEnd(dropCapture);
    await h.call(recorded.screen, 'session.touch', { away: true });
    expect(recorded.screen.idleCountdownRunning).toBe(true);
    const before = auditHeadSeq(h.kiosk);
    vi.advanceTimersByTime(120_000);
    expect(ended(recorded)).toEqual([{ reason: 'idle' }]);
    expect(warnings(recorded)).toEqual(countdown(30));
    expect(dropCapture).toHaveBeenCalledTimes(1);
    expect(auditHeadSeq(h.kiosk)).toBe(before);
    expect(recorded.screen.idleCountdownRunning).toBe(false);
  });

  it('stops the countdown of a screen that went away', async () => {
    const recorded = await h.loggedIn('officer');
    const before = auditHeadSeq(h.kiosk);
    h.kiosk.closeScreen(recorded.screen);
    vi.advanceTimersByTime(600_000);
    expect(recorded.events).toEqual([]);
    expect(auditHeadSeq(h.kiosk)).toBe(before);
  });
});
