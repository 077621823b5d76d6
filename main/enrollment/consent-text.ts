// The consent text a person accepts on the review step: one version at a time, in each of
// the kiosk's languages, shipped in resources/consent.json. A changed text gets a new
// version; the record keeps the version, the language it was read in and when it was accepted.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../kiosk/project-root.js';

const Paragraphs = z.string().trim().min(1);

export const ConsentDocument = z.strictObject({
  version: z.string().regex(/^[0-9A-Za-z.-]{1,32}$/, 'letters, digits, "." and "-"'),
  /** One text per language of the kiosk; paragraphs separated by a blank line. */
  texts: z.strictObject({ en: Paragraphs, de: Paragraphs, 'zh-CN': Paragraphs }),
});

export type ConsentDocument = z.infer<typeof ConsentDocument>;

/** Reads and checks the shipped consent file; a kiosk with a broken one does not start. */
export function readConsentDocument(): ConsentDocument {
  return ConsentDocument.parse(JSON.parse(readFileSync(join(projectRoot, 'resources', 'consent.json'), 'utf8')));
}
