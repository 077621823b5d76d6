// What every end-to-end test does on the kiosk's pages the same way: log in from the
// start screen, and get a simulated passport through the document step.

import type { Page } from 'playwright-core';

export interface Credentials {
  name: string;
  pin: string;
}

/** From the start screen: choose `start`, then log in with name and PIN. */
export async function logIn(page: Page, start: 'person' | 'staff', { name, pin }: Credentials): Promise<void> {
  await page.getByTestId(`start-${start}`).click();
  await page.locator('input[name=name]').fill(name);
  await page.locator('input[name=pin]').fill(pin);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** On the document step with simulated devices: present the sample passport and accept it. */
export async function acceptSimulatedPassport(page: Page): Promise<void> {
  await page.getByTestId('simulate-passport').click();
  await page.locator('[data-testid=read-result][data-verdict=valid]').waitFor();
  await page.getByTestId('accept-document').click();
}
