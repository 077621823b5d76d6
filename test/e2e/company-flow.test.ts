/// <reference lib="dom" />
// A business owner registers a company alone, in Debian's Chromium against the kiosk on
// simulated devices and a fake camera: the passport is read, the face cannot be captured, so
// the owner calls an officer, who identifies on the owner's screen (name and PIN, without
// logging it in) and records the exception with a photo; the owner fills in the company, ticks
// the consent; the officer who helped may not approve alone, a supervisor does, and the record
// is sealed. Screenshots in English and German land in test-results/.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { fakeCameraFlags, recordEvidence } from './support/evidence.js';
import { acceptSimulatedPassport } from './support/kiosk-page.js';
import { gatehouse, type RunningKiosk } from './support/kiosk-process.js';
import { OFFICER, startStaffedKiosk, SUPERVISOR } from './support/staffed-kiosk.js';


let browser: Browser;
let kiosk: RunningKiosk;
let dataDir: string;

beforeAll(async () => {
  ({ dataDir, kiosk } = await startStaffedKiosk());
  browser = await launchBrowser(fakeCameraFlags());
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

it('reaches a sealed company registration with an officer called to the face step', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(kiosk.url);
  await page.getByTestId('lang-de').click();
  await page.getByTestId('start-company').click();
  await acceptSimulatedPassport(page);

  // Alone, the owner cannot record an exception; they call an officer, who identifies here.
  await page.getByTestId('face-step').waitFor();
  expect(await page.getByTestId('face-exception-open').count()).toBe(0);
  await page.getByTestId('call-officer').click();
  await page.locator('input[name=call-officer-form-name]').fill(OFFICER.name);
  await page.locator('input[name=call-officer-form-pin]').fill(OFFICER.pin);
  await screenshot(page, 'company-call-officer-de');
  await page.getByTestId('call-officer-form-submit').click();
  await page.getByTestId('officer-assisting').waitFor();
  await page.getByTestId('face-exception-open').click();
  await screenshot(page, 'company-officer-assisting-de');
  await recordEvidence(page, 'face-exception', 'cannot-face-camera', 'Kann den Kopf nicht zur Kamera drehen');

  // The officer's help ended with the face step; the owner goes on alone.
  await page.getByTestId('details-step').waitFor();
  expect(await page.getByTestId('officer-assisting').count()).toBe(0);
  await page.getByTestId('details-companyName').fill('Eriksson Bäckerei GmbH');
  await page.getByTestId('details-registrationNumber').fill('HRB 12345 B');
  await page.getByTestId('details-legalForm').selectOption('limited-company');
  await page.getByTestId('details-registeredAddress').fill('Marktplatz 3\n04109 Leipzig');
  await page.getByTestId('details-role').selectOption('director');
  await page.getByTestId('details-continue').click();

  await page.locator('[data-testid=review-warnings][data-reasons=face-exception]').waitFor();
  await page.getByTestId('summary-face-exception-photo').waitFor();
  await page.getByTestId('consent-accept').click();
  await page.locator('[data-testid=consent-accept]:checked').waitFor();
  await screenshot(page, 'company-review-de');

  // The officer took part (recorded the exception): they may not approve it; a supervisor may.
  await page.locator('input[name=approve-name]').fill(OFFICER.name);
  await page.locator('input[name=approve-pin]').fill(OFFICER.pin);
  await page.getByTestId('approve-submit').click();
  await page.locator('[data-testid=approval] [data-testid=error][data-code=ENROLLMENT_SECOND_APPROVER_REQUIRED]').waitFor();
  await page.locator('input[name=approve-name]').fill(SUPERVISOR.name);
  await page.locator('input[name=approve-pin]').fill(SUPERVISOR.pin);
  await page.getByTestId('approve-submit').click();
  await page.locator('[data-testid=finished-notice][data-kind=sealed]').waitFor();
  await screenshot(page, 'company-sealed-de');
  await page.getByTestId('finished-done').click();
  await page.getByTestId('start-screen').waitFor();

  const queue = JSON.parse(gatehouse(dataDir, 'queue', '--json')) as { records: Array<{ state: string }>; held: unknown[] };
  expect(queue.records.map((record) => record.state)).toEqual(['queued']);
  expect(queue.held).toEqual([]);
  await page.close();
});
