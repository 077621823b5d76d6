// The kiosk's words in its languages (resources/locales/, the same files the screens use), for
// what the main process writes itself, such as the acknowledgement slip.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { Language } from '../rpc/schemas.js';
import { projectRoot } from './project-root.js';
import type { z } from 'zod';

type LanguageCode = z.infer<typeof Language>;

let loaded: Record<LanguageCode, Record<string, unknown>> | null = null;

function resources(): Record<LanguageCode, Record<string, unknown>> {
  loaded ??= Object.fromEntries(Language.options.map((code) => [
    code, JSON.parse(readFileSync(join(projectRoot, 'resources', 'locales', `${code}.json`), 'utf8')) as Record<string, unknown>,
  ])) as Record<LanguageCode, Record<string, unknown>>;
  return loaded;
}

/** A translate function for `language`, falling back to English for a key it lacks (a test keeps them complete). */
export async function kioskTranslator(language: LanguageCode): Promise<TFunction> {
  const texts = resources();
  const instance = i18next.createInstance();
  await instance.init({
    lng: language,
    fallbackLng: 'en',
    resources: Object.fromEntries(Object.entries(texts).map(([code, translation]) => [code, { translation }])),
    interpolation: { escapeValue: false },
  });
  return instance.t;
}
