/// <reference lib="dom" />
// Four eyes in Debian's Chromium against the kiosk on simulated devices and a fake camera: an
// officer's enrollment with exceptions (each with reason, note and photo) shows its warnings on the
// review, is refused to the officer alone, and is held for review; the supervisor finds it in
// the queue (English and Chinese), opens it with every picture and note, and approves it with
// their own PIN. Screenshots at 1280×800 and 1920×1080 land in test-results/.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { enrollWithExceptionsToReview, fillCredential } from './support/enrollment-page.js';
import { fakeCameraFlags } from './support/evidence.js';
import { logIn } from './support/kiosk-page.js';
import type { RunningKiosk } from './support/kiosk-process.js';
import { OFFICER, startStaffedKiosk, SUPERVISOR } from './support/staffed-kiosk.js';

const SMALL = { width: 1280, height: 800 };
const LARGE = { width: 1920, height: 1080 };

let browser: Browser;
let kiosk: RunningKiosk;

beforeAll(async () => {
  ({ kiosk } = await startStaffedKiosk());
  browser = await launchBrowser(fakeCameraFlags());
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

describe('an enrollment with exceptions', () => {
  it('shows its warnings on the review, is refused to the officer alone, and is held for a supervisor', async () => {
    const page = await browser.newPage({ viewport: SMALL });
    await page.goto(kiosk.url);
    await logIn(page, 'person', OFFICER);
    await enrollWithExceptionsToReview(page);

    await page.locator('[data-testid=review-warnings][data-reasons="face-exception finger-exception"]').waitFor();
    await page.getByTestId('summary-face-exception-photo').waitFor();
    await page.getByTestId('summary-finger-exception-7-photo').waitFor();
    expect(await page.getByTestId('statement-not-captured').locator('li').count()).toBe(3);
    await page.getByTestId('consent-accept').click();
    await page.locator('[data-testid=consent-accept]:checked').waitFor();
    await screenshot(page, 'review-warnings-1280');
    await page.setViewportSize(LARGE);
    await screenshot(page, 'review-warnings-1920');

    // The officer who ran it cannot be its second approver; the screen says so in words and keeps the enrollment.
    await fillCredential(page, 'approve', OFFICER);
    await page.locator('[data-testid=approval] [data-testid=error][data-code=ENROLLMENT_SECOND_APPROVER_REQUIRED]').waitFor();
    expect(await page.getByTestId('review-step').count()).toBe(1);
    await page.getByTestId('approval').scrollIntoViewIfNeeded();
    await screenshot(page, 'review-officer-refused');

    await page.getByTestId('hold-submit').click();
    await page.locator('[data-testid=finished-notice][data-kind=held]').waitFor();
    expect(await page.getByTestId('held-count').getAttribute('data-count')).toBe('1');
    await screenshot(page, 'review-held');
    await page.getByTestId('finished-done').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('start-screen').waitFor();
    await page.close();
  });

  it('waits in the supervisor\'s queue (English, Chinese) and is sealed with the supervisor\'s own PIN', async () => {
    const page = await browser.newPage({ viewport: SMALL });
    await page.goto(kiosk.url);
    await logIn(page, 'staff', SUPERVISOR);
    const entry = page.getByTestId('queue-entry');
    await entry.waitFor();
    expect(await entry.count()).toBe(1);
    await screenshot(page, 'queue-held-en');
    await page.getByTestId('lang-zh-CN').click();
    await page.getByText('待您审核').waitFor();
    await screenshot(page, 'queue-held-zh');

    await page.getByTestId('queue-open').click();
    await page.getByTestId('held-review').waitFor();
    await page.getByTestId('summary-face-exception-photo').waitFor();
    await page.getByText('Bandage over the left eye').waitFor();
    await page.setViewportSize(LARGE);
    await screenshot(page, 'queue-held-review-zh-1920');
    await page.getByTestId('lang-en').click();

    await page.locator('input[name=held-approve-form-pin]').fill(SUPERVISOR.pin);
    await page.getByTestId('held-approve-form-submit').click();
    await page.getByTestId('queue-decided').waitFor();
    await page.getByTestId('queue-empty').waitFor();
    await screenshot(page, 'queue-approved');
    await page.close();
  });
});
