// The shipped consent text: it loads and checks, has a version the record can carry, and
// says the same thing in each language (one paragraph per point in all of them).

import { describe, expect, it } from 'vitest';
import { readConsentDocument } from '../../../../main/enrollment/consent-text.js';
import { Language } from '../../../../main/rpc/schemas.js';

describe('consent text', () => {
  it('has a version and a text in every language of the kiosk, with as many paragraphs in each', () => {
    const consent = readConsentDocument();
    expect(consent.version).toMatch(/^[0-9A-Za-z.-]+$/);
    expect(Object.keys(consent.texts).sort()).toEqual([...Language.options].sort());
    const paragraphs = Object.values(consent.texts).map((text) => text.split('\n\n').length);
    expect(paragraphs[0]).toBeGreaterThan(1);
    expect(new Set(paragraphs).size).toBe(1);
  });
});
