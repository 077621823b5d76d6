// What an officer sees when a device is set up but not there: a kiosk whose document reader is
// configured (`gatehouse devices set`) on a serial port that does not exist says on the status
// bar and on the document step, in the screen's language, that the reader is not connected and
// what to do, and nothing technical (no port, no error text). Screenshots in English and German
// at 1280×800 and in Chinese once, each checked for clipped buttons.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { logIn } from './support/kiosk-page.js';
import { gatehouse, provisionedDataDir, startKiosk, type RunningKiosk } from './support/kiosk-process.js';
import { clippedButtons } from './support/layout.js';

const ABSENT_PORT = '/dev/serial/by-id/usb-Gatehouse_Absent_Reader_0042-if00-port0';
const OFFICER = { name: 'Olga Officer', pin: '246810' };

let browser: Browser;
let kiosk: RunningKiosk;

beforeAll(async () => {
  const dataDir = provisionedDataDir();
  gatehouse(dataDir, 'operator', 'add', '--role', 'officer', '--name', OFFICER.name, '--pin', OFFICER.pin);
  gatehouse(dataDir, 'devices', 'set', 'document-reader', 'mrz', '--path', ABSENT_PORT, '--baud', '9600', '--framing', '{"framing":"stx-etx","bcc":"xor"}');
  kiosk = await startKiosk(dataDir);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
});

const expected = {
  en: {
    notice: 'The document reader is not connected. Check its cable or call a technician.',
    bar: 'Document reader: not connected',
  },
  de: {
    notice: 'Der Dokumentenleser ist nicht angeschlossen. Prüfen Sie das Kabel oder rufen Sie einen Techniker.',
    bar: 'Dokumentenleser: nicht angeschlossen',
  },
  'zh-CN': {
    notice: '证件阅读器未连接。请检查连接线，或联系技术人员。',
    bar: '证件阅读器：未连接',
  },
} as const;

async function expectProblemShown(page: Page, language: keyof typeof expected): Promise<void> {
  const notice = page.locator('[data-testid=device-problem-document-reader][data-problem=not-connected]');
  await expect.poll(() => notice.textContent()).toBe(expected[language].notice);
  const bar = page.locator('[data-testid=device-document-reader][data-problem=not-connected]');
  expect(await bar.textContent()).toBe(expected[language].bar);
  const text = await page.locator('body').innerText();
  expect(text).not.toContain('/dev/');
  expect(text).not.toMatch(/ENOENT|SERIAL_|no such file/i);
  expect(await clippedButtons(page.locator('body'))).toEqual([]);
}

describe('a document reader that is set up but not connected', () => {
  it('is named on the status bar and on the document step, with what to do, in each language', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(kiosk.url);
    await logIn(page, 'person', OFFICER);
    await page.getByTestId('document-step').waitFor();
    // The reader's notice takes the place of "waiting for a document".
    await page.locator('[data-testid=device-problem-document-reader]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('waiting-for-document').count()).toBe(0);

    for (const language of ['en', 'de', 'zh-CN'] as const) {
      if (language !== 'en') await page.getByTestId(`lang-${language}`).click();
      await expectProblemShown(page, language);
      await screenshot(page, `screenshots/device-problems-${language}-1280`);
    }
    await page.close();
  });
});
