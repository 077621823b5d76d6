// What every end-to-end test does on the kiosk's pages the same way: log in from the
// start screen, get a simulated passport through the document step, and cancel an
// enrollment (which asks first). Exceptions with their evidence: see evidence.ts.

import type { Page } from 'playwright-core';

export interface Credentials {
  name: string;
  pin: string;
}

/** From the start screen: choose `start`, then log in with name and PIN. */
export async function logIn(page: Page, start: 'person' | 'staff', { name, pin }: Credentials): Promise<void> {
  await page.getByTestId(`start-${start}`).click();
  await page.locator('input[name=login-name]').fill(name);
  await page.locator('input[name=login-pin]').fill(pin);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** On the document step with simulated devices: present the sample passport and accept it. */
export async function acceptSimulatedPassport(page: Page): Promise<void> {
  await page.getByTestId('simulate-passport').click();
  await page.locator('[data-testid=read-result][data-verdict=valid]').waitFor();
  await page.getByTestId('accept-document').click();
}

/** Cancels the enrollment on screen and confirms it. */
export async function cancelEnrollment(page: Page): Promise<void> {
  await page.getByTestId('flow-cancel').click();
  await page.getByTestId('cancel-confirm-yes').click();
  await page.getByTestId('cancel-confirm').waitFor({ state: 'detached' });
}
