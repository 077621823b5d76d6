// `gatehouse kiosk-window`'s flags: the page key file made absolute, Chromium's profile folder from
// --profile, else the unit's StateDirectory, else the user's home, and the wait for the host in
// whole seconds from 1 to 3600, anything else refused with CLI_INVALID_OPTIONS.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WAIT_SECONDS, kioskWindowSettings } from '../../../../main/cli/commands/kiosk-window.js';

const flags = (extra: Partial<Parameters<typeof kioskWindowSettings>[0]> = {}) => ({ pageKey: '/run/gatehouse/page-key.json', wait: String(DEFAULT_WAIT_SECONDS), ...extra });

describe('kiosk-window settings', () => {
  it('as gatehouse-kiosk.service runs it: the profile in the StateDirectory, full screen, a minute\'s wait', () => {
    expect(kioskWindowSettings(flags(), { STATE_DIRECTORY: '/var/lib/gatehouse-kiosk', HOME: '/nonexistent' })).toEqual({
      pageKeyFile: '/run/gatehouse/page-key.json', profileFolder: '/var/lib/gatehouse-kiosk', waitMs: 60_000, fullScreen: true,
    });
  });

  it('takes the first of several StateDirectory folders, else the home, and --profile before both', () => {
    expect(kioskWindowSettings(flags(), { STATE_DIRECTORY: '/var/lib/a:/var/lib/b' }).profileFolder).toBe('/var/lib/a');
    expect(kioskWindowSettings(flags(), { HOME: '/home/screen' }).profileFolder).toBe('/home/screen/.local/state/gatehouse-kiosk-window');
    expect(kioskWindowSettings(flags({ profile: '/srv/profile' }), { STATE_DIRECTORY: '/var/lib/a' }).profileFolder).toBe('/srv/profile');
  });

  it('makes a relative page key path absolute and opens a normal window with --window', () => {
    const settings = kioskWindowSettings(flags({ pageKey: 'page-key.json', window: true }), {});
    expect(settings.pageKeyFile).toBe(`${process.cwd()}/page-key.json`);
    expect(settings.fullScreen).toBe(false);
    expect(() => kioskWindowSettings(flags({ pageKey: ' ' }), {})).toThrow(expect.objectContaining({ code: 'CLI_INVALID_OPTIONS' }));
  });

  it('accepts every whole number of seconds from 1 to 3600 for --wait', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3600 }), (seconds) => {
      expect(kioskWindowSettings(flags({ wait: String(seconds) }), {}).waitMs).toBe(seconds * 1000);
    }));
  });

  it('refuses any other --wait', () => {
    const whole = /^\d+$/;
    const refused = fc.oneof(
      fc.string().filter((text) => !whole.test(text) || Number(text) < 1 || Number(text) > 3600),
      fc.integer({ min: 3601 }).map(String),
      fc.constantFrom('0', '-5', '1.5', '1e3', ' 60', '60s', ''),
    );
    fc.assert(fc.property(refused, (wait) => {
      expect(() => kioskWindowSettings(flags({ wait }), {})).toThrow(expect.objectContaining({ code: 'CLI_INVALID_OPTIONS' }));
    }));
  });
});
