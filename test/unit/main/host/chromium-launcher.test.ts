// How the browser host starts Chromium: the kiosk flags, the sandbox kept unless running
// as root, no flag that grants media to every page (the camera is a content setting for
// the kiosk's origin in the profile's Preferences), and which executable it picks.

import fs, { type PathLike } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allowCameraInProfile, chromiumArgs, findChromium, preferencesAllowingCamera,
} from '../../../../main/host/chromium-launcher.js';

const url = 'http://127.0.0.1:4000/session?bootstrap=mb1.AAAAAAAAAAAAAAAAAAAAAAAA.mac';
const launch = { url, origin: 'http://127.0.0.1:4000', dataDir: '/var/lib/gatehouse', asRoot: false, kiosk: true };

describe('chromiumArgs', () => {
  it('opens the url as an app in kiosk mode with its own profile and the sandbox on', () => {
    const args = chromiumArgs(launch);
    expect(args[0]).toBe(`--app=${url}`);
    expect(args).toContain('--kiosk');
    expect(args).toContain('--user-data-dir=/var/lib/gatehouse/chromium-profile');
    expect(args).toEqual(expect.arrayContaining(['--no-first-run', '--disable-background-networking', '--disable-sync']));
    expect(args.some((a) => a.startsWith('--no-sandbox') || a.startsWith('--disable-web-security'))).toBe(false);
  });

  it('grants no media permission by flag and opens no debugging port', () => {
    for (const args of [chromiumArgs(launch), chromiumArgs({ ...launch, asRoot: true, kiosk: false })]) {
      expect(args.filter((a) => /fake-ui|fake-device|auto-accept|remote-debugging|unsafely-treat/.test(a))).toEqual([]);
    }
  });

  it('carries nothing secret but the one-time address it is given', () => {
    const args = chromiumArgs(launch);
    expect(args.filter((a) => a.includes('bootstrap=') || a.includes('secret'))).toEqual([`--app=${url}`]);
  });

  it('drops --kiosk for a development window', () => {
    expect(chromiumArgs({ ...launch, kiosk: false })).not.toContain('--kiosk');
  });

  it('turns the sandbox off only when running as root, where Chromium refuses it', () => {
    expect(chromiumArgs({ ...launch, asRoot: true })).toContain('--no-sandbox');
    expect(chromiumArgs({ ...launch, asRoot: false })).not.toContain('--no-sandbox');
  });

  it('passes the url as one argument, whatever it holds', () => {
    const odd = 'http://127.0.0.1:4000/session?bootstrap=a b;--no-sandbox';
    const args = chromiumArgs({ ...launch, url: odd });
    expect(args.filter((a) => a.includes('bootstrap='))).toEqual([`--app=${odd}`]);
    expect(args).not.toContain('--no-sandbox');
  });
});

describe('the camera permission in the profile', () => {
  const cameraExceptions = (prefs: Record<string, unknown>) =>
    (prefs as { profile: { content_settings: { exceptions: { media_stream_camera: unknown } } } }).profile.content_settings.exceptions.media_stream_camera;

  it('allows the camera for the kiosk origin only', () => {
    expect(cameraExceptions(preferencesAllowingCamera({}, 'http://127.0.0.1:4000'))).toEqual({ 'http://127.0.0.1:4000,*': { setting: 1 } });
  });

  it('drops the camera permission of an earlier launch and keeps every other preference', () => {
    const earlier = {
      browser: { has_seen_welcome_page: true },
      profile: {
        name: 'Kiosk',
        content_settings: { exceptions: { media_stream_camera: { 'http://127.0.0.1:3999,*': { setting: 1 } }, notifications: { x: 2 } } },
      },
    };
    const next = preferencesAllowingCamera(earlier, 'http://127.0.0.1:4000');
    expect(cameraExceptions(next)).toEqual({ 'http://127.0.0.1:4000,*': { setting: 1 } });
    expect(next).toMatchObject({ browser: { has_seen_welcome_page: true }, profile: { name: 'Kiosk', content_settings: { exceptions: { notifications: { x: 2 } } } } });
  });

  it.each([null, [], 'text', { profile: 'text' }, { profile: { content_settings: [] } }])('starts over from preferences it cannot use (%j)', (junk) => {
    expect(cameraExceptions(preferencesAllowingCamera(junk, 'http://127.0.0.1:4000'))).toEqual({ 'http://127.0.0.1:4000,*': { setting: 1 } });
  });

  it('writes Default/Preferences of the profile, replacing a half-written file', () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-profile-'));
    try {
      allowCameraInProfile(profile, 'http://127.0.0.1:4000');
      const file = path.join(profile, 'Default', 'Preferences');
      expect(cameraExceptions(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual({ 'http://127.0.0.1:4000,*': { setting: 1 } });
      fs.writeFileSync(file, '{"profile": {');
      allowCameraInProfile(profile, 'http://127.0.0.1:4001');
      expect(cameraExceptions(JSON.parse(fs.readFileSync(file, 'utf8')))).toEqual({ 'http://127.0.0.1:4001,*': { setting: 1 } });
      expect(fs.readdirSync(path.join(profile, 'Default'))).toEqual(['Preferences']);
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe('findChromium', () => {
  const only = (...present: string[]) => (p: PathLike) => present.includes(String(p));

  it('takes GATEHOUSE_CHROMIUM when that file exists, and nothing else when it does not', () => {
    expect(findChromium({ GATEHOUSE_CHROMIUM: '/opt/chrome/chrome' }, only('/opt/chrome/chrome', '/usr/bin/chromium'))).toBe('/opt/chrome/chrome');
    expect(findChromium({ GATEHOUSE_CHROMIUM: '/opt/missing' }, only('/usr/bin/chromium'))).toBeNull();
  });

  it('looks at the Debian paths in order', () => {
    expect(findChromium({}, only('/usr/bin/chromium', '/usr/bin/google-chrome'))).toBe('/usr/bin/chromium');
    expect(findChromium({}, only('/usr/bin/chromium-browser', '/usr/bin/google-chrome'))).toBe('/usr/bin/chromium-browser');
    expect(findChromium({}, only('/usr/bin/google-chrome'))).toBe('/usr/bin/google-chrome');
  });

  it('answers null when there is none', () => {
    expect(findChromium({}, only())).toBeNull();
  });
});
