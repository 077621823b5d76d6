import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../../../main/store/database.js';
import { getSetting, setSetting, SettingKeys } from '../../../../main/store/settings.js';

const { idleTimeoutSeconds, defaultLanguage } = SettingKeys;

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
});
