// Fixed people and companies of the demo bank. The "case" clients carry the sender situations of the
// pane (docs: ../shared/cases/senders.json): the demo inbox and the end-to-end tests rely on them.

export const BRANCHES = [
  { code: 'MSK-01', name: 'Москва, Центральный', region: 'Москва', timeZone: 'Europe/Moscow' },
  { code: 'SPB-01', name: 'Санкт-Петербург, Невский', region: 'Санкт-Петербург', timeZone: 'Europe/Moscow' },
  {
    code: 'EKB-01',
    name: 'Екатеринбург, Уральский',
    region: 'Свердловская область',
    timeZone: 'Asia/Yekaterinburg',
  },
  {
    code: 'VVO-01',
    name: 'Владивосток, Приморский',
    region: 'Приморский край',
    timeZone: 'Asia/Vladivostok',
  },
] as const;

export const LEGACY_DN_VOLKOVA =
  '/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=3f1c0a9b7e2d4c55a1e0c7b2d9f8e6a1-ovolkova';

type UserSeed = {
  key: string;
  name: string;
  email: string;
  role: 'relationship_manager' | 'supervisor' | 'credit_officer' | 'admin';
  branch: string | null;
  supervisor?: string;
  aliases?: string[];
  legacyDn?: string;
  /** Rights on top of the role (`role_grants`). */
  grants?: ('view_personal_data' | 'admin')[];
};

export const USERS: UserSeed[] = [
  {
    key: 'sup1',
    name: 'Кузнецов Андрей Викторович',
    email: 'sup1@bank.example',
    role: 'supervisor',
    branch: 'MSK-01',
  },
  {
    key: 'rm1',
    name: 'Смирнова Елена Сергеевна',
    email: 'rm1@bank.example',
    role: 'relationship_manager',
    branch: 'MSK-01',
    supervisor: 'sup1',
    aliases: ['r.one@corp.bank.example'],
  },
  {
    key: 'rm2',
    name: 'Попов Дмитрий Олегович',
    email: 'rm2@bank.example',
    role: 'relationship_manager',
    branch: 'MSK-01',
    supervisor: 'sup1',
  },
  {
    key: 'volkova',
    name: 'Волкова Ольга Игоревна',
    email: 'o.volkova@bank.example',
    role: 'relationship_manager',
    branch: 'MSK-01',
    supervisor: 'sup1',
    legacyDn: LEGACY_DN_VOLKOVA,
  },
  {
    key: 'sup2',
    name: 'Морозов Сергей Павлович',
    email: 'sup2@bank.example',
    role: 'supervisor',
    branch: 'SPB-01',
  },
  {
    key: 'rm3',
    name: 'Васильева Ольга Николаевна',
    email: 'rm3@bank.example',
    role: 'relationship_manager',
    branch: 'SPB-01',
    supervisor: 'sup2',
  },
  {
    key: 'rm4',
    name: 'Новиков Артём Алексеевич',
    email: 'rm4@bank.example',
    role: 'relationship_manager',
    branch: 'EKB-01',
    supervisor: 'sup2',
  },
  {
    key: 'rm5',
    name: 'Фёдорова Ирина Андреевна',
    email: 'rm5@bank.example',
    role: 'relationship_manager',
    branch: 'VVO-01',
    supervisor: 'sup2',
  },
  { key: 'admin', name: 'Администратор CRM', email: 'admin@bank.example', role: 'admin', branch: null },
];

/**
 * Users added after the first demo bank: seeded last, with their own random stream, so every id of the
 * original bank stays what it was.
 */
export const LATER_USERS: UserSeed[] = [
  {
    key: 'co1',
    name: 'Соколова Марина Викторовна',
    email: 'credit1@bank.example',
    role: 'credit_officer',
    branch: 'MSK-01',
  },
];

/**
 * Who may see personal data (birth date...) unmasked. Everyone serving clients except rm2, who shows the
 * masked card in the demo; the admin sees no client data at all.
 */
export const PERSONAL_DATA_GRANTEES = ['sup1', 'rm1', 'volkova', 'sup2', 'rm3', 'rm4', 'rm5', 'co1'];

export type CaseClientSeed = {
  key: string;
  kind: 'individual' | 'legal_entity';
  /** individual: [last, first, middle]; legal entity: [full name, short name] */
  names: string[];
  emails: string[];
  manager: string;
  branch: string;
  segments: string[];
  status: 'potential' | 'new' | 'active' | 'inactive';
};

export const CASE_CLIENTS: CaseClientSeed[] = [
  {
    key: 'sorokin',
    kind: 'individual',
    names: ['Сорокин', 'Илья', 'Петрович'],
    emails: ['i.sorokin@severstal-trade.example'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['retail', 'vip'],
    status: 'active',
  },
  {
    key: 'petrov',
    kind: 'individual',
    names: ['Петров', 'Иван', 'Андреевич'],
    emails: ['ivan.petrov@example-holding.ru'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['retail'],
    status: 'active',
  },
  {
    key: 'primer',
    kind: 'legal_entity',
    names: ['Общество с ограниченной ответственностью «Пример»', 'ООО «Пример»'],
    emails: ['office@пример.рф'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['corporate'],
    status: 'active',
  },
  {
    key: 'belova',
    kind: 'individual',
    names: ['Белова', 'Анна', 'Викторовна'],
    emails: ['belova@agro-south.example'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['retail', 'loyal'],
    status: 'active',
  },
  {
    key: 'kim',
    kind: 'individual',
    names: ['Ким', 'Мария', 'Сергеевна'],
    emails: ['kim@tatneft-supply.example'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['retail'],
    status: 'new',
  },
  {
    key: 'alfa',
    kind: 'legal_entity',
    names: ['Общество с ограниченной ответственностью «Альфа-Строй»', 'ООО «Альфа-Строй»'],
    emails: ['buh@group-finance.example'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['corporate'],
    status: 'active',
  },
  {
    key: 'beta',
    kind: 'legal_entity',
    names: ['Общество с ограниченной ответственностью «Бета-Строй»', 'ООО «Бета-Строй»'],
    emails: ['buh@group-finance.example'],
    manager: 'rm2',
    branch: 'MSK-01',
    segments: ['corporate', 'churn_risk'],
    status: 'active',
  },
  {
    key: 'orlov',
    kind: 'individual',
    names: ['Орлов', 'Павел', 'Дмитриевич'],
    emails: ['orlov@ural-metall.example'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['retail'],
    status: 'active',
  },
  {
    key: 'uralmetall',
    kind: 'legal_entity',
    names: ['Акционерное общество «Урал-Металл»', 'АО «Урал-Металл»'],
    emails: ['info@ural-metall.example'],
    manager: 'rm1',
    branch: 'MSK-01',
    segments: ['corporate', 'vip'],
    status: 'active',
  },
  {
    key: 'private',
    kind: 'individual',
    names: ['Закрытый', 'Клиент', 'Частный'],
    emails: ['vip@private-office.example'],
    manager: 'rm3',
    branch: 'SPB-01',
    segments: ['vip'],
    status: 'active',
  },
];

export const CASE_RELATIONS = [{ from: 'orlov', to: 'uralmetall', role: 'director' as const }];

export const PRODUCTS = [
  { code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' },
  { code: 'MORTGAGE', name: 'Ипотека', kind: 'loan', status: 'active' },
  { code: 'CORP-LOAN', name: 'Кредит на пополнение оборотных средств', kind: 'loan', status: 'active' },
  { code: 'CREDIT-LINE', name: 'Кредитная линия', kind: 'loan', status: 'active' },
  { code: 'DEPOSIT-12', name: 'Вклад «Надёжный» 12 мес.', kind: 'deposit', status: 'active' },
  { code: 'CARD-PREM', name: 'Премиальная карта', kind: 'card', status: 'active' },
  { code: 'RKO', name: 'Расчётно-кассовое обслуживание', kind: 'account', status: 'active' },
  { code: 'CASH-MGMT', name: 'Управление ликвидностью', kind: 'cash_management', status: 'active' },
  { code: 'AUTO-LOAN', name: 'Автокредит', kind: 'loan', status: 'planned' },
  { code: 'DEPOSIT-OLD', name: 'Вклад «Классический» (архив)', kind: 'deposit', status: 'expired' },
] as const;

export const LAST_NAMES_M = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Петров',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
  'Егоров',
  'Павлов',
  'Козлов',
  'Степанов',
  'Николаев',
  'Орлов',
  'Андреев',
  'Макаров',
  'Никитин',
  'Захаров',
  'Зайцев',
  'Соловьёв',
  'Борисов',
  'Яковлев',
  'Григорьев',
  'Романов',
  'Воробьёв',
  'Сергеев',
  'Кузьмин',
  'Фролов',
  'Александров',
  'Дмитриев',
  'Королёв',
  'Гусев',
  'Киселёв',
];
export const FIRST_NAMES_M = [
  'Александр',
  'Дмитрий',
  'Максим',
  'Сергей',
  'Андрей',
  'Алексей',
  'Артём',
  'Илья',
  'Кирилл',
  'Михаил',
  'Никита',
  'Матвей',
  'Роман',
  'Егор',
  'Арсений',
  'Иван',
  'Денис',
  'Евгений',
  'Тимофей',
  'Владимир',
  'Павел',
  'Олег',
  'Юрий',
  'Виктор',
];
export const FIRST_NAMES_F = [
  'Анна',
  'Мария',
  'Елена',
  'Дарья',
  'Алина',
  'Ирина',
  'Екатерина',
  'Арина',
  'Полина',
  'Ольга',
  'Юлия',
  'Татьяна',
  'Наталья',
  'Виктория',
  'Елизавета',
  'Анастасия',
  'Светлана',
  'Ксения',
  'Людмила',
  'Вера',
];
export const PATRONYMIC_ROOTS = [
  'Александров',
  'Дмитриев',
  'Сергеев',
  'Андреев',
  'Алексеев',
  'Михайлов',
  'Иванов',
  'Петров',
  'Викторов',
  'Павлов',
  'Олегов',
  'Юрьев',
  'Николаев',
  'Владимиров',
];
export const COMPANY_WORDS = [
  'Северный',
  'Вектор',
  'Альянс',
  'Гранит',
  'Меридиан',
  'Стройинвест',
  'Техносфера',
  'Агропром',
  'Логистик',
  'Энергосбыт',
  'Металлторг',
  'Фарма',
  'Нева',
  'Волга',
  'Урал',
  'Сибирь',
  'Байкал',
  'Омега',
  'Прогресс',
  'Партнёр',
  'Капитал',
  'Транзит',
  'Химпром',
  'Лесторг',
  'Деловые Линии',
  'Горизонт',
  'Полюс',
  'Восход',
  'Инжиниринг',
  'Терминал',
];
export const OKVED = [
  '46.90',
  '41.20',
  '62.01',
  '49.41',
  '10.89',
  '47.11',
  '25.62',
  '68.20',
  '01.11',
  '35.14',
];
export const RATINGS = ['AAA(RU)', 'AA+(RU)', 'A(RU)', 'BBB+(RU)', 'ruA+', 'ruBBB', null, null];
