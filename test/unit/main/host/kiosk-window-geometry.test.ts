// Placing the kiosk window on a bare X server: the screen's size read from xdpyinfo's report
// (the screen DISPLAY names), what happens without xdpyinfo, and the arguments that make
// Chromium's window cover the screen, which only a kiosk window on bare X gets.

import { describe, expect, it } from 'vitest';
import { chromiumArgs } from '../../../../main/host/chromium-launcher.js';
import {
  isBareX, screenNumberOf, screenSizeFromXdpyinfo, windowGeometryArgs, xScreenSize,
} from '../../../../main/host/kiosk-window-geometry.js';

const report = `name of display:    :91
version number:    11.0
number of screens:    2

screen #0:
  dimensions:    1280x800 pixels (325x203 millimeters)
  resolution:    100x100 dots per inch

screen #1:
  dimensions:    1920x1080 pixels (508x285 millimeters)
`;

describe('the X screen size', () => {
  it('is read for the screen DISPLAY names', () => {
    expect(screenSizeFromXdpyinfo(report)).toEqual({ width: 1280, height: 800 });
    expect(screenSizeFromXdpyinfo(report, screenNumberOf(':91.1'))).toEqual({ width: 1920, height: 1080 });
    expect(screenSizeFromXdpyinfo(report, 2)).toBeNull();
    expect(screenSizeFromXdpyinfo('xdpyinfo:  unable to open display ":9".')).toBeNull();
  });

  it('names the screen of a DISPLAY', () => {
    expect([':0', ':1.0', 'kiosk:0.1', ':12'].map(screenNumberOf)).toEqual([0, 0, 1, 0]);
  });

  it('says why it is unknown without xdpyinfo', async () => {
    const missing = () => Promise.reject(Object.assign(new Error('spawn xdpyinfo ENOENT'), { code: 'ENOENT' }));
    expect(await xScreenSize(':0', missing)).toEqual({ size: null, why: 'xdpyinfo is not installed (Debian package x11-utils)' });
    expect(await xScreenSize(':0', () => Promise.resolve(report))).toEqual({ size: { width: 1280, height: 800 } });
    expect(await xScreenSize(':0.2', () => Promise.resolve(report))).toEqual({ size: null, why: 'xdpyinfo reported no size for screen 2' });
  });
});

describe('the window geometry', () => {
  it('covers the screen, one pixel more each way than Chromium would otherwise shrink it to', () => {
    expect(windowGeometryArgs({ width: 1280, height: 800 })).toEqual(['--window-position=0,0', '--window-size=1281,801']);
  });

  it('is passed to a kiosk window only', () => {
    const launch = { url: 'http://127.0.0.1:1/session?bootstrap=t', origin: 'http://127.0.0.1:1', dataDir: '/d', asRoot: false, screen: { width: 1920, height: 1080 } };
    expect(chromiumArgs({ ...launch, kiosk: true })).toEqual(expect.arrayContaining(['--kiosk', '--window-position=0,0', '--window-size=1921,1081']));
    expect(chromiumArgs({ ...launch, kiosk: false }).filter((a) => a.startsWith('--window-'))).toEqual([]);
    expect(chromiumArgs({ ...launch, kiosk: true, screen: null }).filter((a) => a.startsWith('--window-'))).toEqual([]);
  });

  it('is needed on bare X only: a Wayland compositor sizes the window itself', () => {
    expect(isBareX({ DISPLAY: ':0' })).toBe(true);
    expect(isBareX({ DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' })).toBe(false);
    expect(isBareX({ WAYLAND_DISPLAY: 'wayland-0' })).toBe(false);
    expect(isBareX({})).toBe(false);
  });
});
