/// <reference lib="dom" />
// The document step in Debian's Chromium against the kiosk on its simulated MRZ reader
// (no reader configured): a presented passport appears with every field checked, a
// misread is flagged field by field, and an accepted document moves the flow on; a CN resident
// ID card's address is offered on the details step. The kiosk is provisioned (offline), as an
// enrollment cannot start otherwise.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { fakeCameraFlags, recordEvidence } from './support/evidence.js';
import { cancelEnrollment, logIn } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';

let browser: Browser;
let kiosk: RunningKiosk;
let dataDir: string;

beforeAll(async () => {
  dataDir = provisionedDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', 'Olga Officer', '--pin', '246810');
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser(fakeCameraFlags()); // exception photos on the way to the details step
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

async function startPersonEnrollment(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(kiosk.url);
  await logIn(page, 'person', { name: 'Olga Officer', pin: '246810' });
  await page.getByTestId('document-step').waitFor();
  return page;
}

describe('document step on the simulated MRZ reader', () => {
  it('says the devices are simulated and shows the reader ready', async () => {
    const page = await startPersonEnrollment();
    await page.getByTestId('simulated-badge').waitFor();
    await page.locator('[data-testid=reader-state].device-ready').waitFor();
    await page.getByTestId('waiting-for-document').waitFor();
    await screenshot(page, 'document-waiting');
    // Cancel asks first; keeping the enrollment stays on the step.
    await page.getByTestId('flow-cancel').click();
    await page.getByTestId('cancel-confirm').waitFor();
    await screenshot(page, 'document-cancel-confirm');
    await page.getByTestId('cancel-keep').click();
    await page.getByTestId('cancel-confirm').waitFor({ state: 'detached' });
    await page.getByTestId('waiting-for-document').waitFor();
    await cancelEnrollment(page);
    await page.getByTestId('staff-screen').waitFor(); // the officer stays logged in
    await page.close();
  });

  it('shows a presented passport with every field checked, and accepting it moves on', async () => {
    const page = await startPersonEnrollment();
    await page.getByTestId('simulate-passport').click();
    const result = page.getByTestId('read-result');
    await result.waitFor();
    expect(await result.getAttribute('data-verdict')).toBe('valid');
    expect(await page.getByTestId('field-surname').locator('td').first().textContent()).toBe('MUSTERFRAU');
    expect(await page.getByTestId('field-documentNumber').getAttribute('data-ok')).toBe('true');
    expect(await page.locator('tr[data-ok=false]').count()).toBe(0);
    await screenshot(page, 'document-passport-read');

    await page.getByTestId('accept-document').click();
    await page.getByTestId('face-step').waitFor();
    expect(await page.locator('[aria-current=step]').textContent()).toBe('Face');
    await cancelEnrollment(page);
    await page.close();
  });

  it('flags a misread field by field and lets the officer read again', async () => {
    const page = await startPersonEnrollment();
    await page.getByTestId('simulate-misread').click();
    const result = page.getByTestId('read-result');
    await result.waitFor();
    expect(await result.getAttribute('data-verdict')).toBe('invalid');
    expect(await page.getByTestId('field-birthDate').getAttribute('data-ok')).toBe('false');
    expect(await page.getByTestId('accept-document').isDisabled()).toBe(true);
    await screenshot(page, 'document-misread');

    await page.getByTestId('read-again').click();
    await page.getByTestId('waiting-for-document').waitFor();
    await page.getByTestId('simulate-id-card').click();
    await page.locator('[data-testid=read-result][data-verdict=valid]').waitFor();
    expect(await page.getByTestId('read-verdict').textContent()).toContain('ID card (TD1)');
    await screenshot(page, 'document-id-card-read');
    await cancelEnrollment(page);
    await page.close();
  });
});

describe('document step on the simulated CN resident-ID reader', () => {
  let cnidKiosk: RunningKiosk;
  beforeAll(async () => {
    const cnidData = provisionedDataDir();
    gatehouse(cnidData, 'operator', 'add', '--role', 'officer', '--name', 'Olga Officer', '--pin', '246810');
    cnidKiosk = await startKiosk(cnidData, ['--simulated-reader', 'cnid']);
  });
  afterAll(async () => { await cnidKiosk?.stop(); });

  it('shows a card put on the reader, with its ID number checked and long-term validity', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(cnidKiosk.url);
    await logIn(page, 'person', { name: 'Olga Officer', pin: '246810' });
    await page.getByTestId('document-step').waitFor();
    await page.getByTestId('simulate-cnid').click();
    const result = page.getByTestId('read-result');
    await result.waitFor();
    expect(await result.getAttribute('data-verdict')).toBe('valid');
    expect(await page.getByTestId('read-verdict').textContent()).toContain('Resident ID card');
    expect(await page.getByTestId('field-idNumber').getAttribute('data-ok')).toBe('true');
    expect(await page.locator('tr[data-ok=false]').count()).toBe(0);
    await page.getByTestId('lang-zh-CN').click();
    await page.getByText('公民身份号码').waitFor();
    await screenshot(page, 'document-cnid-read-zh');
    const address = await page.locator('[data-testid=field-address] td').first().textContent();

    // On to the details: the card's address is already in the form, for the person to check.
    await page.getByTestId('accept-document').click();
    await page.getByTestId('face-exception-open').click();
    await page.getByTestId('face-exception-no-camera').click();
    await page.getByTestId('face-exception-note').fill('Kamera ausgefallen');
    await page.getByTestId('face-exception-record').click();
    await page.getByTestId('fingerprint-step').waitFor();
    for (const position of [2, 7]) {
      await page.getByTestId(`select-finger-${position}`).click();
      await page.getByTestId('finger-exception-open').click();
      await recordEvidence(page, 'finger-exception', 'bandaged', '手部包扎');
    }
    await page.getByTestId('fingerprints-finish').click();
    await page.getByTestId('details-prefilled').waitFor();
    expect(await page.getByTestId('details-address').inputValue()).toBe(address);
    await screenshot(page, 'details-prefilled-zh');
    await cancelEnrollment(page);
    await page.close();
  });
});
