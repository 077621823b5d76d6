// Recording an exception the way an officer does in the browser: a reason, a note and a photo
// from the (fake) camera, then "record". The take-photo button is enabled once the camera runs.

import type { Page } from 'playwright-core';

export async function recordEvidence(page: Page, form: string, reason: string, note: string): Promise<void> {
  await page.getByTestId(`${form}-${reason}`).click();
  await page.getByTestId(`${form}-note`).fill(note);
  await page.locator(`[data-testid=${form}-take-photo]:enabled`).click();
  await page.getByTestId(`${form}-photo`).waitFor();
  await page.getByTestId(`${form}-record`).click();
}

/** The browser flags for a camera: Chromium's own test pattern (or a y4m file), granted without asking. */
export function fakeCameraFlags(video?: string): string[] {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', ...(video ? [`--use-file-for-fake-video-capture=${video}`] : [])];
}
