/// <reference lib="dom" />
// End to end through the browser host in Debian's Chromium: first run, officer login,
// language switching (German, Chinese), idle countdown, and refusal of RPC
// connections that lack a page session or come from a foreign Origin.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { logIn } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';

let browser: Browser;
beforeAll(async () => { browser = await launchBrowser(); });
afterAll(async () => { await browser?.close(); });

async function openKiosk(kiosk: RunningKiosk): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(kiosk.url);
  return page;
}


describe('first run', () => {
  let kiosk: RunningKiosk;
  beforeAll(async () => { kiosk = await startKiosk(tempDataDir()); });
  afterAll(async () => { await kiosk.stop(); });

  it('asks for a technician when no operator exists, then offers the start screen', async () => {
    const page = await openKiosk(kiosk);
    await expect(page.getByTestId('first-run-screen').waitFor()).resolves.toBeUndefined();
    await screenshot(page, 'shell-first-run');
    await page.locator('input[name=name]').fill('Tina Technician');
    await page.locator('input[name=pin]').fill('correct-horse');
    await page.locator('input[name=pinRepeat]').fill('correct-horse');
    await page.getByRole('button', { name: 'Create technician' }).click();
    await page.getByTestId('start-screen').waitFor();
    await logIn(page, 'staff', { name: 'Tina Technician', pin: 'correct-horse' });
    await page.getByTestId('operators-panel').waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('Signed in as Tina Technician (Technician)');
    await page.close();
  });
});

describe('an officer at a provisioned kiosk', () => {
  let kiosk: RunningKiosk;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = provisionedDataDir(); // so the start screen offers enrollments
    gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', 'Olga Officer', '--pin', '246810');
    gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', 'Tom Tech', '--pin', '97531864');
    kiosk = await startKiosk(dataDir);
  });
  afterAll(async () => { await kiosk.stop(); });

  it('logs in and switches the language to German and Chinese', async () => {
    const page = await openKiosk(kiosk);
    await page.getByTestId('start-screen').waitFor();
    await page.locator('[data-testid=start-person]:enabled').waitFor();
    expect(await page.getByTestId('enrollment-blocked').count()).toBe(0);
    await screenshot(page, 'shell-start-en');

    await logIn(page, 'staff', { name: 'Olga Officer', pin: '111111' });
    await expect(page.getByTestId('error').getAttribute('data-code')).resolves.toBe('AUTH_FAILED');
    await screenshot(page, 'shell-login-failed-en');

    await page.locator('input[name=login-pin]').fill('246810');
    await page.getByRole('button', { name: 'Log in' }).click();
    const signedIn = page.getByTestId('signed-in-as');
    await signedIn.waitFor();
    expect(await signedIn.textContent()).toBe('Signed in as Olga Officer (Officer)');
    await screenshot(page, 'shell-officer-en');

    await page.getByTestId('lang-de').click();
    await page.getByText('Angemeldet als Olga Officer (Beamtin/Beamter)').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    await screenshot(page, 'shell-officer-de');

    await page.getByTestId('lang-zh-CN').click();
    await page.getByText('当前登录：Olga Officer（警员）').waitFor();
    await screenshot(page, 'shell-officer-zh');

    // The next person meets the station's default language, whatever the last one chose.
    await page.getByTestId('logout').click();
    await page.getByTestId('start-screen').waitFor();
    await page.locator('[data-testid=start-person]', { hasText: 'Enroll a person' }).waitFor();
    await page.getByTestId('lang-zh-CN').click();
    await page.locator('[data-testid=start-person]', { hasText: '人员登记' }).waitFor();
    await screenshot(page, 'shell-start-zh');
    await page.close();

    const audit = JSON.parse(gatehouse(dataDir, 'audit', 'verify', '--json')) as { ok: boolean; entries: number };
    expect(audit.ok).toBe(true);
    expect(audit.entries).toBeGreaterThanOrEqual(5);
  });

  it('shows a countdown when idle, then returns to the start screen', async () => {
    const page = await openKiosk(kiosk);
    await page.getByTestId('start-screen').waitFor();
    // A technician shortens the idle timeout to its minimum (15 s) over the RPC.
    const changed = await page.evaluate(async () => {
      const socket = new WebSocket(`ws://${location.host}/rpc`); // the page's session cookie goes along
      await new Promise((r) => { socket.onopen = r; });
      const call = (id: number, method: string, input: unknown) => new Promise<{ ok: boolean }>((r) => {
        socket.addEventListener('message', function on(event) {
          const message = JSON.parse(String(event.data));
          if (message.id === id) { socket.removeEventListener('message', on); r(message.result); }
        });
        socket.send(JSON.stringify({ t: 'call', id, method, input }));
      });
      await call(1, 'auth.login', { name: 'Tom Tech', pin: '97531864' });
      const result = await call(2, 'settings.update', { idleTimeoutSeconds: 15 });
      socket.close();
      return result.ok;
    });
    expect(changed).toBe(true);

    await logIn(page, 'staff', { name: 'Olga Officer', pin: '246810' });
    await page.getByTestId('staff-screen').waitFor();
    await page.getByTestId('idle-overlay').waitFor({ timeout: 20_000 });
    await screenshot(page, 'shell-idle-countdown');
    await page.getByTestId('start-screen').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('idle-overlay').count()).toBe(0);
    await page.close();
  });

  it('refuses an RPC connection from the kiosk origin without a page session', async () => {
    const page = await browser.newPage();
    await page.goto(kiosk.origin);
    const outcome = await page.evaluate(() => new Promise<string>((r) => {
      const socket = new WebSocket(`ws://${location.host}/rpc`);
      socket.onopen = () => r('open');
      socket.onclose = () => r('refused');
    }));
    expect(outcome).toBe('refused');
    await page.close();
  });

  it('refuses an RPC connection from a foreign Origin even with the page session', async () => {
    const foreign = await serveForeignPage();
    // The same browser context holds the kiosk's session cookie, and cookies do not keep to a port.
    const page = await openKiosk(kiosk);
    await page.getByTestId('start-screen').waitFor();
    await page.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
    const outcome = await page.evaluate((host) => new Promise<string>((r) => {
      const socket = new WebSocket(`ws://${host}/rpc`);
      socket.onopen = () => r('open');
      socket.onclose = () => r('refused');
    }), new URL(kiosk.origin).host);
    expect(outcome).toBe('refused');
    await page.close();
    foreign.close();
  });
});

function serveForeignPage(): Promise<Server> {
  const server = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}
