// The Electron host's security decisions, including the URLs attackers try: look-alike
// hosts, user-info tricks, other schemes, encoded traversal and redirects off the app.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL, APP_ORIGIN, isAppUrl, isTrustedSender, mayNavigate, permissionDecision, resolveAppAsset,
} from '../../../../main/app/policy.js';

const notTheApp = [
  'app://gatehouse.evil/',
  'app://evil.gatehouse/',
  'app://gatehouse@evil/',
  'app://evil@gatehouse/',
  'app://user:pass@gatehouse/',
  'app://gatehouse:8080/',
  'app://GATEHOUSE/',
  'app://gate%68ouse/',
  'app:gatehouse/index.html',
  'app:///gatehouse/index.html',
  'apps://gatehouse/',
  'http://gatehouse/',
  'https://gatehouse/index.html',
  'file:///',
  'file:///work/main/dist/renderer/index.html',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'blob:app://gatehouse/0b6c',
  'about:blank',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  '',
  'gatehouse',
  '/index.html',
  'not a url',
];

describe('isAppUrl', () => {
  it('accepts the app origin and its pages', () => {
    for (const url of [APP_ENTRY_URL, `${APP_ORIGIN}/`, APP_ORIGIN, 'app://gatehouse/assets/index.js?v=1#top']) {
      expect(isAppUrl(url), url).toBe(true);
    }
  });

  it('accepts a mixed-case scheme, which URLs canonicalise', () => {
    expect(isAppUrl('APP://gatehouse/index.html')).toBe(true);
    expect(isAppUrl('ApP://gatehouse/')).toBe(true);
  });

  it.each(notTheApp)('refuses %j', (url) => {
    expect(isAppUrl(url)).toBe(false);
  });
});

describe('mayNavigate', () => {
  it('allows moving between pages of the app', () => {
    expect(mayNavigate(APP_ENTRY_URL, 'app://gatehouse/index.html#/enroll')).toBe(true);
    expect(mayNavigate(APP_ENTRY_URL, `${APP_ORIGIN}/`)).toBe(true);
  });

  it.each(notTheApp)('refuses leaving the app for %j', (to) => {
    expect(mayNavigate(APP_ENTRY_URL, to)).toBe(false);
  });

  it('refuses redirects off the app (the same check runs on will-redirect)', () => {
    expect(mayNavigate(APP_ENTRY_URL, 'http://example.org/phish')).toBe(false);
    expect(mayNavigate(APP_ENTRY_URL, 'https://127.0.0.1:8443/')).toBe(false);
  });

  it('refuses any navigation from a page that is not the app', () => {
    expect(mayNavigate('about:blank', APP_ENTRY_URL)).toBe(false);
    expect(mayNavigate('', APP_ENTRY_URL)).toBe(false);
    expect(mayNavigate('https://example.org/', APP_ENTRY_URL)).toBe(false);
  });
});

describe('permissionDecision', () => {
  const camera = { permission: 'media', requestingUrl: APP_ENTRY_URL, mediaTypes: ['video'] };

  it('grants the camera to the app', () => {
    expect(permissionDecision(camera)).toBe(true);
    expect(permissionDecision({ ...camera, requestingUrl: APP_ORIGIN })).toBe(true);
  });

  it('refuses the microphone, alone or with the camera, and unknown media', () => {
    expect(permissionDecision({ ...camera, mediaTypes: ['audio'] })).toBe(false);
    expect(permissionDecision({ ...camera, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(permissionDecision({ ...camera, mediaTypes: ['unknown'] })).toBe(false);
    expect(permissionDecision({ ...camera, mediaTypes: [] })).toBe(false);
  });

  it.each(notTheApp)('refuses the camera to %j', (requestingUrl) => {
    expect(permissionDecision({ ...camera, requestingUrl })).toBe(false);
  });

  it.each([
    'geolocation', 'notifications', 'clipboard-read', 'display-capture', 'fullscreen', 'hid', 'serial', 'usb',
    'midi', 'midiSysex', 'openExternal', 'pointerLock', 'fileSystem', 'mediaKeySystem', 'window-management', 'unknown',
  ])('refuses %s, even to the app', (permission) => {
    expect(permissionDecision({ ...camera, permission })).toBe(false);
  });
});

describe('isTrustedSender', () => {
  it('trusts only the main frame of an app page', () => {
    expect(isTrustedSender({ frameUrl: APP_ENTRY_URL, isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ frameUrl: APP_ENTRY_URL, isMainFrame: false })).toBe(false);
  });

  it.each(notTheApp)('does not trust a main frame at %j', (frameUrl) => {
    expect(isTrustedSender({ frameUrl, isMainFrame: true })).toBe(false);
  });
});

describe('resolveAppAsset', () => {
  const root = join('/opt', 'gatehouse', 'dist', 'renderer');

  it('maps app paths to files under the renderer directory', () => {
    expect(resolveAppAsset(APP_ENTRY_URL, root)).toBe(join(root, 'index.html'));
    expect(resolveAppAsset('app://gatehouse/assets/index-LxbFdq5I.js', root)).toBe(join(root, 'assets', 'index-LxbFdq5I.js'));
    expect(resolveAppAsset('app://gatehouse/assets/a%20b.css?v=2#x', root)).toBe(join(root, 'assets', 'a b.css'));
    expect(resolveAppAsset('app://gatehouse//assets//x.js', root)).toBe(join(root, 'assets', 'x.js'));
  });

  it('serves index.html for the origin itself', () => {
    expect(resolveAppAsset(`${APP_ORIGIN}/`, root)).toBe(join(root, 'index.html'));
    expect(resolveAppAsset(APP_ORIGIN, root)).toBe(join(root, 'index.html'));
  });

  it('keeps dot segments that URL parsing already resolved inside the directory', () => {
    expect(resolveAppAsset('app://gatehouse/%2e%2e/%2e%2e/etc/passwd', root)).toBe(join(root, 'etc', 'passwd'));
    expect(resolveAppAsset('app://gatehouse/assets/../../../etc/passwd', root)).toBe(join(root, 'etc', 'passwd'));
  });

  it.each([
    'app://gatehouse/..%2f..%2fetc%2fpasswd',
    'app://gatehouse/assets%2f..%2f..%2fsecret',
    'app://gatehouse/%2e%2e%2f%2e%2e%2fetc/passwd',
    'app://gatehouse/..%5c..%5cetc%5cpasswd',
    'app://gatehouse/..\\..\\etc\\passwd',
    'app://gatehouse/index.html%00.png',
    'app://gatehouse/%E0%A4%A',
  ])('refuses traversal or malformed path %j', (url) => {
    expect(resolveAppAsset(url, root)).toBeNull();
  });

  it('decodes only once, so double-encoded dots stay a literal name', () => {
    expect(resolveAppAsset('app://gatehouse/%252e%252e/x', root)).toBe(join(root, '%2e%2e', 'x'));
  });

  it.each(notTheApp)('refuses requests for %j', (url) => {
    expect(resolveAppAsset(url, root)).toBeNull();
  });
});
