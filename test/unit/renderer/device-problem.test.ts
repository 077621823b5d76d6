// The device problems an officer is told about: which problem a device has (the kiosk's, or
// "not set up" for a device nobody configured), which one a camera the browser cannot open has
// (from the browser's error name, never its message), and a sentence that says what to do for
// every device and problem, plus the status bar's words, in every language.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceProblem, DeviceStatus } from '../../../main/rpc/schemas.js';
import { cameraProblemOf, problemOf } from '../../../renderer/src/components/device-problem.js';
import { projectRoot } from '../../e2e/support/kiosk-process.js';

describe('problemOf', () => {
  it('is the problem the kiosk reports, "not set up" for an unconfigured device, and nothing for a working one', () => {
    expect(problemOf({ state: 'disconnected', problem: 'not-connected' })).toBe('not-connected');
    expect(problemOf({ state: 'error', problem: 'wrong-settings' })).toBe('wrong-settings');
    expect(problemOf({ state: 'not-configured' })).toBe('not-set-up');
    expect(problemOf({ state: 'ready' })).toBeNull();
    expect(problemOf(undefined)).toBeNull();
  });
});

describe('cameraProblemOf', () => {
  it.each([
    ['NotFoundError', 'not-connected'],
    ['OverconstrainedError', 'not-connected'],
    ['NotAllowedError', 'no-permission'],
    ['NotReadableError', 'in-use'],
    ['AbortError', 'failed'],
  ])('%s is %s', (name, problem) => {
    expect(cameraProblemOf(new DOMException('Could not start video source /dev/video0', name))).toBe(problem);
  });

  it('is "failed" for anything that is not a browser error', () => {
    expect(cameraProblemOf(new Error('NotFoundError'))).toBe('failed');
  });
});

describe('the words in every locale', () => {
  for (const language of ['en', 'de', 'zh-CN']) {
    it(`${language} has a sentence for every device and problem, and the status bar's words`, () => {
      const locale = JSON.parse(readFileSync(join(projectRoot, 'resources', 'locales', `${language}.json`), 'utf8')) as {
        status: { problems: Record<string, Record<string, string>> };
      };
      const { words, ...sentences } = locale.status.problems;
      expect(Object.keys(words!).sort()).toEqual([...DeviceProblem.options].sort());
      expect(Object.keys(sentences).sort()).toEqual([...DeviceStatus.shape.kind.options].sort());
      for (const [kind, byProblem] of Object.entries(sentences)) {
        expect(Object.keys(byProblem).sort(), kind).toEqual([...DeviceProblem.options].sort());
        // One plain sentence that says what happened and one that says what to do.
        for (const sentence of Object.values(byProblem)) expect(sentence.split(/[.。]/).filter((part) => part.trim() !== '').length, sentence).toBe(2);
      }
    });
  }
});
