import type {
  ApprovalRouteDto,
  HolidayDto,
  HolidaysQueryDto,
  NotificationTemplateDto,
  RouteStageDto,
} from '@crm/shared';
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/database.ts';

// Queries of the admin page's credit settings: routes with their stages and use, holidays, templates.

const iso = (d: unknown) => new Date(d as Date).toISOString();

function routesQuery(db: Db) {
  return db
    .selectFrom('approval_routes as r')
    .select((eb) => [
      'r.id',
      'r.name',
      'r.version',
      'r.active',
      'r.loan_kind',
      'r.product_codes',
      'r.amount_min',
      'r.amount_max',
      'r.currency',
      'r.priority',
      'r.created_at',
      sql<number>`(select count(*)::int from credit_applications a where a.route_id = r.id)`.as(
        'applications',
      ),
      sql<number>`(select count(*)::int from credit_applications a where a.route_id = r.id and a.status = 'in_progress')`.as(
        'open_applications',
      ),
      jsonArrayFrom(
        eb
          .selectFrom('route_stages as s')
          .leftJoin('users as u', 'u.id', 's.owner_user_id')
          .whereRef('s.route_id', '=', 'r.id')
          .orderBy('s.ordinal')
          .select([
            's.id',
            's.ordinal',
            's.stage_code',
            's.owner_role',
            's.sla_working_hours',
            's.can_return_to',
            's.can_decline',
            's.decides',
            'u.id as owner_id',
            'u.name as owner_name',
            'u.is_active as owner_active',
          ]),
      ).as('stages'),
    ]);
}

type RouteRow = Awaited<ReturnType<ReturnType<typeof routesQuery>['execute']>>[number];

function routeDto(r: RouteRow): ApprovalRouteDto {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    active: r.active,
    loanKind: r.loan_kind,
    productCodes: r.product_codes,
    amountMin: r.amount_min,
    amountMax: r.amount_max,
    currency: r.currency.trim(),
    priority: r.priority,
    createdAt: iso(r.created_at),
    inUse: r.applications > 0,
    applications: r.applications,
    openApplications: r.open_applications,
    stages: r.stages.map(
      (s): RouteStageDto => ({
        id: s.id,
        ordinal: s.ordinal,
        stageCode: s.stage_code as RouteStageDto['stageCode'],
        ownerRole: s.owner_role,
        owner: s.owner_id ? { id: s.owner_id, name: s.owner_name ?? '', isActive: !!s.owner_active } : null,
        slaWorkingHours: s.sla_working_hours,
        canReturnTo: s.can_return_to as RouteStageDto['canReturnTo'],
        canDecline: s.can_decline,
        decides: s.decides,
      }),
    ),
  };
}

/** Every version of every route with stages and use, by name, newest version first. */
export async function findApprovalRoutes(db: Db): Promise<ApprovalRouteDto[]> {
  const rows = await routesQuery(db).orderBy('r.name').orderBy('r.version', 'desc').execute();
  return rows.map(routeDto);
}

/** One route version, or undefined. */
export async function findApprovalRoute(db: Db, id: string): Promise<ApprovalRouteDto | undefined> {
  const row = await routesQuery(db).where('r.id', '=', id).executeTakeFirst();
  return row && routeDto(row);
}

/** Loan products a route may name (any status: a planned product may get its route before launch). */
export async function findLoanProducts(db: Db) {
  return db
    .selectFrom('products')
    .where('kind', '=', 'loan')
    .select(['code', 'name', 'status'])
    .orderBy('code')
    .execute();
}

/**
 * Active routes other than `exceptName` with this priority and currency that share a product and whose
 * amount range meets [min, max] (null = open end): two of them would make the route choice arbitrary.
 */
export async function findOverlappingRoutes(
  db: Db,
  r: {
    name: string;
    productCodes: string[];
    currency: string;
    priority: number;
    min: string | null;
    max: string | null;
  },
): Promise<{ name: string; version: number }[]> {
  return db
    .selectFrom('approval_routes')
    .where('active', '=', true)
    .where('name', '<>', r.name)
    .where('currency', '=', r.currency)
    .where('priority', '=', r.priority)
    .where(sql<boolean>`product_codes && ${r.productCodes}::text[]`)
    .where(sql<boolean>`(amount_min is null or ${r.max}::numeric is null or amount_min <= ${r.max}::numeric)`)
    .where(sql<boolean>`(amount_max is null or ${r.min}::numeric is null or ${r.min}::numeric <= amount_max)`)
    .select(['name', 'version'])
    .orderBy('name')
    .execute();
}

export const holidayDto = (h: {
  id: string;
  country: string;
  region: string | null;
  date: string;
  kind: HolidayDto['kind'];
  name: string;
}): HolidayDto => ({
  id: h.id,
  country: h.country.trim(),
  region: h.region,
  date: h.date,
  kind: h.kind,
  name: h.name,
});

/** A year's production-calendar days; with `region`, the country's days and that region's. */
export async function findHolidays(db: Db, q: HolidaysQueryDto): Promise<HolidayDto[]> {
  let query = db
    .selectFrom('holidays')
    .selectAll()
    .where('country', '=', q.country ?? 'RU')
    .where(
      sql<boolean>`date >= make_date(${q.year}::int, 1, 1) and date <= make_date(${q.year}::int, 12, 31)`,
    );
  if (q.region) query = query.where((eb) => eb.or([eb('region', 'is', null), eb('region', '=', q.region!)]));
  const rows = await query.orderBy('date').orderBy(sql`region nulls first`).execute();
  return rows.map(holidayDto);
}

/** Region names (regions.name, which branches.region copies). */
export async function findRegionNames(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('regions').select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}

export const templateDto = (t: {
  event: string;
  channel: 'email' | 'sms';
  lang: 'ru' | 'en';
  subject: string | null;
  body: string;
  enabled: boolean;
  version: number;
  updated_at: unknown;
}): NotificationTemplateDto => ({
  event: t.event as NotificationTemplateDto['event'],
  channel: t.channel,
  lang: t.lang,
  subject: t.subject,
  body: t.body,
  enabled: t.enabled,
  version: t.version,
  updatedAt: iso(t.updated_at),
});

/** Every notification template, by event, channel, language. */
export async function findTemplates(db: Db): Promise<NotificationTemplateDto[]> {
  const rows = await db
    .selectFrom('notification_templates')
    .selectAll()
    .orderBy('event')
    .orderBy('channel')
    .orderBy('lang', 'desc')
    .execute();
  return rows.map(templateDto);
}
