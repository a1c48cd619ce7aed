import type { Grant, PersonalDataField, Role } from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/**
 * The signed-in user as every service sees it. `teamIds`/`branchIds` feed the one visibility rule
 * ({@link visibleClient}): an RM's team is themself; a supervisor's is themself plus their reports;
 * a credit officer's branch is their own; an admin has none (settings, not client data: architecture.md,
 * "Access rules"). `grants` come from `role_grants` (see `GRANTS` in shared).
 */
export type Principal = {
  id: string;
  name: string;
  email: string;
  role: Role;
  grants: Grant[];
  teamIds: string[];
  branchIds: string[];
  /** Normalised keys of every address the user is known by (email, aliases, LegacyExchangeDN). */
  addressKeys: string[];
};

/** Admin rights (audit, settings, users): the admin role, or a business user granted `admin`. */
export function isAdmin(p: Pick<Principal, 'role' | 'grants'>): boolean {
  return p.role === 'admin' || p.grants.includes('admin');
}

/** Personal-data fields this principal must not see (shared `PERSONAL_DATA_FIELDS`); [] with the grant. */
export function maskedFieldsFor(p: Pick<Principal, 'grants'>, fields: readonly PersonalDataField[]) {
  return p.grants.includes('view_personal_data') ? [] : [...fields];
}

async function loadPrincipalWhere(
  db: Db,
  by: { id: string } | { tid: string; oid: string },
): Promise<Principal | null> {
  let query = db.selectFrom('users as u').where('u.is_active', '=', true);
  query =
    'id' in by
      ? query.where('u.id', '=', by.id)
      : query.where('u.entra_tenant_id', '=', by.tid).where('u.entra_object_id', '=', by.oid);
  const row = await query
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.role',
      sql<Grant[]>`array(select g.grant from role_grants g where g.user_id = u.id order by g.grant)`.as(
        'grants',
      ),
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
    grants: row.grants,
    teamIds: admin ? [] : row.team_ids,
    branchIds: admin ? [] : row.branch_ids,
    addressKeys: row.address_keys,
  };
}

/** Loads an active user's principal in one query; null when unknown or deactivated. */
export async function loadPrincipal(db: Db, userId: string): Promise<Principal | null> {
  return loadPrincipalWhere(db, { id: userId });
}

/** The active user with this Entra ID identity (tenant `tid` + object `oid`), or null. */
export async function loadPrincipalByEntraId(db: Db, tid: string, oid: string): Promise<Principal | null> {
  return loadPrincipalWhere(db, { tid, oid });
}

/**
 * THE one rule deciding which clients a principal may see, as a SQL predicate over a `clients` row aliased
 * `alias`. Every query that returns client data applies it (cards, mail context, search, tasks, demo inbox):
 * - relationship manager: clients they manage, or served by their branch (`client_branches`);
 * - supervisor: clients managed by anyone in their team (themself + reports), or served by a branch of
 *   the team;
 * - credit officer: clients that have at least one credit application and are served by the officer's
 *   branch (they review applications, not the whole portfolio);
 * - admin: none (settings and audit, not client data). A business user with the `admin` grant keeps the
 *   visibility of their business role.
 */
export function visibleClient(p: Principal, alias = 'c') {
  const c = sql.ref(alias);
  const servedByBranch = sql`exists (select 1 from client_branches vb where vb.client_id = ${c}.id and vb.branch_id = any(${p.branchIds}::uuid[]))`;
  switch (p.role) {
    case 'admin':
      return sql<boolean>`false`;
    case 'credit_officer':
      return sql<boolean>`(exists (select 1 from credit_applications va where va.client_id = ${c}.id) and ${servedByBranch})`;
    case 'relationship_manager':
    case 'supervisor':
      return sql<boolean>`(${c}.manager_id = any(${p.teamIds}::uuid[]) or ${servedByBranch})`;
  }
}
