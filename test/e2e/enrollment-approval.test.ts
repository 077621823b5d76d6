/// <reference lib="dom" />
// The last two steps of an enrollment in Debian's Chromium against the kiosk on its simulated
// devices: the details form refuses a bad phone number field by field, the review shows what
// will be sealed with the consent text, a wrong PIN is refused, an unprovisioned kiosk says so
// in plain words and keeps the enrollment on review; once a technician has registered the kiosk
// with a real authority, the same approval seals the record, the screen shows its short id and
// the queue, and the authority opens the delivered record with its private key.
//
// The person flow is the one driven here: the company flow's face step needs a live face that
// passes the liveness challenge (no officer is logged in to take the exception), which a fake
// camera cannot give; the company flow's approval by name and PIN is covered by the integration
// test test/integration/main/enrollment/review-approval.test.ts.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePublicKey } from '../../authority/protocol/keys.js';
import { openSealedRecord } from '../../authority/protocol/sealed-record.js';
import { startHarness, type Harness } from '../integration/authority/authority-harness.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { acceptSimulatedPassport, logIn, type Credentials } from './support/kiosk-page.js';
import { gatehouse, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';

const OFFICER = { name: 'Olga Officer', pin: '246810' };
const TECHNICIAN = { name: 'Tom Tech', pin: '97531864' };

let browser: Browser;
let kiosk: RunningKiosk;
let authority: Harness;

beforeAll(async () => {
  authority = await startHarness();
  authority.advance((Date.now() - authority.now().getTime()) / 1000); // the kiosk signs with the real clock
  const dataDir = tempDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', TECHNICIAN.name, '--pin', TECHNICIAN.pin);
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
  await authority?.close();
});

async function openAndLogIn(page: Page, start: 'person' | 'staff', who: Credentials): Promise<void> {
  await page.goto(kiosk.url);
  await logIn(page, start, who);
}

const liveState = (page: Page, state: string) => page.locator(`[data-testid=fingerprint-live][data-state=${state}]`).waitFor();

/** Passport accepted, face exception, right index finger captured on the simulated module, left index finger missing. */
async function toDetails(page: Page): Promise<void> {
  await acceptSimulatedPassport(page);
  await page.getByTestId('face-exception-open').click();
  await page.getByTestId('face-exception-injured').click();
  await page.getByTestId('face-exception-record').click();

  await page.locator('[data-testid=scanner-state].device-ready').waitFor();
  await page.getByTestId('fingerprint-capture').click();
  await liveState(page, 'place');
  await page.getByTestId('sim-place-finger').click();
  await liveState(page, 'lift');
  await page.getByTestId('sim-lift-finger').click();
  await liveState(page, 'place-again');
  await page.getByTestId('sim-place-finger').click();
  await page.getByTestId('captured-finger').waitFor();
  await page.getByTestId('sim-lift-finger').click();
  await page.getByTestId('next-finger').click();
  await page.getByTestId('finger-exception-open').click();
  await page.getByTestId('finger-exception-missing').click();
  await page.getByTestId('finger-exception-record').click();
  await page.getByTestId('fingerprints-finish').click();
  await page.getByTestId('details-step').waitFor();
}

async function approve(page: Page, pin: string): Promise<void> {
  await page.locator('input[name=approverPin]').fill(pin);
  await page.getByTestId('approve').click();
}

async function provisionKiosk(): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await openAndLogIn(page, 'staff', TECHNICIAN);
  const panel = page.getByTestId('provisioning-panel');
  await panel.locator('input[name=authorityUrl]').fill(authority.url);
  await panel.locator('input[name=token]').fill(await authority.token());
  await panel.locator('input[name=kioskName]').fill('Hall B, desk 1');
  await panel.getByTestId('provision-submit').click();
  await panel.getByTestId('provisioning-done').waitFor();
  await page.close();
}

describe('details, review and approval', () => {
  it('takes the details, reviews, refuses to seal until the kiosk is provisioned, then seals and shows the queue', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await openAndLogIn(page, 'person', OFFICER);
    await page.getByTestId('document-step').waitFor();
    await toDetails(page);

    await page.getByTestId('details-address').fill('Storgatan 12\n111 51 Stockholm');
    await page.getByTestId('details-phone').fill('call me');
    await page.getByTestId('details-purpose').selectOption('other');
    await page.getByTestId('details-purposeNote').fill('Firearms licence renewal');
    await page.getByTestId('details-continue').click();
    await page.getByTestId('details-invalid-phone').waitFor();
    expect(await page.locator('[aria-invalid=true]').evaluateAll((fields) => fields.map((field) => field.getAttribute('name')))).toEqual(['phone']);
    await screenshot(page, 'details-refused');
    await page.getByTestId('details-phone').fill('+46 8 123 456 78');
    await page.getByTestId('details-continue').click();

    await page.getByTestId('review-step').waitFor();
    expect(await page.locator('[aria-current=step]').textContent()).toBe('Review');
    expect(await page.getByTestId('summary-document').textContent()).toContain('MUSTERFRAU');
    expect(await page.getByTestId('summary-face').getAttribute('data-decision')).toBe('exception');
    expect(await page.getByTestId('summary-finger-2').getAttribute('data-outcome')).toBe('captured');
    expect(await page.getByTestId('summary-finger-7').getAttribute('data-outcome')).toBe('exception');
    expect(await page.getByTestId('summary-details').textContent()).toContain('Firearms licence renewal');
    await page.getByTestId('consent-version').waitFor();
    expect(await page.getByTestId('approve').isDisabled()).toBe(true);
    await page.getByTestId('consent-accept').click(); // checked once the kiosk has kept the consent
    await page.locator('[data-testid=consent-accept]:checked').waitFor();
    expect(await page.getByTestId('consent-first').count()).toBe(0);
    await screenshot(page, 'review-person');
    await page.getByTestId('lang-de').click();
    await page.locator('[data-testid=consent-panel][lang=de]').waitFor();
    expect(await page.getByTestId('consent-text').textContent()).toContain('Ich bin damit einverstanden');
    await screenshot(page, 'review-person-de');
    await page.getByTestId('lang-en').click();
    await page.locator('[data-testid=consent-panel][lang=en]').waitFor();

    await approve(page, '000000');
    expect(await page.getByTestId('approval').getByTestId('error').getAttribute('data-code')).toBe('AUTH_FAILED');
    await approve(page, OFFICER.pin);
    const refusal = page.locator('[data-testid=approval] [data-testid=error][data-code=KIOSK_NOT_PROVISIONED]');
    await refusal.waitFor();
    expect(await refusal.textContent())
      .toBe('This kiosk is not registered with the central authority yet; a technician must provision it. Nothing was saved.');
    expect(await page.getByTestId('review-step').isVisible()).toBe(true);
    expect(await page.getByTestId('consent-accept').isChecked()).toBe(true);
    await page.getByTestId('approval').scrollIntoViewIfNeeded();
    await screenshot(page, 'review-not-provisioned');

    await provisionKiosk();
    await approve(page, OFFICER.pin);
    await page.getByTestId('sealed-notice').waitFor();
    const shown = (await page.getByTestId('sealed-record').textContent())!;
    const prefix = /Record ([0-9a-f]{8}) is sealed/.exec(shown)?.[1];
    expect(prefix).toBeDefined();
    expect(await page.getByTestId('flow-cancel').count()).toBe(0);

    // The kiosk's sync delivers it (the notice follows the queue); only the authority can open it.
    await expect.poll(async () => (await authority.authority.repository.listRecords()).length, { timeout: 20_000 }).toBe(1);
    await page.locator('[data-testid=sealed-queue][data-count="0"]').waitFor();
    expect(await page.getByTestId('sealed-queue').textContent()).toBe('0 records are waiting to be sent.');
    await screenshot(page, 'review-saved');
    const [delivered] = await authority.authority.repository.listRecords();
    expect(delivered!.recordId.startsWith(prefix!)).toBe(true);
    const [registered] = await authority.authority.repository.listKiosks();
    const { json } = openSealedRecord((await authority.authority.repository.readEnvelope(delivered!.recordId))!, {
      authoritySealingPrivateKey: authority.authority.keys.sealing.privateKey,
      kioskSigningPublicKey: decodePublicKey('ed25519', registered!.signingPublicKey),
    });
    expect(json).toMatchObject({
      flow: 'person',
      details: { address: 'Storgatan 12\n111 51 Stockholm', phone: '+46 8 123 456 78', purpose: 'other', purposeNote: 'Firearms licence renewal' },
      consent: { language: 'en' },
      faceException: { reason: 'injured' },
    });

    await page.getByTestId('sealed-done').click();
    await page.getByTestId('staff-screen').waitFor(); // the officer's home
    await page.close();
  });
});
