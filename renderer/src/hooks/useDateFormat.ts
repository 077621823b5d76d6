// Dates and times in the screen's language, one way everywhere (the kiosk's clock, local
// time): "6 Dec 2026, 14:05" in English, "06.12.2026, 14:05" in German, "2026年12月6日 14:05".
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

export interface DateFormat {
  dateTime(iso: string): string;
  time(iso: string): string;
}

export function useDateFormat(): DateFormat {
  const { i18n } = useTranslation();
  const language = i18n.language;
  return useMemo(() => {
    const dateTime = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    const time = new Intl.DateTimeFormat(language, { timeStyle: 'short' });
    return {
      dateTime: (iso: string) => dateTime.format(new Date(iso)),
      time: (iso: string) => time.format(new Date(iso)),
    };
  }, [language]);
}
