// Legal-form words and quotes say nothing about which company it is (banking.md, "Finding duplicate clients").
const LEGAL_FORMS =
  /(^|\s)(ооо|оао|зао|пао|ао|ип|нко|ано|гуп|муп|фгуп|llc|ltd|jsc|pjsc|ooo|oao|zao|pao|ao)(?=\s|$)/gu;

/**
 * Folds a person's or company's name into the form name search compares: lower case, ё -> е,
 * quotes and punctuation dropped, legal-form words (ООО, АО, ПАО, ИП...) removed, spaces collapsed.
 * `ООО «Ромашка»` and `Ромашка` fold alike; `Артёмов Пётр` and `Артемов Петр` fold alike.
 */
export function foldName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/["'«»„“”`]/g, ' ')
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .replace(LEGAL_FORMS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Removes Unicode bidirectional control characters (U+200E/U+200F, U+202A-U+202E, U+2066-U+2069) that an
 * outside sender can put in a display name or subject to make `Sorokin \u202Egro.live@` read as
 * `Sorokin @evil.org`.
 */
export function stripBidiControls(text: string): string {
  return text.replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '');
}
