/// <reference lib="dom" />
// The person leaves with proof, and staff see where each record is, in Debian's Chromium
// against a kiosk registered with a real authority: three enrollments, in English, German and
// Chinese, each approved by a supervisor at the officer's screen, end on the saved screen with
// the enrollment number, where the record is and the printed slip in the person's language (a
// PDF in the slip folder: this station has no printer). The officer's records list shows them;
// the authority decides two; after "sync now" the supervisor's list shows the decisions. With a
// printer that is not ready (no CUPS queue of that name), a reprint says the slip waits for it, in
// each language at both screen sizes.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../integration/authority/authority-harness.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { clippedButtons, LOOK_SIZES, overflowsSideways } from './support/layout.js';
import { enrollWithExceptionsToReview, fillCredential } from './support/enrollment-page.js';
import { fakeCameraFlags } from './support/evidence.js';
import { logIn } from './support/kiosk-page.js';
import { gatehouse, projectRoot, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';
import { OFFICER, SUPERVISOR } from './support/staffed-kiosk.js';

const LANGUAGES = ['en', 'de', 'zh-CN'] as const;

let browser: Browser;
let kiosk: RunningKiosk;
let authority: Harness;
let dataDir: string;
const numbers: string[] = [];

beforeAll(async () => {
  authority = await startHarness();
  authority.advance((Date.now() - authority.now().getTime()) / 1000); // the kiosk signs with the real clock
  dataDir = tempDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', SUPERVISOR.name, '--pin', SUPERVISOR.pin);
  // Not the synchronous helper: the authority answers from this very process.
  await promisify(execFile)(process.execPath, [join(projectRoot, 'bin', 'gatehouse.js'), '--data', dataDir, 'provision',
    '--authority', authority.url, '--token', await authority.token(), '--name', 'Hall C, desk 3']);
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser(fakeCameraFlags());
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
  await authority?.close();
});

/** An authority operator's decision, with the authority's own command line on its data directory. */
function decide(number: string, ...decision: string[]): void {
  const run = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gatehouse-authority.js'), '--data', authority.dataDir, 'decide', number, ...decision],
    { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
}

async function officerPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(kiosk.url);
  return page;
}

describe('the saved screen and the slip', () => {
  for (const language of LANGUAGES) {
    it(`gives the person their number and a slip in ${language}`, async () => {
      const page = await officerPage();
      await logIn(page, 'person', OFFICER);
      await page.getByTestId(`lang-${language}`).click(); // the person reads the consent in their language
      await enrollWithExceptionsToReview(page);
      await page.getByTestId('consent-accept').click();
      await page.locator('[data-testid=consent-accept]:checked').waitFor();
      await fillCredential(page, 'approve', SUPERVISOR);
      await page.locator('[data-testid=finished-notice][data-kind=sealed]').waitFor();
      const number = (await page.getByTestId('sealed-number').textContent())!;
      expect(number).toMatch(/^[0-9A-Z]{4}-\d{6}-\d{4}-[0-9A-Z]{2}$/);
      numbers.push(number);
      await page.locator('[data-testid=slip-preview][data-delivery=saved]').waitFor();
      await page.getByTestId('sealed-where').waitFor();
      await screenshot(page, `saved-slip-${language}`);
      await page.setViewportSize({ width: 1920, height: 1080 });
      await screenshot(page, `saved-slip-${language}-1920`);
      await page.getByTestId('finished-done').click();
      await page.getByTestId('logout').click();
      await page.close();
    });
  }

  it('saved each slip as a PDF in the slip folder, named by its number', () => {
    expect(readdirSync(join(dataDir, 'slips')).sort()).toEqual(numbers.map((number) => `${number}.pdf`).sort());
  });
});

describe('the records lists', () => {
  it('shows the officer today\'s records of their own, with where each one is', async () => {
    const page = await officerPage();
    await logIn(page, 'staff', OFFICER);
    const entries = page.getByTestId('records-entry');
    await expect.poll(() => entries.count()).toBe(3);
    await page.getByTestId('records-panel').scrollIntoViewIfNeeded();
    await screenshot(page, 'records-officer');
    await page.close();
  });

  it('shows the supervisor every record with the authority\'s decisions after a sync', async () => {
    decide(numbers[0]!, 'accepted');
    decide(numbers[1]!, 'rejected', '--reason', 'Photo page damaged; come back with a new passport');
    const page = await officerPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    await logIn(page, 'staff', SUPERVISOR);
    await page.getByTestId('sync-now').click();
    await page.locator('[data-testid=records-entry][data-decision=accepted]').waitFor();
    await page.locator('[data-testid=records-entry][data-decision=rejected]').waitFor();
    await page.getByText('Photo page damaged; come back with a new passport').waitFor();
    await page.getByTestId('records-panel').scrollIntoViewIfNeeded();
    await screenshot(page, 'records-supervisor');
    await page.getByTestId('lang-zh-CN').click();
    await page.getByText('中心机构已通过').waitFor();
    await screenshot(page, 'records-supervisor-zh');

    await page.getByTestId('records-reprint').first().click();
    await page.getByTestId('slip-preview').waitFor();
    await page.getByTestId('slip-preview').scrollIntoViewIfNeeded();
    await screenshot(page, 'records-reprint');
    await page.close();
  });
});

describe('a slip for a printer that is not ready', () => {
  it('says the slip waits for the printer, in every language at both sizes', async () => {
    gatehouse(dataDir, 'settings', 'set', 'slipPrinter', 'gatehouse-absent-printer');
    const page = await officerPage();
    await logIn(page, 'staff', SUPERVISOR);
    await expect.poll(() => page.getByTestId('records-reprint').count()).toBe(LANGUAGES.length);
    for (const [index, language] of LANGUAGES.entries()) {
      await page.getByTestId(`lang-${language}`).click();
      await page.getByTestId('records-reprint').nth(index).click(); // another record each time: its own print job
      const preview = page.locator('[data-testid=slip-preview][data-delivery=queued]');
      await preview.waitFor({ timeout: 60_000 });
      expect(await preview.getByTestId('slip-delivery').textContent()).toContain('gatehouse-absent-printer');
      for (const size of LOOK_SIZES) {
        await page.setViewportSize(size);
        await preview.scrollIntoViewIfNeeded();
        const view = `slip-queued-${language}-${size.width}`;
        expect(await clippedButtons(page.getByTestId('records-panel')), view).toEqual([]);
        expect(await overflowsSideways(page.getByTestId('records-panel')), view).toBe(false);
        await screenshot(page, view);
      }
      await page.locator('.records-slip > button').click();
      await preview.waitFor({ state: 'detached' });
    }
    await page.close();
  });
});
