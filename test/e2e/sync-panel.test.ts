/// <reference lib="dom" />
// End to end through the browser host: a technician registers the kiosk with a real authority
// on the technician screen and sees the key fingerprints to compare; a supervisor's sync panel
// shows the queue, the authority going away (in plain words), an export to a USB folder, and
// the queue draining once the authority is back.

import { readdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../integration/authority/authority-harness.js';
import { startFaultProxy, type FaultProxy } from '../integration/support/fault-proxy.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { gatehouse, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';

const RECORDS = 40;

let browser: Browser;
let h: Harness;
let proxy: FaultProxy;
let kiosk: RunningKiosk;
let dataDir: string;
beforeAll(async () => {
  browser = await launchBrowser();
  h = await startHarness();
  h.advance((Date.now() - h.now().getTime()) / 1000); // the kiosk signs with the real clock
  proxy = await startFaultProxy(h.url);
  dataDir = tempDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', 'Tom Tech', '--pin', '97531864');
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', 'Sue Supervisor', '--pin', '24681357');
  kiosk = await startKiosk(dataDir);
});
afterAll(async () => {
  await kiosk?.stop();
  await browser?.close();
  await proxy?.close();
  await h?.close();
});

async function loggedIn(name: string, pin: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(kiosk.url);
  await page.getByTestId('start-staff').click();
  await page.locator('input[name=login-name]').fill(name);
  await page.locator('input[name=login-pin]').fill(pin);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('staff-screen').waitFor();
  return page;
}

const grouped = (keyId: string) => keyId.match(/.{4}/g)!.join(' ');

describe('provisioning and the sync panel', () => {
  it('registers the kiosk from the technician screen and shows what to compare', async () => {
    const page = await loggedIn('Tom Tech', '97531864');
    const panel = page.getByTestId('provisioning-panel');
    await panel.getByTestId('provisioning-form').waitFor();
    await panel.locator('input[name=authorityUrl]').fill(proxy.url);
    await panel.locator('input[name=token]').fill('ght_not-a-real-token');
    await panel.locator('input[name=kioskName]').fill('Hall E, desk 2');
    await panel.getByTestId('provision-submit').click();
    await expect(panel.getByTestId('error').getAttribute('data-code')).resolves.toBe('TOKEN_UNKNOWN');
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'sync-provisioning-refused');

    await panel.locator('input[name=token]').fill(await h.token());
    await panel.getByTestId('provision-submit').click();
    await panel.getByTestId('provisioning-done').waitFor();
    const [registered] = await h.authority.repository.listKiosks();
    expect(await panel.getByTestId('kiosk-id').textContent()).toBe(registered!.id);
    expect(await panel.getByTestId('fingerprint-authoritySigning').textContent()).toBe(grouped(h.authority.keys.published.signingKeyId));
    expect(await panel.getByTestId('fingerprint-authoritySealing').textContent()).toBe(grouped(h.authority.keys.published.sealingKeyId));
    // Provisioning kicks a first sync (nothing queued yet), which settles to idle.
    await page.locator('[data-testid=sync-state][data-state=idle]').waitFor();
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'sync-provisioned');
    await page.close();
  });

  it('shows the queue, the authority away, then the queue draining', async () => {
    // The running kiosk finds the CLI's sync round by its poll within seconds: with the authority
    // away, the records stay queued for the panel to show.
    proxy.down = true;
    gatehouse(dataDir, 'enroll', '--synthetic', String(RECORDS));
    const page = await loggedIn('Sue Supervisor', '24681357');
    const panel = page.getByTestId('sync-panel');
    await panel.getByTestId('sync-queue-depth').getByText(String(RECORDS)).waitFor();
    expect(await page.getByTestId('queue-depth').textContent()).toBe(`${RECORDS} queued`);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'sync-queued');

    await panel.getByTestId('sync-now').click();
    await panel.locator('[data-testid=sync-state][data-state=offline]').waitFor();
    expect(await panel.getByTestId('sync-last-error').textContent()).toBe('The authority cannot be reached. Records stay safely queued; the kiosk keeps trying.');
    await screenshot(page, 'sync-offline');

    // While the authority is away, the supervisor carries the queue out on a USB stick.
    const stick = tempDataDir();
    await panel.locator('input[name=exportFolder]').fill(stick);
    await panel.getByTestId('sync-export').getByRole('button').click();
    await panel.getByTestId('sync-notice').getByText(`${RECORDS} records written to ${stick}/gatehouse-`).waitFor();
    expect(readdirSync(stick).filter((name) => name.endsWith('.ghbundle'))).toHaveLength(1);
    await panel.getByText('Exported, waiting for receipts').waitFor();
    await screenshot(page, 'sync-exported');

    proxy.plan = () => ({ kind: 'delay', ms: 150 }); // a slow link, so the transfer shows
    proxy.down = false;
    await panel.getByTestId('sync-now').click();
    await panel.getByTestId('sync-transfer').waitFor();
    await screenshot(page, 'sync-draining');
    await panel.getByTestId('sync-queue-depth').getByText('0', { exact: true }).waitFor({ timeout: 60_000 });
    await panel.locator('[data-testid=sync-state][data-state=idle]').waitFor();
    expect(await panel.getByTestId('sync-state').textContent()).toBe('Up to date');
    await expect(panel.getByTestId('sync-last-error').count()).resolves.toBe(0);
    await expect(panel.getByTestId('sync-transfer').count()).resolves.toBe(0);
    expect(await page.getByTestId('queue-depth').textContent()).toBe('0 queued');
    expect((await h.authority.repository.counts()).records).toBe(RECORDS);
    await screenshot(page, 'sync-drained');

    await page.getByTestId('lang-de').click();
    await panel.getByText('Übermittlung an die Zentralstelle').waitFor();
    await screenshot(page, 'sync-drained-de');
    await page.getByTestId('lang-zh-CN').click();
    await panel.getByText('向中心机构传送').waitFor();
    await screenshot(page, 'sync-drained-zh');
    await page.close();
  });
});
