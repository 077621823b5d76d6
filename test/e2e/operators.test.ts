/// <reference lib="dom" />
// Managing operators and reading the audit log in Debian's Chromium against a kiosk on its
// simulated devices: an officer enrolls a login finger; a supervisor sees it on the operators
// panel, resets the officer's PIN in a dialog that asks for it twice (refusing a short one and
// two that differ), and removes the finger; the officer logs in with the new PIN and changes it
// with "Change my PIN"; a technician changes the officer's role, which logs the officer out;
// the audit log section lists it all in
// words, filtered by operator and action and paged. Screenshots of the panel with the reset-PIN
// dialog open and of the audit log in English and German at 1280×800 and 1920×1080 and in
// Chinese once, each checked for clipped buttons, small touch targets and sideways overflow.

import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, screenshotDir } from './support/browser.js';
import { enrollLoginFinger, logIn, openStaffPage, type Credentials } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';
import { clippedButtons, LOOK_SIZES, LOOK_VIEWS, overflowsSideways, smallTargets } from './support/layout.js';

const OFFICER = { name: 'Olga Officer', pin: '246810' };
const SUPERVISOR = { name: 'Sven Supervisor', pin: '135790' };
const TECHNICIAN = { name: 'Tessa Technician', pin: '975310' };
const NEW_PIN = '864200';


let browser: Browser;
let kiosk: RunningKiosk;

beforeAll(async () => {
  const dataDir = provisionedDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', SUPERVISOR.name, '--pin', SUPERVISOR.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', TECHNICIAN.name, '--pin', TECHNICIAN.pin);
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

const staffPage = (who: Credentials) => openStaffPage(browser, kiosk.url, who, LOOK_SIZES[0]);

/** Nothing clipped, too small or sticking out sideways in `part`. */
async function expectTidy(part: Locator, view: string): Promise<void> {
  expect(await clippedButtons(part), view).toEqual([]);
  expect(await smallTargets(part), view).toEqual([]);
  expect(await overflowsSideways(part), view).toBe(false);
}

const officerRow = (page: Page) => page.locator('.operator-list li', { hasText: OFFICER.name });

describe('the operators panel', () => {
  it('shows the officer\'s login finger, resets the PIN typed twice and removes the finger', async () => {
    const officer = await staffPage(OFFICER);
    await enrollLoginFinger(officer);
    await officer.close();

    const page = await staffPage(SUPERVISOR);
    const row = officerRow(page);
    const panel = page.getByTestId('operators-panel');
    await row.getByTestId('operator-login-finger').and(page.locator('[data-position="2"]')).waitFor();
    expect(await row.getByTestId('operator-login-finger').textContent()).toContain('Login finger: Right index finger');
    // A supervisor resets officers' PINs, changes no roles, and never resets their own PIN here.
    expect(await page.locator('.operator-list li', { hasText: SUPERVISOR.name }).getByTestId('operator-reset-pin').count()).toBe(0);
    expect(await page.getByTestId('operator-set-role').count()).toBe(0);

    const dialog = page.getByTestId('pin-dialog');
    const fill = async (pin: string, repeat: string) => {
      await dialog.locator('input[name=newPin]').fill(pin);
      await dialog.locator('input[name=repeatPin]').fill(repeat);
      await page.getByTestId('pin-dialog-save').click();
    };
    for (const { language, size } of LOOK_VIEWS) {
      await page.setViewportSize(size);
      await page.getByTestId(`lang-${language}`).click();
      await panel.scrollIntoViewIfNeeded();
      await row.getByTestId('operator-reset-pin').click();
      await fill('86420', '86420');
      await page.locator('[data-testid=pin-dialog-problem][data-problem=tooShort]').waitFor();
      await fill(NEW_PIN, '864201');
      await page.locator('[data-testid=pin-dialog-problem][data-problem=mismatch]').waitFor();
      const view = `operators-${language}-${size.width}`;
      await expectTidy(dialog, view);
      await page.screenshot({ path: join(screenshotDir, 'screenshots', `${view}.png`) }); // the window, the dialog over the panel
      await page.getByTestId('pin-dialog-cancel').click();
      await expectTidy(panel, `${view} panel`);
      await panel.screenshot({ path: join(screenshotDir, 'screenshots', `operators-panel-${language}-${size.width}.png`) });
    }
    await page.setViewportSize(LOOK_SIZES[0]);
    await page.getByTestId('lang-en').click();
    await row.getByTestId('operator-reset-pin').click();
    await fill(NEW_PIN, NEW_PIN);
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('operators-notice').textContent()).toBe(`${OFFICER.name} has a new PIN.`);

    await row.getByTestId('operator-remove-finger').click();
    expect(await page.getByTestId('finger-dialog').textContent()).toContain('Right index finger');
    await page.getByTestId('finger-dialog-confirm').click();
    await page.getByTestId('finger-dialog').waitFor({ state: 'detached' });
    expect(await page.getByTestId('operators-notice').textContent()).toBe(`The login finger of ${OFFICER.name} is removed, from the fingerprint scanner too.`);
    expect(await row.getByTestId('operator-login-finger').textContent()).toBe('No login finger');
    await page.close();

    // The old PIN is gone; the new one logs the officer in.
    const again = await browser.newPage({ viewport: LOOK_SIZES[0] });
    await again.goto(kiosk.url);
    await logIn(again, 'staff', OFFICER);
    await expect(again.getByTestId('error').getAttribute('data-code')).resolves.toBe('AUTH_FAILED');
    await again.locator('input[name=login-pin]').fill(NEW_PIN);
    await again.getByRole('button', { name: 'Log in' }).click();
    await again.getByTestId('staff-screen').waitFor();
    await again.close();
  });

  it('lets a technician change the officer\'s role, which logs the officer out', async () => {
    const officer = await staffPage({ name: OFFICER.name, pin: NEW_PIN });
    // The officer changes the PIN the supervisor gave, with it as the current one.
    await officer.getByTestId('change-own-pin').click();
    const own = officer.getByTestId('pin-dialog');
    await own.locator('input[name=currentPin]').fill(NEW_PIN);
    await own.locator('input[name=newPin]').fill(OFFICER.pin);
    await own.locator('input[name=repeatPin]').fill(OFFICER.pin);
    await officer.getByTestId('pin-dialog-save').click();
    await officer.getByTestId('own-pin-changed').waitFor();

    const page = await staffPage(TECHNICIAN);
    await officerRow(page).getByTestId('operator-set-role').click();
    const dialog = page.getByTestId('role-dialog');
    expect(await dialog.getByTestId('role-officer').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('role-dialog-save').isDisabled()).toBe(true);
    await dialog.getByTestId('role-supervisor').click();
    await expectTidy(dialog, 'role dialog');
    await page.screenshot({ path: join(screenshotDir, 'screenshots', 'operators-role-en-1280.png') });
    await page.getByTestId('role-dialog-save').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await officerRow(page).textContent()).toContain('Supervisor');
    await officer.getByTestId('start-screen').waitFor(); // logged out everywhere
    await officer.close();
    await page.close();
  });
});

describe('the audit log section', () => {
  it('lists entries in words, filtered by operator and action, a page at a time', async () => {
    const page = await staffPage(SUPERVISOR);
    await page.getByTestId('staff-tab-audit').click();
    const log = page.getByTestId('audit-log');
    await log.getByTestId('audit-entries').waitFor();
    // Newest first: the supervisor's own login heads the list.
    const first = log.getByTestId('audit-entry').first();
    expect(await first.getAttribute('data-action')).toBe('auth.login');
    expect(await first.textContent()).toContain('Logged in with PIN');

    const older = log.getByTestId('audit-older');
    const firstSeq = Number(await first.getAttribute('data-seq'));
    await older.click();
    await page.waitForFunction((seq) => Number(document.querySelector('[data-testid=audit-entry]')?.getAttribute('data-seq')) < seq, firstSeq);
    await log.getByTestId('audit-newer').click();
    await page.locator(`[data-testid=audit-entry][data-seq="${firstSeq}"]`).waitFor();

    const officerId = await log.getByTestId('audit-filter-operator').locator('option', { hasText: OFFICER.name }).getAttribute('value');
    await log.getByTestId('audit-filter-operator').selectOption(officerId!);
    await log.getByTestId('audit-filter-action').selectOption('operator.');
    const actions = () => log.getByTestId('audit-entry').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid=audit-entry]'))
      .every((row) => row.getAttribute('data-action')?.startsWith('operator.')));
    expect(await actions()).toEqual(['operator.role-changed', 'operator.pin-changed', 'operator.finger-removed', 'operator.pin-reset', 'operator.create']);
    const texts = await log.getByTestId('audit-entry').allTextContents();
    expect(texts[0]).toContain('Changed a role');
    expect(texts[0]).toContain(TECHNICIAN.name);
    expect(texts[0]).toContain('Role: Officer → Supervisor');
    expect(texts[1]).toContain('Changed own PIN');
    expect(texts[3]).toContain('Reset a PIN');
    expect(texts.join(' ')).not.toContain(NEW_PIN);

    await log.getByTestId('audit-verify').click();
    await log.locator('[data-testid=audit-result][data-ok=true]').waitFor();

    for (const { language, size } of LOOK_VIEWS) {
      await page.setViewportSize(size);
      await page.getByTestId(`lang-${language}`).click();
      const view = `audit-log-${language}-${size.width}`;
      await expectTidy(log, view);
      await screenshot(page, `screenshots/${view}`);
    }
    await log.getByTestId('audit-filter-action').selectOption('operator.pin-reset');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit-entry]').length === 1);
    // The technician reset no PIN: nothing matches.
    const technicianId = await log.getByTestId('audit-filter-operator').locator('option', { hasText: TECHNICIAN.name }).getAttribute('value');
    await log.getByTestId('audit-filter-operator').selectOption(technicianId!);
    await log.getByTestId('audit-empty').waitFor();
    await page.close();
  });
});
