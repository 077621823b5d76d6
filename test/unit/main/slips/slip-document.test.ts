// The slip's HTML in each of the kiosk's languages: the number, the name, the kiosk and the
// kind of enrollment, the words of resources/locales/ (headings, what was taken, what was
// recorded as not taken with its reason, what happens next), the language in <html lang>, and
// the QR code as inline SVG. Every value is escaped: a property over arbitrary names, kiosk
// names and companies finds each one back, decoded, in its own cell, with no markup of its own;
// no slip has a script or anything fetched.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../main/kiosk/project-root.js';
import type { SlipContent } from '../../../../main/slips/slip-content.js';
import { slipHtml } from '../../../../main/slips/slip-document.js';
import {
  cnidRead, faceException, faceOutcome, fingerCapture, fingerException, livenessException, OFFICER, onReview,
} from '../enrollment/sample-enrollments.js';
import { slipOf } from './sample-slips.js';

const LANGUAGES = ['en', 'de', 'zh-CN'] as const;
type Words = Record<string, unknown>;
const words = Object.fromEntries(LANGUAGES.map((language) => [
  language, JSON.parse(readFileSync(join(projectRoot, 'resources', 'locales', `${language}.json`), 'utf8')) as Words,
])) as Record<(typeof LANGUAGES)[number], Words>;

/** The text at `path` of a locale, with {{placeholders}} filled. */
function word(language: (typeof LANGUAGES)[number], path: string, values: Record<string, string> = {}): string {
  const text = path.split('.').reduce<unknown>((tree, key) => (tree as Words)[key], words[language]);
  if (typeof text !== 'string') throw new Error(`no text ${path} in ${language}`);
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name]!);
}

/** HTML with its character references decoded: the text a reader sees (markup left as is). */
const decoded = (html: string) => html.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

/** The contents of each table cell, as written in the HTML. */
const cells = (html: string) => [...html.matchAll(/<td>(.*?)<\/td>/gs)].map((match) => match[1]!);

/** A person enrollment with every kind of gap: a liveness exception and a finger exception. */
const personSlip = () => slipOf(onReview('person', {
  face: { outcome: faceOutcome({ livenessPassed: false, capture: 'officer' }), livenessException: livenessException(), by: OFFICER },
  fingers: [fingerCapture(2), fingerException(7, { reason: 'missing', note: 'Amputated' })],
}));
const companySlip = () => slipOf(onReview('company', { document: cnidRead(), faceException: faceException() }));

describe('slipHtml', () => {
  it.each(LANGUAGES)('writes a person\'s slip in %s: number, name, kiosk and the locale\'s words', async (language) => {
    const slip = personSlip();
    const html = await slipHtml(slip, language);
    const text = decoded(html);
    expect(html).toMatch(new RegExp(`^<!doctype html>\\s*<html lang="${language}">`));
    expect(html).toContain(`<strong data-number>${slip.number}</strong>`);
    expect(cells(text)).toContain('ERIKSSON, ANNA MARIA');
    expect(cells(text)).toContain('Front desk');
    expect(cells(text).some((cell) => cell.includes('2026'))).toBe(true); // the date the record was sealed
    const finger = (position: number) => word(language, `fingerprint.fingers.${position}`);
    for (const expected of [
      word(language, 'slip.title'), word(language, 'slip.kinds.person'), word(language, 'slip.number'), word(language, 'slip.date'),
      word(language, 'slip.place'), word(language, 'slip.name'), word(language, 'slip.captured'), word(language, 'slip.document'),
      word(language, 'slip.face'), word(language, 'slip.finger', { finger: finger(2) }), word(language, 'slip.notCaptured'),
      word(language, 'slip.noLiveness', { reason: word(language, 'livenessException.reasons.cannot-follow') }),
      word(language, 'slip.noFinger', { finger: finger(7), reason: word(language, 'fingerprint.exception.reasons.missing') }),
      word(language, 'slip.next.person'), word(language, 'slip.keep'), word(language, 'slip.qr'),
    ]) expect(text).toContain(expected);
    expect(text).not.toContain(word(language, 'slip.finger', { finger: finger(7) })); // not taken, so not listed as taken
    expect(text).not.toContain(word(language, 'slip.company'));
  });

  it.each(LANGUAGES)('writes a company\'s slip in %s: the company, no face taken and why', async (language) => {
    const slip = companySlip();
    const text = decoded(await slipHtml(slip, language));
    expect(cells(text)).toContain('李示例');
    expect(cells(text)).toContain(`${slip.company!.name} (${slip.company!.registrationNumber})`);
    for (const expected of [
      word(language, 'slip.kinds.company'), word(language, 'slip.company'), word(language, 'slip.next.company'),
      word(language, 'slip.noFace', { reason: word(language, 'faceException.reasons.cannot-face-camera') }),
    ]) expect(text).toContain(expected);
    expect(text).not.toContain(word(language, 'slip.face'));
  });

  it('leaves out the not-taken heading when everything was taken', async () => {
    const text = decoded(await slipHtml(slipOf(onReview('person')), 'en'));
    expect(text).not.toContain(word('en', 'slip.notCaptured'));
  });

  it('draws the QR code as inline SVG, with no script and nothing fetched', async () => {
    for (const language of LANGUAGES) {
      for (const slip of [personSlip(), companySlip()]) {
        const html = await slipHtml(slip, language);
        expect(html).toMatch(/<div class="qr"><svg [^>]*viewBox="[^"]+"[^>]*>.*<path[^>]+d="M[^"]+".*<\/svg>\s*<p>/s);
        expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|url\(|@import/i);
      }
    }
  });

  it('escapes every value: any name, kiosk name and company shows as text, never as markup', async () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.array(fc.constantFrom('<', '>', '&', '"', "'", '</td>', '<script>', '&amp;', '&#60;', 'x', ' '), { minLength: 1, maxLength: 12 })
        .map((parts) => parts.join('')),
    );
    await fc.assert(fc.asyncProperty(hostile, hostile, hostile, fc.constantFrom(...LANGUAGES), async (name, kioskName, companyName, language) => {
      const base = companySlip();
      const slip: SlipContent = { ...base, name, kioskName, company: { name: companyName, registrationNumber: 'HRB 1' } };
      const html = await slipHtml(slip, language);
      const written = cells(html);
      expect(written).toHaveLength(4); // date, place, name, company: no cell was opened or closed by a value
      for (const cell of written) expect(cell).not.toMatch(/[<>"']|&(?!#\d+;)/);
      expect(written.slice(1).map(decoded)).toEqual([kioskName, name, `${companyName} (HRB 1)`]);
      expect(html).not.toMatch(/<script/i);
    }), { numRuns: 60 });
  });
});
