import type {
  CLIENT_KINDS,
  CLIENT_STATUSES,
  CREDIT_STAGES,
  DEAL_STAGES,
  PARTICIPANT_ROLES,
  RELATION_ROLES,
  ROLES,
  SEGMENTS,
  TASK_PRIORITIES,
  TASK_TYPES,
} from '@crm/shared';
import { createContext, useContext } from 'react';
import type { Span } from './format.ts';

export type Lang = 'ru' | 'en';

type Labels<T extends readonly string[]> = Record<T[number], string>;

const ruPlural = new Intl.PluralRules('ru');
/** Russian plural: `one` (1, 21), `few` (2-4, 22-24) or `many` (5-20, 25...). */
const ru3 = (n: number, one: string, few: string, many: string) => {
  const c = ruPlural.select(n);
  return c === 'one' ? one : c === 'few' ? few : many;
};

const spanEn = (s: Span) =>
  s.unit === 'min'
    ? `${s.value} min`
    : s.unit === 'h'
      ? `${s.value} h`
      : `${s.value} ${s.value === 1 ? 'day' : 'days'}`;

const en = {
  appName: 'Bank CRM',
  previewBanner: 'Preview mode: demo inbox',
  demoInbox: 'Demo inbox',
  noSender: '(no sender)',
  meeting: 'Meeting',
  switchLanguage: 'Русский',
  darkTheme: 'Dark theme',
  signInTitle: 'Sign in to the CRM',
  signInHint: 'Demo mode: choose a demo user. Sign-in with your Microsoft 365 account comes later.',
  signInAs: (name: string) => `Sign in as ${name}`,
  signOut: 'Sign out',
  loadingUsers: 'Loading demo users…',
  userRoles: {
    relationship_manager: 'Relationship manager',
    supervisor: 'Supervisor',
    credit_officer: 'Credit officer',
    admin: 'Administrator',
  } satisfies Labels<typeof ROLES>,
  selectItem: 'Select an email or meeting',
  selectItemHint: 'The pane shows the clients of the selected item.',
  loading: 'Loading…',
  retry: 'Retry',
  loadFailed: 'Could not load the client data',
  errors: {
    NETWORK: 'No connection to the CRM server.',
    FORBIDDEN: 'Your account is not set up in the CRM or is deactivated: ask an administrator.',
    INTERNAL: 'The CRM server failed.',
    UNAVAILABLE: 'The CRM server is unavailable, try again shortly.',
    RATE_LIMITED: 'Too many requests, try again shortly.',
    officeFailed: 'Outlook did not give the pane the selected item.',
  },
  requestId: (id: string) => `Request ${id}`,
  noParticipants: 'No one to look up: the item has no participants other than you.',
  participantRoles: {
    from: 'From',
    to: 'To',
    cc: 'Cc',
    organizer: 'Organizer',
    requiredAttendee: 'Attendee',
    optionalAttendee: 'Optional attendee',
  } satisfies Labels<typeof PARTICIPANT_ROLES>,
  colleague: (name: string) => `Colleague: ${name}`,
  restricted: 'A client with this address exists but you do not have access; ask their manager.',
  unknownTitle: 'Not a client',
  unknownBody: (address: string) =>
    address ? `No client uses ${address}.` : 'This participant has no address.',
  searchLabel: 'Search clients',
  searchPlaceholder: 'Name, INN, email or phone',
  searchTooShort: 'Type at least 2 characters.',
  searchNothing: 'No clients found.',
  createProspect: 'Create prospect',
  comesLater: 'Creating prospects from the pane comes in a later version.',
  chooseClient: (n: number) => `${n} clients use this address, choose one`,
  back: 'Back',
  kinds: { individual: 'Individual', legal_entity: 'Company' } satisfies Labels<typeof CLIENT_KINDS>,
  statuses: {
    potential: 'Prospect',
    new: 'New',
    active: 'Active',
    inactive: 'Inactive',
  } satisfies Labels<typeof CLIENT_STATUSES>,
  segments: {
    retail: 'Retail',
    corporate: 'Corporate',
    vip: 'VIP',
    loyal: 'Loyal',
    churn_risk: 'Churn risk',
  } satisfies Labels<typeof SEGMENTS>,
  manager: 'Manager',
  noManager: 'not assigned',
  branches: 'Branch',
  inn: 'INN',
  kpp: 'KPP',
  ogrn: 'OGRN',
  birthDate: 'Born',
  hidden: 'hidden',
  hiddenHint: 'Personal data: shown only to users granted access to it.',
  contacts: 'Contacts',
  tasks: 'Tasks',
  noTasks: 'No open tasks.',
  deals: 'Open deals',
  noDeals: 'No open deals.',
  credit: 'Credit',
  noCredit: 'No credit applications or loans.',
  related: 'Related',
  showAll: (n: number) => `Show all (${n})`,
  showLess: 'Show fewer',
  due: (date: string) => `due ${date}`,
  noDue: 'no due date',
  overdue: 'Overdue',
  done: 'Done',
  markDone: (title: string) => `Mark “${title}” done`,
  taskDone: 'Task completed.',
  conflict: 'Someone changed this task meanwhile. The list has been reloaded: check it and try again.',
  taskTypes: {
    call: 'Call',
    meeting: 'Meeting',
    document_check: 'Document check',
    visit: 'Visit',
    follow_up: 'Follow-up',
    email: 'Email',
  } satisfies Labels<typeof TASK_TYPES>,
  priorities: { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' } satisfies Labels<
    typeof TASK_PRIORITIES
  >,
  addTask: 'Add task',
  taskTitle: 'Title',
  taskType: 'Type',
  taskPriority: 'Priority',
  taskDue: 'Due date',
  createTask: 'Create task',
  cancel: 'Cancel',
  titleRequired: 'Enter a title.',
  taskCreated: 'Task created and linked to this email.',
  dealStages: {
    lead: 'Lead',
    qualification: 'Qualification',
    proposal: 'Proposal',
    negotiation: 'Negotiation',
    won: 'Won',
    lost: 'Lost',
  } satisfies Labels<typeof DEAL_STAGES>,
  expectedClose: (date: string) => `close by ${date}`,
  creditStages: {
    intake: 'Intake',
    documents: 'Documents',
    scoring: 'Scoring',
    security_check: 'Security check',
    underwriting: 'Underwriting',
    credit_committee: 'Credit committee',
    decision: 'Decision',
    signing: 'Signing',
    disbursement: 'Disbursement',
  } satisfies Labels<typeof CREDIT_STAGES>,
  application: (number: string) => `Application ${number}`,
  slaLeft: (s: Span) => `${spanEn(s)} left`,
  slaOverdue: (s: Span) => `overdue by ${spanEn(s)}`,
  loan: (contract: string) => `Loan ${contract}`,
  balance: 'Balance',
  overdueAmount: 'Overdue',
  daysPastDue: (n: number) => `${n} days past due`,
  nextPayment: 'Next payment',
  relationRoles: {
    director: { outgoing: 'director at', incoming: 'director' },
    founder: { outgoing: 'founder of', incoming: 'founder' },
    contact_person: { outgoing: 'contact person at', incoming: 'contact person' },
    spouse: { outgoing: 'spouse', incoming: 'spouse' },
    guarantor: { outgoing: 'guarantor for', incoming: 'guarantor' },
  } satisfies Record<(typeof RELATION_ROLES)[number], { outgoing: string; incoming: string }>,
  refreshing: 'Updating…',
  notFollowing: 'This pane may not follow when you select another item: reopen it then.',
};

export type Dict = typeof en;

const spanRu = (s: Span) =>
  s.unit === 'min'
    ? `${s.value} мин`
    : s.unit === 'h'
      ? `${s.value} ч`
      : `${s.value} ${ru3(s.value, 'день', 'дня', 'дней')}`;

const ru: Dict = {
  appName: 'Банк CRM',
  previewBanner: 'Режим предпросмотра: демо-почта',
  demoInbox: 'Демо-почта',
  noSender: '(без отправителя)',
  meeting: 'Встреча',
  switchLanguage: 'English',
  darkTheme: 'Тёмная тема',
  signInTitle: 'Вход в CRM',
  signInHint: 'Демо-режим: выберите демо-пользователя. Вход по учётной записи Microsoft 365 появится позже.',
  signInAs: (name) => `Войти как ${name}`,
  signOut: 'Выйти',
  loadingUsers: 'Загрузка демо-пользователей…',
  userRoles: {
    relationship_manager: 'Клиентский менеджер',
    supervisor: 'Руководитель',
    credit_officer: 'Кредитный специалист',
    admin: 'Администратор',
  },
  selectItem: 'Выберите письмо или встречу',
  selectItemHint: 'Панель покажет клиентов из выбранного письма.',
  loading: 'Загрузка…',
  retry: 'Повторить',
  loadFailed: 'Не удалось загрузить данные клиента',
  errors: {
    NETWORK: 'Нет связи с сервером CRM.',
    FORBIDDEN: 'Ваша учётная запись не заведена в CRM или отключена: обратитесь к администратору.',
    INTERNAL: 'Ошибка на сервере CRM.',
    UNAVAILABLE: 'Сервер CRM недоступен, повторите чуть позже.',
    RATE_LIMITED: 'Слишком много запросов, повторите чуть позже.',
    officeFailed: 'Outlook не передал панели выбранное письмо.',
  },
  requestId: (id) => `Запрос ${id}`,
  noParticipants: 'Искать некого: в письме нет участников, кроме вас.',
  participantRoles: {
    from: 'От',
    to: 'Кому',
    cc: 'Копия',
    organizer: 'Организатор',
    requiredAttendee: 'Участник',
    optionalAttendee: 'Необязательный участник',
  },
  colleague: (name) => `Коллега: ${name}`,
  restricted: 'Клиент с этим адресом есть в CRM, но у вас нет к нему доступа. Обратитесь к его менеджеру.',
  unknownTitle: 'Не клиент банка',
  unknownBody: (address) =>
    address ? `Адрес ${address} не принадлежит ни одному клиенту.` : 'У участника нет адреса.',
  searchLabel: 'Поиск клиентов',
  searchPlaceholder: 'ФИО, название, ИНН, почта или телефон',
  searchTooShort: 'Введите хотя бы 2 символа.',
  searchNothing: 'Клиенты не найдены.',
  createProspect: 'Создать потенциального клиента',
  comesLater: 'Создание потенциального клиента из панели появится в следующей версии.',
  chooseClient: (n) => `Этот адрес используют ${n} ${ru3(n, 'клиент', 'клиента', 'клиентов')}, выберите`,
  back: 'Назад',
  kinds: { individual: 'Физическое лицо', legal_entity: 'Юридическое лицо' },
  statuses: { potential: 'Потенциальный', new: 'Новый', active: 'Активный', inactive: 'Неактивный' },
  segments: {
    retail: 'Розница',
    corporate: 'Корпоративный',
    vip: 'VIP',
    loyal: 'Лояльный',
    churn_risk: 'Риск ухода',
  },
  manager: 'Менеджер',
  noManager: 'не назначен',
  branches: 'Отделение',
  inn: 'ИНН',
  kpp: 'КПП',
  ogrn: 'ОГРН',
  birthDate: 'Дата рождения',
  hidden: 'скрыто',
  hiddenHint: 'Персональные данные: видны только пользователям с доступом к ним.',
  contacts: 'Контакты',
  tasks: 'Задачи',
  noTasks: 'Открытых задач нет.',
  deals: 'Открытые сделки',
  noDeals: 'Открытых сделок нет.',
  credit: 'Кредиты',
  noCredit: 'Кредитных заявок и кредитов нет.',
  related: 'Связанные лица',
  showAll: (n) => `Показать все (${n})`,
  showLess: 'Свернуть',
  due: (date) => `срок ${date}`,
  noDue: 'без срока',
  overdue: 'Просрочена',
  done: 'Готово',
  markDone: (title) => `Отметить «${title}» выполненной`,
  taskDone: 'Задача выполнена.',
  conflict: 'Задачу уже изменил кто-то другой. Список обновлён: проверьте и повторите.',
  taskTypes: {
    call: 'Звонок',
    meeting: 'Встреча',
    document_check: 'Проверка документов',
    visit: 'Визит',
    follow_up: 'Контроль',
    email: 'Письмо',
  },
  priorities: { low: 'Низкий', normal: 'Обычный', high: 'Высокий', urgent: 'Срочный' },
  addTask: 'Добавить задачу',
  taskTitle: 'Название',
  taskType: 'Тип',
  taskPriority: 'Приоритет',
  taskDue: 'Срок',
  createTask: 'Создать задачу',
  cancel: 'Отмена',
  titleRequired: 'Введите название.',
  taskCreated: 'Задача создана и связана с письмом.',
  dealStages: {
    lead: 'Лид',
    qualification: 'Квалификация',
    proposal: 'Предложение',
    negotiation: 'Переговоры',
    won: 'Выиграна',
    lost: 'Проиграна',
  },
  expectedClose: (date) => `закрытие ${date}`,
  creditStages: {
    intake: 'Приём заявки',
    documents: 'Документы',
    scoring: 'Скоринг',
    security_check: 'Служба безопасности',
    underwriting: 'Андеррайтинг',
    credit_committee: 'Кредитный комитет',
    decision: 'Решение',
    signing: 'Подписание',
    disbursement: 'Выдача',
  },
  application: (number) => `Заявка ${number}`,
  slaLeft: (s) => `осталось ${spanRu(s)}`,
  slaOverdue: (s) => `просрочено на ${spanRu(s)}`,
  loan: (contract) => `Кредит ${contract}`,
  balance: 'Остаток',
  overdueAmount: 'Просрочка',
  daysPastDue: (n) => `${n} ${ru3(n, 'день', 'дня', 'дней')} просрочки`,
  nextPayment: 'Следующий платёж',
  relationRoles: {
    director: { outgoing: 'директор в', incoming: 'директор' },
    founder: { outgoing: 'учредитель', incoming: 'учредитель' },
    contact_person: { outgoing: 'контактное лицо в', incoming: 'контактное лицо' },
    spouse: { outgoing: 'супруг(а)', incoming: 'супруг(а)' },
    guarantor: { outgoing: 'поручитель за', incoming: 'поручитель' },
  },
  refreshing: 'Обновление…',
  notFollowing: 'Панель может не переключиться при выборе другого письма: тогда откройте её заново.',
};

export const dictionaries: Record<Lang, Dict> = { en, ru };

/** `ru` for any Russian tag (`ru`, `ru-RU`), else English. */
export const langOf = (tag: string | null | undefined): Lang =>
  tag?.toLowerCase().startsWith('ru') ? 'ru' : 'en';

export type I18n = { lang: Lang; t: Dict };

export const I18nContext = createContext<I18n>({ lang: 'en', t: en });

/** The current language and its dictionary. */
export const useI18n = (): I18n => useContext(I18nContext);
