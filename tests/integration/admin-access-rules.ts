import type { InjectOptions } from 'fastify';
import type { Db } from '../../server/src/db/database.ts';
import type { Org } from '../support/fixtures.ts';

// The access-matrix rules of the admin API (/api/v1/admin/*; access-matrix.test.ts spreads them into its
// RULES): admin rights only, every other caller 403 (audited `access.denied`), every admin change audited.
// Each allowed change gets records of its own (per caller and target), so versions never collide.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type PerCall = Record<Who, Record<Target, string>>;

export type AdminMatrixFixtures = {
  users: PerCall;
  toDeactivate: PerCall;
  regions: PerCall;
  branches: PerCall;
  teams: PerCall;
};

const SHORT: Record<Who, string> = {
  rm: 'RM',
  supervisor: 'SUP',
  creditOfficer: 'CO',
  admin: 'ADM',
  rmWithAdminGrant: 'RMA',
};
/** A branch code of its own per caller and target, e.g. `MX-RMA-OTHER`. */
const code = (prefix: string, who: Who, target: Target) => `${prefix}-${SHORT[who]}-${target.toUpperCase()}`;

type Ctx = { clients: Record<Target, string>; admin: AdminMatrixFixtures };
type Rule = {
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  audit?: (who: Who, target: Target) => Audit;
};

export async function createAdminMatrixFixtures(
  db: Db,
  org: Org,
  who: readonly Who[],
): Promise<AdminMatrixFixtures> {
  const f = { users: {}, toDeactivate: {}, regions: {}, branches: {}, teams: {} } as AdminMatrixFixtures;
  for (const w of who) {
    for (const k of ['users', 'toDeactivate', 'regions', 'branches', 'teams'] as const)
      f[k][w] = {} as Record<Target, string>;
    for (const t of ['own', 'other'] as const) {
      const key = `${w}-${t}`.toLowerCase();
      for (const k of ['users', 'toDeactivate'] as const) {
        const email = `matrix.${k.toLowerCase()}.${key}@bank.example`;
        const user = await db
          .insertInto('users')
          .values({ name: `Matrix ${key}`, email, role: 'relationship_manager', branch_id: org.branches.msk })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db
          .insertInto('user_addresses')
          .values({ address_key: email, user_id: user.id, kind: 'email' })
          .execute();
        f[k][w][t] = user.id;
      }
      const region = await db
        .insertInto('regions')
        .values({ name: `Matrix region ${key}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      f.regions[w][t] = region.id;
      const branch = await db
        .insertInto('branches')
        .values({ code: code('MX', w, t), name: `Matrix ${key}`, region: `Matrix region ${key}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      f.branches[w][t] = branch.id;
      const team = await db
        .insertInto('teams')
        .values({ branch_id: org.branches.msk, name: `Matrix team ${key}`, supervisor_id: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      f.teams[w][t] = team.id;
    }
  }
  return f;
}

/** The rules, given the matrix's restatement of admin rights. */
export function adminRules(hasAdminRights: (who: Who) => boolean): Record<string, Rule> {
  const adminOnly = (ok: number) => (who: Who) => (hasAdminRights(who) ? ok : 403);
  const audited =
    (action: string | null, withClient = false) =>
    (who: Who): Audit =>
      hasAdminRights(who)
        ? action
          ? { action, result: 'ok', withClient }
          : null
        : { action: 'access.denied', result: 'denied', withClient: false };
  const key = (who: Who, target: Target) => `${who}.${target}`.toLowerCase();
  return {
    'GET /api/v1/admin/users': {
      request: () => ({ url: '/api/v1/admin/users?q=matrix&active=true&limit=5' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'GET /api/v1/admin/users/:id': {
      request: (c, who, target) => ({ url: `/api/v1/admin/users/${c.admin.users[who][target]}` }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'POST /api/v1/admin/users': {
      request: (_c, who, target) => ({
        url: '/api/v1/admin/users',
        payload: {
          name: `New ${key(who, target)}`,
          email: `new.${key(who, target)}@bank.example`,
          role: 'relationship_manager',
        },
      }),
      status: adminOnly(201),
      audit: audited('user.create'),
    },
    'PATCH /api/v1/admin/users/:id': {
      request: (c, who, target) => ({
        method: 'PATCH',
        url: `/api/v1/admin/users/${c.admin.users[who][target]}`,
        payload: { version: 1, name: `Renamed ${key(who, target)}` },
      }),
      status: adminOnly(200),
      audit: audited('user.update'),
    },
    'POST /api/v1/admin/users/:id/deactivate': {
      // Users with no tasks and no clients: no reassignment needed.
      request: (c, who, target) => ({
        url: `/api/v1/admin/users/${c.admin.toDeactivate[who][target]}/deactivate`,
        payload: { version: 1 },
      }),
      status: adminOnly(200),
      audit: audited('user.deactivate'),
    },
    'GET /api/v1/admin/organisation': {
      request: () => ({ url: '/api/v1/admin/organisation' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'POST /api/v1/admin/regions': {
      request: (_c, who, target) => ({
        url: '/api/v1/admin/regions',
        payload: { name: `Region ${key(who, target)}` },
      }),
      status: adminOnly(201),
      audit: audited('region.create'),
    },
    'PATCH /api/v1/admin/regions/:id': {
      request: (c, who, target) => ({
        method: 'PATCH',
        url: `/api/v1/admin/regions/${c.admin.regions[who][target]}`,
        payload: { version: 1, name: `Renamed region ${key(who, target)}` },
      }),
      status: adminOnly(200),
      audit: audited('region.update'),
    },
    'POST /api/v1/admin/branches': {
      request: (c, who, target) => ({
        url: '/api/v1/admin/branches',
        payload: {
          code: code('NB', who, target),
          name: `Branch ${key(who, target)}`,
          regionId: c.admin.regions[who][target],
          timeZone: 'Asia/Yekaterinburg',
        },
      }),
      status: adminOnly(201),
      audit: audited('branch.create'),
    },
    'PATCH /api/v1/admin/branches/:id': {
      request: (c, who, target) => ({
        method: 'PATCH',
        url: `/api/v1/admin/branches/${c.admin.branches[who][target]}`,
        payload: { version: 1, timeZone: 'Asia/Vladivostok' },
      }),
      status: adminOnly(200),
      audit: audited('branch.update'),
    },
    'POST /api/v1/admin/teams': {
      request: (c, who, target) => ({
        url: '/api/v1/admin/teams',
        payload: { branchId: c.admin.branches[who][target], name: `Team ${key(who, target)}` },
      }),
      status: adminOnly(201),
      audit: audited('team.create'),
    },
    'PATCH /api/v1/admin/teams/:id': {
      request: (c, who, target) => ({
        method: 'PATCH',
        url: `/api/v1/admin/teams/${c.admin.teams[who][target]}`,
        payload: { version: 1, name: `Renamed team ${key(who, target)}` },
      }),
      status: adminOnly(200),
      audit: audited('team.update'),
    },
    'GET /api/v1/admin/audit-events.csv': {
      request: (c, _who, target) => ({ url: `/api/v1/admin/audit-events.csv?clientId=${c.clients[target]}` }),
      status: adminOnly(200),
      audit: audited('audit.export', true),
    },
  };
}
