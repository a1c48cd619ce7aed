import { foldName, normalizeAddress } from '@crm/shared';
import type { Db } from '../../server/src/db/database.ts';

// Small, explicit fixtures for integration tests: an organisation of two branches and the records a test
// names. Independent of the demo seed so each test shows its own facts.

export type Org = {
  branches: { msk: string; spb: string };
  users: Record<string, string>; // key -> id
};

type UserSpec = {
  key: string;
  name: string;
  email: string;
  role?: 'relationship_manager' | 'supervisor' | 'credit_officer' | 'admin';
  branch?: 'msk' | 'spb' | null;
  supervisor?: string;
  aliases?: string[];
  legacyExchangeDn?: string;
  grants?: ('view_personal_data' | 'admin')[];
};

/** Branches MSK and SPB; users: sup (supervisor, MSK), rm1 and rm2 (RMs under sup, MSK), rmOther (RM, SPB), admin. */
export async function createOrg(db: Db, extraUsers: UserSpec[] = []): Promise<Org> {
  const [msk, spb] = await db
    .insertInto('branches')
    .values([
      { code: 'MSK-01', name: 'Москва', region: 'Москва' },
      { code: 'SPB-01', name: 'Санкт-Петербург', region: 'Санкт-Петербург' },
    ])
    .returning('id')
    .execute();
  const org: Org = { branches: { msk: msk!.id, spb: spb!.id }, users: {} };
  const base: UserSpec[] = [
    { key: 'sup', name: 'Supervisor One', email: 'sup@bank.example', role: 'supervisor', branch: 'msk' },
    { key: 'rm1', name: 'RM One', email: 'rm1@bank.example', branch: 'msk', supervisor: 'sup' },
    { key: 'rm2', name: 'RM Two', email: 'rm2@bank.example', branch: 'msk', supervisor: 'sup' },
    { key: 'rmOther', name: 'RM Other', email: 'rm.other@bank.example', branch: 'spb' },
    { key: 'admin', name: 'Admin', email: 'admin@bank.example', role: 'admin', branch: null },
  ];
  // A case may describe a known user again (e.g. rm1 with aliases): merge rather than duplicate.
  for (const extra of extraUsers) {
    const same = base.find((b) => normalizeAddress(b.email).key === normalizeAddress(extra.email).key);
    if (same) Object.assign(same, { ...extra, key: same.key });
    else base.push(extra);
  }
  for (const u of base) {
    const { id } = await db
      .insertInto('users')
      .values({
        name: u.name,
        email: u.email,
        role: u.role ?? 'relationship_manager',
        branch_id: u.branch === null ? null : org.branches[u.branch ?? 'msk'],
        supervisor_id: u.supervisor ? org.users[u.supervisor]! : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    org.users[u.key] = id;
    const keys = [
      { address_key: normalizeAddress(u.email).key, user_id: id, kind: 'email' as const },
      ...(u.aliases ?? []).map((a) => ({
        address_key: normalizeAddress(a).key,
        user_id: id,
        kind: 'alias' as const,
      })),
      ...(u.legacyExchangeDn
        ? [
            {
              address_key: normalizeAddress(u.legacyExchangeDn).key,
              user_id: id,
              kind: 'exchange_dn' as const,
            },
          ]
        : []),
    ];
    await db.insertInto('user_addresses').values(keys).execute();
    for (const grant of u.grants ?? [])
      await db.insertInto('role_grants').values({ user_id: id, grant }).execute();
  }
  return org;
}

/** Gives a user a grant (e.g. `view_personal_data`). */
export async function grant(db: Db, userId: string, what: 'view_personal_data' | 'admin'): Promise<void> {
  await db
    .insertInto('role_grants')
    .values({ user_id: userId, grant: what })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Adds a credit application (consumer loan, intake) for a client; creates the product on first use. */
export async function createCreditApplication(db: Db, clientId: string): Promise<string> {
  const product =
    (await db.selectFrom('products').where('code', '=', 'CONS-LOAN').select('id').executeTakeFirst()) ??
    (await db
      .insertInto('products')
      .values({ code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' })
      .returning('id')
      .executeTakeFirstOrThrow());
  const { id } = await db
    .insertInto('credit_applications')
    .values({
      number: `КЗ-TEST-${Math.random().toString(36).slice(2, 10)}`,
      client_id: clientId,
      product_id: product.id,
      amount: '500000.00',
      currency: 'RUB',
      term_months: 36,
      stage: 'intake',
      stage_entered_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export type ClientSpec = {
  kind: 'individual' | 'legal_entity';
  name: string;
  /** Individuals: `YYYY-MM-DD`. */
  birthDate?: string;
  emails?: string[];
  phones?: string[];
  manager?: string; // user key; default rm1
  branch?: 'msk' | 'spb'; // default: the manager's branch
  inn?: string;
};

/** Creates a client with profile, contact points and serving branch; returns its id. */
export async function createClient(db: Db, org: Org, spec: ClientSpec): Promise<string> {
  const managerKey = spec.manager ?? 'rm1';
  const { id } = await db
    .insertInto('clients')
    .values({
      kind: spec.kind,
      status: 'active',
      display_name: spec.name,
      search_name: foldName(spec.name),
      manager_id: org.users[managerKey]!,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (spec.kind === 'individual') {
    const [last = spec.name, first = '', middle = null] = spec.name.split(' ');
    await db
      .insertInto('individual_profiles')
      .values({
        client_id: id,
        last_name: last,
        first_name: first,
        middle_name: middle,
        birth_date: spec.birthDate ?? null,
        inn: spec.inn ?? null,
      })
      .execute();
  } else {
    await db
      .insertInto('legal_entity_profiles')
      .values({ client_id: id, full_name: spec.name, short_name: spec.name, inn: spec.inn ?? '7707083893' })
      .execute();
  }
  for (const [i, e] of (spec.emails ?? []).entries()) {
    await db
      .insertInto('contact_points')
      .values({
        client_id: id,
        kind: 'email',
        value: e,
        value_normalized: normalizeAddress(e).key,
        is_primary: i === 0,
      })
      .execute();
  }
  for (const p of spec.phones ?? []) {
    await db
      .insertInto('contact_points')
      .values({ client_id: id, kind: 'phone', value: p, value_normalized: p })
      .execute();
  }
  const branch = spec.branch ?? (managerKey === 'rmOther' ? 'spb' : 'msk');
  await db.insertInto('client_branches').values({ client_id: id, branch_id: org.branches[branch] }).execute();
  return id;
}
