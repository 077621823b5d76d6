/// <reference lib="dom" />
// A record the authority refused, queued again by a supervisor, in Debian's Chromium against a
// kiosk registered with a real authority: the records list shows it refused, with the refusal,
// and (for a supervisor only) "Send again"; the confirmation shows why it was refused, in
// English and German; cancelling changes nothing, confirming queues it, the kiosk's sync
// delivers it and the list follows. The refusal is one a kiosk before issue 16 gave for good
// (a replica with other keys), so the record itself is sound. A record sealed to a key the
// authority does not hold stays queued: the sync panel lists it from the last round with its
// code, says a technician must fix the cause and keeps the technical detail at hand.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileKeyVault } from '../../main/provisioning/key-vault.js';
import { Provisioning } from '../../main/provisioning/provisioning.js';
import { openKioskDatabase } from '../../main/store/database.js';
import { markRejected } from '../../main/store/outbox.js';
import { approveAndSeal } from '../../main/sync/record-sealer.js';
import { syntheticRecord } from '../../tools/records/synthetic-records.js';
import { startHarness, type Harness } from '../integration/authority/authority-harness.js';
import { queueSealedToForeignKey } from '../integration/main/sync/kiosk-under-test.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { logIn } from './support/kiosk-page.js';
import { gatehouse, projectRoot, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';
import { OFFICER, SUPERVISOR } from './support/staffed-kiosk.js';

let browser: Browser;
let kiosk: RunningKiosk;
let authority: Harness;
let refusedNumber: string;
let misSealed: string;
const REFUSAL = 'Record sealed to authority key 5f0c, not 9a41 (refused by a replica with keys of its own).';

beforeAll(async () => {
  authority = await startHarness();
  authority.advance((Date.now() - authority.now().getTime()) / 1000); // the kiosk signs with the real clock
  const dataDir = tempDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', SUPERVISOR.name, '--pin', SUPERVISOR.pin);
  await promisify(execFile)(process.execPath, [join(projectRoot, 'bin', 'gatehouse.js'), '--data', dataDir, 'provision',
    '--authority', authority.url, '--token', await authority.token(), '--name', 'Hall C, desk 3']);
  // One sealed enrollment, refused for good as an older kiosk recorded it.
  const db = openKioskDatabase(dataDir);
  try {
    const credentials = new Provisioning(db, new FileKeyVault(dataDir), () => new Date()).require();
    const now = new Date().toISOString();
    const officer = db.prepare('SELECT id FROM operators WHERE name = ?').pluck().get(OFFICER.name);
    db.prepare("INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES ('e-refused', 'person', 'sealed', ?, ?, ?)")
      .run(officer, now, now);
    const sealed = approveAndSeal(db, credentials, { ...syntheticRecord(0, 'small'), enrollmentId: 'e-refused' }, 'test');
    refusedNumber = sealed.number!;
    db.transaction(() => markRejected(db, sealed.recordId, { code: 'ENVELOPE_WRONG_AUTHORITY_KEY', kind: 'reject', message: REFUSAL }, now)).immediate();
    // And one sealed to an authority key the authority does not hold.
    db.prepare("INSERT INTO enrollments (id, flow, state, operator_id, created_at, updated_at) VALUES ('e-missealed', 'person', 'sealed', ?, ?, ?)")
      .run(officer, now, now);
    misSealed = queueSealedToForeignKey(db, credentials, 'e-missealed', new Date());
  } finally {
    db.close();
  }
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
  await authority?.close();
});

async function staffPage(who: typeof SUPERVISOR, language: 'en' | 'de' | 'zh-CN', viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(kiosk.url);
  await logIn(page, 'staff', who);
  await page.getByTestId(`lang-${language}`).click();
  await page.getByTestId('records-entry').first().waitFor();
  return page;
}

describe('a refused record', () => {
  it('is listed with its refusal, but an officer cannot queue it again', async () => {
    const page = await staffPage(OFFICER, 'en');
    await page.locator('[data-testid=records-entry][data-state=delivery-refused]').waitFor();
    expect(await page.getByTestId('records-reason').textContent()).toBe(REFUSAL);
    expect(await page.getByTestId('records-requeue').count()).toBe(0);
    await page.close();
  });

  it('shows the supervisor "Send again" and asks first, saying why it was refused (English)', async () => {
    const page = await staffPage(SUPERVISOR, 'en');
    await page.locator('[data-testid=records-entry][data-state=delivery-refused]').waitFor();
    await page.getByTestId('records-panel').scrollIntoViewIfNeeded();
    expect(await page.getByTestId('records-requeue').textContent()).toBe('Send again');
    await screenshot(page, 'requeue-button-en');
    await page.getByTestId('records-requeue').click();
    const dialog = page.getByTestId('requeue-dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe(`Send record ${refusedNumber} again?`);
    expect(await page.getByTestId('requeue-reason').textContent()).toBe(REFUSAL);
    await screenshot(page, 'requeue-confirm-en');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=records-entry][data-state=delivery-refused]').count()).toBe(1);
    await page.close();
  });

  it('asks in Chinese on a 1920×1080 screen, the authority\'s words behind the technical detail', async () => {
    const page = await staffPage(SUPERVISOR, 'zh-CN', { width: 1920, height: 1080 });
    await page.locator('[data-testid=records-entry][data-state=delivery-refused]').waitFor();
    await page.getByTestId('records-panel').scrollIntoViewIfNeeded();
    await page.getByTestId('records-requeue').click();
    const dialog = page.getByTestId('requeue-dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toContain(refusedNumber);
    expect(await page.getByTestId('requeue-reason').isVisible()).toBe(false);
    await screenshot(page, 'requeue-confirm-zh-CN-1920');
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.close();
  });

  it('is queued again once the supervisor confirms (German), and the kiosk delivers it', async () => {
    const page = await staffPage(SUPERVISOR, 'de');
    await page.locator('[data-testid=records-entry][data-state=delivery-refused]').waitFor();
    await page.getByTestId('records-panel').scrollIntoViewIfNeeded();
    expect(await page.getByTestId('records-requeue').textContent()).toBe('Erneut senden');
    await screenshot(page, 'requeue-button-de');
    await page.getByTestId('records-requeue').click();
    await page.getByTestId('requeue-dialog').waitFor();
    expect(await page.getByTestId('requeue-dialog').getByRole('heading').textContent()).toBe(`Datensatz ${refusedNumber} erneut senden?`);
    await screenshot(page, 'requeue-confirm-de');
    await page.getByTestId('requeue-confirm').click();
    expect(await page.getByTestId('records-requeued').textContent()).toBe(`Datensatz ${refusedNumber} ist wieder in der Warteschlange.`);
    await page.locator('[data-testid=records-entry]:is([data-state=sent], [data-state=received])').waitFor({ timeout: 30_000 });
    await screenshot(page, 'requeue-done-de');
    expect((await authority.authority.repository.listRecords()).map((r) => r.number)).toEqual([refusedNumber]); // not the mis-sealed one
    await page.close();
  });
});

describe('a record sealed to a key the authority does not hold', () => {
  const words = {
    en: { technician: /call a technician/, badge: 'Waiting – needs a technician' },
    de: { technician: /rufen Sie einen Techniker/, badge: 'Wartet – Techniker nötig' },
    'zh-CN': { technician: /请联系技术人员/, badge: '等待中，需要技术人员' },
  };
  const walks = [['en', 1280, 800], ['de', 1280, 800], ['zh-CN', 1280, 800], ['en', 1920, 1080]] as const;
  for (const [language, width, height] of walks) {
    const shot = `sync-record-failure-${language}${width === 1280 ? '' : `-${width}`}`;
    it(`stays queued, and the sync panel lists it with its code and asks for a technician (${language}, ${width}×${height})`, async () => {
      const page = await staffPage(SUPERVISOR, language, { width, height });
      await page.getByTestId('sync-now').click();
      const failure = page.locator(`[data-testid=sync-record-failure][data-code=ENVELOPE_WRONG_AUTHORITY_KEY]`);
      await failure.waitFor();
      expect(await failure.textContent()).toContain(misSealed.slice(0, 8));
      expect(await page.getByTestId('sync-last-error').getAttribute('data-code')).toBe('ENVELOPE_WRONG_AUTHORITY_KEY');
      expect(await page.getByTestId('sync-last-error').textContent()).toMatch(words[language].technician);
      expect(await page.getByTestId('sync-technical').textContent()).toContain('ENVELOPE_WRONG_AUTHORITY_KEY');
      // Nothing runs now, but the badge does not say "up to date" while the fault stands.
      const badge = page.locator('[data-testid=sync-state][data-state=idle]');
      await badge.waitFor();
      expect(await badge.getAttribute('data-badge')).toBe('fault');
      expect(await badge.textContent()).toBe(words[language].badge);
      await page.getByTestId('sync-panel').scrollIntoViewIfNeeded();
      await screenshot(page, shot);
      expect((await authority.authority.repository.listRecords()).map((r) => r.recordId)).not.toContain(misSealed);
      await page.close();
    });
  }
});
