/// <reference lib="dom" />
// An enrollment from the start screen to the record at the authority, in Debian's Chromium
// against the kiosk on its simulated devices. An unprovisioned kiosk says so on the start screen
// and offers no enrollment; once a technician has registered it with a real authority on the
// technician screen, the start screen picks that up by itself. Then an officer enrolls a person
// whose face and one finger cannot be captured (each exception with reason, note and a photo from
// the fake camera); the details form refuses a bad phone number field by field; the review shows
// what will be sealed with the warnings and the consent text; a wrong PIN is refused, and so is the
// officer's own approval (four eyes: the officer took part), keeping the enrollment on review; a
// supervisor's name and PIN seal the record, the screen shows its short id and the queue, and the
// authority opens the delivered record with its private key.
//
// The company flow (an officer called to the face step) has its own test, company-flow.test.ts.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePublicKey } from '../../protocol/keys.js';
import { openSealedRecord } from '../../protocol/sealed-record.js';
import { startHarness, type Harness } from '../integration/authority/authority-harness.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { fakeCameraFlags, recordEvidence } from './support/evidence.js';
import { acceptSimulatedPassport, logIn, type Credentials } from './support/kiosk-page.js';
import { gatehouse, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';

const OFFICER = { name: 'Olga Officer', pin: '246810' };
const SUPERVISOR = { name: 'Sven Supervisor', pin: '13579246' };
const TECHNICIAN = { name: 'Tom Tech', pin: '97531864' };
const FACE_NOTE = 'Bandage over the left eye and cheek';
const FINGER_NOTE = 'Left index finger amputated';

let browser: Browser;
let kiosk: RunningKiosk;
let authority: Harness;

beforeAll(async () => {
  authority = await startHarness();
  authority.advance((Date.now() - authority.now().getTime()) / 1000); // the kiosk signs with the real clock
  const dataDir = tempDataDir(); // not provisioned: the technician registers it in the test
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', SUPERVISOR.name, '--pin', SUPERVISOR.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', TECHNICIAN.name, '--pin', TECHNICIAN.pin);
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser(fakeCameraFlags()); // exception photos come from the camera
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

/**
 * Passport accepted, face exception (injured), right index finger captured on the simulated module,
 * left index finger missing: both exceptions with a note and a photo from the camera.
 */
async function toDetails(page: Page): Promise<void> {
  await acceptSimulatedPassport(page);
  await page.getByTestId('face-exception-open').click();
  await recordEvidence(page, 'face-exception', 'injured', FACE_NOTE);

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
  await recordEvidence(page, 'finger-exception', 'missing', FINGER_NOTE);
  await page.getByTestId('fingerprints-finish').click();
  await page.getByTestId('details-step').waitFor();
}

/** The approval on the review: by `who`'s name and PIN (four eyes), or by PIN only. */
async function approve(page: Page, who: { name?: string; pin: string }): Promise<void> {
  const approval = page.getByTestId('approval');
  if (who.name !== undefined) await approval.locator('input[name=approve-name]').fill(who.name);
  await approval.locator('input[name=approve-pin]').fill(who.pin);
  await approval.getByTestId('approve-submit').click();
}

const approvalError = (page: Page, code: string) => page.locator(`[data-testid=approval] [data-testid=error][data-code=${code}]`);

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

describe('provisioning, details, review and approval', () => {
  let page: Page;
  afterAll(async () => { await page?.close(); });

  it('refuses to start an enrollment on the start screen until the kiosk is provisioned, then picks it up', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await page.goto(kiosk.url);
    const blocked = page.locator('[data-testid=enrollment-blocked][data-reason=not-provisioned]');
    await blocked.waitFor();
    expect(await blocked.textContent()).toContain('This kiosk is not set up yet');
    await page.locator('[data-testid=start-person]:disabled').waitFor();
    expect(await page.getByTestId('start-company').isDisabled()).toBe(true);
    expect(await page.getByTestId('start-staff').isEnabled()).toBe(true);
    await screenshot(page, 'start-not-provisioned');
    await page.getByTestId('lang-de').click();
    await blocked.getByText('Dieses Terminal ist noch nicht eingerichtet').waitFor();
    await screenshot(page, 'start-not-provisioned-de');
    await page.getByTestId('lang-en').click();
    await blocked.getByText('This kiosk is not set up yet').waitFor();

    // A technician registers it on another screen; this start screen follows by itself.
    await provisionKiosk();
    await blocked.waitFor({ state: 'detached' });
    await page.locator('[data-testid=start-person]:enabled').waitFor();
    expect(await page.getByTestId('start-company').isEnabled()).toBe(true);
  });

  it('takes the details, reviews with warnings, refuses the approval of the officer who ran it, then a supervisor seals it', async () => {
    await logIn(page, 'person', OFFICER);
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
    expect(await page.getByTestId('summary-face-exception').textContent()).toContain(FACE_NOTE);
    expect(await page.getByTestId('summary-finger-2').getAttribute('data-outcome')).toBe('captured');
    expect(await page.getByTestId('summary-finger-7').getAttribute('data-outcome')).toBe('exception');
    expect(await page.getByTestId('summary-finger-exception-7').textContent()).toContain(FINGER_NOTE);
    await page.getByTestId('summary-face-exception-photo').waitFor();
    await page.getByTestId('summary-finger-exception-7-photo').waitFor();
    await page.getByTestId('summary-finger-image-2').waitFor();
    expect(await page.getByTestId('summary-details').textContent()).toContain('Firearms licence renewal');
    expect(await page.getByTestId('review-warnings').getAttribute('data-reasons')).toBe('face-exception finger-exception');
    expect(await page.getByTestId('approval').getAttribute('data-four-eyes')).toBe('true');
    await page.getByTestId('hold-for-review').waitFor();
    await page.getByTestId('consent-version').waitFor();
    expect(await page.getByTestId('approve-submit').isDisabled()).toBe(true);
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

    await approve(page, { name: SUPERVISOR.name, pin: '000000' });
    await approvalError(page, 'AUTH_FAILED').waitFor();
    // The officer ran it, so the officer's own name and PIN do not count as the second pair of eyes.
    await approve(page, OFFICER);
    const refusal = approvalError(page, 'ENROLLMENT_SECOND_APPROVER_REQUIRED');
    await refusal.waitFor();
    expect(await refusal.textContent())
      .toBe('You took part in this enrollment, so you cannot approve it. Ask a supervisor, or hold it for review.');
    expect(await page.getByTestId('review-step').isVisible()).toBe(true);
    expect(await page.getByTestId('consent-accept').isChecked()).toBe(true);
    await page.getByTestId('approval').scrollIntoViewIfNeeded();
    await screenshot(page, 'review-approval-refused');

    await approve(page, SUPERVISOR);
    await page.locator('[data-testid=finished-notice][data-kind=sealed]').waitFor();
    const number = (await page.getByTestId('sealed-number').textContent())!;
    expect(number).toMatch(/^[0-9A-Z]{4}-\d{6}-\d{4}-[0-9A-Z]{2}$/);
    expect(await page.getByTestId('flow-cancel').count()).toBe(0);

    // The kiosk's sync delivers it (the notice follows: one true sentence); only the authority can open it.
    await expect.poll(async () => (await authority.authority.repository.listRecords()).length, { timeout: 20_000 }).toBe(1);
    await page.locator('[data-testid=sealed-where][data-state=received]').waitFor();
    expect(await page.getByTestId('sealed-where').textContent()).toBe('Sealed and sent to the authority.');
    await page.getByTestId('slip-preview').waitFor();
    await screenshot(page, 'review-saved');
    const [delivered] = await authority.authority.repository.listRecords();
    expect(delivered!.number).toBe(number);
    const [registered] = await authority.authority.repository.listKiosks();
    const { json } = openSealedRecord(await authority.authority.envelopes.get(delivered!.digest), {
      authoritySealingPrivateKey: authority.authority.keys.sealing.privateKey,
      kioskSigningPublicKey: decodePublicKey('ed25519', registered!.signingPublicKey),
    });
    expect(json).toMatchObject({
      flow: 'person',
      ranBy: { name: OFFICER.name, role: 'officer' },
      details: { address: 'Storgatan 12\n111 51 Stockholm', phone: '+46 8 123 456 78', purpose: 'other', purposeNote: 'Firearms licence renewal' },
      consent: { language: 'en' },
      faceException: { reason: 'injured', note: FACE_NOTE, by: { name: OFFICER.name } },
      approval: {
        by: { name: SUPERVISOR.name, role: 'supervisor' },
        secondApproval: { required: true, reasons: ['face-exception', 'finger-exception'] },
      },
    });

    await page.getByTestId('finished-done').click();
    await page.getByTestId('staff-screen').waitFor(); // the officer's home
  });
});
