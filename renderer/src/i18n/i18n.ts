// Translations for every screen: English, German and Simplified Chinese, switchable
// at any time from the header. The texts live in resources/locales/, which the kiosk's main
// process also reads (for the printed slip), so screen and paper say the same things.

import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import de from '../../../resources/locales/de.json';
import en from '../../../resources/locales/en.json';
import zhCN from '../../../resources/locales/zh-CN.json';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
  { code: 'zh-CN', label: '中文' },
] as const;

export type LanguageCode = (typeof LANGUAGES)[number]['code'];

export function initI18n(language: LanguageCode = 'en') {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, de: { translation: de }, 'zh-CN': { translation: zhCN } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
  });
  return i18next;
}

/** Switches the UI language and the document's lang attribute (fonts, screen readers). */
export function setLanguage(code: LanguageCode): void {
  void i18next.changeLanguage(code);
  document.documentElement.lang = code;
}
