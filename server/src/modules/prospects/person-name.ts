import { stripBidiControls } from '@crm/shared';

/** A person's name as the CRM stores it (individual_profiles). */
export type PersonName = { lastName: string; firstName: string; middleName: string | null };

// Common Russian first names (Cyrillic and the usual Latin spellings): which of two words is the given name.
// A small list on purpose: it only breaks ties that order and letter case leave open.
const FIRST_NAMES = new Set(
  `александр алексей анатолий андрей антон аркадий артем артур борис вадим валентин валерий василий виктор
  виталий владимир владислав вячеслав геннадий георгий глеб григорий давид даниил денис дмитрий евгений егор
  иван игорь илья кирилл константин лев леонид максим марк матвей михаил никита николай олег павел петр
  роман руслан сергей станислав степан тимур федор филипп эдуард юрий ярослав александра алена алина алла
  анастасия ангелина анна антонина валентина валерия вера вероника виктория галина дарья диана ева евгения
  екатерина елена елизавета жанна зоя инна ирина карина кира кристина ксения лариса лидия любовь людмила
  маргарита марина мария надежда наталья наталия нина оксана олеся ольга полина раиса светлана софья софия
  таисия тамара татьяна ульяна юлия яна
  aleksandr alexander alexandr aleksei alexey alexei anatoly andrei andrey anton arkady artem artyom artur boris
  vadim valentin valery vasily viktor victor vitaly vladimir vladislav vyacheslav gennady georgy gleb grigory
  david daniil denis dmitry dmitri evgeny evgeniy yevgeny egor yegor ivan igor ilya kirill konstantin lev leonid
  maksim maxim mark matvey mikhail nikita nikolai nikolay oleg pavel petr pyotr peter roman ruslan sergei sergey
  stanislav stepan timur fedor fyodor filipp eduard yuri yury yaroslav aleksandra alexandra alena alyona alina
  alla anastasia anastasiya angelina anna antonina valentina valeria veronika viktoria victoria galina darya
  daria diana eva evgenia elena yelena elizaveta zhanna inna irina karina kira kristina ksenia ksenya larisa
  lidia lyubov lyudmila ludmila margarita marina maria mariya nadezhda natalia natalya nina oksana olesya olga
  polina raisa svetlana sofia sofya taisia tamara tatiana tatyana ulyana yulia yuliya julia yana ekaterina
  katerina`.split(/\s+/),
);

const PATRONYMIC = /(ович|евич|ьич|ична|инична|овна|евна|ovich|evich|ovna|evna|ichna)$/i;
// Surname endings that first names do not have (-ina/-in are left out: Ekaterina, Marina, Irina).
const SURNAME_END =
  /(ова|ева|ёва|ов|ев|ёв|ский|ская|цкий|цкая|енко|ук|юк|ых|их|ova|eva|yova|ov|ev|sky|skiy|skii|skaya|enko|uk|yuk)$/i;

function fold(word: string): string {
  return word.toLowerCase().replace(/ё/g, 'е');
}

/** "ЛЕБЕДЕВА" / "lebedeva" -> "Лебедева" / "Lebedeva"; mixed case ("McDonald") kept; each hyphen part. */
function properCase(word: string): string {
  if (word !== word.toUpperCase() && word !== word.toLowerCase()) return word;
  return word
    .toLowerCase()
    .split('-')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join('-');
}

function isAllCaps(word: string): boolean {
  return word.length > 1 && word === word.toUpperCase() && word !== word.toLowerCase();
}

/** Which of two words is the surname (index 0 or 1), or null when no hint decides. */
function surnameOfTwo(words: [string, string], emailLocal: string): 0 | 1 | null {
  const [a, b] = words;
  if (isAllCaps(a) !== isAllCaps(b)) return isAllCaps(a) ? 0 : 1;
  const firstA = FIRST_NAMES.has(fold(a));
  const firstB = FIRST_NAMES.has(fold(b));
  if (firstA !== firstB) return firstA ? 1 : 0;
  if (emailLocal) {
    // e.lebedeva@, lebedeva.e@, ekaterina.lebedeva@ (first.last): the full token that comes last is the surname.
    const tokens = emailLocal.toLowerCase().split(/[._-]+/);
    const at = (w: string) => tokens.lastIndexOf(fold(w));
    const ia = at(a);
    const ib = at(b);
    if (ia >= 0 && ib < 0 && tokens.includes(fold(b)[0]!)) return 0;
    if (ib >= 0 && ia < 0 && tokens.includes(fold(a)[0]!)) return 1;
    if (ia >= 0 && ib >= 0 && ia !== ib) return ia > ib ? 0 : 1;
  }
  const surA = SURNAME_END.test(a);
  const surB = SURNAME_END.test(b);
  if (surA !== surB) return surA ? 0 : 1;
  return null;
}

/**
 * Reads a person's name from an email display name. Handles "Lebedeva Ekaterina", "Ekaterina Lebedeva",
 * "Лебедева Екатерина Андреевна" (surname, name, patronymic), "Екатерина Андреевна Лебедева",
 * "LEBEDEVA, Ekaterina" (comma: surname first), and drops "(Company)", "[EXT]" and quotes. Which of two words
 * is the surname: the one in capitals, else the one not in a list of common first names, else the email's
 * local part (`e.lebedeva@`), else a surname ending; failing all, Cyrillic names read surname first and Latin
 * names given name first. Returns null when no letters remain.
 * @param emailLocal the local part of the sender's address, a hint for the order (may be '').
 */
export function parseDisplayName(displayName: string, emailLocal = ''): PersonName | null {
  const cleaned = displayName
    .replace(/\([^)]*\)|\[[^\]]*\]|<[^>]*>|\S+@\S+/g, ' ')
    .replace(/["'«»“”„]/g, ' ')
    .trim();
  const comma = cleaned.indexOf(',');
  const wordsOf = (s: string) =>
    s.match(/[\p{L}][\p{L}\p{M}'’-]*\.?/gu)?.map((w) => w.replace(/\.$/, '')) ?? [];
  if (comma > 0) {
    const last = wordsOf(cleaned.slice(0, comma));
    const rest = wordsOf(cleaned.slice(comma + 1));
    if (last.length > 0 && rest.length > 0)
      return {
        lastName: properCase(last.join(' ')),
        firstName: properCase(rest[0]!),
        middleName: rest.length > 1 ? rest.slice(1).map(properCase).join(' ') : null,
      };
  }
  const words = wordsOf(cleaned);
  if (words.length === 0) return null;
  const cyrillic = /[\p{Script=Cyrillic}]/u.test(words.join(''));
  const name = (last: string, first: string, middle: string[] = []): PersonName => ({
    lastName: properCase(last),
    firstName: properCase(first),
    middleName: middle.length > 0 ? middle.map(properCase).join(' ') : null,
  });
  if (words.length === 1) return name(words[0]!, '');
  if (words.length === 2) {
    const pair = words as [string, string];
    const surname = surnameOfTwo(pair, emailLocal) ?? (cyrillic ? 0 : 1);
    return surname === 0 ? name(pair[0], pair[1]) : name(pair[1], pair[0]);
  }
  const patronymic = words.findIndex((w) => PATRONYMIC.test(w));
  if (words.length === 3 && patronymic === 2) return name(words[0]!, words[1]!, [words[2]!]);
  if (words.length === 3 && patronymic === 1) return name(words[2]!, words[0]!, [words[1]!]);
  if (cyrillic) return name(words[0]!, words[1]!, words.slice(2));
  return name(words[words.length - 1]!, words[0]!, words.slice(1, -1));
}

// Legal-form words (ООО, АО, ПАО, LLC...) and company words: a display name holding one names a company.
// Two-letter forms count only in capitals ("АО", not a word "ао"); ИП (a sole proprietor) is a person.
const COMPANY_WORDS =
  /(^|[^\p{L}])(ооо|оао|зао|пао|нао|нко|ано|гуп|муп|фгуп|ooo|oao|zao|pao|llc|ltd|inc|gmbh|jsc|pjsc|plc|corp|общество|limited)(?![\p{L}])/iu;
const COMPANY_CAPS = /(^|[^\p{L}])(АО|AO|ТОО|АНО)(?![\p{L}])/u;
const SOLE_PROPRIETOR = /(^|[^\p{L}])(ИП|IP|ПБОЮЛ)(?![\p{L}])\.?/u;

/**
 * What a display name names: `company` when it holds a legal-form word (`ООО «Ромашка»`, `АО Банк`,
 * `Acme LLC`) or a name in «guillemets», `sole_proprietor` for `ИП Иванов Иван`, else `person`.
 */
export function nameKind(displayName: string): 'company' | 'sole_proprietor' | 'person' {
  if (COMPANY_WORDS.test(displayName) || COMPANY_CAPS.test(displayName) || /«[^»]+»/.test(displayName))
    return 'company';
  return SOLE_PROPRIETOR.test(displayName) ? 'sole_proprietor' : 'person';
}

/** The display name without a sole proprietor's `ИП` (`ИП Иванов Иван` -> `Иванов Иван`). */
export function withoutSoleProprietor(displayName: string): string {
  return displayName.replace(SOLE_PROPRIETOR, ' ').trim();
}

// Zero-width characters (the shared NOT_BLANK's invisible set): never part of a name.
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;

/** A name part as stored: zero-width and bidi control characters removed, spaces collapsed, trimmed. */
export function cleanNamePart(value: string | null | undefined): string {
  return stripBidiControls(value ?? '')
    .replace(ZERO_WIDTH, '')
    .replace(/\s+/g, ' ')
    .trim();
}

// Free mail services: the domain says nothing about the sender's company.
const PUBLIC_MAIL = new Set(
  `gmail.com googlemail.com yandex.ru ya.ru yandex.com yandex.by yandex.kz mail.ru bk.ru inbox.ru list.ru
  internet.ru rambler.ru lenta.ru autorambler.ru myrambler.ru ro.ru outlook.com hotmail.com live.com msn.com
  icloud.com me.com mac.com yahoo.com aol.com proton.me protonmail.com gmx.com gmx.de vk.com qip.ru
  mail.com zoho.com`.split(/\s+/),
);
// Second-level labels under which organisations register (so the name is one label further left).
const SECOND_LEVEL = new Set(['com', 'net', 'org', 'co', 'ac', 'gov', 'edu', 'msk', 'spb', 'nov']);

/**
 * What the sender's domain suggests: whether it is a public mail service and, if not, the organisation's
 * label (`mail.severstal-trade.ru` -> `severstal-trade`) as a hint for the company name.
 */
export function domainHint(domain: string): { publicMailService: boolean; nameHint: string | null } {
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (PUBLIC_MAIL.has(d)) return { publicMailService: true, nameHint: null };
  const labels = d.split('.');
  if (labels.length < 2) return { publicMailService: false, nameHint: null };
  let i = labels.length - 2;
  if (i > 0 && SECOND_LEVEL.has(labels[i]!)) i--;
  const label = labels[i]!;
  return { publicMailService: false, nameHint: label.startsWith('xn--') ? null : label };
}
