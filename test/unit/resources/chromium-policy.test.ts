// The Chromium managed policy the package installs (/etc/chromium/policies/managed/gatehouse.json):
// every key is a policy Chromium knows, with a value of its type. The names and types below were
// checked on Chromium 156 (Debian 12) in chrome://policy, which showed each one applied with status
// OK (AutofillAddressEnabled and AutofillCreditCardEnabled: Deprecated, still applied). Only the
// kiosk's origin (on the port /etc/gatehouse/gatehouse.conf sets) may be opened and use the camera.
// The host's slip drawing (headless Chromium printing the slip's HTML from its private temporary
// folder, a file:///tmp/gatehouse-slip-… address, main/slips/slip-renderer.ts) is under the same
// machine-wide policy and must keep working: so developer tools are taken from the kiosk's origin
// (DeveloperToolsAvailabilityBlocklist) and their pages blocked (devtools://*), not switched off
// everywhere: with DeveloperToolsAvailability 2, or a blocklist of "*", headless Chromium 156 as a
// user other than root prints no PDF at all (its zygote never answers), seen in
// test/integration/session/kiosk-session.test.ts's way of running it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../main/kiosk/project-root.js';
import { parseEnvironmentFile } from '../../integration/session/systemd-unit-file.js';

type PolicyType = 'boolean' | 'string-list' | { integer: number[] };

/** Chromium policies by name, with their type (and, for an enumeration, the values it takes). */
const KNOWN_POLICIES: Record<string, PolicyType> = {
  URLBlocklist: 'string-list',
  URLAllowlist: 'string-list',
  VideoCaptureAllowedUrls: 'string-list',
  DeveloperToolsAvailabilityBlocklist: 'string-list',
  ExtensionInstallBlocklist: 'string-list',
  AudioCaptureAllowed: 'boolean',
  ScreenCaptureAllowed: 'boolean',
  AllowFileSelectionDialogs: 'boolean',
  PrintingEnabled: 'boolean',
  PasswordManagerEnabled: 'boolean',
  PasswordLeakDetectionEnabled: 'boolean',
  AutofillAddressEnabled: 'boolean',
  AutofillCreditCardEnabled: 'boolean',
  SyncDisabled: 'boolean',
  TranslateEnabled: 'boolean',
  SpellcheckEnabled: 'boolean',
  BrowserGuestModeEnabled: 'boolean',
  BrowserAddPersonEnabled: 'boolean',
  SavingBrowserHistoryDisabled: 'boolean',
  BookmarkBarEnabled: 'boolean',
  EditBookmarksEnabled: 'boolean',
  TaskManagerEndProcessEnabled: 'boolean',
  AllowDinosaurEasterEgg: 'boolean',
  BackgroundModeEnabled: 'boolean',
  DefaultBrowserSettingEnabled: 'boolean',
  MetricsReportingEnabled: 'boolean',
  AlternateErrorPagesEnabled: 'boolean',
  SearchSuggestEnabled: 'boolean',
  DefaultSearchProviderEnabled: 'boolean',
  BrowserNetworkTimeQueriesEnabled: 'boolean',
  // 0 none, 1 dangerous, 2 potentially dangerous, 3 all downloads, 4 malicious.
  DownloadRestrictions: { integer: [0, 1, 2, 3, 4] },
  // 0 signing in disabled, 1 enabled, 2 forced.
  BrowserSignin: { integer: [0, 1, 2] },
  // 0 available, 1 disabled, 2 forced.
  IncognitoModeAvailability: { integer: [0, 1, 2] },
  // 0 no protection, 1 standard, 2 enhanced.
  SafeBrowsingProtectionLevel: { integer: [0, 1, 2] },
  // 0 predict on any network (1 is obsolete), 2 never.
  NetworkPredictionOptions: { integer: [0, 1, 2] },
  // Content settings: 1 allow, 2 block, 3 ask.
  DefaultGeolocationSetting: { integer: [1, 2, 3] },
  DefaultNotificationsSetting: { integer: [1, 2, 3] },
  DefaultPopupsSetting: { integer: [1, 2] },
  DefaultSensorsSetting: { integer: [1, 2] },
  DefaultWebUsbGuardSetting: { integer: [2, 3] },
  DefaultWebHidGuardSetting: { integer: [2, 3] },
  DefaultSerialGuardSetting: { integer: [2, 3] },
  DefaultWebBluetoothGuardSetting: { integer: [2, 3] },
  DefaultFileSystemReadGuardSetting: { integer: [2, 3] },
  DefaultFileSystemWriteGuardSetting: { integer: [2, 3] },
};

const resources = join(projectRoot, 'resources');
const policy = JSON.parse(readFileSync(join(resources, 'chromium', 'policies', 'gatehouse.json'), 'utf8')) as Record<string, unknown>;
const port = parseEnvironmentFile(readFileSync(join(resources, 'gatehouse.conf'), 'utf8')).GATEHOUSE_PORT;

function fitsType(value: unknown, type: PolicyType): boolean {
  if (type === 'boolean') return typeof value === 'boolean';
  if (type === 'string-list') return Array.isArray(value) && value.every((item) => typeof item === 'string');
  return Number.isInteger(value) && type.integer.includes(value as number);
}

describe('the Chromium managed policy', () => {
  it.each(Object.keys(policy))('%s is a known policy with a value of its type', (name) => {
    expect(KNOWN_POLICIES[name]).toBeDefined();
    expect(fitsType(policy[name], KNOWN_POLICIES[name]!)).toBe(true);
  });

  it('allows only the kiosk\'s origin, on the configured port, and the slip drawing\'s private folder', () => {
    const origin = `http://127.0.0.1:${port}`;
    expect(Number(port)).toBeGreaterThan(1024);
    expect(policy.URLBlocklist).toContain('*');
    expect(policy.URLAllowlist).toEqual([origin, 'file:///tmp/gatehouse-slip-']);
    expect(policy.VideoCaptureAllowedUrls).toEqual([origin]);
    expect(policy.DeveloperToolsAvailabilityBlocklist).toEqual([origin]);
    expect(policy.AudioCaptureAllowed).toBe(false);
  });

  it('takes away downloads, extensions, printing, the password manager, autofill, sign-in, sync and translation', () => {
    expect(policy).toMatchObject({
      DownloadRestrictions: 3, ExtensionInstallBlocklist: ['*'], PrintingEnabled: false,
      PasswordManagerEnabled: false, AutofillAddressEnabled: false, AutofillCreditCardEnabled: false, BrowserSignin: 0,
      SyncDisabled: true, TranslateEnabled: false, IncognitoModeAvailability: 1, BrowserGuestModeEnabled: false,
    });
  });

  it('blocks Chromium\'s own pages a kiosk user could reach by shortcut ("*" alone does not cover chrome://)', () => {
    for (const page of ['chrome://settings', 'chrome://history', 'chrome://downloads', 'chrome://extensions', 'chrome://flags', 'devtools://*']) {
      expect(policy.URLBlocklist).toContain(page);
    }
    // Not chrome://* as a whole, nor developer tools everywhere: headless Chromium then prints no PDF (seen on 156), and slips are drawn that way.
    expect(policy.URLBlocklist).not.toContain('chrome://*');
    expect(policy).not.toHaveProperty('DeveloperToolsAvailability');
  });
});
