/// <reference lib="dom" />
// Wrong PINs in Debian's Chromium against the kiosk on its simulated devices: a stranger types
// wrong PINs for an officer; the login screen says how long to wait and offers the finger,
// counting down, and sends no PIN until the wait is over (the kiosk's real clock: waited for on
// the page, never slept); then the officer's right PIN works, and so does the officer's finger
// during a wait. Many names tried make the whole kiosk wait. The supervisor's operators panel
// shows the wrong PINs per operator and for the kiosk. Screens in English, German and Chinese at
// 1280×800 and 1920×1080.

import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, screenshotDir } from './support/browser.js';
import { enrollLoginFinger, logIn } from './support/kiosk-page.js';
import type { RunningKiosk } from './support/kiosk-process.js';
import { OFFICER, startStaffedKiosk, SUPERVISOR } from './support/staffed-kiosk.js';

const SIZES = { small: { width: 1280, height: 800 }, large: { width: 1920, height: 1080 } } as const;
const LANGUAGES = ['en', 'de', 'zh-CN'] as const;

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

async function startPage(size: keyof typeof SIZES, language: (typeof LANGUAGES)[number]): Promise<Page> {
  const page = await browser.newPage({ viewport: SIZES[size] });
  await page.goto(kiosk.url);
  await page.getByTestId('start-screen').waitFor();
  await page.getByTestId(`lang-${language}`).click();
  return page;
}

const errorCode = (page: Page) => page.getByTestId('error').getAttribute('data-code');

/** Sends `pin` for `name` from the login screen and waits for the answer: the PIN field is cleared only after a failure. */
async function tryPin(page: Page, name: string, pin: string): Promise<string | null> {
  await page.locator('input[name=login-name]').fill(name);
  await page.locator('input[name=login-pin]').fill(pin);
  await page.getByTestId('login-submit').click();
  await page.waitForFunction(() => (document.querySelector('input[name=login-pin]') as HTMLInputElement | null)?.value === '');
  return errorCode(page);
}

/**
 * From the login screen, `count` wrong PINs for the officer, each after the wait the one before
 * started (waited for on the page): four fail, and from the fifth each starts a wait.
 */
async function wrongPins(page: Page, count: number): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    if (i > 5) await waitOver(page);
    expect(await tryPin(page, OFFICER.name, `90000${i}`)).toBe(i < 5 ? 'AUTH_FAILED' : 'AUTH_LOCKED');
  }
}

const waitOver = (page: Page) => page.getByTestId('pin-wait-over').waitFor({ timeout: 40_000 });

/**
 * Screenshots of what `page` shows now (or only `part` of it) in every language at both sizes,
 * named `name-<language>-<width>`.
 */
async function everyLanguageAndSize(page: Page, name: string, part?: Locator): Promise<void> {
  for (const size of ['small', 'large'] as const) {
    await page.setViewportSize(SIZES[size]);
    for (const language of LANGUAGES) {
      await page.getByTestId(`lang-${language}`).click();
      const file = `${name}-${language}-${SIZES[size].width}`;
      await (part ? part.screenshot({ path: join(screenshotDir, `${file}.png`) }) : screenshot(page, file));
    }
  }
  await page.getByTestId('lang-en').click();
}

// The tests run in order on one kiosk: wrong PINs add up at the station (5 + 5 + 8 + 3 = 21).
describe('a stranger\'s wrong PINs at the login screen', () => {
  it('five wrong PINs from an anonymous person do not stop the right PIN from working after the delay', async () => {
    const page = await startPage('small', 'en');
    await page.getByTestId('start-staff').click();
    await wrongPins(page, 5);
    expect(await page.getByTestId('error').textContent())
      .toMatch(/^Too many wrong PINs for this name\. Wait [12] seconds? before the next try(, or log in with your finger)?\.$/);
    await page.locator('input[name=login-pin]').fill(OFFICER.pin);
    expect(await page.getByTestId('login-submit').isDisabled()).toBe(true);
    await screenshot(page, 'login-throttle-first-wait-en-1280');

    await waitOver(page);
    expect(await page.getByTestId('login-submit').isEnabled()).toBe(true);
    await screenshot(page, 'login-throttle-over-en-1280');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('staff-screen').waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).toContain(OFFICER.name);
    await page.close();
  });

  it('fingerprint login works while the PIN is throttled', async () => {
    const page = await startPage('small', 'en');
    await logIn(page, 'staff', OFFICER);
    await page.getByTestId('operator-finger-panel').waitFor();
    await enrollLoginFinger(page);
    await page.getByTestId('logout').click();

    await page.getByTestId('start-staff').click();
    await wrongPins(page, 5);
    expect(await page.getByTestId('error').textContent()).toContain('or log in with your finger');
    await page.getByTestId('login-finger').click();
    await page.locator('[data-testid=fingerprint-live][data-state=place]').waitFor();
    await page.getByTestId('sim-place-finger').click();
    await page.getByTestId('staff-screen').waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).toContain(OFFICER.name);
    await page.close();
  });

  it('a growing wait is counted down in every language at both sizes', async () => {
    const page = await startPage('small', 'en');
    await page.getByTestId('start-staff').click();
    await wrongPins(page, 8); // waits of 2, 4 and 8 s waited out; the eighth starts one of 16 s
    expect(Number(await page.getByTestId('error').getAttribute('data-seconds'))).toBeGreaterThan(8);
    await everyLanguageAndSize(page, 'login-throttle-wait');

    // Meanwhile a supervisor sees the wait on the operators panel and clears it.
    const supervisor = await startPage('small', 'en');
    await logIn(supervisor, 'staff', SUPERVISOR);
    const officerRow = supervisor.locator('.operator-list li', { hasText: OFFICER.name });
    await officerRow.locator('.pin-wait').waitFor();
    await everyLanguageAndSize(supervisor, 'operators-pin-wait', supervisor.getByTestId('operators-panel'));
    await officerRow.getByRole('button', { name: 'Clear PIN wait' }).click();
    await officerRow.locator('.pin-wait').waitFor({ state: 'detached' });
    await supervisor.close();

    await waitOver(page);
    await page.locator('input[name=login-pin]').fill(OFFICER.pin);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('staff-screen').waitFor();
    await page.close();
  });

  it('the station throttles when many names are tried', async () => {
    const page = await startPage('small', 'en');
    await page.getByTestId('start-staff').click();
    expect(await tryPin(page, 'Nobody One', '111111')).toBe('AUTH_FAILED');
    expect(await tryPin(page, 'Nobody Two', '222222')).toBe('AUTH_FAILED');
    expect(await tryPin(page, 'Nobody Three', '333333')).toBe('AUTH_STATION_LOCKED');
    expect(await page.getByTestId('error').textContent()).toContain('Too many wrong PINs at this kiosk.');
    await screenshot(page, 'login-throttle-station-en-1280');
    await waitOver(page);
    await page.close();
  });
});

describe('the supervisor\'s operators panel', () => {
  it('shows the wrong PINs of the last 24 hours per operator and for the kiosk', async () => {
    const page = await startPage('small', 'en');
    await logIn(page, 'staff', SUPERVISOR);
    const station = page.getByTestId('station-pin-failures');
    await station.waitFor();
    expect(await station.getAttribute('data-count')).toBe('21');
    expect(await station.textContent()).toContain('3 of them for names that are no operator\'s');
    const officerRow = page.locator('.operator-list li', { hasText: OFFICER.name }).getByTestId('operator-wrong-pins');
    expect(await officerRow.getAttribute('data-count')).toBe('18');
    await everyLanguageAndSize(page, 'operators-pin-failures', page.getByTestId('operators-panel'));
    await page.close();
  });
});
