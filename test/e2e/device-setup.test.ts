/// <reference lib="dom" />
// The technician's device set-up in Debian's Chromium against a kiosk started with --simulate:
// the devices' live states, a document reader test read while the simulated reader is given a
// passport, a fingerprint test with a simulated finger (image and quality), a settings change
// refused field by field (by the form itself and by the kiosk) and then saved for a reader
// that is not plugged in (configured but absent), the fingers an enrollment asks for, and the
// camera chosen and tested with Chromium's fake camera (showing a face photo when the
// development face set is there), and the default camera standing in, said on screen, where the
// chosen one is not connected. Screenshots of the set-up with its test reads in English and
// German at 1280×800 and 1920×1080 and in Chinese once, each checked for clipped buttons.

import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { fakeCameraFlags } from './support/evidence.js';
import { facePhotoPath, writeFakeCameraVideo } from './support/fake-camera.js';
import { logIn } from './support/kiosk-page.js';
import { clippedButtons, overflowsSideways, smallTargets } from './support/layout.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';

const TECHNICIAN = { name: 'Tessa Technician', pin: '975310' };
const ABSENT_PORT = '/dev/serial/by-id/usb-Gatehouse_Test_Reader_0001-if00-port0';
const photo = facePhotoPath();

let browser: Browser;
let kiosk: RunningKiosk;
let page: Page;

describe('device set-up on the technician\'s screen', () => {
  beforeAll(async () => {
    const dataDir = provisionedDataDir();
    gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', TECHNICIAN.name, '--pin', TECHNICIAN.pin);
    kiosk = await startKiosk(dataDir);
    const video = photo ? writeFakeCameraVideo(photo, join(dataDir, 'camera.y4m'), { x: 300, y: 20, width: 900, height: 675 }) : undefined;
    browser = await launchBrowser(fakeCameraFlags(video));
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(kiosk.url);
    await logIn(page, 'staff', TECHNICIAN);
    await page.getByTestId('staff-tab-devices').click();
    await page.getByTestId('device-setup').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
  });

  it('shows each device\'s live state, on simulators as the kiosk was started', async () => {
    await page.getByTestId('devices-simulated').waitFor();
    for (const role of ['document-reader', 'fingerprint']) {
      const card = page.getByTestId(`device-card-${role}`);
      await card.locator('.device-simulated').waitFor();
      await page.locator(`[data-testid=device-card-${role}][data-state=ready], [data-testid=device-card-${role}][data-state=connected]`).waitFor();
      expect(await card.getAttribute('data-configured')).toBe('false');
    }
  });

  it('tests the document reader: the passport given to the simulated reader shows with its fields', async () => {
    const card = page.getByTestId('device-card-document-reader');
    await card.getByTestId('device-test').click();
    await card.getByTestId('device-test-waiting').waitFor();
    await card.getByTestId('simulate-passport').click();
    const result = card.locator('[data-testid=device-test-result][data-role=document-reader]');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-valid')).toBe('true');
    expect(await result.getByTestId('field-surname').locator('td').first().textContent()).not.toBe('—');
    expect(await result.getByTestId('field-documentNumber').getAttribute('data-ok')).toBe('true');
  });

  it('tests the fingerprint scanner: a simulated finger gives an image and its quality', async () => {
    const card = page.getByTestId('device-card-fingerprint');
    await card.getByTestId('device-test').click();
    await card.getByTestId('device-test-waiting').waitFor();
    await card.getByTestId('sim-place-finger').click();
    const result = card.locator('[data-testid=device-test-result][data-role=fingerprint]');
    await result.waitFor({ timeout: 60_000 });
    expect(Number(await result.getAttribute('data-quality'))).toBeGreaterThan(0);
    const image = result.getByTestId('device-test-finger-image');
    expect(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
  });

  it('shows the set-up with its test reads in English, German and Chinese without clipped buttons', async () => {
    const shots: [string, number, number][] = [['en', 1280, 800], ['en', 1920, 1080], ['de', 1280, 800], ['de', 1920, 1080], ['zh-CN', 1280, 800]];
    for (const [lang, width, height] of shots) {
      await page.setViewportSize({ width, height });
      await page.getByTestId(`lang-${lang}`).click();
      await page.locator(`html[lang="${lang}"]`).waitFor();
      await screenshot(page, `screenshots/device-setup-${lang}-${width}`);
      const setup = page.getByTestId('device-setup');
      expect(await clippedButtons(setup), `${lang} ${width}`).toEqual([]);
      expect(await smallTargets(setup), `${lang} ${width}`).toEqual([]);
      expect(await overflowsSideways(setup), `${lang} ${width}`).toBe(false);
    }
    await page.getByTestId('lang-en').click();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('refuses bad settings field by field, then saves a reader that is not plugged in and shows it as not connected', async () => {
    const card = page.getByTestId('device-card-fingerprint');
    await card.getByTestId('device-test-close').click();
    await card.getByTestId('device-edit').click();
    const editor = card.getByTestId('device-editor');
    await editor.locator('input[name=path]').fill(ABSENT_PORT);
    await editor.getByTestId('port-absent').waitFor();
    // The form's own check: an address that is no number.
    await editor.locator('input[name=address]').fill('module one');
    await editor.getByTestId('device-save').click();
    await editor.locator('[data-testid=setting-address] [data-testid=field-problem][data-code=integer]').waitFor();
    // The kiosk's check: a baud rate the module cannot run at (not 9600 × 1–12).
    await editor.locator('input[name=address]').fill('0xFFFFFFFF');
    await editor.locator('input[name=baud]').fill('10000');
    await editor.getByTestId('device-save').click();
    await editor.locator('[data-testid=setting-baud] [data-testid=field-problem][data-code=rejected]').waitFor();
    expect(await editor.locator('[data-testid=setting-address] [data-testid=field-problem]').count()).toBe(0);
    await editor.locator('[data-testid=setting-baud]').scrollIntoViewIfNeeded();
    await screenshot(page, 'screenshots/device-setup-refused-en-1280');

    await editor.locator('input[name=baud]').fill('57600');
    await editor.getByTestId('device-save').click();
    await card.getByTestId('device-saved').waitFor();
    expect(await card.getByTestId('device-configured-kind').getAttribute('data-kind')).toBe('r30x');
    expect(await card.getByTestId('device-configured-where').textContent()).toBe(ABSENT_PORT);
    // Configured but absent: the kiosk no longer simulates it and says the port is not there.
    await card.locator('[data-testid=device-problem][data-problem=not-connected]').waitFor({ timeout: 30_000 });
    expect(await card.locator('.device-simulated').count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'screenshots/device-setup-absent-en-1280');

    // Removed again: the simulator stands in once more.
    await card.getByTestId('device-remove').click();
    await card.getByTestId('device-remove-yes').click();
    await card.getByTestId('device-saved').waitFor();
    await card.locator('.device-simulated').waitFor({ timeout: 30_000 });
  });

  it('asks for the fingers chosen on the hands, in ten-print order', async () => {
    const choice = page.getByTestId('finger-choice');
    expect(await choice.getByTestId('finger-toggle-2').getAttribute('aria-pressed')).toBe('true');
    expect(await choice.getByTestId('finger-toggle-7').getAttribute('aria-pressed')).toBe('true');
    await choice.getByTestId('finger-6').click(); // the left thumb, on the drawing
    await choice.getByTestId('finger-toggle-7').click(); // the left index finger off
    await choice.getByTestId('finger-toggle-1').click(); // the right thumb
    await choice.getByTestId('fingers-save').click();
    await choice.getByTestId('fingers-saved').waitFor();
    await page.getByTestId('devices-look-again').click();
    await page.locator('[data-testid=devices-look-again]:enabled').waitFor();
    const order = await choice.getByTestId('finger-order').textContent();
    expect(order).toContain('Right thumb');
    expect(order!.indexOf('Right thumb')).toBeLessThan(order!.indexOf('Right index'));
    expect(order!.indexOf('Right index')).toBeLessThan(order!.indexOf('Left thumb'));
    expect(await choice.getByTestId('finger-toggle-7').getAttribute('aria-pressed')).toBe('false');
  });

  it('chooses the camera the browser sees, saves it and tests it with the face box', async () => {
    const panel = page.getByTestId('camera-choice');
    await panel.getByTestId('camera-test').click();
    await panel.locator('[data-testid=camera-test-view][data-faces]').waitFor({ timeout: 60_000 });
    const option = panel.getByTestId('camera-option').first();
    await option.click();
    await panel.getByTestId('camera-save').click();
    await panel.getByTestId('camera-saved').waitFor();
    expect(await option.getAttribute('aria-pressed')).toBe('true');
    if (photo) {
      await panel.locator('[data-testid=camera-test-view]:not([data-faces="0"])').waitFor({ timeout: 60_000 });
      await panel.getByTestId('face-box').first().waitFor();
    }
    expect(await overflowsSideways(panel)).toBe(false);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'screenshots/device-setup-camera-en-1280');
  });

  // Chromium's fake camera is named after its video file: another browser without that file has another camera.
  it.skipIf(!photo)('falls back to the default camera, and says so, where the chosen one is not connected', async () => {
    const other = await launchBrowser(fakeCameraFlags());
    try {
      const elsewhere = await other.newPage({ viewport: { width: 1280, height: 800 } });
      await elsewhere.goto(kiosk.url);
      await logIn(elsewhere, 'staff', TECHNICIAN);
      await elsewhere.getByTestId('staff-tab-devices').click();
      const panel = elsewhere.getByTestId('camera-choice');
      await panel.getByTestId('camera-missing').waitFor();
      await panel.getByTestId('camera-test').click();
      await panel.getByTestId('camera-fell-back').waitFor({ timeout: 30_000 });
      await panel.locator('[data-testid=camera-test-view][data-faces]').waitFor({ timeout: 60_000 });
      await panel.scrollIntoViewIfNeeded();
      await screenshot(elsewhere, 'screenshots/device-setup-camera-gone-en-1280');
    } finally {
      await other.close();
    }
  });
});
