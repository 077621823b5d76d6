// Where the kiosk keeps its data: --data, else GATEHOUSE_DATA, else the per-user directory.

import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../../../main/kiosk/data-dir.js';
import { databasePath } from '../../../../main/store/database.js';

describe('resolveDataDir', () => {
  it('prefers --data, made absolute', () => {
    expect(resolveDataDir('rel/dir', { GATEHOUSE_DATA: '/srv/other' })).toBe(path.resolve('rel/dir'));
  });

  it('falls back to GATEHOUSE_DATA', () => {
    expect(resolveDataDir(undefined, { GATEHOUSE_DATA: '/srv/gatehouse', XDG_DATA_HOME: '/x' })).toBe('/srv/gatehouse');
  });

  it('then to $XDG_DATA_HOME/gatehouse, then ~/.local/share/gatehouse', () => {
    expect(resolveDataDir(undefined, { XDG_DATA_HOME: '/home/k/.data' })).toBe('/home/k/.data/gatehouse');
    expect(resolveDataDir(undefined, {})).toBe(path.join(os.homedir(), '.local', 'share', 'gatehouse'));
    expect(resolveDataDir('', { XDG_DATA_HOME: '' })).toBe(path.join(os.homedir(), '.local', 'share', 'gatehouse'));
  });

  it('keeps the database inside the data directory', () => {
    expect(databasePath('/srv/gatehouse')).toBe('/srv/gatehouse/gatehouse.sqlite');
  });
});
