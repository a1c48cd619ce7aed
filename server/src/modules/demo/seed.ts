import { foldName, inn12From, innCheckDigits10, normalizeAddress, ogrnFrom } from '@crm/shared';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import {
  BRANCHES,
  CASE_CLIENTS,
  CASE_RELATIONS,
  COMPANY_WORDS,
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  LAST_NAMES_M,
  LATER_USERS,
  OKVED,
  PATRONYMIC_ROOTS,
  PERSONAL_DATA_GRANTEES,
  PRODUCTS,
  RATINGS,
  USERS,
} from './demo-data.ts';
import { seedCreditWorkflow } from './seed-credit.ts';

/** mulberry32: a tiny seeded PRNG, so the same seed always builds the same bank. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
    chance: (p: number) => next() < p,
    uuid: () => {
      const h = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
      h[12] = '4';
      h[16] = '89ab'[Math.floor(next() * 4)] as string;
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
}
type Rng = ReturnType<typeof prng>;

type Col = { name: string; type: string; expr?: (ref: RawBuilder<unknown>) => RawBuilder<unknown> };

/** Inserts many rows in one statement via `unnest` of one array per column (fast, one parameter per column). */
async function bulkInsert(db: Db, table: string, cols: Col[], rows: unknown[][]): Promise<void> {
  const chunk = 5000;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const arrays = cols.map((c, i) => sql`${part.map((r) => r[i])}::${sql.raw(c.type)}[]`);
    const names = cols.map((c) => sql.ref(c.name));
    const selects = cols.map((c, i) => (c.expr ? c.expr(sql.ref(`u.c${i}`)) : sql.ref(`u.c${i}`)));
    const aliases = cols.map((_, i) => sql.raw(`c${i}`));
    await sql`insert into ${sql.table(table)} (${sql.join(names)})
      select ${sql.join(selects)} from unnest(${sql.join(arrays)}) as u(${sql.join(aliases)})`.execute(db);
  }
}

const CLIENT_COLS: Col[] = [
  { name: 'id', type: 'uuid' },
  { name: 'kind', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'segments', type: 'text', expr: (r) => sql`string_to_array(${r}, ',')` },
  { name: 'display_name', type: 'text' },
  { name: 'search_name', type: 'text' },
  { name: 'manager_id', type: 'uuid' },
];
const INDIVIDUAL_COLS: Col[] = [
  { name: 'client_id', type: 'uuid' },
  { name: 'last_name', type: 'text' },
  { name: 'first_name', type: 'text' },
  { name: 'middle_name', type: 'text' },
  { name: 'birth_date', type: 'date' },
  { name: 'inn', type: 'text' },
  { name: 'citizenship', type: 'text' },
];
const LEGAL_COLS: Col[] = [
  { name: 'client_id', type: 'uuid' },
  { name: 'full_name', type: 'text' },
  { name: 'short_name', type: 'text' },
  { name: 'inn', type: 'text' },
  { name: 'kpp', type: 'text' },
  { name: 'ogrn', type: 'text' },
  { name: 'okved', type: 'text' },
  { name: 'credit_rating', type: 'text' },
];
const CONTACT_COLS: Col[] = [
  { name: 'client_id', type: 'uuid' },
  { name: 'kind', type: 'text' },
  { name: 'value', type: 'text' },
  { name: 'value_normalized', type: 'text' },
  { name: 'is_primary', type: 'bool' },
];
const BRANCH_LINK_COLS: Col[] = [
  { name: 'client_id', type: 'uuid' },
  { name: 'branch_id', type: 'uuid' },
];
const DEAL_COLS: Col[] = [
  { name: 'id', type: 'uuid' },
  { name: 'client_id', type: 'uuid' },
  { name: 'product_id', type: 'uuid' },
  { name: 'title', type: 'text' },
  { name: 'stage', type: 'text' },
  { name: 'amount', type: 'numeric' },
  { name: 'currency', type: 'text' },
  { name: 'expected_close_date', type: 'date' },
  { name: 'manager_id', type: 'uuid' },
];
const TASK_COLS: Col[] = [
  { name: 'id', type: 'uuid' },
  { name: 'title', type: 'text' },
  { name: 'type', type: 'text' },
  { name: 'priority', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'due_at', type: 'timestamptz' },
  { name: 'effort_estimate_minutes', type: 'int' },
  { name: 'assignee_id', type: 'uuid' },
  { name: 'author_id', type: 'uuid' },
  { name: 'client_id', type: 'uuid' },
  { name: 'deal_id', type: 'uuid' },
];
const APPLICATION_COLS: Col[] = [
  { name: 'number', type: 'text' },
  { name: 'client_id', type: 'uuid' },
  { name: 'product_id', type: 'uuid' },
  { name: 'amount', type: 'numeric' },
  { name: 'currency', type: 'text' },
  { name: 'term_months', type: 'int' },
  { name: 'stage', type: 'text' },
  { name: 'stage_entered_at', type: 'timestamptz' },
  { name: 'sla_due_at', type: 'timestamptz' },
  { name: 'decision', type: 'text' },
];
const LOAN_COLS: Col[] = [
  { name: 'contract_number', type: 'text' },
  { name: 'client_id', type: 'uuid' },
  { name: 'product_id', type: 'uuid' },
  { name: 'currency', type: 'text' },
  { name: 'principal', type: 'numeric' },
  { name: 'balance', type: 'numeric' },
  { name: 'overdue_amount', type: 'numeric' },
  { name: 'days_past_due', type: 'int' },
  { name: 'next_payment_date', type: 'date' },
  { name: 'next_payment_amount', type: 'numeric' },
];

const DEAL_STAGES = ['lead', 'qualification', 'proposal', 'negotiation', 'won', 'lost'] as const;
const CREDIT_STAGES = [
  'intake',
  'documents',
  'scoring',
  'security_check',
  'underwriting',
  'credit_committee',
  'decision',
  'signing',
];
const TASK_TITLES: Record<string, string[]> = {
  call: [
    'Позвонить клиенту по продлению вклада',
    'Согласовать условия по кредиту',
    'Уточнить потребность в РКО',
  ],
  meeting: ['Встреча по кредитной линии', 'Встреча с финансовым директором', 'Обзор портфеля продуктов'],
  document_check: [
    'Проверить пакет документов',
    'Запросить бухгалтерскую отчётность',
    'Проверить доверенность',
  ],
  visit: ['Выезд на объект залога', 'Визит в офис клиента'],
  follow_up: ['Напомнить о подписании договора', 'Отправить коммерческое предложение'],
  email: ['Ответить на запрос клиента', 'Направить тарифы'],
};

const TRANSLIT: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};
const translit = (s: string) =>
  [...s.toLowerCase()].map((ch) => TRANSLIT[ch] ?? (/[a-z0-9]/.test(ch) ? ch : '')).join('');
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const hours = (h: number) => h * 3600_000;

export type SeedOptions = { clients: number; now?: Date; log?: (msg: string) => void };
export type SeedResult = { branches: number; users: number; clients: number };

type Ctx = {
  rng: Rng;
  now: Date;
  branchIds: Map<string, string>;
  userIds: Map<string, string>;
  productIds: Map<string, string>;
  userBranch: Map<string, string | null>;
  userSupervisor: Map<string, string | undefined>;
  appSeq: number;
  loanSeq: number;
};

type Batch = {
  [K in
    | 'clients'
    | 'individuals'
    | 'legal'
    | 'contacts'
    | 'branchLinks'
    | 'deals'
    | 'tasks'
    | 'apps'
    | 'loans']: unknown[][];
};
const emptyBatch = (): Batch => ({
  clients: [],
  individuals: [],
  legal: [],
  contacts: [],
  branchLinks: [],
  deals: [],
  tasks: [],
  apps: [],
  loans: [],
});

async function flush(db: Db, b: Batch) {
  await bulkInsert(db, 'clients', CLIENT_COLS, b.clients);
  await bulkInsert(db, 'individual_profiles', INDIVIDUAL_COLS, b.individuals);
  await bulkInsert(db, 'legal_entity_profiles', LEGAL_COLS, b.legal);
  await bulkInsert(db, 'contact_points', CONTACT_COLS, b.contacts);
  await bulkInsert(db, 'client_branches', BRANCH_LINK_COLS, b.branchLinks);
  await bulkInsert(db, 'deals', DEAL_COLS, b.deals);
  await bulkInsert(db, 'tasks', TASK_COLS, b.tasks);
  await bulkInsert(db, 'credit_applications', APPLICATION_COLS, b.apps);
  await bulkInsert(db, 'loans', LOAN_COLS, b.loans);
}

/** Adds deals, tasks, credit applications and loans for one client (amounts in whole roubles, exact). */
function addBusiness(
  ctx: Ctx,
  b: Batch,
  clientId: string,
  managerKey: string,
  corporate: boolean,
  richness: number,
) {
  const { rng, now } = ctx;
  const managerId = ctx.userIds.get(managerKey)!;
  const supervisorKey = ctx.userSupervisor.get(managerKey);
  const dealIds: string[] = [];
  const nDeals = richness >= 1 ? 2 : rng.int(0, 2);
  for (let d = 0; d < nDeals; d++) {
    const product = rng.pick(PRODUCTS.filter((p) => p.status === 'active'));
    const id = rng.uuid();
    dealIds.push(id);
    const amount = corporate ? rng.int(5, 500) * 1_000_000 : rng.int(50, 9000) * 1000;
    b.deals.push([
      id,
      clientId,
      ctx.productIds.get(product.code),
      `${product.name}`,
      richness >= 1 ? (['proposal', 'negotiation'] as const)[d % 2] : rng.pick(DEAL_STAGES),
      `${amount}.00`,
      rng.chance(0.1) ? 'USD' : 'RUB',
      isoDate(new Date(now.getTime() + hours(24 * rng.int(-10, 90)))),
      managerId,
    ]);
  }
  const nTasks = richness >= 1 ? 3 : rng.chance(0.5) ? rng.int(1, 2) : 0;
  for (let t = 0; t < nTasks; t++) {
    const type = rng.pick(Object.keys(TASK_TITLES));
    // Spread over overdue, today and later, so every list in the pane has something.
    const dueOffsetH = richness >= 1 ? [-30, 3, 72][t % 3]! : rng.int(-5 * 24, 14 * 24);
    b.tasks.push([
      rng.uuid(),
      rng.pick(TASK_TITLES[type]!),
      type,
      rng.pick(['low', 'normal', 'normal', 'high', 'urgent']),
      rng.chance(0.2) ? 'in_progress' : 'open',
      new Date(now.getTime() + hours(dueOffsetH)).toISOString(),
      rng.pick([15, 30, 30, 60, 90, 120]),
      managerId,
      supervisorKey && rng.chance(0.4) ? ctx.userIds.get(supervisorKey) : managerId,
      clientId,
      dealIds.length > 0 && rng.chance(0.5) ? rng.pick(dealIds) : null,
    ]);
  }
  if (richness >= 1 || rng.chance(0.1)) {
    const product = corporate ? 'CORP-LOAN' : rng.pick(['CONS-LOAN', 'MORTGAGE']);
    const stage = richness >= 1 ? 'underwriting' : rng.pick(CREDIT_STAGES);
    const enteredH = rng.int(1, 96);
    const slaH = richness >= 1 ? 24 : rng.int(8, 120); // richness clients are past their SLA on purpose
    const entered = new Date(now.getTime() - hours(enteredH));
    ctx.appSeq++;
    b.apps.push([
      `КЗ-${now.getUTCFullYear()}-${pad(ctx.appSeq, 7)}`,
      clientId,
      ctx.productIds.get(product),
      `${corporate ? rng.int(10, 300) * 1_000_000 : rng.int(100, 5000) * 1000}.00`,
      'RUB',
      rng.pick([12, 24, 36, 60, 120, 240]),
      stage,
      entered.toISOString(),
      new Date(entered.getTime() + hours(slaH)).toISOString(),
      null,
    ]);
  }
  if (richness >= 1 || rng.chance(0.15)) {
    const principal = corporate ? rng.int(10, 200) * 1_000_000 : rng.int(100, 3000) * 1000;
    const balance = Math.round(principal * (0.2 + 0.7 * rng.next()));
    const overdue = richness >= 1 || rng.chance(0.2);
    const dpd = overdue ? rng.pick([3, 17, 45, 75, 120]) : 0;
    const payment = Math.round(principal / 36);
    ctx.loanSeq++;
    b.loans.push([
      `${corporate ? 'КЛ' : 'ПК'}-${pad(ctx.loanSeq, 8)}`,
      clientId,
      ctx.productIds.get(corporate ? 'CORP-LOAN' : 'CONS-LOAN'),
      'RUB',
      `${principal}.00`,
      `${balance}.00`,
      overdue ? `${payment * Math.max(1, Math.ceil(dpd / 30))}.00` : '0.00',
      dpd,
      isoDate(new Date(now.getTime() + hours(24 * rng.int(1, 28)))),
      `${payment}.00`,
    ]);
  }
}

/**
 * Builds the demo bank: branches, users (RMs, supervisors, a credit officer, an admin; personal-data grants),
 * products, the fixed case clients of
 * the pane's sender situations, then `clients` generated clients (60% individuals, 40% companies) with valid
 * INN/OGRN/KPP, 2-3 contact points, deals in every stage, tasks overdue/today/later, credit applications
 * (some past SLA) and loans (some overdue). Deterministic for a given `now`. Expects empty tables.
 */
export async function seedDemoBank(db: Db, opts: SeedOptions): Promise<SeedResult> {
  const now = opts.now ?? new Date();
  const log = opts.log ?? (() => {});
  const rng = prng(20261129);
  const ctx: Ctx = {
    rng,
    now,
    branchIds: new Map(),
    userIds: new Map(),
    productIds: new Map(),
    userBranch: new Map(),
    userSupervisor: new Map(),
    appSeq: 0,
    loanSeq: 0,
  };

  for (const b of BRANCHES) {
    const id = rng.uuid();
    ctx.branchIds.set(b.code, id);
    await db
      .insertInto('branches')
      .values({ id, code: b.code, name: b.name, region: b.region, time_zone: b.timeZone })
      .execute();
  }
  // Supervisors first: RMs point at them.
  const ordered = [...USERS].sort((a, b) => Number(Boolean(a.supervisor)) - Number(Boolean(b.supervisor)));
  for (const u of ordered) {
    const id = rng.uuid();
    ctx.userIds.set(u.key, id);
    ctx.userBranch.set(u.key, u.branch);
    ctx.userSupervisor.set(u.key, u.supervisor);
    await db
      .insertInto('users')
      .values({
        id,
        name: u.name,
        email: u.email,
        role: u.role,
        branch_id: u.branch ? ctx.branchIds.get(u.branch)! : null,
        supervisor_id: u.supervisor ? ctx.userIds.get(u.supervisor)! : null,
      })
      .execute();
    const addresses = [
      { address_key: normalizeAddress(u.email).key, user_id: id, kind: 'email' as const },
      ...(u.aliases ?? []).map((a) => ({
        address_key: normalizeAddress(a).key,
        user_id: id,
        kind: 'alias' as const,
      })),
      ...(u.legacyDn
        ? [{ address_key: normalizeAddress(u.legacyDn).key, user_id: id, kind: 'exchange_dn' as const }]
        : []),
    ];
    await db.insertInto('user_addresses').values(addresses).execute();
  }
  for (const p of PRODUCTS) {
    const id = rng.uuid();
    ctx.productIds.set(p.code, id);
    await db
      .insertInto('products')
      .values({ id, code: p.code, name: p.name, kind: p.kind, status: p.status })
      .execute();
  }

  // The case clients: fixed names and addresses, rich business so every block of the card shows.
  let batch = emptyBatch();
  const caseIds = new Map<string, string>();
  CASE_CLIENTS.forEach((c, n) => {
    const id = rng.uuid();
    caseIds.set(c.key, id);
    const corporate = c.kind === 'legal_entity';
    const display = corporate ? c.names[1]! : c.names.join(' ');
    batch.clients.push([
      id,
      c.kind,
      c.status,
      c.segments.join(','),
      display,
      foldName(display),
      ctx.userIds.get(c.manager),
    ]);
    if (corporate) {
      const inn = innCheckDigits10(`77${pad(9000000 + n, 7)}`);
      batch.legal.push([
        id,
        c.names[0],
        c.names[1],
        inn,
        `${inn.slice(0, 4)}01001`,
        ogrnFrom(`10277${pad(9000000 + n, 7)}`),
        rng.pick(OKVED),
        'A(RU)',
      ]);
    } else {
      batch.individuals.push([
        id,
        c.names[0],
        c.names[1],
        c.names[2],
        `198${n % 10}-0${1 + (n % 9)}-1${n % 10}`,
        inn12From(`77${pad(90000000 + n, 8)}`),
        'RU',
      ]);
    }
    c.emails.forEach((e, i) => {
      batch.contacts.push([id, 'email', e, normalizeAddress(e).key, i === 0]);
    });
    batch.contacts.push([
      id,
      'phone',
      `+7 (495) 555-${pad(10 + n, 2)}-${pad(20 + n, 2)}`,
      `+7495555${pad(10 + n, 2)}${pad(20 + n, 2)}`,
      true,
    ]);
    batch.branchLinks.push([id, ctx.branchIds.get(c.branch)]);
    addBusiness(ctx, batch, id, c.manager, corporate, 1);
  });
  await flush(db, batch);
  for (const r of CASE_RELATIONS) {
    await db
      .insertInto('client_relations')
      .values({ from_client_id: caseIds.get(r.from)!, to_client_id: caseIds.get(r.to)!, role: r.role })
      .execute();
  }

  const rms = USERS.filter((u) => u.role === 'relationship_manager').map((u) => u.key);
  const branchCodes = BRANCHES.map((b) => b.code);
  batch = emptyBatch();
  for (let i = 0; i < opts.clients; i++) {
    const id = rng.uuid();
    const managerKey = rms[i % rms.length]!;
    const corporate = i % 5 >= 3;
    const status = rng.pick(['potential', 'new', 'active', 'active', 'active', 'inactive'] as const);
    let display: string;
    let emailLocal: string;
    let domain: string;
    if (corporate) {
      const w = `${rng.pick(COMPANY_WORDS)}${rng.chance(0.5) ? `-${rng.pick(COMPANY_WORDS)}` : ''}`;
      const form = rng.pick(['ООО', 'ООО', 'АО', 'ПАО']);
      display = `${form} «${w}»`;
      const full = `${form === 'ООО' ? 'Общество с ограниченной ответственностью' : form === 'АО' ? 'Акционерное общество' : 'Публичное акционерное общество'} «${w}»`;
      const inn = innCheckDigits10(`${pad(rng.int(1, 89), 2)}${pad(i, 7)}`);
      batch.legal.push([
        id,
        full,
        display,
        inn,
        `${inn.slice(0, 4)}01001`,
        ogrnFrom(`1${pad(rng.int(2, 23), 2)}${pad(i, 9)}`),
        rng.pick(OKVED),
        rng.pick(RATINGS),
      ]);
      emailLocal = rng.pick(['info', 'office', 'buh', 'fin', 'director']);
      domain = `${translit(w).replace(/[^a-z0-9]/g, '') || 'company'}-${i}.example`;
    } else {
      const female = rng.chance(0.5);
      const last = `${rng.pick(LAST_NAMES_M)}${female ? 'а' : ''}`;
      const first = rng.pick(female ? FIRST_NAMES_F : FIRST_NAMES_M);
      const middle = `${rng.pick(PATRONYMIC_ROOTS)}${female ? 'на' : 'ич'}`;
      display = `${last} ${first} ${middle}`;
      const birth = `${rng.int(1950, 2004)}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`;
      batch.individuals.push([
        id,
        last,
        first,
        middle,
        birth,
        inn12From(`${pad(rng.int(1, 89), 2)}${pad(i, 8)}`),
        'RU',
      ]);
      emailLocal = `${translit(first)[0]}.${translit(last)}.${i}`;
      domain = rng.pick(['mail.example', 'inbox.example', 'post.example']);
    }
    const segments = corporate ? ['corporate'] : ['retail'];
    if (rng.chance(0.08)) segments.push('vip');
    if (rng.chance(0.15)) segments.push('loyal');
    if (rng.chance(0.05)) segments.push('churn_risk');
    batch.clients.push([
      id,
      corporate ? 'legal_entity' : 'individual',
      status,
      segments.join(','),
      display,
      foldName(display),
      ctx.userIds.get(managerKey),
    ]);
    const email = `${emailLocal}@${domain}`;
    batch.contacts.push([id, 'email', email, email, true]);
    const phone = `+79${pad(rng.int(0, 99), 2)}${pad(i % 10_000_000, 7)}`;
    batch.contacts.push([id, 'phone', phone, phone, true]);
    if (rng.chance(0.5)) {
      const second = `${corporate ? 'sales' : 'home'}.${i}@${corporate ? domain : 'family.example'}`;
      batch.contacts.push([id, 'email', second, second, false]);
    }
    const home = ctx.userBranch.get(managerKey)!;
    batch.branchLinks.push([id, ctx.branchIds.get(home)]);
    if (rng.chance(0.1)) {
      const other = rng.pick(branchCodes.filter((c) => c !== home));
      batch.branchLinks.push([id, ctx.branchIds.get(other)]);
    }
    addBusiness(ctx, batch, id, managerKey, corporate, 0);
    if (batch.clients.length >= 10_000) {
      await flush(db, batch);
      batch = emptyBatch();
      log(`seeded ${i + 1} of ${opts.clients} clients`);
    }
  }
  await flush(db, batch);

  // Later additions draw from their own stream: the ids above do not move.
  const laterRng = prng(20261201);
  for (const u of LATER_USERS) {
    const id = laterRng.uuid();
    ctx.userIds.set(u.key, id);
    await db
      .insertInto('users')
      .values({
        id,
        name: u.name,
        email: u.email,
        role: u.role,
        branch_id: u.branch ? ctx.branchIds.get(u.branch)! : null,
        supervisor_id: u.supervisor ? ctx.userIds.get(u.supervisor)! : null,
      })
      .execute();
    await db
      .insertInto('user_addresses')
      .values({ address_key: normalizeAddress(u.email).key, user_id: id, kind: 'email' })
      .execute();
  }
  await db
    .insertInto('role_grants')
    .values(
      PERSONAL_DATA_GRANTEES.map((k) => ({
        user_id: ctx.userIds.get(k)!,
        grant: 'view_personal_data' as const,
      })),
    )
    .execute();
  // Credit workflow (2026-12-06): routes, branch calendars, seeded applications on their routes; own stream.
  await seedCreditWorkflow(db, prng(20261206).uuid);
  await sql`analyze`.execute(db);
  return {
    branches: BRANCHES.length,
    users: USERS.length + LATER_USERS.length,
    clients: CASE_CLIENTS.length + opts.clients,
  };
}

/** True when the database has no users yet (a fresh demo database). */
export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n) === 0;
}
