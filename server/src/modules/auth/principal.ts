import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/**
 * The signed-in user as every service sees it. `teamIds`/`branchIds` feed the one visibility rule
 * ({@link visibleClient}): an RM's team is themself; a supervisor's is themself plus their reports;
 * an admin has none (settings, not client data: architecture.md, "Access rules").
 */
export type Principal = {
  id: string;
  name: string;
  email: string;
  role: 'relationship_manager' | 'supervisor' | 'admin';
  teamIds: string[];
  branchIds: string[];
  /** Normalised keys of every address the user is known by (email, aliases, LegacyExchangeDN). */
  addressKeys: string[];
};

/** Loads an active user's principal in one query; null when unknown or deactivated. */
export async function loadPrincipal(db: Db, userId: string): Promise<Principal | null> {
  const row = await db
    .selectFrom('users as u')
    .where('u.id', '=', userId)
    .where('u.is_active', '=', true)
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.role',
      sql<
        string[]
      >`array(select t.id from users t where t.is_active and (t.id = u.id or (u.role = 'supervisor' and t.supervisor_id = u.id)))`.as(
        'team_ids',
      ),
      sql<
        string[]
      >`array(select distinct t.branch_id from users t where t.branch_id is not null and t.is_active and (t.id = u.id or (u.role = 'supervisor' and t.supervisor_id = u.id)))`.as(
        'branch_ids',
      ),
      sql<string[]>`array(select a.address_key from user_addresses a where a.user_id = u.id)`.as(
        'address_keys',
      ),
    ])
    .executeTakeFirst();
  if (!row) return null;
  const admin = row.role === 'admin';
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    teamIds: admin ? [] : row.team_ids,
    branchIds: admin ? [] : row.branch_ids,
    addressKeys: row.address_keys,
  };
}

/**
 * The one rule deciding which clients a principal may see, as a SQL predicate over a `clients` row
 * aliased `alias`: managed by someone in the team, or served by a branch of the team. Every query that
 * returns client data applies it.
 */
export function visibleClient(p: Principal, alias = 'c') {
  const c = sql.ref(alias);
  return sql<boolean>`(${c}.manager_id = any(${p.teamIds}::uuid[]) or exists (select 1 from client_branches vb where vb.client_id = ${c}.id and vb.branch_id = any(${p.branchIds}::uuid[])))`;
}
