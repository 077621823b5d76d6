// Station settings in the store: defaults when nothing is stored, values read back, values
// outside a known setting's schema refused when set and reported by name when stored, and the
// station's settings as a technician sees and changes them (idle timeout and warning checked
// together, second approvals, held enrollments, retention, where slips are printed or saved), with
// what changed from what to what, and each setting's bounds as the screen and the CLI show them.
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../../../main/store/database.js';
import { readSettings, settingFields, writeSettings } from '../../../../main/kiosk/station-settings.js';
import { Settings } from '../../../../main/rpc/schemas.js';
import { getSetting, setSetting, SettingKeys, type Setting } from '../../../../main/store/settings.js';

const { idleTimeoutSeconds, defaultLanguage, secondApprover, heldEnrollmentLimit, heldEnrollmentMaxAgeHours, slipPrinter, slipFolder } = SettingKeys;
const read = <T>(db: ReturnType<typeof openDatabase>, { key, schema, fallback }: Setting<T>): T => getSetting(db, key, schema, fallback);

describe('settings', () => {
  it('returns the fallback when nothing is stored', () => {
    const db = openDatabase(':memory:');
    expect(getSetting(db, idleTimeoutSeconds.key, idleTimeoutSeconds.schema, idleTimeoutSeconds.fallback)).toBe(120);
    expect(getSetting(db, defaultLanguage.key, defaultLanguage.schema, defaultLanguage.fallback)).toBe('en');
  });

  it('reads back what was set, replacing the previous value', () => {
    const db = openDatabase(':memory:');
    setSetting(db, idleTimeoutSeconds.key, 300);
    setSetting(db, idleTimeoutSeconds.key, 600);
    setSetting(db, defaultLanguage.key, 'zh-CN');
    setSetting(db, 'station', { name: 'Front desk', lanes: [1, 2] });
    expect(getSetting(db, idleTimeoutSeconds.key, idleTimeoutSeconds.schema, 120)).toBe(600);
    expect(getSetting(db, defaultLanguage.key, defaultLanguage.schema, 'en')).toBe('zh-CN');
    const station = z.object({ name: z.string(), lanes: z.array(z.number()) });
    expect(getSetting(db, 'station', station, { name: '', lanes: [] })).toEqual({ name: 'Front desk', lanes: [1, 2] });
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 3 });
  });

  it('refuses to set a known key to a value outside its schema', () => {
    const db = openDatabase(':memory:');
    expect(() => setSetting(db, idleTimeoutSeconds.key, 10)).toThrow(expect.objectContaining({ code: 'SETTING_INVALID' }));
    expect(() => setSetting(db, idleTimeoutSeconds.key, 3601)).toThrow(expect.objectContaining({ code: 'SETTING_INVALID' }));
    expect(() => setSetting(db, defaultLanguage.key, 'fr')).toThrow(expect.objectContaining({ code: 'SETTING_INVALID' }));
    expect(() => setSetting(db, 'anything', undefined)).toThrow(expect.objectContaining({ code: 'NOT_JSON' }));
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 0 });
  });

  it('reports a stored value that fails its schema or is not JSON, naming the key', () => {
    const db = openDatabase(':memory:');
    const put = db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)');
    put.run(idleTimeoutSeconds.key, '5', '2026-03-01T09:00:00.000Z');
    put.run(defaultLanguage.key, '{not json', '2026-03-01T09:00:00.000Z');
    expect(() => getSetting(db, idleTimeoutSeconds.key, idleTimeoutSeconds.schema, 120)).toThrow(
      expect.objectContaining({ code: 'SETTING_INVALID', message: expect.stringMatching(/"idleTimeoutSeconds" is invalid.*default 120/) }),
    );
    expect(() => getSetting(db, defaultLanguage.key, defaultLanguage.schema, 'en')).toThrow(
      expect.objectContaining({ code: 'SETTING_INVALID', message: expect.stringMatching(/"defaultLanguage" is invalid \(it is not valid JSON\)/) }),
    );
  });

  it('defaults to a supervisor as second approver, 20 held enrollments at most, overdue after 24 hours', () => {
    const db = openDatabase(':memory:');
    expect(read(db, secondApprover)).toBe('supervisor');
    expect(read(db, heldEnrollmentLimit)).toBe(20);
    expect(read(db, heldEnrollmentMaxAgeHours)).toBe(24);
  });

  it('reads back the second-approval and held-enrollment settings within their bounds', () => {
    const db = openDatabase(':memory:');
    setSetting(db, secondApprover.key, 'supervisor-or-officer');
    setSetting(db, heldEnrollmentLimit.key, 1);
    setSetting(db, heldEnrollmentMaxAgeHours.key, 720);
    expect(read(db, secondApprover)).toBe('supervisor-or-officer');
    expect(read(db, heldEnrollmentLimit)).toBe(1);
    expect(read(db, heldEnrollmentMaxAgeHours)).toBe(720);
    setSetting(db, heldEnrollmentLimit.key, 500);
    setSetting(db, heldEnrollmentMaxAgeHours.key, 1);
    expect(read(db, heldEnrollmentLimit)).toBe(500);
    expect(read(db, heldEnrollmentMaxAgeHours)).toBe(1);
  });

  it.each<[string, unknown]>([
    ['secondApprover', 'officer'],
    ['secondApprover', 'anyone'],
    ['secondApprover', null],
    ['heldEnrollmentLimit', 0],
    ['heldEnrollmentLimit', 501],
    ['heldEnrollmentLimit', 2.5],
    ['heldEnrollmentLimit', '20'],
    ['heldEnrollmentMaxAgeHours', 0],
    ['heldEnrollmentMaxAgeHours', 721],
    ['heldEnrollmentMaxAgeHours', 1.5],
    ['slipPrinter', ''],
    ['slipPrinter', 'front desk'],
    ['slipPrinter', 'desk;rm -rf /'],
    ['slipPrinter', 'p'.repeat(128)],
    ['slipPrinter', 7],
    ['slipFolder', 'slips'],
    ['slipFolder', './slips'],
    ['slipFolder', `/${'d'.repeat(255)}`],
    ['slipFolder', ''],
  ])('refuses to set %s to %j', (key, value) => {
    const db = openDatabase(':memory:');
    expect(() => setSetting(db, key, value)).toThrow(expect.objectContaining({ code: 'SETTING_INVALID', details: { key } }));
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 0 });
  });

  it('reports a stored held-enrollment limit out of bounds, naming its default', () => {
    const db = openDatabase(':memory:');
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run(heldEnrollmentLimit.key, '0', '2026-03-01T09:00:00.000Z');
    expect(() => read(db, heldEnrollmentLimit)).toThrow(
      expect.objectContaining({ code: 'SETTING_INVALID', message: expect.stringMatching(/"heldEnrollmentLimit" is invalid.*default 20/) }),
    );
  });
});

const DEFAULTS = {
  idleTimeoutSeconds: 120, idleWarningSeconds: 30, defaultLanguage: 'en', secondApprover: 'supervisor', alwaysSecondApproval: [],
  heldEnrollmentLimit: 20, heldEnrollmentMaxAgeHours: 24, sealedRetentionHours: 168, slipPrinter: null, slipFolder: null,
};

describe('station settings', () => {
  it('reads every setting with its default when nothing is stored', () => {
    const settings = readSettings(openDatabase(':memory:'));
    expect(settings).toEqual(DEFAULTS);
    expect(Settings.parse(settings)).toEqual(settings);
  });

  it('changes only what it is given, says what changed from what, and refuses a bad value without writing it', () => {
    const db = openDatabase(':memory:');
    expect(writeSettings(db, { secondApprover: 'supervisor-or-officer', heldEnrollmentLimit: 5, defaultLanguage: 'en' })).toEqual({
      settings: { ...DEFAULTS, secondApprover: 'supervisor-or-officer', heldEnrollmentLimit: 5 },
      changed: [{ key: 'secondApprover', old: 'supervisor', new: 'supervisor-or-officer' }, { key: 'heldEnrollmentLimit', old: 20, new: 5 }],
    });
    expect(() => writeSettings(db, { heldEnrollmentLimit: 7, heldEnrollmentMaxAgeHours: 0 })).toThrow(expect.objectContaining({ code: 'SETTING_INVALID' }));
    expect(readSettings(db)).toMatchObject({ heldEnrollmentLimit: 5, heldEnrollmentMaxAgeHours: 24 });
  });

  it('sets the slip printer and folder, and sets them back to none', () => {
    const db = openDatabase(':memory:');
    expect(writeSettings(db, { slipPrinter: 'Front_Desk-2.lp', slipFolder: '/srv/gatehouse/slips' }).settings).toMatchObject({
      slipPrinter: 'Front_Desk-2.lp', slipFolder: '/srv/gatehouse/slips',
    });
    expect(writeSettings(db, { slipPrinter: null }).changed).toEqual([{ key: 'slipPrinter', old: 'Front_Desk-2.lp', new: null }]);
    expect(read(db, slipPrinter)).toBeNull();
    expect(read(db, slipFolder)).toBe('/srv/gatehouse/slips');
  });

  it('shows a countdown of 30 s, or half a shorter timeout, until a warning time is set', () => {
    const db = openDatabase(':memory:');
    expect(writeSettings(db, { idleTimeoutSeconds: 40 }).settings.idleWarningSeconds).toBe(20);
    expect(writeSettings(db, { idleTimeoutSeconds: 15 }).settings.idleWarningSeconds).toBe(7);
    expect(writeSettings(db, { idleTimeoutSeconds: 600, idleWarningSeconds: 90 }).settings).toMatchObject({ idleTimeoutSeconds: 600, idleWarningSeconds: 90 });
    expect(writeSettings(db, { idleTimeoutSeconds: 91 }).settings).toMatchObject({ idleTimeoutSeconds: 91, idleWarningSeconds: 90 });
  });

  it('refuses a warning time not shorter than the timeout, naming the setting that was changed, and writes nothing', () => {
    const db = openDatabase(':memory:');
    writeSettings(db, { idleTimeoutSeconds: 120, idleWarningSeconds: 60 });
    expect(() => writeSettings(db, { idleWarningSeconds: 120 })).toThrow(expect.objectContaining({
      code: 'SETTING_IDLE_WARNING_TOO_LONG', message: expect.stringMatching(/warning \(120 s\) must be shorter than the idle timeout \(120 s\)/),
      details: { key: 'idleWarningSeconds', idleWarningSeconds: 120, idleTimeoutSeconds: 120 },
    }));
    expect(() => writeSettings(db, { idleTimeoutSeconds: 45, defaultLanguage: 'de' })).toThrow(expect.objectContaining({
      code: 'SETTING_IDLE_WARNING_TOO_LONG', details: { key: 'idleTimeoutSeconds', idleWarningSeconds: 60, idleTimeoutSeconds: 45 },
    }));
    expect(readSettings(db)).toMatchObject({ idleTimeoutSeconds: 120, idleWarningSeconds: 60, defaultLanguage: 'en' });
    expect(writeSettings(db, { idleTimeoutSeconds: 45, idleWarningSeconds: 44 }).settings).toMatchObject({ idleTimeoutSeconds: 45, idleWarningSeconds: 44 });
  });

  it('takes second-approval rules for the flows only, each once: mandatory reasons are not settings', () => {
    const db = openDatabase(':memory:');
    expect(writeSettings(db, { alwaysSecondApproval: ['company'] }).changed).toEqual([{ key: 'alwaysSecondApproval', old: [], new: ['company'] }]);
    expect(writeSettings(db, { alwaysSecondApproval: ['company'] }).changed).toEqual([]);
    for (const refused of [['company', 'company'], ['face-exception'], ['chip-not-read'], 'company']) {
      expect(() => setSetting(db, 'alwaysSecondApproval', refused), JSON.stringify(refused)).toThrow(expect.objectContaining({ code: 'SETTING_INVALID' }));
    }
    expect(readSettings(db).alwaysSecondApproval).toEqual(['company']);
  });

  it('describes each setting with the bounds or choices of its schema', () => {
    const fields = Object.fromEntries(settingFields().map((field) => [field.key, field]));
    expect(Object.keys(fields)).toEqual(Object.keys(DEFAULTS));
    expect(fields).toMatchObject({
      idleTimeoutSeconds: { type: 'integer', min: 15, max: 3600 },
      idleWarningSeconds: { type: 'integer', min: 5, max: 600 },
      defaultLanguage: { type: 'choice', options: ['en', 'de', 'zh-CN'] },
      secondApprover: { type: 'choice', options: ['supervisor', 'supervisor-or-officer'] },
      alwaysSecondApproval: { type: 'choices', options: ['person', 'company'] },
      heldEnrollmentLimit: { type: 'integer', min: 1, max: 500 },
      heldEnrollmentMaxAgeHours: { type: 'integer', min: 1, max: 720 },
      sealedRetentionHours: { type: 'integer', min: 0, max: 8760 },
      slipPrinter: { type: 'text' },
      slipFolder: { type: 'text' },
    });
  });
});
