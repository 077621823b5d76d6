// The sync panel's badge: "up to date" only when nothing waits and no fault stands, and a word for
// every badge in every language.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { badgeOf, type SyncBadge } from '../../../renderer/src/components/sync-badge.js';
import { projectRoot } from '../../e2e/support/kiosk-process.js';

const fault = (kind: 'transient' | 'config' | 'reject' | 'halt') => ({ code: 'X', message: 'x', at: '2026-12-07T00:00:00Z', kind });
const idle = { state: 'idle' as const, queueDepth: 0, exported: 0, lastError: null };

describe('badgeOf', () => {
  it('says up to date only when nothing waits to be sent and no configuration fault stands', () => {
    expect(badgeOf(idle)).toBe('idle');
    expect(badgeOf({ ...idle, queueDepth: 3, exported: 3 })).toBe('idle'); // carried out on a stick, waiting for receipts
    expect(badgeOf({ ...idle, queueDepth: 3 })).toBe('waiting');
    expect(badgeOf({ ...idle, queueDepth: 3, exported: 1, lastError: fault('transient') })).toBe('waiting');
    expect(badgeOf({ ...idle, queueDepth: 1, lastError: fault('config') })).toBe('fault');
    expect(badgeOf({ ...idle, lastError: fault('config') })).toBe('fault');
  });

  it('keeps the service\'s state when a round runs, the authority is away, sync stopped or the kiosk is not registered', () => {
    for (const state of ['syncing', 'offline', 'halted', 'not-provisioned'] as const) {
      expect(badgeOf({ ...idle, state, queueDepth: 2, lastError: fault('config') })).toBe(state);
    }
  });

  it('has words in every language', () => {
    const badges: SyncBadge[] = ['not-provisioned', 'idle', 'waiting', 'fault', 'syncing', 'offline', 'halted'];
    for (const language of ['en', 'de', 'zh-CN']) {
      const { sync } = JSON.parse(readFileSync(join(projectRoot, 'resources', 'locales', `${language}.json`), 'utf8')) as { sync: { states: Record<string, string> } };
      expect(Object.keys(sync.states).sort()).toEqual([...badges].sort());
    }
  });
});
