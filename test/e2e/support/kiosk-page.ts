// What every end-to-end test does on the kiosk's pages the same way: open a page and log in from the
// start screen, get a simulated passport through the document step, and cancel an
// enrollment (which asks first), and enroll a login finger on the simulated module. Exceptions
// with their evidence: see evidence.ts.

import type { Browser, Page } from 'playwright-core';

export interface Credentials {
  name: string;
  pin: string;
}

/** A new page at `url` (a one-time page address) with `who` logged in on the staff screen. */
export async function openStaffPage(browser: Browser, url: string, who: Credentials, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(url);
  await page.getByTestId('start-screen').waitFor();
  await logIn(page, 'staff', who);
  await page.getByTestId('staff-screen').waitFor();
  return page;
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

/** On the staff screen of an officer or supervisor logged in by PIN, with the simulated module: enrolls their login finger. */
export async function enrollLoginFinger(page: Page): Promise<void> {
  const live = (state: string) => page.locator(`[data-testid=fingerprint-live][data-state=${state}]`).waitFor();
  await page.getByTestId('enroll-login-finger').click();
  await live('place');
  await page.getByTestId('sim-place-finger').click();
  await live('lift');
  await page.getByTestId('sim-lift-finger').click();
  await live('place-again');
  await page.getByTestId('sim-place-finger').click();
  await page.getByTestId('login-finger-enrolled').waitFor();
  await page.getByTestId('sim-lift-finger').click();
}
