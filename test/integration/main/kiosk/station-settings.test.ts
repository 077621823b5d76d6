// Station settings through a real kiosk's RPC: what the technician's section reads (values,
// bounds, the mandatory second-approval reasons), a change audited with each key's old and new
// value in the same transaction, a refused change that leaves neither setting nor audit entry,
// and a running kiosk's screens counting down with the new idle times from the next touch.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../../../main/audit/audit-verify.js';
import {
  auditHeadSeq, auditRowsAfter, errorOf, openKioskHarness, outputOf, type KioskHarness, type RecordedScreen,
} from '../../../fixtures/kiosk-harness.js';

let h: KioskHarness;
beforeEach(async () => {
  h = await openKioskHarness();
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

const warnings = ({ events }: RecordedScreen) =>
  events.filter((e) => e.name === 'session.idleWarning').map((e) => (e.payload as { secondsLeft: number }).secondsLeft);

describe('station settings', () => {
  it('shows the technician every setting with its bounds, the mandatory reasons and no authority retention', async () => {
    const { screen } = await h.loggedIn('technician');
    const view = outputOf<{ settings: Record<string, unknown>; fields: Array<{ key: string }>; mandatorySecondApproval: string[]; authorityRetentionHours: number | null }>(
      await h.call(screen, 'settings.get'));
    expect(view.settings).toMatchObject({ idleTimeoutSeconds: 120, idleWarningSeconds: 30, alwaysSecondApproval: [], sealedRetentionHours: 168 });
    expect(view.fields.map((field) => field.key)).toEqual(Object.keys(view.settings));
    expect(view.fields[0]).toEqual({ key: 'idleTimeoutSeconds', type: 'integer', min: 15, max: 3600 });
    expect(view.mandatorySecondApproval).toEqual(['chip-not-read', 'face-exception', 'face-review-band', 'liveness-not-passed', 'finger-exception', 'finger-duplicate']);
    expect(view.authorityRetentionHours).toBeNull();
  });

  it('keeps the settings away from supervisors and officers', async () => {
    for (const key of ['supervisor', 'officer'] as const) {
      const { screen } = await h.loggedIn(key);
      expect(errorOf(await h.call(screen, 'settings.get')).code).toBe('RPC_FORBIDDEN');
      expect(errorOf(await h.call(screen, 'settings.update', { idleTimeoutSeconds: 300 })).code).toBe('RPC_FORBIDDEN');
    }
  });

  it('audits each changed key with its old and new value, and nothing for a value that stays', async () => {
    const { screen } = await h.loggedIn('technician');
    const before = auditHeadSeq(h.kiosk);
    expect(outputOf(await h.call(screen, 'settings.update', {
      idleTimeoutSeconds: 300, idleWarningSeconds: 45, defaultLanguage: 'en', alwaysSecondApproval: ['company'], slipPrinter: 'front-desk',
    }))).toMatchObject({ idleTimeoutSeconds: 300, idleWarningSeconds: 45, alwaysSecondApproval: ['company'], slipPrinter: 'front-desk' });
    const rows = auditRowsAfter(h.kiosk, before);
    expect(rows.map(({ actor, action, details }) => ({ actor, action, details: JSON.parse(details) as unknown }))).toEqual([{
      actor: `operator:${h.operator('technician').id}`,
      action: 'settings.update',
      details: {
        changes: [
          { key: 'idleTimeoutSeconds', old: 120, new: 300 },
          { key: 'idleWarningSeconds', old: 30, new: 45 },
          { key: 'alwaysSecondApproval', old: [], new: ['company'] },
          { key: 'slipPrinter', old: null, new: 'front-desk' },
        ],
      },
    }]);
    expect(verifyAudit(h.kiosk.db)).toMatchObject({ ok: true });
  });

  it('refuses a warning not shorter than the timeout, naming the field, with no setting and no audit entry written', async () => {
    const { screen } = await h.loggedIn('technician');
    const before = auditHeadSeq(h.kiosk);
    expect(errorOf(await h.call(screen, 'settings.update', { idleTimeoutSeconds: 60, idleWarningSeconds: 60, heldEnrollmentLimit: 3 }))).toMatchObject({
      code: 'SETTING_IDLE_WARNING_TOO_LONG', details: { key: 'idleWarningSeconds', idleWarningSeconds: 60, idleTimeoutSeconds: 60 },
    });
    expect(errorOf(await h.call(screen, 'settings.update', { idleTimeoutSeconds: 10 }))).toMatchObject({
      code: 'RPC_INVALID_INPUT', details: { issues: [{ path: ['idleTimeoutSeconds'] }] },
    });
    expect(auditHeadSeq(h.kiosk)).toBe(before);
    expect(outputOf(await h.call(h.openScreen().screen, 'system.info'))).toMatchObject({
      settings: { idleTimeoutSeconds: 120, idleWarningSeconds: 30, heldEnrollmentLimit: 20 },
    });
  });

  it('counts a logged-in screen down with the new idle times from its next touch', async () => {
    const technician = await h.loggedIn('technician');
    outputOf(await h.call(technician.screen, 'settings.update', { idleTimeoutSeconds: 40, idleWarningSeconds: 10 }));
    vi.useFakeTimers();
    const officer = await h.loggedIn('officer');
    vi.advanceTimersByTime(29_999);
    expect(warnings(officer)).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(warnings(officer)).toEqual(Array.from({ length: 10 }, (_, i) => 10 - i));
    expect(officer.screen.operator).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(officer.screen.operator).toBeNull();
  });
});
