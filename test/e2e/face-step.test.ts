/// <reference lib="dom" />
// The face step in Debian's Chromium with its fake camera fed from a face photo: the
// document photo is taken from the camera, live guidance shows the face box, the
// officer captures, and the verification reaches a match. A still photo cannot pass the
// liveness challenge, so the officer's capture goes on only with a liveness exception
// (reason, note and a photo from the camera), which moves the flow on.

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { fakeCameraFlags } from './support/evidence.js';
import { acceptSimulatedPassport, cancelEnrollment, logIn } from './support/kiosk-page.js';
import { facePhotoPath, writeFakeCameraVideo } from './support/fake-camera.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';

const photo = facePhotoPath();
let browser: Browser;
let kiosk: RunningKiosk;

describe.skipIf(!photo)('face step with a fake camera (needs ../shared/data/faces)', () => {
  beforeAll(async () => {
    const dataDir = provisionedDataDir();
    gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', 'Olga Officer', '--pin', '246810');
    kiosk = await startKiosk(dataDir);
    const video = writeFakeCameraVideo(photo!, join(dataDir, 'camera.y4m'), { x: 300, y: 20, width: 900, height: 675 });
    browser = await launchBrowser(fakeCameraFlags(video));
  });
  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
  });

  async function reachFaceStep(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(kiosk.url);
    await logIn(page, 'person', { name: 'Olga Officer', pin: '246810' });
    await acceptSimulatedPassport(page);
    await page.getByTestId('face-step').waitFor();
    return page;
  }

  it('takes the document photo, guides the live capture, verifies a match and goes on with a liveness exception', async () => {
    const page = await reachFaceStep();
    const takePhoto = page.locator('[data-testid=capture-document-photo]:enabled'); // once the camera runs
    await takePhoto.waitFor({ timeout: 15_000 });
    await screenshot(page, 'face-document-photo');
    await takePhoto.click();
    await page.locator('[data-testid=face-step][data-phase=live]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=face-guidance][data-state=one-face]').waitFor({ timeout: 30_000 });
    await page.getByTestId('face-box').first().waitFor();
    await page.getByTestId('liveness-prompt').waitFor();
    await screenshot(page, 'face-live-guidance');

    await page.getByTestId('capture-manual').click();
    const result = page.getByTestId('face-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('data-decision')).toBe('match');
    await screenshot(page, 'face-verified');

    // Taken by the officer without a passed challenge: no plain "continue", the liveness exception instead.
    await page.getByTestId('liveness-exception-panel').waitFor();
    expect(await page.getByTestId('face-accept').count()).toBe(0);
    await page.getByTestId('liveness-exception-cannot-follow').click();
    await page.getByTestId('liveness-exception-note').fill('Cannot turn the head after a neck operation');
    await page.locator('[data-testid=liveness-exception-take-photo]:enabled').click();
    await page.getByTestId('liveness-exception-photo').waitFor();
    await page.getByTestId('liveness-exception-panel').scrollIntoViewIfNeeded();
    await screenshot(page, 'face-liveness-exception');
    await page.getByTestId('liveness-exception-record').click();
    await page.getByTestId('fingerprint-step').waitFor({ timeout: 15_000 });
    await cancelEnrollment(page);
    await page.close();
  });
});
