// How the browser host starts Chromium: the kiosk flags, the sandbox kept unless running
// as root, and which executable it picks.

import type { PathLike } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromiumArgs, findChromium } from '../../../../main/host/chromium-launcher.js';

const launch = { url: 'http://127.0.0.1:4000/#secret=abc', dataDir: '/var/lib/gatehouse', asRoot: false, kiosk: true };

describe('chromiumArgs', () => {
  it('opens the url as an app in kiosk mode with its own profile and the sandbox on', () => {
    const args = chromiumArgs(launch);
    expect(args[0]).toBe('--app=http://127.0.0.1:4000/#secret=abc');
    expect(args).toContain('--kiosk');
    expect(args).toContain('--user-data-dir=/var/lib/gatehouse/chromium-profile');
    expect(args).toEqual(expect.arrayContaining(['--no-first-run', '--disable-background-networking', '--disable-sync']));
    expect(args.some((a) => a.startsWith('--no-sandbox') || a.startsWith('--disable-web-security'))).toBe(false);
  });

  it('drops --kiosk for a development window', () => {
    expect(chromiumArgs({ ...launch, kiosk: false })).not.toContain('--kiosk');
  });

  it('turns the sandbox off only when running as root, where Chromium refuses it', () => {
    expect(chromiumArgs({ ...launch, asRoot: true })).toContain('--no-sandbox');
    expect(chromiumArgs({ ...launch, asRoot: false })).not.toContain('--no-sandbox');
  });

  it('passes the url as one argument, whatever it holds', () => {
    const url = 'http://127.0.0.1:4000/#secret=a b;--no-sandbox';
    const args = chromiumArgs({ ...launch, url });
    expect(args.filter((a) => a.includes('secret='))).toEqual([`--app=${url}`]);
    expect(args).not.toContain('--no-sandbox');
  });
});

describe('findChromium', () => {
  const only = (...present: string[]) => (path: PathLike) => present.includes(String(path));

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
