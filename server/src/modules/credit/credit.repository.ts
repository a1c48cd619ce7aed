import type {
  ApplicationStageDto,
  CreditApplicationDetailDto,
  CreditNoticeDto,
  SlaReportDto,
  SlaReportQueryDto,
} from '@crm/shared';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { ApprovalRoutesTable, RouteStagesTable } from '../../db/types.ts';
import { type Principal, visibleClient } from '../auth/principal.ts';

// Queries of the credit module; the first argument is the database or the caller's transaction.

export type RouteRow = Selectable<ApprovalRoutesTable>;
export type RouteStageRow = Selectable<RouteStagesTable>;

/** The active route for a product and amount: the highest priority, then the newest version. */
export async function findRouteFor(
  db: Db,
  productCode: string,
  amount: string,
  currency: string,
): Promise<RouteRow | undefined> {
  return db
    .selectFrom('approval_routes')
    .selectAll()
    .where('active', '=', true)
    .where(sql<boolean>`${productCode} = any(product_codes)`)
    .where('currency', '=', currency)
    .where(sql<boolean>`(amount_min is null or amount_min <= ${amount}::numeric)`)
    .where(sql<boolean>`(amount_max is null or amount_max >= ${amount}::numeric)`)
    .orderBy('priority', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findRouteStages(db: Db, routeId: string): Promise<RouteStageRow[]> {
  return db
    .selectFrom('route_stages')
    .selectAll()
    .where('route_id', '=', routeId)
    .orderBy('ordinal')
    .execute();
}

/**
 * Who owns a stage of this application: the named user when active; for a role queue the client's manager,
 * the manager's supervisor, or the credit officer of the application's branch with the fewest open stages.
 * Null when nobody fits (the queue waits for a supervisor to assign).
 */
export async function resolveStageOwner(
  db: Db,
  stage: Pick<RouteStageRow, 'owner_role' | 'owner_user_id'>,
  app: { client_id: string; branch_id: string | null; created_by: string | null },
): Promise<string | null> {
  if (stage.owner_user_id) {
    const u = await db
      .selectFrom('users')
      .where('id', '=', stage.owner_user_id)
      .where('is_active', '=', true)
      .select('id')
      .executeTakeFirst();
    return u?.id ?? null;
  }
  const manager = await db
    .selectFrom('clients as c')
    .leftJoin('users as m', (j) => j.onRef('m.id', '=', 'c.manager_id').on('m.is_active', '=', true))
    .where('c.id', '=', app.client_id)
    .select(['m.id', 'm.supervisor_id'])
    .executeTakeFirst();
  const managerId = manager?.id ?? app.created_by;
  switch (stage.owner_role) {
    case 'client_manager':
      return managerId;
    case 'supervisor': {
      if (!managerId) return null;
      const row = await db
        .selectFrom('users as u')
        .leftJoin('users as s', (j) => j.onRef('s.id', '=', 'u.supervisor_id').on('s.is_active', '=', true))
        .where('u.id', '=', managerId)
        .select('s.id')
        .executeTakeFirst();
      return row?.id ?? null;
    }
    case 'credit_officer': {
      if (!app.branch_id) return null;
      const row = await db
        .selectFrom('users as u')
        .where('u.role', '=', 'credit_officer')
        .where('u.is_active', '=', true)
        .where('u.branch_id', '=', app.branch_id)
        .select('u.id')
        .orderBy(
          sql`(select count(*) from application_stages s where s.owner_user_id = u.id and s.completed_at is null)`,
        )
        .orderBy('u.id')
        .limit(1)
        .executeTakeFirst();
      return row?.id ?? null;
    }
    default:
      return null;
  }
}

const iso = (d: unknown) => (d === null || d === undefined ? null : new Date(d as Date).toISOString());

type StageJoinRow = {
  id: string;
  stage_code: string;
  owner_role: string | null;
  sla_working_hours: number | null;
  entered_at: Date;
  due_at: Date | null;
  completed_at: Date | null;
  outcome: string | null;
  comment: string | null;
  sla_state: string;
  task_id: string | null;
  owner_id: string | null;
  owner_name: string | null;
  completed_by_id: string | null;
  completed_by_name: string | null;
};

function stageDto(r: StageJoinRow): ApplicationStageDto {
  return {
    id: r.id,
    stage: r.stage_code as ApplicationStageDto['stage'],
    owner: r.owner_id ? { id: r.owner_id, name: r.owner_name ?? '' } : null,
    ownerRole: (r.owner_role as ApplicationStageDto['ownerRole']) ?? null,
    slaWorkingHours: r.sla_working_hours,
    enteredAt: iso(r.entered_at)!,
    dueAt: iso(r.due_at),
    completedAt: iso(r.completed_at),
    completedBy: r.completed_by_id ? { id: r.completed_by_id, name: r.completed_by_name ?? '' } : null,
    outcome: (r.outcome as ApplicationStageDto['outcome']) ?? null,
    comment: r.comment,
    slaState: r.sla_state as ApplicationStageDto['slaState'],
    taskId: r.task_id,
  };
}

/** Every stage of an application, oldest first. */
export async function findStages(db: Db, applicationId: string): Promise<ApplicationStageDto[]> {
  const rows = await db
    .selectFrom('application_stages as s')
    .leftJoin('users as o', 'o.id', 's.owner_user_id')
    .leftJoin('users as cb', 'cb.id', 's.completed_by')
    .where('s.application_id', '=', applicationId)
    .orderBy('s.entered_at')
    .orderBy('s.completed_at', (ob) => ob.asc().nullsLast())
    .select([
      's.id',
      's.stage_code',
      's.owner_role',
      's.sla_working_hours',
      's.entered_at',
      's.due_at',
      's.completed_at',
      's.outcome',
      's.comment',
      's.sla_state',
      's.task_id',
      'o.id as owner_id',
      'o.name as owner_name',
      'cb.id as completed_by_id',
      'cb.name as completed_by_name',
    ])
    .execute();
  return rows.map((r) => stageDto(r as StageJoinRow));
}

const noticeSelect = (db: Db) =>
  db
    .selectFrom('credit_notices as n')
    .innerJoin('credit_applications as a', 'a.id', 'n.application_id')
    .innerJoin('clients as c', 'c.id', 'a.client_id')
    .innerJoin('users as r', 'r.id', 'n.user_id')
    .leftJoin('users as au', 'au.id', 'n.author_id')
    .leftJoin('application_stages as s', 's.id', 'n.stage_id')
    .leftJoin('users as so', 'so.id', 's.owner_user_id')
    .select([
      's.due_at as stage_due_at',
      'so.id as stage_owner_id',
      'so.name as stage_owner_name',
      'n.id',
      'n.kind',
      'n.application_id',
      'a.number',
      'c.id as client_id',
      'c.display_name as client_name',
      's.stage_code',
      'n.message',
      'au.id as author_id',
      'au.name as author_name',
      'r.id as recipient_id',
      'r.name as recipient_name',
      'n.created_at',
      'n.read_at',
    ]);

type NoticeRow = Awaited<ReturnType<ReturnType<typeof noticeSelect>['execute']>>[number];
const noticeDto = (n: NoticeRow): CreditNoticeDto => ({
  id: String(n.id),
  kind: n.kind,
  applicationId: n.application_id,
  applicationNumber: n.number,
  client: { id: n.client_id, displayName: n.client_name },
  stage: (n.stage_code as CreditNoticeDto['stage']) ?? null,
  stageDueAt: iso(n.stage_due_at),
  stageOwner: n.stage_owner_id ? { id: n.stage_owner_id, name: n.stage_owner_name ?? '' } : null,
  message: n.message,
  author: n.author_id ? { id: n.author_id, name: n.author_name ?? '' } : null,
  recipient: { id: n.recipient_id, name: n.recipient_name },
  createdAt: iso(n.created_at)!,
  readAt: iso(n.read_at),
});

/** One notice by id. */
export async function findNotice(db: Db, id: string): Promise<CreditNoticeDto | undefined> {
  const row = await noticeSelect(db).where('n.id', '=', id).executeTakeFirst();
  return row && noticeDto(row);
}

/** Nudges on an application, oldest first. */
export async function findNudges(db: Db, applicationId: string): Promise<CreditNoticeDto[]> {
  const rows = await noticeSelect(db)
    .where('n.application_id', '=', applicationId)
    .where('n.kind', '=', 'nudge')
    .orderBy('n.id')
    .limit(200)
    .execute();
  return rows.map(noticeDto);
}

/**
 * The principal's own notices (nudges to them, SLA notices, escalations) on applications whose client they
 * may still see (a client moved to another branch takes its notices out of view), newest first.
 */
export async function findNoticesFor(
  db: Db,
  p: Principal,
  opts: { unread?: boolean; limit: number },
): Promise<CreditNoticeDto[]> {
  let q = noticeSelect(db).where('n.user_id', '=', p.id).where(visibleClient(p));
  if (opts.unread) q = q.where('n.read_at', 'is', null);
  const rows = await q.orderBy('n.id', 'desc').limit(opts.limit).execute();
  return rows.map(noticeDto);
}

/** How many of the principal's notices are unread, counting only those {@link findNoticesFor} would list. */
export async function countUnreadNotices(db: Db, p: Principal): Promise<number> {
  const row = await db
    .selectFrom('credit_notices as n')
    .innerJoin('credit_applications as a', 'a.id', 'n.application_id')
    .innerJoin('clients as c', 'c.id', 'a.client_id')
    .where('n.user_id', '=', p.id)
    .where('n.read_at', 'is', null)
    .where(visibleClient(p))
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * Marks the principal's unread notices read: the given ids, or all (`'all'`). Other users' notices, already
 * read ones and those of clients out of view are left alone. Returns the notices it marked with their client.
 */
export async function markNoticesRead(
  db: Db,
  p: Principal,
  ids: string[] | 'all',
): Promise<{ id: string; clientId: string }[]> {
  let q = db
    .updateTable('credit_notices as n')
    .set({ read_at: sql`now()` })
    .where('n.user_id', '=', p.id)
    .where('n.read_at', 'is', null)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('credit_applications as a')
          .innerJoin('clients as c', 'c.id', 'a.client_id')
          .whereRef('a.id', '=', 'n.application_id')
          .where(visibleClient(p))
          .select('a.id'),
      ),
    );
  if (ids !== 'all') q = q.where('n.id', '=', sql<string>`any(${ids}::bigint[])`);
  const rows = await q
    .returning([
      'n.id',
      sql<string>`(select a.client_id from credit_applications a where a.id = n.application_id)`.as(
        'client_id',
      ),
    ])
    .execute();
  return rows.map((r) => ({ id: String(r.id), clientId: r.client_id }));
}

/**
 * Who may move a stage: its owner, the owner's supervisor, or (an unassigned queue) a holder of the queue's
 * role (an RM queue: RMs and supervisors).
 */
export function canActOnStage(
  p: Principal,
  stage: { owner_user_id: string | null; owner_role: string | null },
): boolean {
  if (stage.owner_user_id)
    return (
      p.id === stage.owner_user_id || (p.role === 'supervisor' && p.teamIds.includes(stage.owner_user_id))
    );
  if (stage.owner_role === 'credit_officer') return p.role === 'credit_officer';
  if (stage.owner_role === 'supervisor') return p.role === 'supervisor';
  return p.role === 'relationship_manager' || p.role === 'supervisor';
}

/**
 * Who speaks for the client: their manager, or that manager's supervisor. They record a client's refusal; they
 * never approve the application (four eyes: banking.md, "Credit applications").
 */
export function managesClient(p: Principal, clientManagerId: string | null): boolean {
  if (!clientManagerId) return false;
  return p.id === clientManagerId || (p.role === 'supervisor' && p.teamIds.includes(clientManagerId));
}

/**
 * Four eyes: whoever brought the application or manages the client does not approve it (a supervisor who
 * manages a client himself would otherwise take the unowned supervisors' decision stage).
 */
export function mayApprove(p: Principal, app: { created_by: string | null }, clientManagerId: string | null) {
  return p.id !== app.created_by && p.id !== clientManagerId;
}

/** What `p` may do to an application now (see `CreditApplicationDetail.actions`). */
async function allowedActions(
  db: Db,
  p: Principal,
  app: {
    id: string;
    status: string;
    decision: string | null;
    created_by: string | null;
    client_manager_id: string | null;
    cooling_off_ends_at: Date | null;
  },
): Promise<CreditApplicationDetailDto['actions']> {
  const applicationId = app.id;
  const { status, decision } = app;
  const none = { advance: false, returnTo: [], approve: false, decline: false, refuse: false };
  if (status !== 'in_progress') return none;
  const open = await db
    .selectFrom('application_stages as s')
    .leftJoin('route_stages as rs', 'rs.id', 's.route_stage_id')
    .where('s.application_id', '=', applicationId)
    .where('s.completed_at', 'is', null)
    .select([
      's.owner_user_id',
      's.owner_role',
      'rs.route_id',
      'rs.ordinal',
      'rs.decides',
      'rs.can_decline',
      'rs.can_return_to',
    ])
    .executeTakeFirst();
  if (!open) return none;
  const acts = canActOnStage(p, open);
  const refuse = acts || managesClient(p, app.client_manager_id);
  if (!acts || !open.route_id || open.ordinal === null) return { ...none, refuse };
  // The last stage pays out: not before the cooling-off period ends (the advance would be refused).
  const later = await db
    .selectFrom('route_stages')
    .where('route_id', '=', open.route_id)
    .where('ordinal', '>', open.ordinal)
    .select('id')
    .limit(1)
    .executeTakeFirst();
  const coolingOff =
    !later && app.cooling_off_ends_at !== null && app.cooling_off_ends_at.getTime() > Date.now();
  const returnTo = (open.can_return_to ?? []).length
    ? (
        await db
          .selectFrom('route_stages')
          .where('route_id', '=', open.route_id)
          .where('stage_code', 'in', open.can_return_to ?? [])
          .where('ordinal', '<', open.ordinal)
          .orderBy('ordinal')
          .select('stage_code')
          .execute()
      ).map((r) => r.stage_code as CreditApplicationDetailDto['actions']['returnTo'][number])
    : [];
  return {
    advance: !(open.decides && !decision) && !coolingOff,
    returnTo,
    approve: Boolean(open.decides) && mayApprove(p, app, app.client_manager_id),
    decline: Boolean(open.can_decline || open.decides),
    refuse,
  };
}

/** The application in the API shape, when its client is visible to the principal. */
export async function findApplicationDetail(
  db: Db,
  p: Principal,
  id: string,
): Promise<CreditApplicationDetailDto | null> {
  const a = await db
    .selectFrom('credit_applications as a')
    .innerJoin('clients as c', 'c.id', 'a.client_id')
    .innerJoin('products as pr', 'pr.id', 'a.product_id')
    .leftJoin('approval_routes as r', 'r.id', 'a.route_id')
    .leftJoin('users as db_', 'db_.id', 'a.decided_by')
    .leftJoin('users as cb', 'cb.id', 'a.created_by')
    .where('a.id', '=', id)
    .where(visibleClient(p))
    .select([
      'a.id',
      'a.number',
      'a.version',
      'a.client_id',
      'c.display_name',
      'c.manager_id as client_manager_id',
      'pr.code as product_code',
      'pr.name as product_name',
      'pr.kind as product_kind',
      'a.amount',
      'a.currency',
      'a.term_months',
      'a.rate_percent',
      'a.purpose',
      'a.collateral_description',
      'a.status',
      'a.stage',
      'r.id as route_id',
      'r.name as route_name',
      'a.route_version',
      'a.monthly_income',
      'a.existing_monthly_payments',
      'a.new_monthly_payment',
      'a.pdn_percent',
      'a.cooling_off_hours',
      'a.cooling_off_ends_at',
      'a.decision',
      'a.decided_at',
      'db_.id as decided_by_id',
      'db_.name as decided_by_name',
      'a.decision_reason',
      'a.approved_amount',
      'a.approved_term_months',
      'a.approved_rate_percent',
      'a.created_at',
      'cb.id as created_by_id',
      'cb.name as created_by_name',
    ])
    .executeTakeFirst();
  if (!a) return null;
  const parties = await db
    .selectFrom('credit_application_parties as cp')
    .innerJoin('clients as c', 'c.id', 'cp.client_id')
    .where('cp.application_id', '=', id)
    .select(['cp.client_id', 'c.display_name', 'cp.role', visibleClient(p).as('visible')])
    .orderBy('c.display_name')
    .execute();
  const stages = await findStages(db, id);
  const currency = a.currency.trim();
  const pdnWarning = a.pdn_percent !== null && Number(a.pdn_percent) > 50;
  const seesPersonalData = p.grants.includes('view_personal_data');
  return {
    id: a.id,
    number: a.number,
    version: a.version,
    client: { id: a.client_id, displayName: a.display_name },
    product: { code: a.product_code, name: a.product_name, kind: a.product_kind },
    amount: { amount: a.amount, currency },
    termMonths: a.term_months,
    ratePercent: a.rate_percent,
    purpose: a.purpose,
    collateralDescription: a.collateral_description,
    status: a.status,
    stage: a.stage as CreditApplicationDetailDto['stage'],
    route: a.route_id ? { id: a.route_id, name: a.route_name ?? '', version: a.route_version ?? 1 } : null,
    // Income is personal data (banking.md): withheld without `view_personal_data`; the ratio stays, as credit work needs it.
    pdn: {
      monthlyIncome: seesPersonalData ? a.monthly_income : null,
      existingMonthlyPayments: seesPersonalData ? a.existing_monthly_payments : null,
      newMonthlyPayment: a.new_monthly_payment,
      ratioPercent: a.pdn_percent,
      warning: pdnWarning,
      masked: !seesPersonalData,
    },
    coolingOff: { hours: a.cooling_off_hours, endsAt: iso(a.cooling_off_ends_at) },
    decision: (a.decision as CreditApplicationDetailDto['decision']) ?? null,
    decisionDetails: a.decided_at
      ? {
          decidedAt: iso(a.decided_at)!,
          decidedBy: a.decided_by_id ? { id: a.decided_by_id, name: a.decided_by_name ?? '' } : null,
          reason: a.decision_reason,
          approvedTerms:
            a.approved_amount !== null
              ? {
                  amount: { amount: a.approved_amount, currency },
                  termMonths: a.approved_term_months ?? a.term_months,
                  ratePercent: a.approved_rate_percent,
                }
              : null,
        }
      : null,
    parties: parties
      .filter((x) => x.visible)
      .map((x) => ({ clientId: x.client_id, displayName: x.display_name, role: x.role })),
    hiddenParties: parties.filter((x) => !x.visible).length,
    currentStage: stages.find((s) => s.completedAt === null) ?? null,
    stages,
    nudges: await findNudges(db, id),
    createdAt: iso(a.created_at)!,
    createdBy: a.created_by_id ? { id: a.created_by_id, name: a.created_by_name ?? '' } : null,
    actions: await allowedActions(db, p, {
      id,
      status: a.status,
      decision: a.decision,
      created_by: a.created_by_id,
      client_manager_id: a.client_manager_id,
      cooling_off_ends_at: a.cooling_off_ends_at,
    }),
  };
}

/**
 * Breaches per stage, owner or branch over stage visits entered in [from, to). `branchIds` null: every
 * branch (admin rights); else only applications of those branches.
 */
export async function slaReport(
  db: Db,
  q: SlaReportQueryDto,
  branchIds: string[] | null,
): Promise<SlaReportDto> {
  const key =
    q.groupBy === 'stage'
      ? sql<string | null>`s.stage_code`
      : q.groupBy === 'owner'
        ? sql<string | null>`s.owner_user_id::text`
        : sql<string | null>`a.branch_id::text`;
  const label =
    q.groupBy === 'stage'
      ? sql<string>`s.stage_code`
      : q.groupBy === 'owner'
        ? sql<string>`coalesce(min(o.name), '—')`
        : sql<string>`coalesce(min(b.code || ' ' || b.name), '—')`;
  let query = db
    .selectFrom('application_stages as s')
    .innerJoin('credit_applications as a', 'a.id', 's.application_id')
    .leftJoin('users as o', 'o.id', 's.owner_user_id')
    .leftJoin('branches as b', 'b.id', 'a.branch_id')
    .where(sql<boolean>`s.entered_at >= ${q.from}::timestamptz and s.entered_at < ${q.to}::timestamptz`)
    .select([
      key.as('key'),
      label.as('label'),
      sql<number>`count(*)::int`.as('stages'),
      sql<number>`count(*) filter (where s.sla_state = 'breached')::int`.as('breached'),
      sql<number>`count(*) filter (where s.sla_state = 'at_risk')::int`.as('at_risk'),
      sql<number>`count(*) filter (where s.sla_state = 'breached' and s.completed_at is null)::int`.as(
        'open_breached',
      ),
    ])
    .groupBy(key)
    .orderBy(sql`count(*) filter (where s.sla_state = 'breached')`, 'desc')
    .orderBy(key);
  if (branchIds) query = query.where(sql<boolean>`a.branch_id = any(${branchIds}::uuid[])`);
  if (q.groupBy === 'stage') query = query.groupBy('s.stage_code');
  const rows = await query.execute();
  return {
    groupBy: q.groupBy,
    rows: rows.map((r) => ({
      key: r.key,
      label: r.label,
      stages: r.stages,
      breached: r.breached,
      atRisk: r.at_risk,
      openBreached: r.open_breached,
    })),
  };
}
