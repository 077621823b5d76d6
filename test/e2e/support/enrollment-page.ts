// An officer's person enrollment with exceptions, driven through the screens on simulated
// devices: the sample passport, a face exception, both index fingers excepted (each with reason,
// note and photo), the details; it stops on the review, which then needs a second approver.
// And entering an operator's credential into one of the credential forms.

import type { Page } from 'playwright-core';
import { recordEvidence } from './evidence.js';
import { acceptSimulatedPassport } from './kiosk-page.js';

export async function enrollWithExceptionsToReview(page: Page): Promise<void> {
  await acceptSimulatedPassport(page);
  await page.getByTestId('face-exception-open').click();
  await recordEvidence(page, 'face-exception', 'injured', 'Bandage over the left eye');
  await exceptFingersToReview(page);
}

/** From the fingerprint step: both index fingers excepted (reason, note, photo), the details given, on to the review. */
export async function exceptFingersToReview(page: Page): Promise<void> {
  await page.getByTestId('fingerprint-step').waitFor();
  await page.getByTestId('finger-exception-open').click();
  await recordEvidence(page, 'finger-exception', 'bandaged', 'Right hand in a plaster cast');
  await page.getByTestId('next-finger').click();
  await page.getByTestId('finger-exception-open').click();
  await recordEvidence(page, 'finger-exception', 'missing', 'Finger lost in an accident');
  await page.getByTestId('fingerprints-finish').click();
  await page.getByTestId('details-address').fill('Storgatan 12\n111 51 Stockholm');
  await page.getByTestId('details-purpose').selectOption('licence-application');
  await page.getByTestId('details-continue').click();
  await page.getByTestId('review-step').waitFor();
}

/** Fills the credential form `form` (name and PIN) and submits it. */
export async function fillCredential(page: Page, form: string, who: { name: string; pin: string }): Promise<void> {
  await page.locator(`input[name=${form}-name]`).fill(who.name);
  await page.locator(`input[name=${form}-pin]`).fill(who.pin);
  await page.getByTestId(`${form}-submit`).click();
}
