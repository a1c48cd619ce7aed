import type { InjectOptions } from 'fastify';
import type { Db } from '../../server/src/db/database.ts';

// The access-matrix rules of the admin page's credit settings (/api/v1/admin/credit/*; access-matrix.test.ts
// spreads them into its RULES): admin rights only, every other caller 403 (audited `access.denied`), every
// change audited. Each allowed change gets records of its own (per caller and target), so versions and
// amount ranges never collide.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type PerCall = Record<Who, Record<Target, string>>;

export type CreditSettingsMatrixFixtures = {
  /** A route (version 1) per caller and target to save a new version of. */
  routes: PerCall;
  /** A route per caller and target to deactivate. */
  toDeactivate: PerCall;
  /** A production-calendar day per caller and target to delete. */
  holidays: PerCall;
};

type Ctx = { creditSettings: CreditSettingsMatrixFixtures };
type Rule = {
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  audit?: (who: Who, target: Target) => Audit;
};

const WHO_INDEX: Record<Who, number> = {
  rm: 0,
  supervisor: 1,
  creditOfficer: 2,
  admin: 3,
  rmWithAdminGrant: 4,
};
/** A number of its own per caller and target: 0..9. */
const slot = (who: Who, target: Target) => WHO_INDEX[who] * 2 + (target === 'own' ? 0 : 1);

const stages = (hours: number) => [
  {
    stageCode: 'intake',
    ownerRole: 'client_manager',
    ownerUserId: null,
    slaWorkingHours: hours,
    canReturnTo: [],
    canDecline: true,
    decides: false,
  },
  {
    stageCode: 'decision',
    ownerRole: 'supervisor',
    ownerUserId: null,
    slaWorkingHours: 8,
    canReturnTo: ['intake'],
    canDecline: true,
    decides: true,
  },
];

/** Routes in EUR with a priority of their own (no clash with the credit matrix's RUB routes), and days. */
export async function createCreditSettingsMatrixFixtures(
  db: Db,
  who: readonly Who[],
): Promise<CreditSettingsMatrixFixtures> {
  const product = await db
    .selectFrom('products')
    .where('code', '=', 'CONS-LOAN')
    .select('id')
    .executeTakeFirst();
  if (!product)
    await db
      .insertInto('products')
      .values({ code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' })
      .execute();
  const f = { routes: {}, toDeactivate: {}, holidays: {} } as CreditSettingsMatrixFixtures;
  for (const w of who) {
    for (const k of ['routes', 'toDeactivate', 'holidays'] as const) f[k][w] = {} as Record<Target, string>;
    for (const t of ['own', 'other'] as const) {
      const n = slot(w, t);
      for (const k of ['routes', 'toDeactivate'] as const) {
        const { id } = await db
          .insertInto('approval_routes')
          .values({
            name: `Matrix ${k} ${w} ${t}`,
            loan_kind: 'consumer',
            product_codes: ['CONS-LOAN'],
            currency: 'EUR',
            priority: (k === 'routes' ? 500 : 600) + n,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await db
          .insertInto('route_stages')
          .values({
            route_id: id,
            ordinal: 1,
            stage_code: 'intake',
            owner_role: 'client_manager',
            sla_working_hours: 4,
            decides: true,
          })
          .execute();
        f[k][w][t] = id;
      }
      const { id } = await db
        .insertInto('holidays')
        .values({
          country: 'RU',
          region: null,
          date: `2031-03-${String(n + 1).padStart(2, '0')}`,
          kind: 'holiday',
          name: 'Matrix',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      f.holidays[w][t] = id;
    }
  }
  return f;
}

const TEMPLATES = [
  'submitted/email/ru',
  'submitted/email/en',
  'submitted/sms/ru',
  'submitted/sms/en',
  'declined/email/ru',
  'declined/email/en',
  'declined/sms/ru',
  'declined/sms/en',
  'disbursed/sms/ru',
  'disbursed/sms/en',
];

/** The rules, given the matrix's restatement of admin rights. */
export function creditSettingsRules(hasAdminRights: (who: Who) => boolean): Record<string, Rule> {
  const adminOnly = (ok: number) => (who: Who) => (hasAdminRights(who) ? ok : 403);
  const audited =
    (action: string | null) =>
    (who: Who): Audit =>
      hasAdminRights(who)
        ? action
          ? { action, result: 'ok', withClient: false }
          : null
        : { action: 'access.denied', result: 'denied', withClient: false };
  return {
    'GET /api/v1/admin/credit/routes': {
      request: () => ({ url: '/api/v1/admin/credit/routes' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'POST /api/v1/admin/credit/routes': {
      request: (_c, who, target) => ({
        url: '/api/v1/admin/credit/routes',
        payload: {
          name: `New route ${who} ${target}`,
          loanKind: 'consumer',
          productCodes: ['CONS-LOAN'],
          amountMin: null,
          amountMax: null,
          currency: 'EUR',
          priority: 700 + slot(who, target),
          stages: stages(4),
        },
      }),
      status: adminOnly(201),
      audit: audited('approval_route.create'),
    },
    'POST /api/v1/admin/credit/routes/:id/versions': {
      request: (c, who, target) => ({
        url: `/api/v1/admin/credit/routes/${c.creditSettings.routes[who][target]}/versions`,
        payload: {
          version: 1,
          loanKind: 'consumer',
          productCodes: ['CONS-LOAN'],
          amountMin: null,
          amountMax: null,
          currency: 'EUR',
          priority: 500 + slot(who, target),
          stages: stages(6),
        },
      }),
      status: adminOnly(201),
      audit: audited('approval_route.version'),
    },
    'POST /api/v1/admin/credit/routes/:id/deactivate': {
      request: (c, who, target) => ({
        url: `/api/v1/admin/credit/routes/${c.creditSettings.toDeactivate[who][target]}/deactivate`,
        payload: { version: 1 },
      }),
      status: adminOnly(200),
      audit: audited('approval_route.deactivate'),
    },
    'GET /api/v1/admin/credit/holidays': {
      request: () => ({ url: '/api/v1/admin/credit/holidays?year=2026&country=RU' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'POST /api/v1/admin/credit/holidays': {
      request: (_c, who, target) => ({
        url: '/api/v1/admin/credit/holidays',
        payload: {
          country: 'RU',
          region: null,
          date: `2031-04-${String(slot(who, target) + 1).padStart(2, '0')}`,
          kind: 'holiday',
          name: `Matrix ${who} ${target}`,
        },
      }),
      status: adminOnly(201),
      audit: audited('holiday.create'),
    },
    'DELETE /api/v1/admin/credit/holidays/:id': {
      request: (c, who, target) => ({
        url: `/api/v1/admin/credit/holidays/${c.creditSettings.holidays[who][target]}`,
      }),
      status: adminOnly(200),
      audit: audited('holiday.delete'),
    },
    'GET /api/v1/admin/credit/templates': {
      request: () => ({ url: '/api/v1/admin/credit/templates' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'PATCH /api/v1/admin/credit/templates/:event/:channel/:lang': {
      request: (_c, who, target) => ({
        url: `/api/v1/admin/credit/templates/${TEMPLATES[slot(who, target)]}`,
        payload: { version: 1, enabled: false },
      }),
      status: adminOnly(200),
      audit: audited('notification_template.update'),
    },
    'POST /api/v1/admin/credit/templates/preview': {
      request: () => ({
        url: '/api/v1/admin/credit/templates/preview',
        payload: {
          event: 'submitted',
          lang: 'ru',
          subject: 'Заявка {{number}}',
          body: 'Здравствуйте, {{clientName}}!',
        },
      }),
      status: adminOnly(200),
      audit: audited(null),
    },
  };
}
