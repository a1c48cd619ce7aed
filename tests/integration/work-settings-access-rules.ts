import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../server/src/db/database.ts';

// The access-matrix rules of the work settings (access-matrix.test.ts spreads them into its RULES): the
// /admin/* routes are admin rights only (others 403, audited `access.denied`), every admin change audited;
// the pane's catalog (GET /task-types) is for everyone signed in. Each allowed change gets a record of its own
// (per caller and target), so versions never collide.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type PerCall = Record<Who, Record<Target, string>>;

/** Per caller and target: a task type to PATCH, and branches whose working hours PUT and PATCH change. */
export type WorkSettingsMatrixFixtures = { taskTypes: PerCall; putBranches: PerCall; patchBranches: PerCall };

type Ctx = { work: WorkSettingsMatrixFixtures };
type Rule = {
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: LightMyRequestResponse, c: Ctx, who: Who, target: Target) => void;
  audit?: (who: Who, target: Target) => Audit;
};

const SHORT: Record<Who, string> = {
  rm: 'RM',
  supervisor: 'SUP',
  creditOfficer: 'CO',
  admin: 'ADM',
  rmWithAdminGrant: 'RMA',
};
/** The four priorities, one per successful admin PATCH (two admin callers × own/other). */
const PRIORITY: Record<Target, Record<'admin' | 'rmWithAdminGrant', string>> = {
  own: { admin: 'low', rmWithAdminGrant: 'high' },
  other: { admin: 'normal', rmWithAdminGrant: 'urgent' },
};

export async function createWorkSettingsMatrixFixtures(
  db: Db,
  who: readonly Who[],
): Promise<WorkSettingsMatrixFixtures> {
  const f: WorkSettingsMatrixFixtures = { taskTypes: {}, putBranches: {}, patchBranches: {} } as never;
  for (const w of who) {
    f.taskTypes[w] = {} as Record<Target, string>;
    f.putBranches[w] = {} as Record<Target, string>;
    f.patchBranches[w] = {} as Record<Target, string>;
    for (const t of ['own', 'other'] as const) {
      const code = `mx_${SHORT[w]}_${t}`.toLowerCase();
      await db.insertInto('task_types').values({ code, name_ru: code, name_en: code }).execute();
      f.taskTypes[w][t] = code;
      for (const [k, m] of [
        ['putBranches', 'PU'],
        ['patchBranches', 'PA'],
      ] as const) {
        const branch = await db
          .insertInto('branches')
          .values({
            code: `WH-${SHORT[w]}-${t.slice(0, 3).toUpperCase()}-${m}`,
            name: `Hours ${w} ${t} ${m}`,
            region: 'Москва',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        f[k][w][t] = branch.id;
      }
    }
  }
  return f;
}

/** The rules, given the matrix's restatement of admin rights. */
export function workSettingsRules(hasAdminRights: (who: Who) => boolean): Record<string, Rule> {
  const adminOnly = (ok: number) => (who: Who) => (hasAdminRights(who) ? ok : 403);
  const audited =
    (action: string | null) =>
    (who: Who): Audit =>
      hasAdminRights(who)
        ? action
          ? { action, result: 'ok', withClient: false }
          : null
        : { action: 'access.denied', result: 'denied', withClient: false };
  const hours = {
    workDays: [1, 2, 3, 4, 5, 6],
    dayStart: '08:00',
    dayEnd: '17:00',
    timeZone: 'Europe/Moscow',
  };
  return {
    'GET /api/v1/admin/task-types': {
      request: () => ({ url: '/api/v1/admin/task-types' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'POST /api/v1/admin/task-types': {
      request: (_c, who, target) => ({
        url: '/api/v1/admin/task-types',
        payload: { code: `mx_new_${SHORT[who]}_${target}`.toLowerCase(), nameRu: 'Новый', nameEn: 'New' },
      }),
      status: adminOnly(201),
      audit: audited('task_type.create'),
    },
    'PATCH /api/v1/admin/task-types/:code': {
      request: (c, who, target) => ({
        method: 'PATCH',
        url: `/api/v1/admin/task-types/${c.work.taskTypes[who][target]}`,
        payload: { version: 1, nameEn: 'Renamed', active: false },
      }),
      status: adminOnly(200),
      audit: audited('task_type.update'),
    },
    'GET /api/v1/admin/task-priorities': {
      request: () => ({ url: '/api/v1/admin/task-priorities' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'PATCH /api/v1/admin/task-priorities/:code': {
      request: (_c, who, target) => ({
        method: 'PATCH',
        url: `/api/v1/admin/task-priorities/${who === 'admin' || who === 'rmWithAdminGrant' ? PRIORITY[target][who] : 'low'}`,
        payload: { version: 1, nameEn: `Renamed by ${who}` },
      }),
      status: adminOnly(200),
      audit: audited('task_priority.update'),
    },
    'GET /api/v1/admin/branches/:id/working-hours': {
      request: (c, who, target) => ({
        url: `/api/v1/admin/branches/${c.work.putBranches[who][target]}/working-hours`,
      }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'PUT /api/v1/admin/branches/:id/working-hours': {
      request: (c, who, target) => ({
        method: 'PUT',
        url: `/api/v1/admin/branches/${c.work.putBranches[who][target]}/working-hours`,
        payload: { version: 1, ...hours },
      }),
      status: adminOnly(200),
      audit: audited('branch.working_hours.update'),
    },
    'PATCH /api/v1/admin/branches/:id/working-hours': {
      request: (c, who, target) => ({
        method: 'PATCH',
        url: `/api/v1/admin/branches/${c.work.patchBranches[who][target]}/working-hours`,
        payload: { version: 1, dayEnd: '19:00' },
      }),
      status: adminOnly(200),
      audit: audited('branch.working_hours.update'),
    },
    'GET /api/v1/task-types': {
      request: () => ({ url: '/api/v1/task-types?lang=en' }),
      status: () => 200,
      check: (res) =>
        expect(res.json().taskTypes.map((x: { code: string }) => x.code)).toEqual(
          expect.arrayContaining(['call', 'meeting']),
        ),
    },
  };
}
