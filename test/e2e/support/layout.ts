/// <reference lib="dom" />
// Layout checks for screenshots people look at: buttons whose words do not fit them, and touch
// targets smaller than a finger (64 px), inside one part of the page; and the views screens are
// looked at in (the kiosk's two screen sizes in English and German, Chinese once).

import type { Locator } from 'playwright-core';

export const LOOK_SIZES = [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }] as const;

/** English and German at both sizes, Chinese once. */
export const LOOK_VIEWS = [
  ...LOOK_SIZES.flatMap((size) => (['en', 'de'] as const).map((language) => ({ language, size }))),
  { language: 'zh-CN', size: LOOK_SIZES[0] },
] as const;

/** Visible buttons inside `root` whose text does not fit them. */
export function clippedButtons(root: Locator): Promise<string[]> {
  return root.evaluate((element) => Array.from(element.querySelectorAll('button'))
    .filter((button) => button.offsetParent !== null && (button.scrollWidth > button.clientWidth + 1 || button.scrollHeight > button.clientHeight + 1))
    .map((button) => button.textContent ?? ''));
}

/** Visible buttons, inputs and selects inside `root` lower than 64 px. */
export function smallTargets(root: Locator): Promise<string[]> {
  return root.evaluate((element) => Array.from(element.querySelectorAll('button, input:not([type=checkbox]), select, summary'))
    .filter((target) => (target as HTMLElement).offsetParent !== null && target.getBoundingClientRect().height < 63.5)
    .map((target) => `${target.tagName} ${target.textContent ?? ''}`));
}

/** Whether the page is wider than its window (something sticks out to the side). */
export function overflowsSideways(root: Locator): Promise<boolean> {
  return root.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}
