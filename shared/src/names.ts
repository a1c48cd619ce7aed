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
