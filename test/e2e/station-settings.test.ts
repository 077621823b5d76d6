/// <reference lib="dom" />
// The technician's station settings in Debian's Chromium against a kiosk on its simulated
// devices: a supervisor has no settings tab; the technician sees every setting with its range and
// the mandatory second-approval reasons (screenshots in English and German at 1280×800 and
// 1920×1080 and in Chinese once, each checked for clipped buttons, small touch targets and
// sideways overflow); a number out of range and a warning not shorter than the timeout are refused
// at their fields; a change is saved, confirmed, audited with old and new values, read back after a
// reload, and the start screen after the session ends speaks the new default language.

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKioskDatabase } from '../../main/store/database.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { logIn, openStaffPage, type Credentials } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';
import { clippedButtons, LOOK_SIZES, LOOK_VIEWS, overflowsSideways, smallTargets } from './support/layout.js';

const SUPERVISOR = { name: 'Sven Supervisor', pin: '135790' };
const TECHNICIAN = { name: 'Tessa Technician', pin: '975310' };

let browser: Browser;
let kiosk: RunningKiosk;
let dataDir: string;

beforeAll(async () => {
  dataDir = provisionedDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', SUPERVISOR.name, '--pin', SUPERVISOR.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', TECHNICIAN.name, '--pin', TECHNICIAN.pin);
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

const staffPage = (who: Credentials, viewport: { width: number; height: number } = LOOK_SIZES[0]) => openStaffPage(browser, kiosk.url, who, viewport);

async function settingsOf(page: Page): Promise<Locator> {
  await page.getByTestId('staff-tab-settings').click();
  const panel = page.getByTestId('settings-panel');
  await panel.getByTestId('settings-save').waitFor();
  return panel;
}

async function expectTidy(part: Locator, view: string): Promise<void> {
  expect(await clippedButtons(part), view).toEqual([]);
  expect(await smallTargets(part), view).toEqual([]);
  expect(await overflowsSideways(part), view).toBe(false);
}

/** The `settings.update` audit entries, read from the kiosk's own store while it runs. */
function settingsAudit(): unknown[] {
  const db = openKioskDatabase(dataDir);
  try {
    return (db.prepare("SELECT details FROM audit WHERE action = 'settings.update' ORDER BY seq").all() as Array<{ details: string }>)
      .map((row) => JSON.parse(row.details) as unknown);
  } finally {
    db.close();
  }
}

describe('the station settings section', () => {
  it('is not there for a supervisor', async () => {
    const page = await staffPage(SUPERVISOR);
    await page.getByTestId('staff-tab-audit').waitFor();
    expect(await page.getByTestId('staff-tab-settings').count()).toBe(0);
    await page.close();
  });

  it('shows every setting with its range and the mandatory second-approval reasons, in every language and size', async () => {
    for (const { language, size } of LOOK_VIEWS) {
      const page = await staffPage(TECHNICIAN, size);
      const panel = await settingsOf(page);
      await page.getByTestId(`lang-${language}`).click();
      const view = `settings-${language}-${size.width}`;
      const help = panel.locator('#setting-idleTimeoutSeconds-help');
      await help.filter({ hasText: /15–\u2060?3600/ }).waitFor();
      expect(await panel.getByTestId('settings-mandatory').locator('li').count(), view).toBe(6);
      expect(await panel.getByTestId('setting-idleTimeoutSeconds').inputValue()).toBe('120');
      expect(await panel.locator('[data-testid=setting-secondApprover] [aria-pressed=true]').getAttribute('data-value')).toBe('supervisor');
      await expectTidy(page.getByTestId('staff-screen'), view);
      await screenshot(page, `screenshots/${view}`);
      await page.close();
    }
  });

  it('refuses a number out of range and a warning not shorter than the timeout at their fields, saving nothing', async () => {
    const page = await staffPage(TECHNICIAN);
    const panel = await settingsOf(page);
    await panel.getByTestId('setting-idleTimeoutSeconds').fill('5');
    await panel.getByTestId('setting-heldEnrollmentLimit').fill('lots');
    await panel.getByTestId('settings-save').click();
    expect(await panel.getByTestId('setting-error-heldEnrollmentLimit').textContent()).toBe('Enter a whole number from 1 to 500.');
    await panel.getByTestId('setting-heldEnrollmentLimit').fill('20');
    await panel.getByTestId('settings-save').click();
    expect(await panel.getByTestId('setting-error-idleTimeoutSeconds').textContent()).toBe('Enter a whole number from 15 to 3600.');

    await panel.getByTestId('setting-idleTimeoutSeconds').fill('60');
    await panel.getByTestId('setting-idleWarningSeconds').fill('60');
    await panel.getByTestId('settings-save').click();
    expect(await panel.getByTestId('setting-error-idleWarningSeconds').textContent())
      .toBe('The warning before logout must be shorter than the inactivity timeout. Shorten the warning or lengthen the timeout.');
    await panel.getByTestId('setting-slipPrinter').fill('front desk');
    await panel.getByTestId('setting-idleWarningSeconds').fill('20');
    await panel.getByTestId('settings-save').click();
    await panel.getByTestId('setting-error-slipPrinter').waitFor();
    expect(await panel.getByTestId('settings-saved').count()).toBe(0);
    await page.getByTestId('lang-de').click();
    await panel.getByTestId('setting-error-slipPrinter').getByText('Warteschlangennamen').waitFor();
    await panel.getByTestId('setting-slipPrinter').scrollIntoViewIfNeeded();
    await screenshot(page, 'screenshots/settings-refused-de-1280');
    expect(settingsAudit()).toEqual([]);
    await page.close();
  });

  it('saves a change, confirms it, audits old and new values, reads it back, and greets the next person in the new language', async () => {
    const page = await staffPage(TECHNICIAN);
    const panel = await settingsOf(page);
    await panel.getByTestId('setting-idleTimeoutSeconds').fill('300');
    await panel.getByTestId('setting-idleWarningSeconds').fill('45');
    await panel.locator('[data-testid=setting-defaultLanguage] [data-value=de]').click();
    await panel.locator('[data-testid=setting-alwaysSecondApproval] [data-value=company]').click();
    await panel.getByTestId('setting-sealedRetentionHours').fill('72');
    await panel.getByTestId('settings-save').click();
    const saved = panel.getByTestId('settings-saved');
    await saved.waitFor();
    expect(await saved.locator('li').allTextContents()).toEqual([
      'Log out after inactivity: 120 s → 300 s',
      'Warning before logout: 30 s → 45 s',
      'Language of the start screen: English → Deutsch',
      'Also ask for a second approval for: none → Every company registration',
      'Keep delivered records: 168 h → 72 h',
    ]);
    await saved.scrollIntoViewIfNeeded();
    await screenshot(page, 'screenshots/settings-saved-en-1280');
    expect(settingsAudit()).toEqual([{
      changes: [
        { key: 'idleTimeoutSeconds', old: 120, new: 300 },
        { key: 'idleWarningSeconds', old: 30, new: 45 },
        { key: 'defaultLanguage', old: 'en', new: 'de' },
        { key: 'alwaysSecondApproval', old: [], new: ['company'] },
        { key: 'sealedRetentionHours', old: 168, new: 72 },
      ],
    }]);
    expect(JSON.parse(gatehouse(dataDir, 'settings', 'get', 'idleWarningSeconds', '--json'))).toEqual({ key: 'idleWarningSeconds', value: 45 });

    // The session ends: the start screen is in the station's language now.
    await page.getByTestId('logout').click();
    await page.getByTestId('start-screen').waitFor();
    await page.locator('html[lang=de]').waitFor();
    await page.getByTestId('lang-de').and(page.locator('[aria-pressed=true]')).waitFor();

    // A reload starts afresh in the new default language; the technician reads the values back.
    await page.reload();
    await page.locator('html[lang=de]').waitFor();
    await page.getByTestId('lang-en').click();
    await logIn(page, 'staff', TECHNICIAN);
    await page.getByTestId('staff-screen').waitFor();
    const again = await settingsOf(page);
    expect(await again.getByTestId('setting-idleTimeoutSeconds').inputValue()).toBe('300');
    expect(await again.getByTestId('setting-idleWarningSeconds').inputValue()).toBe('45');
    expect(await again.getByTestId('setting-sealedRetentionHours').inputValue()).toBe('72');
    expect(await again.locator('[data-testid=setting-alwaysSecondApproval] [aria-pressed=true]').allTextContents()).toEqual(['Every company registration']);
    await page.close();
  });
});
