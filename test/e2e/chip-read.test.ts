/// <reference lib="dom" />
// The document's chip in Debian's Chromium, with the kiosk's simulated chip reader (a private
// pcscd, a vsmartcard-vpcd reader and a virtual passport behind it, read through real PC/SC):
// a chipped passport is read with a progress bar and verified, and its chip portrait becomes
// the face step's reference (no photo of the photo page); an altered chip stops the enrollment
// with a plain message and nothing but Cancel; an ID card that needs its card access number
// asks for it. Screens in English, German and Chinese at 1280×800 and 1920×1080.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, resizeBilinear } from '../../main/face/rgba-image.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { exceptFingersToReview } from './support/enrollment-page.js';
import { fakeCameraFlags, recordEvidence } from './support/evidence.js';
import { facePhotoPath, writeFakeCameraVideo } from './support/fake-camera.js';
import { cancelEnrollment, logIn } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';

const photo = facePhotoPath();
const OFFICER = { name: 'Olga Officer', pin: '246810' };
let browser: Browser;
let kiosk: RunningKiosk;

/** The person's official portrait as a passport chip holds it: 360×450, a JPEG of about 30 KB. */
function passportPortrait(file: string): string {
  const official = decodeImage(readFileSync(join(dirname(photo!), 'obama.jpg')));
  const small = resizeBilinear(official, 360, 450);
  writeFileSync(file, jpeg.encode({ width: small.width, height: small.height, data: Buffer.from(small.data) }, 80).data);
  return file;
}

describe.skipIf(!photo)('document chip (simulated chip reader through pcscd + vpcd; needs ../shared/data/faces)', () => {
  beforeAll(async () => {
    const dataDir = provisionedDataDir();
    gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
    kiosk = await startKiosk(dataDir, ['--simulated-chip', '--simulated-portrait', passportPortrait(join(dataDir, 'passport-portrait.jpg'))]);
    const video = writeFakeCameraVideo(photo!, join(dataDir, 'camera.y4m'), { x: 300, y: 20, width: 900, height: 675 });
    browser = await launchBrowser(fakeCameraFlags(video));
  });
  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
  });

  async function onDocumentStep(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    await page.goto(kiosk.url);
    await logIn(page, 'person', OFFICER);
    await page.getByTestId('document-step').waitFor();
    await page.locator('[data-testid=device-chip-reader]').waitFor();
    return page;
  }

  async function present(page: Page, document: 'passport' | 'id-card', chip: string): Promise<void> {
    await page.getByTestId('simulate-chip-scenario').selectOption(chip);
    await page.getByTestId(`simulate-${document}`).click();
  }

  it('reads a chipped passport with a progress bar, verifies it, and checks the face against the chip portrait', async () => {
    const page = await onDocumentStep();
    await present(page, 'passport', 'valid');
    const progress = page.locator('[data-testid=chip-panel][data-status=reading] [data-testid=chip-progress]');
    await progress.waitFor({ timeout: 20_000 });
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(0);
    await screenshot(page, 'chip-reading-en');
    await page.locator('[data-testid=chip-panel][data-verdict=verified]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('chip-verdict').textContent()).toMatch(/verified/i);
    await screenshot(page, 'chip-verified-en');

    await page.getByTestId('accept-document').click();
    await page.locator('[data-testid=face-step][data-phase=live]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=document-portrait][data-source=chip]').waitFor();
    expect(await page.getByTestId('capture-document-photo').count()).toBe(0); // the photo page is not photographed
    await page.locator('[data-testid=face-guidance][data-state=one-face]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'face-chip-portrait-en');
    await page.getByTestId('capture-manual').click();
    const result = page.getByTestId('face-result');
    await result.waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=result-document-portrait][data-source=chip]').waitFor();
    expect(await result.getAttribute('data-decision')).toMatch(/^(match|review)$/);
    await screenshot(page, 'face-chip-result-en');

    // Taken by the officer without the challenge: the liveness exception, then the rest, to the review.
    await recordEvidence(page, 'liveness-exception', 'cannot-follow', 'Cannot turn the head after a neck operation');
    await exceptFingersToReview(page);
    await page.locator('[data-testid=summary-chip][data-verdict=verified]').waitFor();
    await page.locator('[data-testid=summary-face][data-portrait-source=chip]').waitFor();
    await screenshot(page, 'review-chip-en');
    await cancelEnrollment(page);
    await page.close();
  });

  it('stops an altered chip with a plain explanation and only Cancel, in every language', async () => {
    for (const [language, viewport] of [['en', { width: 1280, height: 800 }], ['de', { width: 1920, height: 1080 }], ['zh-CN', { width: 1280, height: 800 }]] as const) {
      const page = await onDocumentStep(viewport);
      await page.getByTestId(`lang-${language}`).click();
      await present(page, 'passport', 'altered-dg1');
      await page.locator('[data-testid=chip-panel][data-verdict=failed]').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('chip-reason').getAttribute('data-reason')).toBe('dg-hash-mismatch');
      expect(await page.getByTestId('accept-document').count()).toBe(0);
      expect(await page.getByTestId('read-again').count()).toBe(0);
      expect(await page.getByTestId('chip-skip').count()).toBe(0);
      // Technical words stay in the log.
      expect(await page.getByTestId('chip-panel').textContent()).not.toMatch(/DG1|SOD|hash|CHIP_/);
      await screenshot(page, `chip-failed-${language}-${viewport.width}`);
      await cancelEnrollment(page);
      await page.close();
    }
  });

  it('asks for the card access number of an ID card that needs it, then reads it', async () => {
    const page = await onDocumentStep();
    await page.getByTestId('lang-de').click();
    await present(page, 'id-card', 'can-only');
    await page.getByTestId('chip-can-form').waitFor({ timeout: 30_000 });
    await screenshot(page, 'chip-can-de');
    await page.getByTestId('chip-can').fill('123456');
    await page.getByTestId('chip-can-submit').click();
    await page.locator('[data-testid=chip-panel][data-verdict=verified]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('accept-document').isEnabled()).toBe(true);
    await cancelEnrollment(page);
    await page.close();
  });

  it('lets an officer go on without the chip, with a reason, and says a second person must approve', async () => {
    const page = await onDocumentStep({ width: 1920, height: 1080 });
    await page.getByTestId('lang-zh-CN').click();
    await present(page, 'passport', 'none'); // nothing on the chip reader
    await page.locator('[data-testid=chip-panel][data-status=waiting]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('accept-document').isEnabled()).toBe(false);
    await page.getByTestId('chip-skip').click();
    await page.getByTestId('chip-skip-reason').selectOption('chip-unreadable');
    await page.getByTestId('chip-skip-note').fill('Chip antenna damaged, cover cracked');
    await screenshot(page, 'chip-skip-zh-1920');
    await page.getByTestId('chip-skip-record').click();
    await page.locator('[data-testid=chip-panel][data-status=skipped]').waitFor();
    await page.getByTestId('chip-second-approval').waitFor();
    await page.getByTestId('accept-document').click();
    await page.getByTestId('face-step').waitFor();
    await page.locator('[data-testid=capture-document-photo]').waitFor(); // no chip portrait: the photo page is the fallback
    await cancelEnrollment(page);
    await page.close();
  });
});
