/// <reference lib="dom" />
// The kiosk page in Debian's Chromium under the browser host's hardening: opened once
// through a one-time address (reloads keep the session, the spent address opens nothing
// elsewhere), the built page under the strict CSP (no inline styles) raising no violation
// on the start screen and a login, and the camera allowed for the kiosk's origin by the
// profile's content setting instead of --use-fake-ui-for-media-stream.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowCameraInProfile } from '../../main/host/chromium-launcher.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { logIn } from './support/kiosk-page.js';
import type { RunningKiosk } from './support/kiosk-process.js';
import { OFFICER, startStaffedKiosk } from './support/staffed-kiosk.js';

const VIEWPORT = { width: 1280, height: 800 };

let browser: Browser;
let kiosk: RunningKiosk;
beforeAll(async () => {
  ({ kiosk } = await startStaffedKiosk());
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

/** Whether a page of `origin` gets an RPC socket (its cookies, if any, go along). */
function rpcOutcome(page: Page): Promise<string> {
  return page.evaluate(() => new Promise<string>((resolve) => {
    const socket = new WebSocket(`ws://${location.host}/rpc`);
    socket.onopen = () => {
      socket.close();
      resolve('open');
    };
    socket.onclose = () => resolve('refused');
  }));
}

describe('a one-time page address', () => {
  it('opens the kiosk, whose reloads keep their session, and nothing when used again elsewhere', async () => {
    const address = kiosk.url;
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(address);
    expect(page.url()).toBe(`${kiosk.origin}/`);
    await page.locator('[data-testid=start-person]:enabled').waitFor();

    await page.reload();
    await page.locator('[data-testid=start-person]:enabled').waitFor();
    await logIn(page, 'staff', OFFICER);
    await page.getByTestId('signed-in-as').waitFor();
    await page.getByTestId('logout').click();
    await page.close();

    const thief = await browser.newPage({ viewport: VIEWPORT });
    const refused = await thief.goto(address);
    expect(refused?.status()).toBe(403);
    await expect(thief.locator('h1').textContent()).resolves.toBe('This page address cannot be used');
    await screenshot(thief, 'page-address-spent');
    await thief.goto(kiosk.origin);
    expect(await rpcOutcome(thief)).toBe('refused');
    await thief.close();
  });
});

describe('the built page under the strict CSP', () => {
  it('raises no CSP violation on the start screen and a login', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const consoleViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) consoleViolations.push(message.text());
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`));
    });
    const violations = () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

    const response = await page.goto(kiosk.url);
    expect(response?.headers()['content-security-policy']).toMatch(/style-src 'self';/);
    expect(response?.headers()['content-security-policy']).not.toContain('unsafe-inline');
    await page.locator('[data-testid=start-person]:enabled').waitFor();
    await screenshot(page, 'strict-csp-start');

    await logIn(page, 'staff', { name: OFFICER.name, pin: '000000' });
    await page.getByTestId('error').waitFor();
    await screenshot(page, 'strict-csp-login-failed');
    await page.locator('input[name=login-pin]').fill(OFFICER.pin);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    await screenshot(page, 'strict-csp-signed-in');
    await page.getByTestId('logout').click();
    await page.getByTestId('start-screen').waitFor();

    expect(await violations()).toEqual([]);
    expect(consoleViolations).toEqual([]);

    // The listener does see what the policy blocks: markup with a style attribute.
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<div id="csp-probe" style="color: red">probe</div>');
    });
    await expect.poll(violations).toEqual([expect.stringMatching(/^style-src-attr /)]);
    await page.close();
  });
});

describe('the camera', () => {
  async function cameraOnKioskPage(allow: boolean): Promise<string> {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-e2e-profile-'));
    try {
      if (allow) allowCameraInProfile(profile, kiosk.origin);
      // As the production launch: a fake device stands in for the camera, but no flag answers the permission.
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream'],
      });
      try {
        const page = await context.newPage();
        await page.goto(kiosk.url);
        await page.getByTestId('start-screen').waitFor();
        return await page.evaluate(async () => {
          try {
            const stream = await navigator.mediaDevices.getUserMedia({ video: true });
            stream.getTracks().forEach((track) => track.stop());
            return 'granted';
          } catch (error) {
            return (error as Error).name;
          }
        });
      } finally {
        await context.close();
      }
    } finally {
      fs.rmSync(profile, { recursive: true, force: true });
    }
  }

  it('is allowed for the kiosk origin by the profile the launcher prepares, and not without it', async () => {
    expect(await cameraOnKioskPage(true)).toBe('granted');
    expect(await cameraOnKioskPage(false)).toBe('NotAllowedError');
  });
});
