// The strings the interface shows, in the language chosen in the side navigation (remembered in
// this browser or app), or at first the system's when it is one Lontar speaks. A translation is
// another module of the same shape as en.ts. Outside a page (the Electron main process) it is English.

import { en, type Strings } from './en';
import { id } from './id';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'id', name: 'Bahasa Indonesia' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STRINGS: Record<Language, Strings> = { en, id };
const KEY = 'lontar.language';
const known = (code: string | null | undefined): code is Language => LANGUAGES.some((l) => l.code === code);

function chosen(): Language {
  if (typeof window === 'undefined' || typeof localStorage === 'undefined') return 'en';
  const saved = localStorage.getItem(KEY);
  if (known(saved)) return saved;
  const system = navigator.language.split('-')[0];
  return known(system) ? system : 'en';
}

export const language: Language = chosen();
export const t: Strings = STRINGS[language];
if (typeof document !== 'undefined') document.documentElement.lang = language;

/** Remembers another language and reloads the page in it (every view reads `t` once). */
export function chooseLanguage(code: Language): void {
  localStorage.setItem(KEY, code);
  location.reload();
}

export type { Strings };
