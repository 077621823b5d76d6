/// <reference lib="dom" />
// The face step in Debian's Chromium with its fake camera fed from a face photo: the
// document photo is taken from the camera, live guidance shows the face box, the
// officer captures, and the verification reaches a match that moves the flow on.

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { acceptSimulatedPassport, logIn } from './support/kiosk-page.js';
import { facePhotoPath, writeFakeCameraVideo } from './support/fake-camera.js';
import { gatehouse, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';

const photo = facePhotoPath();
let browser: Browser;
let kiosk: RunningKiosk;

describe.skipIf(!photo)('face step with a fake camera (needs ../shared/data/faces)', () => {
  beforeAll(async () => {
    const dataDir = tempDataDir();
    gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', 'Olga Officer', '--pin', '246810');
    kiosk = await startKiosk(dataDir);
    const video = writeFakeCameraVideo(photo!, join(dataDir, 'camera.y4m'), { x: 300, y: 20, width: 900, height: 675 });
    browser = await launchBrowser([
      '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`, '--use-fake-ui-for-media-stream',
    ]);
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

  it('takes the document photo, guides the live capture and verifies a match', async () => {
    const page = await reachFaceStep();
    const takePhoto = page.getByTestId('capture-document-photo');
    await expect.poll(() => takePhoto.isEnabled(), { timeout: 15_000 }).toBe(true);
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

    await page.getByTestId('face-accept').click();
    await page.getByTestId('step-fingerprints').or(page.getByTestId('fingerprint-step')).first().waitFor({ timeout: 15_000 });
    await page.close();
  });
});
