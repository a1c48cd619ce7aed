import type { ClientSummaryDto } from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type Principal, visibleClient } from '../auth/principal.ts';

/** Least pg_trgm similarity of folded names for a name candidate (banking.md: candidates for review only). */
export const NAME_SIMILARITY = 0.45;

export type MatchRow = {
  clientId: string;
  reason: 'email' | 'inn' | 'name';
  similarity: number | null;
};

/**
 * Clients matching a would-be prospect, whoever may see them: exact normalised email, exact INN, and folded
 * names with trigram similarity >= {@link NAME_SIMILARITY} (the `%` operator uses the GIN index, then the
 * threshold filters). Empty inputs match nothing; the statement text is the same for any input.
 */
export async function findMatches(
  db: Db,
  q: { emailKey: string; inn: string; foldedName: string },
): Promise<MatchRow[]> {
  const { rows } = await sql<MatchRow>`
    select cp.client_id as "clientId", 'email' as reason, null::real as similarity
      from contact_points cp where cp.kind = 'email' and cp.value_normalized = ${q.emailKey} and ${q.emailKey} <> ''
    union all
    select ip.client_id, 'inn', null from individual_profiles ip where ip.inn = ${q.inn} and ${q.inn} <> ''
    union all
    select lp.client_id, 'inn', null from legal_entity_profiles lp where lp.inn = ${q.inn} and ${q.inn} <> ''
    union all
    (select c.id, 'name', similarity(c.search_name, ${q.foldedName})
      from clients c
      where ${q.foldedName} <> '' and c.search_name % ${q.foldedName}
        and similarity(c.search_name, ${q.foldedName}) >= ${NAME_SIMILARITY}
      order by 3 desc limit 50)`.execute(db);
  return rows.map((r) => ({ ...r, similarity: r.similarity === null ? null : Number(r.similarity) }));
}

/** Summaries of clients (visible or not, said per row) and whether each has an email contact at `domain`. */
export async function findSummaries(
  db: Db,
  p: Principal,
  ids: string[],
  domain: string,
): Promise<(ClientSummaryDto & { visible: boolean; sameDomain: boolean })[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('clients as c')
    .leftJoin('users as m', 'm.id', 'c.manager_id')
    .leftJoin('individual_profiles as ip', 'ip.client_id', 'c.id')
    .leftJoin('legal_entity_profiles as lp', 'lp.client_id', 'c.id')
    .where('c.id', '=', sql<string>`any(${ids}::uuid[])`)
    .select([
      'c.id',
      'c.kind',
      'c.display_name as displayName',
      'c.status',
      sql<string | null>`coalesce(ip.inn, lp.inn)`.as('inn'),
      sql<
        ClientSummaryDto['manager']
      >`case when m.id is null then null else json_build_object('id', m.id, 'name', m.name) end`.as(
        'manager',
      ),
      visibleClient(p).as('visible'),
      sql<boolean>`exists (select 1 from contact_points d where d.client_id = c.id and d.kind = 'email'
        and split_part(d.value_normalized, '@', 2) = ${domain} and ${domain} <> '')`.as('sameDomain'),
    ])
    .execute();
  return rows.map((r) => ({ ...r, visible: Boolean(r.visible), sameDomain: Boolean(r.sameDomain) }));
}

/** Visible companies (legal entities) with an email contact at `domain`, by name; at most `limit`. */
export async function findCompaniesByDomain(
  db: Db,
  p: Principal,
  domain: string,
  limit: number,
): Promise<ClientSummaryDto[]> {
  return db
    .selectFrom('clients as c')
    .innerJoin('legal_entity_profiles as lp', 'lp.client_id', 'c.id')
    .leftJoin('users as m', 'm.id', 'c.manager_id')
    .where(visibleClient(p))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('contact_points as d')
          .whereRef('d.client_id', '=', 'c.id')
          .where('d.kind', '=', 'email')
          .where(sql<string>`split_part(d.value_normalized, '@', 2)`, '=', domain)
          .select(sql`1`.as('one')),
      ),
    )
    .select([
      'c.id',
      'c.kind',
      'c.display_name as displayName',
      'c.status',
      sql<string | null>`lp.inn`.as('inn'),
      sql<
        ClientSummaryDto['manager']
      >`case when m.id is null then null else json_build_object('id', m.id, 'name', m.name) end`.as(
        'manager',
      ),
    ])
    .orderBy('c.display_name')
    .limit(limit)
    .execute();
}

/** Whether the client exists and the principal may see it. */
export async function findVisibleClient(db: Db, p: Principal, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('clients as c')
    .where('c.id', '=', clientId)
    .where(visibleClient(p))
    .select('c.id')
    .executeTakeFirst();
  return Boolean(row);
}

export async function clientExists(db: Db, clientId: string): Promise<boolean> {
  return Boolean(await db.selectFrom('clients').where('id', '=', clientId).select('id').executeTakeFirst());
}

/** The user's own branch (a prospect is served by it), or null. */
export async function userBranch(db: Db, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').where('id', '=', userId).select('branch_id').executeTakeFirst();
  return row?.branch_id ?? null;
}

/** The user's active supervisor (whom to ask for access to a client they may not see), or null. */
export async function supervisorOf(db: Db, userId: string): Promise<{ id: string; name: string } | null> {
  const row = await db
    .selectFrom('users as u')
    .innerJoin('users as s', 's.id', 'u.supervisor_id')
    .where('u.id', '=', userId)
    .where('s.is_active', '=', true)
    .select(['s.id', 's.name'])
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Serialises creates of the same prospect: transaction-scoped advisory locks on its exact keys (email, INN),
 * taken in a fixed order, so two users creating the same person at once see each other's row.
 */
export async function lockProspectKeys(db: Db, keys: string[]): Promise<void> {
  for (const key of [...new Set(keys.filter(Boolean))].sort())
    await sql`select pg_advisory_xact_lock(hashtextextended(${`prospect:${key}`}, 0))`.execute(db);
}

/** A prospect to insert; `preferredLanguage` null or absent: messages chosen by citizenship. */
export type NewProspect = { preferredLanguage?: 'ru' | 'en' | null } & (
  | {
      kind: 'individual';
      displayName: string;
      searchName: string;
      name: { lastName: string; firstName: string; middleName: string | null };
      inn: string | null;
    }
  | {
      kind: 'legal_entity';
      displayName: string;
      searchName: string;
      fullName: string;
      shortName: string;
      inn: string;
    }
);

/** Inserts a `potential` client with its profile, serving branch and contact points; returns its id. */
export async function insertProspect(
  db: Db,
  r: NewProspect,
  managerId: string,
  branchId: string | null,
  contacts: { kind: 'email' | 'phone'; value: string; normalized: string }[],
): Promise<string> {
  const { id } = await db
    .insertInto('clients')
    .values({
      kind: r.kind,
      status: 'potential',
      display_name: r.displayName,
      search_name: r.searchName,
      manager_id: managerId,
      preferred_language: r.preferredLanguage ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (r.kind === 'individual')
    await db
      .insertInto('individual_profiles')
      .values({
        client_id: id,
        last_name: r.name.lastName,
        first_name: r.name.firstName,
        middle_name: r.name.middleName,
        inn: r.inn,
      })
      .execute();
  else
    await db
      .insertInto('legal_entity_profiles')
      .values({ client_id: id, full_name: r.fullName, short_name: r.shortName, inn: r.inn })
      .execute();
  if (branchId)
    await db.insertInto('client_branches').values({ client_id: id, branch_id: branchId }).execute();
  for (const [i, c] of contacts.entries())
    await db
      .insertInto('contact_points')
      .values({
        client_id: id,
        kind: c.kind,
        value: c.value,
        value_normalized: c.normalized,
        is_primary: i === 0,
      })
      .execute();
  return id;
}

/** Adds a contact point unless the client has it; true when added. */
export async function insertContactPoint(
  db: Db,
  c: { clientId: string; kind: 'email' | 'phone'; value: string; normalized: string },
): Promise<boolean> {
  const row = await db
    .insertInto('contact_points')
    .values({
      client_id: c.clientId,
      kind: c.kind,
      value: c.value,
      value_normalized: c.normalized,
      is_primary: sql<boolean>`not exists (select 1 from contact_points x where x.client_id = ${c.clientId}::uuid and x.kind = ${c.kind})`,
    })
    .onConflict((oc) => oc.columns(['client_id', 'kind', 'value_normalized']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return Boolean(row);
}
