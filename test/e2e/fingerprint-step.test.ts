/// <reference lib="dom" />
// The fingerprint step in Debian's Chromium against the kiosk on its simulated devices (no
// reader or module configured) on a kiosk provisioned offline: an officer accepts a simulated
// passport, records that the face cannot be captured (no camera: reason and note, no photo),
// and captures the right and left index fingers by placing and lifting virtual fingers,
// watching the live state, the image upload and the result; then the officer enrolls a login
// finger and logs in with it.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { acceptSimulatedPassport, cancelEnrollment, logIn } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';

const OFFICER = { name: 'Olga Officer', pin: '246810' };

let browser: Browser;
let kiosk: RunningKiosk;

beforeAll(async () => {
  const dataDir = provisionedDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

async function logInOfficer(page: Page, start: 'person' | 'staff'): Promise<void> {
  await page.goto(kiosk.url);
  await logIn(page, start, OFFICER);
}

const liveState = (page: Page, state: string) => page.locator(`[data-testid=fingerprint-live][data-state=${state}]`).waitFor();
const marks = (page: Page) => Promise.all([2, 7].map((position) => page.getByTestId(`finger-${position}`).getAttribute('data-mark')));

/** Starts capturing the selected finger; the prompt must name it. */
async function startCapture(page: Page, finger: string): Promise<void> {
  await page.getByTestId('fingerprint-capture').click();
  await liveState(page, 'place');
  expect(await page.getByTestId('fingerprint-live').textContent()).toContain(finger);
}

/** The person places the finger, lifts it when asked, places it again, and takes it off once `done` shows. */
async function placeTwice(page: Page, done: string, onUpload?: () => Promise<unknown>): Promise<void> {
  await page.getByTestId('sim-place-finger').click();
  await page.getByTestId('upload-progress').waitFor();
  await onUpload?.();
  await liveState(page, 'lift');
  await page.getByTestId('sim-lift-finger').click();
  await liveState(page, 'place-again');
  await page.getByTestId('sim-place-finger').click();
  await page.getByTestId(done).waitFor();
  await page.getByTestId('sim-lift-finger').click();
}

describe('fingerprint step on the simulated module', () => {
  it('captures the right and left index fingers with live state, upload progress, image and quality', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await logInOfficer(page, 'person');
    await page.getByTestId('document-step').waitFor();
    await acceptSimulatedPassport(page);
    await page.getByTestId('face-exception-open').click();
    await page.getByTestId('face-exception-no-camera').click(); // no camera, so no photo: reason and note
    await page.getByTestId('face-exception-note').fill('Kiosk camera out of order');
    await page.getByTestId('face-exception-record').click();

    await page.getByTestId('fingerprint-step').waitFor();
    expect(await page.locator('[aria-current=step]').textContent()).toBe('Fingerprints');
    await page.locator('[data-testid=scanner-state].device-ready').waitFor();
    expect(await marks(page)).toEqual(['active', 'pending']);
    await startCapture(page, 'Right index finger');
    await screenshot(page, 'fingerprint-place');

    await placeTwice(page, 'captured-finger', async () => {
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=upload-progress] progress')?.getAttribute('value')) >= 30);
      await screenshot(page, 'fingerprint-progress');
    });
    await page.getByTestId('finger-image').waitFor();
    expect(Number(await page.getByTestId('captured-finger').getAttribute('data-quality'))).toBeGreaterThanOrEqual(40);
    expect(await page.getByTestId('quality-score').textContent()).toMatch(/^Quality \d+ \/ 100$/);
    expect(await page.getByTestId('select-finger-2').getAttribute('data-outcome')).toBe('captured');
    expect(await page.locator('[data-testid=duplicate-warning]').count()).toBe(0);
    await screenshot(page, 'fingerprint-captured');

    await page.getByTestId('next-finger').click();
    expect(await marks(page)).toEqual(['captured', 'active']);
    await startCapture(page, 'Left index finger');
    await placeTwice(page, 'captured-finger');
    await page.getByTestId('finger-image').waitFor();
    await screenshot(page, 'fingerprint-both-captured');

    await page.getByTestId('fingerprints-finish').click();
    await page.getByTestId('details-step').waitFor();
    expect(await page.locator('[aria-current=step]').textContent()).toBe('Details');
    await cancelEnrollment(page);
    await page.close();
  });

  it('lets an officer enroll a login finger and log in by placing it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await logInOfficer(page, 'staff');
    await page.getByTestId('operator-finger-panel').waitFor();
    await page.getByTestId('enroll-login-finger').click();
    await liveState(page, 'place');
    await placeTwice(page, 'login-finger-enrolled');
    await screenshot(page, 'fingerprint-login-enrolled');

    await page.getByTestId('logout').click();
    await page.getByTestId('start-staff').click();
    await page.locator('input[name=login-name]').fill(OFFICER.name); // whose virtual finger the simulator places
    await page.getByTestId('login-finger').click();
    await liveState(page, 'place');
    await screenshot(page, 'fingerprint-login');
    await page.getByTestId('sim-place-finger').click();
    await page.getByTestId('staff-screen').waitFor();
    expect(await page.getByTestId('signed-in-as').textContent()).toContain(OFFICER.name);
    await page.close();
  });
});
