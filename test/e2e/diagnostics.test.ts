/// <reference lib="dom" />
// End to end through the browser host: a technician opens the diagnostics tab of a kiosk whose
// document reader is set up on a port that is not there and whose authority does not answer.
// Every check shows its result in plain words with what to do and its technical detail, the
// absent reader shows its state and last error, and the support bundle goes to a folder (no USB
// stick is mounted here) as one file, audited. Screenshots in English, German and Chinese at
// 1280×800 and 1920×1080, of the top and of the Updates section, each checked for clipped
// buttons, small targets and overflow.

import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevicesConfig } from '../../main/devices/device-config.js';
import { openKioskDatabase } from '../../main/store/database.js';
import { setSetting } from '../../main/store/settings.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { openStaffPage, type Credentials } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, tempDataDir, type RunningKiosk } from './support/kiosk-process.js';
import { clippedButtons, LOOK_SIZES, overflowsSideways, smallTargets } from './support/layout.js';

const TECHNICIAN = { name: 'Tara Technician', pin: '916027' };
const SUPERVISOR = { name: 'Sven Supervisor', pin: '735104' };
const ABSENT_READER = '/dev/serial/by-id/usb-Gatehouse_Absent_Reader-if00-port0';

let browser: Browser;
let kiosk: RunningKiosk;
let dataDir: string;
const sticks: string[] = [];
beforeAll(async () => {
  browser = await launchBrowser();
  dataDir = provisionedDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'technician', '--name', TECHNICIAN.name, '--pin', TECHNICIAN.pin);
  gatehouse(dataDir, 'operator', 'add', '--role', 'supervisor', '--name', SUPERVISOR.name, '--pin', SUPERVISOR.pin);
  const db = openKioskDatabase(dataDir);
  try {
    setSetting(db, 'devices', DevicesConfig.parse({ documentReader: { kind: 'mrz', path: ABSENT_READER, framing: { framing: 'lines', lineEnd: 'cr' } } }));
  } finally {
    db.close();
  }
  kiosk = await startKiosk(dataDir);
});
afterAll(async () => {
  await kiosk?.stop();
  await browser?.close();
  for (const stick of sticks) fs.rmSync(stick, { recursive: true, force: true });
});

const staffPage = (who: Credentials, viewport: { width: number; height: number } = LOOK_SIZES[0]) => openStaffPage(browser, kiosk.url, who, viewport);

/** The diagnostics tab once its first run has finished. */
async function diagnosticsOf(page: Page): Promise<Locator> {
  await page.getByTestId('staff-tab-diagnostics').click();
  const panel = page.getByTestId('diagnostics-panel');
  await panel.getByTestId('diagnostics-summary').waitFor({ timeout: 60_000 });
  return panel;
}

async function expectTidy(part: Locator, view: string): Promise<void> {
  expect(await clippedButtons(part), view).toEqual([]);
  expect(await smallTargets(part), view).toEqual([]);
  expect(await overflowsSideways(part), view).toBe(false);
}

describe('the diagnostics section', () => {
  it('is not there for a supervisor', async () => {
    const page = await staffPage(SUPERVISOR);
    await page.getByTestId('staff-tab-audit').waitFor();
    expect(await page.getByTestId('staff-tab-diagnostics').count()).toBe(0);
    await page.close();
  });

  it('shows every check in plain words with what to do, the devices and the authority', async () => {
    const page = await staffPage(TECHNICIAN);
    const panel = await diagnosticsOf(page);
    const check = (id: string) => panel.getByTestId(`check-${id}`);
    expect(await panel.locator('[data-testid^=check-]').count()).toBe(16);
    expect(await check('integrity').getAttribute('data-state')).toBe('ok');
    expect(await check('audit-chain').locator('.check-result').textContent()).toMatch(/^All \d+ entries are intact\.$/);
    expect(await check('provisioning').getAttribute('data-state')).toBe('ok');
    expect(await check('jobs').getAttribute('data-state')).toBe('ok');
    // The offline identity points at an authority that is not there.
    expect(await check('authority').getAttribute('data-state')).toBe('warning');
    expect(await check('authority').locator('.check-result').textContent()).toBe('The authority does not answer.');
    expect(await check('authority').locator('.check-todo').textContent()).toContain('Check the network cable and the firewall.');
    expect(await check('authority').locator('.technical').textContent()).toContain('http://127.0.0.1:9 does not answer');
    expect(await panel.getByTestId('authority-reachable').textContent()).toBe('no');
    // The document reader is set up on a port that is not there.
    const reader = panel.getByTestId('device-state-document-reader');
    expect(await reader.getAttribute('data-state')).not.toBe('ready');
    await panel.getByTestId('diagnostics-disk').waitFor();
    expect(await panel.getByTestId('diagnostics-versions').textContent()).toContain(process.versions.node);
    // Updates: the offline identity pinned no update key; the installer never ran on this machine.
    const updates = panel.getByTestId('diagnostics-updates');
    expect(await updates.getByTestId('updates-state').textContent()).toBe('not checked yet');
    expect(await updates.getByTestId('updates-installer').getAttribute('data-outcome')).toBe('none');
    expect(await updates.getByTestId('updates-installer').textContent()).toBe('none yet');
    await page.close();
  });

  it('writes the support bundle to the folder given and says which file', async () => {
    const page = await staffPage(TECHNICIAN);
    const panel = await diagnosticsOf(page);
    const form = panel.getByTestId('support-bundle');
    await form.getByTestId('no-sticks').waitFor(); // no USB stick is mounted on this machine
    const stick = tempDataDir();
    sticks.push(stick);
    await form.locator('input[name=bundleFolder]').fill(stick);
    await form.getByTestId('support-bundle-write').click();
    const written = await form.getByTestId('support-bundle-written').textContent();
    const [file] = fs.readdirSync(stick);
    expect(file).toMatch(/^gatehouse-support-[0-9a-f-]+-\d{8}T\d{6}Z\.json$/);
    expect(written).toContain(file);
    const bundle = JSON.parse(fs.readFileSync(path.join(stick, file!), 'utf8')) as { devices: { documentReader: { path: string } } };
    expect(bundle.devices.documentReader.path).toBe(ABSENT_READER);
    await form.scrollIntoViewIfNeeded();
    await screenshot(page, 'screenshots/diagnostics-bundle-written-en-1280');

    await form.locator('input[name=bundleFolder]').fill(path.join(stick, 'not-mounted'));
    await form.getByTestId('support-bundle-write').click();
    expect(await form.getByTestId('error').getAttribute('data-code')).toBe('SUPPORT_BUNDLE_FOLDER_MISSING');
    await form.scrollIntoViewIfNeeded();
    await screenshot(page, 'screenshots/diagnostics-bundle-refused-en-1280');
    await page.close();
  });

  it('looks tidy in every language and size, the Updates section as well', async () => {
    for (const size of LOOK_SIZES) {
      for (const language of ['en', 'de', 'zh-CN'] as const) {
        const page = await staffPage(TECHNICIAN, size);
        await page.getByTestId(`lang-${language}`).click();
        const panel = await diagnosticsOf(page);
        const view = `diagnostics-${language}-${size.width}`;
        await expectTidy(page.getByTestId('staff-screen'), view);
        await screenshot(page, `screenshots/${view}`);
        expect(await panel.getByTestId('check-integrity').getAttribute('data-state'), view).toBe('ok');
        const updates = panel.getByTestId('diagnostics-updates');
        await updates.scrollIntoViewIfNeeded();
        await expectTidy(updates, `${view} updates`);
        await screenshot(page, `screenshots/diagnostics-updates-${language}-${size.width}`);
        await page.close();
      }
    }
  });
});
