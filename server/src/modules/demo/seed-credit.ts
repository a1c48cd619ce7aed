import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { LoanKind, StageOwnerRole } from '../../db/types.ts';
import type { RequestOrigin } from '../audit/audit.repository.ts';
import { stageTaskInput } from '../credit/credit.service.ts';
import { createWorkflowTasks } from '../tasks/workflow-tasks.service.ts';

// Approval routes of the demo bank and the conversion of its seeded applications to walk them. SLA norms are
// bank settings (banking.md: no regulatory SLA; consumer loans hours to 3 days, mortgages 3-7 working days).

type StageSpec = {
  code: string;
  owner: StageOwnerRole;
  slaHours: number;
  returnTo?: string[];
  decline?: boolean;
  decides?: boolean;
};
export type RouteSpec = {
  name: string;
  loanKind: LoanKind;
  productCodes: string[];
  currency: string;
  amountMin: string | null;
  amountMax: string | null;
  stages: StageSpec[];
};

const retailStages = (underwritingHours: number, decisionHours: number): StageSpec[] => [
  { code: 'intake', owner: 'client_manager', slaHours: 4, decline: true },
  { code: 'documents', owner: 'client_manager', slaHours: 8, decline: true },
  { code: 'scoring', owner: 'credit_officer', slaHours: 4, returnTo: ['documents'], decline: true },
  { code: 'security_check', owner: 'credit_officer', slaHours: 8, returnTo: ['documents'], decline: true },
  {
    code: 'underwriting',
    owner: 'credit_officer',
    slaHours: underwritingHours,
    returnTo: ['documents'],
    decline: true,
  },
  {
    code: 'decision',
    owner: 'supervisor',
    slaHours: decisionHours,
    returnTo: ['documents', 'underwriting'],
    decides: true,
  },
  { code: 'signing', owner: 'client_manager', slaHours: 16 },
  { code: 'disbursement', owner: 'client_manager', slaHours: 8 },
];

/** The demo bank's routes: consumer loans, mortgages, corporate loans (credit committee decides). */
export const DEFAULT_ROUTES: RouteSpec[] = [
  {
    name: 'Потребительский кредит',
    loanKind: 'consumer',
    productCodes: ['CONS-LOAN'],
    currency: 'RUB',
    amountMin: '1.00',
    amountMax: null,
    stages: retailStages(16, 8),
  },
  {
    name: 'Ипотека',
    loanKind: 'mortgage',
    productCodes: ['MORTGAGE'],
    currency: 'RUB',
    amountMin: '1.00',
    amountMax: null,
    stages: retailStages(24, 16),
  },
  {
    name: 'Кредит юридическому лицу',
    loanKind: 'corporate',
    productCodes: ['CORP-LOAN', 'CREDIT-LINE'],
    currency: 'RUB',
    amountMin: '1.00',
    amountMax: null,
    stages: [
      { code: 'intake', owner: 'client_manager', slaHours: 8, decline: true },
      { code: 'documents', owner: 'client_manager', slaHours: 16, decline: true },
      { code: 'scoring', owner: 'credit_officer', slaHours: 16, returnTo: ['documents'], decline: true },
      {
        code: 'security_check',
        owner: 'credit_officer',
        slaHours: 24,
        returnTo: ['documents'],
        decline: true,
      },
      { code: 'underwriting', owner: 'credit_officer', slaHours: 40, returnTo: ['documents'], decline: true },
      {
        code: 'credit_committee',
        owner: 'supervisor',
        slaHours: 24,
        returnTo: ['documents', 'underwriting'],
        decides: true,
      },
      { code: 'signing', owner: 'client_manager', slaHours: 24 },
      { code: 'disbursement', owner: 'client_manager', slaHours: 16 },
    ],
  },
];

/** Inserts routes (version 1, active) with their stages; `uuid` makes the ids deterministic. Returns ids. */
export async function insertRoutes(db: Db, routes: RouteSpec[], uuid: () => string): Promise<string[]> {
  const ids: string[] = [];
  for (const r of routes) {
    const id = uuid();
    ids.push(id);
    await db
      .insertInto('approval_routes')
      .values({
        id,
        name: r.name,
        loan_kind: r.loanKind,
        product_codes: r.productCodes,
        currency: r.currency,
        amount_min: r.amountMin,
        amount_max: r.amountMax,
      })
      .execute();
    await db
      .insertInto('route_stages')
      .values(
        r.stages.map((s, i) => ({
          id: uuid(),
          route_id: id,
          ordinal: (i + 1) * 10,
          stage_code: s.code,
          owner_role: s.owner,
          sla_working_hours: s.slaHours,
          can_return_to: s.returnTo ?? [],
          can_decline: s.decline ?? false,
          decides: s.decides ?? false,
        })),
      )
      .execute();
  }
  return ids;
}

/**
 * Puts the demo routes in, gives every branch its calendar row (Mon-Fri 09:00-18:00) and converts the seeded
 * applications: route, branch, the RM as author, the current stage as an open `application_stages` row with
 * its owner (role queue resolved as the API does), the owner's task (as entering the stage through the API
 * creates it: history, calendar sync job, audit; authored by the application's RM) and its at-risk time at
 * 80% of the seeded SLA. Stages past their time stay `on_track` so the first SLA scan notices and escalates
 * them, as it would in production.
 */
export async function seedCreditWorkflow(db: Db, uuid: () => string): Promise<void> {
  await insertRoutes(db, DEFAULT_ROUTES, uuid);
  await sql`insert into branch_calendars (branch_id) select id from branches on conflict do nothing`.execute(
    db,
  );
  // Stage names the route does not have: the consumer routes decide at `decision`, corporate at the committee.
  await sql`
    update credit_applications a set
      route_id = r.id, route_version = r.version, created_by = c.manager_id,
      branch_id = (select cb.branch_id from client_branches cb join branches b on b.id = cb.branch_id
                   where cb.client_id = a.client_id order by b.code limit 1),
      stage = case
        when a.stage = any(array(select stage_code from route_stages where route_id = r.id)) then a.stage
        when r.loan_kind = 'corporate' then 'credit_committee' else 'decision' end
    from clients c, products p, approval_routes r
    where c.id = a.client_id and p.id = a.product_id and p.code = any(r.product_codes) and r.active
      and a.route_id is null`.execute(db);
  await sql`
    insert into application_stages (id, application_id, route_stage_id, stage_code, owner_user_id, owner_role,
      sla_working_hours, entered_at, at_risk_at, due_at)
    select md5(a.id::text || ':stage:' || rs.stage_code)::uuid, a.id, rs.id, rs.stage_code,
      case rs.owner_role
        when 'client_manager' then c.manager_id
        when 'supervisor' then m.supervisor_id
        when 'credit_officer' then (select u.id from users u where u.role = 'credit_officer' and u.is_active
                                    and u.branch_id = a.branch_id order by u.id limit 1)
      end,
      rs.owner_role, rs.sla_working_hours, a.stage_entered_at,
      a.stage_entered_at + (a.sla_due_at - a.stage_entered_at) * 0.8, a.sla_due_at
    from credit_applications a
    join clients c on c.id = a.client_id
    left join users m on m.id = c.manager_id
    join route_stages rs on rs.route_id = a.route_id and rs.stage_code = a.stage
    where a.status = 'in_progress'
      and not exists (select 1 from application_stages s where s.application_id = a.id)`.execute(db);
  await seedStageTasks(db, uuid);
}

const SEED_ORIGIN: RequestOrigin = {
  ip: '127.0.0.1',
  userAgent: null,
  channel: 'seed',
  requestId: 'demo-seed',
};

/** Gives every open, owned stage without a task its owner's task (ids from `uuid`, in application order). */
async function seedStageTasks(db: Db, uuid: () => string): Promise<void> {
  const stages = await db
    .selectFrom('application_stages as s')
    .innerJoin('credit_applications as a', 'a.id', 's.application_id')
    .innerJoin('users as actor', (j) =>
      j.on(sql<boolean>`actor.id = coalesce(a.created_by, s.owner_user_id)`),
    )
    .where('s.completed_at', 'is', null)
    .where('s.task_id', 'is', null)
    .where('s.owner_user_id', 'is not', null)
    .select([
      's.id as stage_id',
      's.stage_code',
      's.owner_user_id',
      's.due_at',
      'a.id',
      'a.number',
      'a.client_id',
      'actor.id as actor_id',
      'actor.role as actor_role',
    ])
    .orderBy('a.number')
    .orderBy('s.id')
    .execute();
  const ids = stages.map(() => uuid());
  // One batch per author (the actor of the task history and audit), at most 1000 tasks a statement.
  const byActor = new Map<string, number[]>();
  for (const [i, st] of stages.entries()) {
    const list = byActor.get(st.actor_id);
    if (list) list.push(i);
    else byActor.set(st.actor_id, [i]);
  }
  await db.transaction().execute(async (trx) => {
    for (const [actorId, all] of byActor) {
      const actor = { id: actorId, role: stages[all[0]!]!.actor_role };
      for (let start = 0; start < all.length; start += 1000) {
        const part = all.slice(start, start + 1000);
        const inputs = part.map((i) => {
          const st = stages[i]!;
          return stageTaskInput(st, st.stage_code, st.owner_user_id!, st.due_at);
        });
        const taskIds = await createWorkflowTasks(
          trx,
          actor,
          SEED_ORIGIN,
          inputs,
          part.map((i) => ids[i]!),
        );
        await sql`update application_stages s set task_id = u.task_id
          from unnest(${part.map((i) => stages[i]!.stage_id)}::uuid[], ${taskIds}::uuid[]) as u(stage_id, task_id)
          where s.id = u.stage_id`.execute(trx);
      }
    }
  });
}
