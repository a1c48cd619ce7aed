import type { AdminUserDto, AdminUsersQueryDto, BranchDto, OrganisationDto } from '@crm/shared';
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db } from '../../db/database.ts';

// Queries of the admin page. Repositories take `db` or a transaction; services open transactions.

const OPEN_TASK = sql.lit('open');
const IN_PROGRESS = sql.lit('in_progress');

function usersQuery(db: Db) {
  return db
    .selectFrom('users as u')
    .leftJoin('branches as b', 'b.id', 'u.branch_id')
    .leftJoin('teams as t', 't.id', 'u.team_id')
    .leftJoin('users as s', 's.id', 'u.supervisor_id')
    .select([
      'u.id',
      'u.name',
      'u.email',
      'u.role',
      'u.is_active',
      'u.deactivated_at',
      'u.entra_tenant_id',
      'u.entra_object_id',
      'u.version',
      'b.id as branch_id',
      'b.code as branch_code',
      'b.name as branch_name',
      't.id as team_id',
      't.name as team_name',
      's.id as supervisor_id',
      's.name as supervisor_name',
      sql<
        string[]
      >`array(select a.address_key from user_addresses a where a.user_id = u.id and a.kind = 'alias' order by a.address_key)`.as(
        'aliases',
      ),
      sql<
        AdminUserDto['grants']
      >`array(select g.grant from role_grants g where g.user_id = u.id order by g.grant)`.as('grants'),
      sql<number>`(select count(*)::int from tasks x where x.assignee_id = u.id and x.status in (${OPEN_TASK}, ${IN_PROGRESS}))`.as(
        'open_tasks',
      ),
      sql<number>`(select count(*)::int from clients c where c.manager_id = u.id)`.as('managed_clients'),
      sql<number>`(select count(*)::int from users r where r.supervisor_id = u.id and r.is_active)`.as(
        'direct_reports',
      ),
      sql<number>`(select count(*)::int from teams t where t.supervisor_id = u.id)`.as('supervised_teams'),
      sql<number>`(select count(*)::int from application_stages s where s.owner_user_id = u.id and s.completed_at is null)`.as(
        'open_stages',
      ),
    ]);
}

type UserRow = Awaited<ReturnType<ReturnType<typeof usersQuery>['execute']>>[number];

function toDto(r: UserRow): AdminUserDto {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    aliases: r.aliases,
    role: r.role,
    grants: r.grants,
    branch: r.branch_id ? { id: r.branch_id, code: r.branch_code!, name: r.branch_name! } : null,
    team: r.team_id ? { id: r.team_id, name: r.team_name! } : null,
    supervisor: r.supervisor_id ? { id: r.supervisor_id, name: r.supervisor_name! } : null,
    entraTenantId: r.entra_tenant_id,
    entraObjectId: r.entra_object_id,
    isActive: r.is_active,
    deactivatedAt: r.deactivated_at ? new Date(r.deactivated_at).toISOString() : null,
    openTasks: r.open_tasks,
    managedClients: r.managed_clients,
    directReports: r.direct_reports,
    supervisedTeams: r.supervised_teams,
    openStages: r.open_stages,
    version: r.version,
  };
}

/** One user in the admin shape, or undefined. */
export async function findAdminUser(db: Db, id: string): Promise<AdminUserDto | undefined> {
  const row = await usersQuery(db).where('u.id', '=', id).executeTakeFirst();
  return row && toDto(row);
}

/** Users matching the filters, by name; `total` counts all matches. */
export async function findAdminUsers(
  db: Db,
  q: AdminUsersQueryDto,
): Promise<{ items: AdminUserDto[]; total: number }> {
  const filters: Expression<SqlBool>[] = [];
  if (q.q) {
    const like = `%${q.q
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(
      sql<SqlBool>`(lower(u.name) like ${like} or lower(u.email) like ${like} or exists (select 1 from user_addresses a where a.user_id = u.id and a.address_key like ${like}))`,
    );
  }
  if (q.role) filters.push(sql<SqlBool>`u.role = ${q.role}`);
  if (q.branchId) filters.push(sql<SqlBool>`u.branch_id = ${q.branchId}::uuid`);
  if (q.active !== undefined) filters.push(sql<SqlBool>`u.is_active = ${q.active}`);
  const where = filters.length > 0 ? sql.join(filters, sql` and `) : sql<SqlBool>`true`;
  const [rows, count] = await Promise.all([
    usersQuery(db)
      .where(where as Expression<SqlBool>)
      .orderBy('u.name')
      .orderBy('u.id')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute(),
    db
      .selectFrom('users as u')
      .where(where as Expression<SqlBool>)
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  const total = count.n;
  return { items: rows.map(toDto), total };
}

/** Regions, branches (with their number of active users) and teams (with members), by name. */
export async function findOrganisation(db: Db): Promise<OrganisationDto> {
  const [regions, branches, teams] = await Promise.all([
    db.selectFrom('regions').select(['id', 'name', 'version']).orderBy('name').execute(),
    db
      .selectFrom('branches as b')
      .select([
        'b.id',
        'b.code',
        'b.name',
        'b.region_id',
        'b.time_zone',
        'b.version',
        sql<number>`(select count(*)::int from users u where u.branch_id = b.id and u.is_active)`.as('users'),
      ])
      .orderBy('b.code')
      .execute(),
    db
      .selectFrom('teams as t')
      .leftJoin('users as s', 's.id', 't.supervisor_id')
      .select([
        't.id',
        't.branch_id',
        't.name',
        't.version',
        's.id as supervisor_id',
        's.name as supervisor_name',
        sql<number>`(select count(*)::int from users u where u.team_id = t.id and u.is_active)`.as('members'),
      ])
      .orderBy('t.name')
      .execute(),
  ]);
  return {
    regions,
    branches: branches.map(
      (b): BranchDto => ({
        id: b.id,
        code: b.code,
        name: b.name,
        regionId: b.region_id,
        timeZone: b.time_zone,
        users: b.users,
        version: b.version,
      }),
    ),
    teams: teams.map((t) => ({
      id: t.id,
      branchId: t.branch_id,
      name: t.name,
      supervisor: t.supervisor_id ? { id: t.supervisor_id, name: t.supervisor_name! } : null,
      members: t.members,
      version: t.version,
    })),
  };
}
