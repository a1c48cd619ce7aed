import {
  type AdvanceStageRequestDto,
  AppError,
  addWorkingMinutes,
  annuityPayment,
  type CreateCreditApplicationRequestDto,
  type CreditApplicationDetailDto,
  type CreditNoticeDto,
  type CreditNoticesDto,
  coolingOffHours,
  type DecisionRequestDto,
  debtBurden,
  type LoanKindCode,
  type MarkNoticesReadRequestDto,
  type MarkNoticesReadResultDto,
  type NudgeRequestDto,
  type ReassignStageRequestDto,
  type ReturnStageRequestDto,
  type SlaReportDto,
  type SlaReportQueryDto,
} from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import { isAdmin, loadPrincipal, type Principal, visibleClient } from '../auth/principal.ts';
import {
  createWorkflowTask,
  updateWorkflowTask,
  type WorkflowTaskInput,
} from '../tasks/workflow-tasks.service.ts';
import { type ClientEvent, enqueueClientNotifications } from './client-notifications.ts';
import {
  canActOnStage,
  countUnreadNotices,
  findApplicationDetail,
  findNotice,
  findNoticesFor,
  findRouteFor,
  findRouteStages,
  managesClient,
  markNoticesRead,
  mayApprove,
  type RouteStageRow,
  resolveStageOwner,
  slaReport,
} from './credit.repository.ts';
import { loadWorkingCalendar } from './working-calendar.repository.ts';

// Credit applications along their approval route (banking.md, "Credit applications"). Every change locks the
// application row, checks the expected `version`, follows the route's rules (else 409 with a code), writes the
// stage history, moves the stage owner's task (so it reaches their Outlook calendar), queues the client's
// messages and the audit event, all in one transaction.

/** A stage is "at risk" when this share of its SLA (in working time) has passed. */
const AT_RISK_PERCENT = 80;

const STAGE_NAMES_RU: Record<string, string> = {
  intake: 'приём заявки',
  documents: 'проверка документов',
  scoring: 'скоринг',
  security_check: 'проверка СБ',
  underwriting: 'андеррайтинг',
  credit_committee: 'кредитный комитет',
  decision: 'решение',
  signing: 'подписание',
  disbursement: 'выдача',
};

type AppRow = {
  id: string;
  number: string;
  client_id: string;
  status: string;
  version: number;
  route_id: string | null;
  branch_id: string | null;
  created_by: string | null;
  amount: string;
  currency: string;
  term_months: number;
  rate_percent: string | null;
  decision: string | null;
  cooling_off_hours: number | null;
  cooling_off_ends_at: Date | null;
};

type OpenStage = {
  id: string;
  route_stage_id: string | null;
  stage_code: string;
  owner_user_id: string | null;
  owner_role: string | null;
  task_id: string | null;
};

const ACTIONS = {
  create: 'credit_application.create',
  read: 'credit_application.read',
  advance: 'credit_application.advance',
  return: 'credit_application.return',
  decision: 'credit_application.decision',
  reassign: 'credit_application.reassign',
  nudge: 'credit_application.nudge',
  notices: 'credit_application.notices',
  noticesRead: 'credit_application.notices_read',
} as const;

const notFound = (field = 'params.id') =>
  new AppError('NOT_FOUND', 'No such credit application, or its client is not visible to you', field);

/** Audits a refused action on an existing application outside the rolled-back transaction. */
async function auditRefusal(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  action: string,
  applicationId: string,
  err: unknown,
): Promise<void> {
  if (!(err instanceof AppError)) return;
  if (err.code !== 'NOT_FOUND' && err.code !== 'FORBIDDEN') return;
  const app = await db
    .selectFrom('credit_applications')
    .where('id', '=', applicationId)
    .select('client_id')
    .executeTakeFirst();
  if (!app) return;
  await recordAudit(db, p, origin, [
    {
      action,
      result: 'denied',
      clientIds: [app.client_id],
      entity: 'credit_application',
      entityId: applicationId,
      details: { code: err.code },
    },
  ]);
}

/**
 * The application row, locked, when its client is visible, with its open stage. Checks `version`.
 * @throws NOT_FOUND (missing or not visible), VERSION_CONFLICT, APPLICATION_CLOSED
 */
async function lockApplication(
  trx: Db,
  p: Principal,
  id: string,
  version: number | null,
): Promise<{ app: AppRow; stage: OpenStage | null; routeStage: RouteStageRow | null }> {
  const visible = await trx
    .selectFrom('credit_applications as a')
    .innerJoin('clients as c', 'c.id', 'a.client_id')
    .where('a.id', '=', id)
    .where(visibleClient(p))
    .select('a.id')
    .executeTakeFirst();
  if (!visible) throw notFound();
  const app = (await trx
    .selectFrom('credit_applications')
    .select([
      'id',
      'number',
      'client_id',
      'status',
      'version',
      'route_id',
      'branch_id',
      'created_by',
      'amount',
      'currency',
      'term_months',
      'rate_percent',
      'decision',
      'cooling_off_hours',
      'cooling_off_ends_at',
    ])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow()) as AppRow;
  app.currency = app.currency.trim();
  if (version !== null && app.version !== version)
    throw new AppError(
      'VERSION_CONFLICT',
      'Someone moved this application since you opened it: reload and try again',
      'body.version',
    );
  const stage = (await trx
    .selectFrom('application_stages')
    .select(['id', 'route_stage_id', 'stage_code', 'owner_user_id', 'owner_role', 'task_id'])
    .where('application_id', '=', id)
    .where('completed_at', 'is', null)
    .executeTakeFirst()) as OpenStage | undefined;
  const routeStage = stage?.route_stage_id
    ? ((await trx
        .selectFrom('route_stages')
        .selectAll()
        .where('id', '=', stage.route_stage_id)
        .executeTakeFirst()) as RouteStageRow | undefined)
    : undefined;
  return { app, stage: stage ?? null, routeStage: routeStage ?? null };
}

function assertOpen(app: AppRow, stage: OpenStage | null): asserts stage is OpenStage {
  if (app.status !== 'in_progress' || !stage)
    throw new AppError('APPLICATION_CLOSED', `Application ${app.number} is closed (${app.status})`);
}

const canActOn = canActOnStage;

const clientManagerOf = async (trx: Db, clientId: string): Promise<string | null> =>
  (await trx.selectFrom('clients').where('id', '=', clientId).select('manager_id').executeTakeFirstOrThrow())
    .manager_id;

function assertCanAct(p: Principal, stage: OpenStage) {
  if (!canActOn(p, stage))
    throw new AppError(
      'FORBIDDEN',
      `Only the owner of the ${stage.stage_code} stage (or their supervisor) can move it`,
    );
}

/** Closes the open stage with its outcome, and its task as done. */
async function closeStage(
  trx: Db,
  p: Principal,
  origin: RequestOrigin,
  app: AppRow,
  stage: OpenStage,
  outcome: string,
  comment: string | null,
) {
  await trx
    .updateTable('application_stages')
    .set({
      completed_at: sql`now()`,
      completed_by: p.id,
      outcome: outcome as never,
      comment,
    })
    .where('id', '=', stage.id)
    .execute();
  if (stage.task_id)
    await updateWorkflowTask(trx, p, origin, stage.task_id, { status: 'done' }, workflowSource(app, stage));
}

const workflowSource = (app: Pick<AppRow, 'id' | 'number'>, stage: { stage_code: string }) => ({
  creditApplicationId: app.id,
  number: app.number,
  stage: stage.stage_code,
});

/**
 * The task a stage's owner gets when the stage opens (it reaches their Outlook calendar through the sync):
 * due when the stage's SLA ends. The demo seed gives its open stages the same task.
 */
export function stageTaskInput(
  app: Pick<AppRow, 'id' | 'number' | 'client_id'>,
  stageCode: string,
  ownerId: string,
  dueAt: Date | null,
): WorkflowTaskInput {
  return {
    title: `Кредитная заявка ${app.number}: ${STAGE_NAMES_RU[stageCode] ?? stageCode}`,
    type: 'document_check',
    priority: 'high',
    assigneeId: ownerId,
    clientId: app.client_id,
    dueAt,
    source: workflowSource(app, { stage_code: stageCode }),
  };
}

/**
 * Opens a route stage for the application: owner from the route (user or role queue), due time and at-risk
 * time in the branch's working calendar, the owner's task; the application shows the stage and its due time.
 */
async function enterStage(
  trx: Db,
  p: Principal,
  origin: RequestOrigin,
  app: AppRow,
  routeStage: RouteStageRow,
): Promise<void> {
  const now = new Date();
  const ownerId = await resolveStageOwner(trx, routeStage, app);
  const calendar = await loadWorkingCalendar(trx, app.branch_id, now);
  const dueAt = addWorkingMinutes(now, routeStage.sla_working_hours * 60, calendar);
  const atRiskAt = addWorkingMinutes(
    now,
    Math.floor((routeStage.sla_working_hours * 60 * AT_RISK_PERCENT) / 100),
    calendar,
  );
  const taskId = ownerId
    ? await createWorkflowTask(trx, p, origin, stageTaskInput(app, routeStage.stage_code, ownerId, dueAt))
    : null;
  await trx
    .insertInto('application_stages')
    .values({
      application_id: app.id,
      route_stage_id: routeStage.id,
      stage_code: routeStage.stage_code,
      owner_user_id: ownerId,
      owner_role: routeStage.owner_role,
      task_id: taskId,
      sla_working_hours: routeStage.sla_working_hours,
      entered_at: now,
      at_risk_at: atRiskAt,
      due_at: dueAt,
    })
    .execute();
  await trx
    .updateTable('credit_applications')
    .set({ stage: routeStage.stage_code, stage_entered_at: now, sla_due_at: dueAt })
    .where('id', '=', app.id)
    .execute();
}

async function bumpVersion(trx: Db, appId: string, set: Record<string, unknown> = {}): Promise<number> {
  const row = await trx
    .updateTable('credit_applications')
    .set({ ...set, version: sql`version + 1`, updated_at: sql`now()` })
    .where('id', '=', appId)
    .returning('version')
    .executeTakeFirstOrThrow();
  return row.version;
}

async function notify(
  trx: Db,
  app: AppRow,
  event: ClientEvent,
  version: number,
  p: Principal,
  comment?: string,
) {
  await enqueueClientNotifications(trx, {
    applicationId: app.id,
    event,
    occurrence: version,
    actorId: p.id,
    comment: comment ?? null,
  });
}

/**
 * Creates an application for a visible client: the route by product and amount, PDN from income and payments
 * (the new loan's annuity included), cooling-off hours for consumer loans, the first stage with its owner and
 * task, the client's "submitted" message. RMs and supervisors only.
 * @throws FORBIDDEN (role), NOT_FOUND (client or a party not visible), VALIDATION_FAILED (product, income,
 * borrower as own guarantor), NO_APPROVAL_ROUTE
 */
export async function createCreditApplication(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  input: CreateCreditApplicationRequestDto,
): Promise<CreditApplicationDetailDto> {
  if (p.role !== 'relationship_manager' && p.role !== 'supervisor')
    throw new AppError(
      'FORBIDDEN',
      'Credit applications are started by relationship managers and supervisors',
    );
  let id: string;
  try {
    id = await db.transaction().execute(async (trx) => {
      const client = await trx
        .selectFrom('clients as c')
        .where('c.id', '=', input.clientId)
        .where(visibleClient(p))
        .select('c.id')
        .executeTakeFirst();
      if (!client)
        throw new AppError('NOT_FOUND', 'No such client, or it is not visible to you', 'body.clientId');
      const partyIds = [...(input.guarantorIds ?? []), ...(input.coBorrowerIds ?? [])];
      if (partyIds.includes(input.clientId))
        throw new AppError(
          'VALIDATION_FAILED',
          'The borrower cannot be their own guarantor or co-borrower',
          'body.guarantorIds',
        );
      if (partyIds.length > 0) {
        const seen = await trx
          .selectFrom('clients as c')
          .where('c.id', '=', sql<string>`any(${partyIds}::uuid[])`)
          .where(visibleClient(p))
          .select('c.id')
          .execute();
        if (seen.length !== new Set(partyIds).size)
          throw new AppError(
            'NOT_FOUND',
            'A guarantor or co-borrower is not a visible client',
            'body.guarantorIds',
          );
      }
      const product = await trx
        .selectFrom('products')
        .where('code', '=', input.productCode)
        .where('kind', '=', 'loan')
        .where('status', '=', 'active')
        .select(['id', 'code'])
        .executeTakeFirst();
      if (!product) throw new AppError('VALIDATION_FAILED', 'Not an active loan product', 'body.productCode');
      const amount = input.amount.amount;
      if (amount.startsWith('-') || /^0+(\.0+)?$/.test(amount))
        throw new AppError('VALIDATION_FAILED', 'The amount must be positive', 'body.amount.amount');
      if (/^0+(\.0+)?$/.test(input.monthlyIncome))
        throw new AppError('VALIDATION_FAILED', 'Monthly income must be positive', 'body.monthlyIncome');
      const route = await findRouteFor(trx, product.code, amount, input.amount.currency);
      if (!route)
        throw new AppError(
          'NO_APPROVAL_ROUTE',
          `No approval route takes ${product.code} for ${amount} ${input.amount.currency}: ask an administrator`,
          'body.productCode',
        );
      const stages = await findRouteStages(trx, route.id);
      if (stages.length === 0) throw new AppError('NO_APPROVAL_ROUTE', `Route ${route.name} has no stages`);
      const newPayment = annuityPayment(amount, input.ratePercent, input.termMonths);
      const pdn = debtBurden({
        monthlyIncome: input.monthlyIncome,
        existingMonthlyPayments: input.existingMonthlyPayments,
        newMonthlyPayment: newPayment,
      });
      const cooling = coolingOffHours({
        loanKind: route.loan_kind as LoanKindCode,
        amount,
        currency: input.amount.currency,
        hasGuarantorsOrCoBorrowers: partyIds.length > 0,
      });
      // The branch that works the application: the RM's own if it serves the client, else the client's first.
      const branch = await trx
        .selectFrom('client_branches as cb')
        .innerJoin('branches as b', 'b.id', 'cb.branch_id')
        .where('cb.client_id', '=', input.clientId)
        .select('cb.branch_id')
        .orderBy(sql`cb.branch_id = any(${p.branchIds}::uuid[])`, 'desc')
        .orderBy('b.code')
        .limit(1)
        .executeTakeFirst();
      const { n } = await sql<{ n: string }>`select nextval('credit_application_number_seq')::text as n`
        .execute(trx)
        .then((r) => r.rows[0]!);
      const number = `КЗ-${new Date().getUTCFullYear()}-${n.padStart(7, '0')}`;
      const now = new Date();
      const inserted = await trx
        .insertInto('credit_applications')
        .values({
          number,
          client_id: input.clientId,
          product_id: product.id,
          amount,
          currency: input.amount.currency,
          term_months: input.termMonths,
          stage: stages[0]!.stage_code,
          stage_entered_at: now,
          route_id: route.id,
          route_version: route.version,
          created_by: p.id,
          branch_id: branch?.branch_id ?? null,
          purpose: input.purpose.trim(),
          collateral_description: input.collateralDescription ?? null,
          rate_percent: input.ratePercent,
          monthly_income: input.monthlyIncome,
          existing_monthly_payments: input.existingMonthlyPayments,
          new_monthly_payment: newPayment,
          pdn_percent: pdn.ratioPercent,
          cooling_off_hours: cooling,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const parties = [
        ...(input.guarantorIds ?? []).map((cid) => ({
          application_id: inserted.id,
          client_id: cid,
          role: 'guarantor' as const,
        })),
        ...(input.coBorrowerIds ?? []).map((cid) => ({
          application_id: inserted.id,
          client_id: cid,
          role: 'co_borrower' as const,
        })),
      ];
      if (parties.length > 0) await trx.insertInto('credit_application_parties').values(parties).execute();
      const app: AppRow = {
        id: inserted.id,
        number,
        client_id: input.clientId,
        status: 'in_progress',
        version: 1,
        route_id: route.id,
        branch_id: branch?.branch_id ?? null,
        created_by: p.id,
        amount,
        currency: input.amount.currency,
        term_months: input.termMonths,
        rate_percent: input.ratePercent,
        decision: null,
        cooling_off_hours: cooling,
        cooling_off_ends_at: null,
      };
      await enterStage(trx, p, origin, app, stages[0]!);
      await notify(trx, app, 'submitted', 1, p);
      await recordAudit(trx, p, origin, [
        {
          action: ACTIONS.create,
          result: 'ok',
          clientIds: [input.clientId, ...partyIds],
          entity: 'credit_application',
          entityId: inserted.id,
          // Inputs of the credit decision trail by name; income and payments are kept on the application.
          details: {
            number,
            product: product.code,
            amount,
            currency: input.amount.currency,
            termMonths: input.termMonths,
            route: { id: route.id, name: route.name, version: route.version },
            pdnPercent: pdn.ratioPercent,
            pdnWarning: pdn.warning,
            coolingOffHours: cooling,
            fields: ['monthlyIncome', 'existingMonthlyPayments', 'purpose', 'guarantorIds', 'coBorrowerIds'],
          },
        },
      ]);
      return inserted.id;
    });
  } catch (err) {
    if (err instanceof AppError && err.field === 'body.clientId') {
      const exists = await db
        .selectFrom('clients')
        .where('id', '=', input.clientId)
        .select('id')
        .executeTakeFirst();
      if (exists)
        await recordAudit(db, p, origin, [
          { action: ACTIONS.create, result: 'denied', clientIds: [input.clientId] },
        ]);
    }
    throw err;
  }
  return (await findApplicationDetail(db, p, id))!;
}

/** One application with its stages and nudges (audited read). @throws NOT_FOUND */
export async function getCreditApplication(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
): Promise<CreditApplicationDetailDto> {
  const detail = await findApplicationDetail(db, p, id);
  if (!detail) {
    await auditRefusal(db, p, origin, ACTIONS.read, id, notFound());
    throw notFound();
  }
  await recordAudit(db, p, origin, [
    {
      action: ACTIONS.read,
      result: 'ok',
      clientIds: [detail.client.id],
      entity: 'credit_application',
      entityId: id,
      details: { fields: ['amount', 'purpose', 'pdn', 'decision', 'stages', 'parties'] },
    },
  ]);
  return detail;
}

/** Runs a change in a transaction; refusals (NOT_FOUND/FORBIDDEN) are audited after the rollback. */
async function change(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  action: string,
  id: string,
  fn: (trx: Db) => Promise<void>,
): Promise<CreditApplicationDetailDto> {
  try {
    await db.transaction().execute(fn);
  } catch (err) {
    await auditRefusal(db, p, origin, action, id, err);
    throw err;
  }
  return (await findApplicationDetail(db, p, id))!;
}

/**
 * Completes the current stage and opens the next. At the deciding stage, decide instead; after signing the
 * cooling-off period starts; the last stage (disbursement) closes the application, not before the cooling-off
 * ends.
 * @throws NOT_FOUND, FORBIDDEN, VERSION_CONFLICT, APPLICATION_CLOSED, CREDIT_TRANSITION_NOT_ALLOWED, COOLING_OFF_ACTIVE
 */
export async function advanceStage(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
  input: AdvanceStageRequestDto,
): Promise<CreditApplicationDetailDto> {
  return change(db, p, origin, ACTIONS.advance, id, async (trx) => {
    const { app, stage, routeStage } = await lockApplication(trx, p, id, input.version);
    assertOpen(app, stage);
    assertCanAct(p, stage);
    if (!routeStage || !app.route_id)
      throw new AppError('CREDIT_TRANSITION_NOT_ALLOWED', 'This application has no approval route to follow');
    if (routeStage.decides && !app.decision)
      throw new AppError(
        'CREDIT_TRANSITION_NOT_ALLOWED',
        `The ${stage.stage_code} stage ends with a decision: approve, approve on changed terms or decline`,
      );
    const stages = await findRouteStages(trx, app.route_id);
    const next = stages.find((s) => s.ordinal > routeStage.ordinal);
    const comment = input.comment?.trim() || null;
    let event: ClientEvent | null = null;
    const set: Record<string, unknown> = {};
    if (!next) {
      if (app.cooling_off_ends_at && app.cooling_off_ends_at.getTime() > Date.now())
        throw new AppError(
          'COOLING_OFF_ACTIVE',
          `The cooling-off period ends at ${app.cooling_off_ends_at.toISOString()}: the loan cannot be paid out before`,
        );
      await closeStage(trx, p, origin, app, stage, 'completed', comment);
      Object.assign(set, { status: 'disbursed', closed_at: sql`now()`, sla_due_at: null });
      event = 'disbursed';
    } else {
      await closeStage(trx, p, origin, app, stage, 'forwarded', comment);
      await enterStage(trx, p, origin, app, next);
    }
    // Cooling-off runs from signing (banking.md): the client may refuse without cost until it ends.
    if (stage.stage_code === 'signing' && app.cooling_off_hours)
      set.cooling_off_ends_at = new Date(Date.now() + app.cooling_off_hours * 3_600_000);
    const version = await bumpVersion(trx, app.id, set);
    if (event) await notify(trx, app, event, version, p);
    await recordAudit(trx, p, origin, [
      {
        action: ACTIONS.advance,
        result: 'ok',
        clientIds: [app.client_id],
        entity: 'credit_application',
        entityId: app.id,
        details: {
          from: stage.stage_code,
          to: next?.stage_code ?? null,
          status: next ? 'in_progress' : 'disbursed',
        },
      },
    ]);
  });
}

/**
 * Sends the application back to an earlier stage the route allows from the current one (e.g. documents),
 * saying what is missing; a return to intake or documents tells the client.
 * @throws NOT_FOUND, FORBIDDEN, VERSION_CONFLICT, APPLICATION_CLOSED, CREDIT_TRANSITION_NOT_ALLOWED
 */
export async function returnStage(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
  input: ReturnStageRequestDto,
): Promise<CreditApplicationDetailDto> {
  return change(db, p, origin, ACTIONS.return, id, async (trx) => {
    const { app, stage, routeStage } = await lockApplication(trx, p, id, input.version);
    assertOpen(app, stage);
    assertCanAct(p, stage);
    if (!routeStage || !app.route_id || !routeStage.can_return_to.includes(input.toStage))
      throw new AppError(
        'CREDIT_TRANSITION_NOT_ALLOWED',
        `The route does not return from ${stage.stage_code} to ${input.toStage}`,
        'body.toStage',
      );
    const target = (await findRouteStages(trx, app.route_id)).find((s) => s.stage_code === input.toStage);
    if (!target || target.ordinal >= routeStage.ordinal)
      throw new AppError(
        'CREDIT_TRANSITION_NOT_ALLOWED',
        `${input.toStage} is not an earlier stage`,
        'body.toStage',
      );
    const comment = input.comment.trim();
    await closeStage(trx, p, origin, app, stage, 'returned', comment);
    await enterStage(trx, p, origin, app, target);
    const version = await bumpVersion(trx, app.id);
    if (target.stage_code === 'documents' || target.stage_code === 'intake')
      await notify(trx, app, 'documents_requested', version, p, comment);
    await recordAudit(trx, p, origin, [
      {
        action: ACTIONS.return,
        result: 'ok',
        clientIds: [app.client_id],
        entity: 'credit_application',
        entityId: app.id,
        details: { from: stage.stage_code, to: target.stage_code },
      },
    ]);
  });
}

/**
 * Records a decision. approved / approved_changed_terms: at the route's deciding stage, by its owner; the
 * application moves on (signing). declined: at a stage that may decline, with a reason; closes it.
 * client_refused: the client's RM (or the stage owner) at any stage before disbursement, cooling-off included.
 * @throws NOT_FOUND, FORBIDDEN, VERSION_CONFLICT, APPLICATION_CLOSED, CREDIT_TRANSITION_NOT_ALLOWED,
 * VALIDATION_FAILED (reason or terms missing)
 */
export async function decide(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
  input: DecisionRequestDto,
): Promise<CreditApplicationDetailDto> {
  return change(db, p, origin, ACTIONS.decision, id, async (trx) => {
    const { app, stage, routeStage } = await lockApplication(trx, p, id, input.version);
    assertOpen(app, stage);
    const reason = input.reason?.trim() || null;
    const set: Record<string, unknown> = {
      decision: input.decision,
      decided_at: sql`now()`,
      decided_by: p.id,
      decision_reason: reason,
    };
    let event: ClientEvent | null = null;
    let moveOn = false;
    switch (input.decision) {
      case 'client_refused': {
        if (!managesClient(p, await clientManagerOf(trx, app.client_id)) && !canActOn(p, stage))
          throw new AppError(
            'FORBIDDEN',
            "A refusal is recorded by the client's manager (or their supervisor) or the stage owner",
          );
        Object.assign(set, { status: 'refused', closed_at: sql`now()`, sla_due_at: null });
        break;
      }
      case 'declined': {
        assertCanAct(p, stage);
        if (!routeStage?.can_decline && !routeStage?.decides)
          throw new AppError('CREDIT_TRANSITION_NOT_ALLOWED', `The ${stage.stage_code} stage cannot decline`);
        if (!reason) throw new AppError('VALIDATION_FAILED', 'A decline needs a reason', 'body.reason');
        Object.assign(set, { status: 'declined', closed_at: sql`now()`, sla_due_at: null });
        event = 'declined';
        break;
      }
      case 'approved':
      case 'approved_changed_terms': {
        assertCanAct(p, stage);
        if (!routeStage?.decides)
          throw new AppError(
            'CREDIT_TRANSITION_NOT_ALLOWED',
            `Approval is decided at the route's deciding stage, not at ${stage.stage_code}`,
          );
        if (!mayApprove(p, app, await clientManagerOf(trx, app.client_id)))
          throw new AppError(
            'FORBIDDEN',
            'Four eyes: whoever brought the application or manages the client does not approve it',
          );
        if (input.decision === 'approved_changed_terms') {
          if (!input.terms)
            throw new AppError(
              'VALIDATION_FAILED',
              'Approval on changed terms needs the terms',
              'body.terms',
            );
          if (input.terms.amount.currency !== app.currency)
            throw new AppError(
              'VALIDATION_FAILED',
              'The currency cannot change',
              'body.terms.amount.currency',
            );
          const route = await trx
            .selectFrom('approval_routes')
            .select('loan_kind')
            .where('id', '=', app.route_id!)
            .executeTakeFirstOrThrow();
          const parties = await trx
            .selectFrom('credit_application_parties')
            .where('application_id', '=', app.id)
            .where('role', 'in', ['guarantor', 'co_borrower'])
            .select('client_id')
            .execute();
          Object.assign(set, {
            approved_amount: input.terms.amount.amount,
            approved_term_months: input.terms.termMonths,
            approved_rate_percent: input.terms.ratePercent,
            // The cooling-off follows the amount actually offered.
            cooling_off_hours: coolingOffHours({
              loanKind: route.loan_kind as LoanKindCode,
              amount: input.terms.amount.amount,
              currency: app.currency,
              hasGuarantorsOrCoBorrowers: parties.length > 0,
            }),
          });
        } else {
          if (input.terms)
            throw new AppError(
              'VALIDATION_FAILED',
              'Changed terms go with approved_changed_terms',
              'body.terms',
            );
          Object.assign(set, {
            approved_amount: app.amount,
            approved_term_months: app.term_months,
            approved_rate_percent: app.rate_percent,
          });
        }
        event = input.decision;
        moveOn = true;
        break;
      }
    }
    await closeStage(trx, p, origin, app, stage, input.decision, reason);
    const version = await bumpVersion(trx, app.id, set);
    if (moveOn) {
      const next = (await findRouteStages(trx, app.route_id!)).find((s) => s.ordinal > routeStage!.ordinal);
      if (next) {
        app.decision = input.decision;
        if (set.cooling_off_hours !== undefined)
          app.cooling_off_hours = set.cooling_off_hours as number | null;
        await enterStage(trx, p, origin, app, next);
      } else await bumpVersion(trx, app.id, { status: 'disbursed', closed_at: sql`now()`, sla_due_at: null });
    }
    if (event) await notify(trx, app, event, version, p, reason ?? undefined);
    await recordAudit(trx, p, origin, [
      {
        action: ACTIONS.decision,
        result: 'ok',
        clientIds: [app.client_id],
        entity: 'credit_application',
        entityId: app.id,
        // The credit decision trail (banking.md): who, when, on what inputs.
        details: {
          decision: input.decision,
          stage: stage.stage_code,
          reason,
          terms: input.terms ?? null,
          inputs: { amount: app.amount, currency: app.currency, termMonths: app.term_months },
        },
      },
    ]);
  });
}

/**
 * Gives the current stage (and its task, so the calendar event moves) to another user: the owner's supervisor
 * within their team, or a credit officer taking an officers' queue stage. The new owner must see the client.
 * @throws NOT_FOUND, FORBIDDEN, VERSION_CONFLICT, APPLICATION_CLOSED
 */
export async function reassignStage(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
  input: ReassignStageRequestDto,
): Promise<CreditApplicationDetailDto> {
  return change(db, p, origin, ACTIONS.reassign, id, async (trx) => {
    const { app, stage } = await lockApplication(trx, p, id, input.version);
    assertOpen(app, stage);
    const bySupervisor =
      p.role === 'supervisor' &&
      p.teamIds.includes(input.ownerId) &&
      (!stage.owner_user_id || p.teamIds.includes(stage.owner_user_id));
    const officerTakesQueue =
      p.role === 'credit_officer' && stage.owner_role === 'credit_officer' && input.ownerId === p.id;
    if (!bySupervisor && !officerTakesQueue)
      throw new AppError('FORBIDDEN', "Only the owner's supervisor reassigns a stage, within their team");
    const owner = await loadPrincipal(trx, input.ownerId);
    const sees =
      owner &&
      (await trx
        .selectFrom('clients as c')
        .where('c.id', '=', app.client_id)
        .where(visibleClient(owner))
        .select('c.id')
        .executeTakeFirst());
    if (!sees)
      throw new AppError(
        'FORBIDDEN',
        'The new owner cannot open this client: choose someone who serves it',
        'body.ownerId',
      );
    if (input.ownerId === stage.owner_user_id) return;
    const source = workflowSource(app, stage);
    let taskId = stage.task_id;
    if (taskId) await updateWorkflowTask(trx, p, origin, taskId, { assigneeId: input.ownerId }, source);
    else {
      const due = await trx
        .selectFrom('application_stages')
        .select('due_at')
        .where('id', '=', stage.id)
        .executeTakeFirstOrThrow();
      taskId = await createWorkflowTask(trx, p, origin, {
        title: `Кредитная заявка ${app.number}: ${STAGE_NAMES_RU[stage.stage_code] ?? stage.stage_code}`,
        type: 'document_check',
        priority: 'high',
        assigneeId: input.ownerId,
        clientId: app.client_id,
        dueAt: due.due_at as Date | null,
        source,
      });
    }
    await trx
      .updateTable('application_stages')
      .set({ owner_user_id: input.ownerId, task_id: taskId })
      .where('id', '=', stage.id)
      .execute();
    await bumpVersion(trx, app.id);
    await recordAudit(trx, p, origin, [
      {
        action: ACTIONS.reassign,
        result: 'ok',
        clientIds: [app.client_id],
        entity: 'credit_application',
        entityId: app.id,
        details: {
          stage: stage.stage_code,
          from: stage.owner_user_id,
          to: input.ownerId,
          comment: input.comment ?? null,
        },
      },
    ]);
  });
}

/**
 * A comment or question to the current stage's owner from anyone who sees the client (an RM chasing the
 * application): stored as a notice the owner reads in their notices and on the application.
 * @throws NOT_FOUND, APPLICATION_CLOSED, STAGE_UNASSIGNED
 */
export async function nudgeStageOwner(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
  input: NudgeRequestDto,
): Promise<CreditNoticeDto> {
  let noticeId = '';
  await change(db, p, origin, ACTIONS.nudge, id, async (trx) => {
    const { app, stage } = await lockApplication(trx, p, id, null);
    assertOpen(app, stage);
    if (!stage.owner_user_id)
      throw new AppError(
        'STAGE_UNASSIGNED',
        `Nobody holds the ${stage.stage_code} stage yet: ask the supervisor`,
      );
    const row = await trx
      .insertInto('credit_notices')
      .values({
        user_id: stage.owner_user_id,
        application_id: app.id,
        stage_id: stage.id,
        kind: 'nudge',
        message: input.message.trim(),
        author_id: p.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    noticeId = String(row.id);
    await recordAudit(trx, p, origin, [
      {
        action: ACTIONS.nudge,
        result: 'ok',
        clientIds: [app.client_id],
        entity: 'credit_application',
        entityId: app.id,
        details: { stage: stage.stage_code, to: stage.owner_user_id, noticeId },
      },
    ]);
  });
  return (await findNotice(db, noticeId))!;
}

/**
 * The principal's notices on clients they may still see, newest first, with the unread count. A read of
 * client data (application numbers, client names): audited with the clients shown.
 */
export async function listMyNotices(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  q: { unread?: boolean; limit?: number },
): Promise<CreditNoticesDto> {
  const items = await findNoticesFor(db, p, { unread: q.unread, limit: q.limit ?? 50 });
  const unreadCount = await countUnreadNotices(db, p);
  await recordAudit(db, p, origin, [
    {
      action: ACTIONS.notices,
      result: 'ok',
      clientIds: [...new Set(items.map((n) => n.client.id))],
      details: { count: items.length, unreadCount, unreadOnly: q.unread ?? false },
    },
  ]);
  return { unreadCount, items };
}

/** The badge's number: the principal's unread notices on clients they may still see (no client data). */
export async function countMyUnreadNotices(db: Db, p: Principal): Promise<{ unreadCount: number }> {
  return { unreadCount: await countUnreadNotices(db, p) };
}

/**
 * Marks the principal's notices read (by id, or all). Others' notices and unknown ids are ignored rather
 * than refused, so the answer does not tell whether someone else's notice exists; `marked` counts only
 * the principal's own notices that were unread.
 */
export async function markMyNoticesRead(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  input: MarkNoticesReadRequestDto,
): Promise<MarkNoticesReadResultDto> {
  return db.transaction().execute(async (trx) => {
    const marked = await markNoticesRead(trx, p, input.ids);
    if (marked.length > 0)
      await recordAudit(trx, p, origin, [
        {
          action: ACTIONS.noticesRead,
          result: 'ok',
          clientIds: [...new Set(marked.map((m) => m.clientId))],
          entity: 'credit_notice',
          details: { all: input.ids === 'all', ids: marked.map((m) => m.id) },
        },
      ]);
    return { marked: marked.length, unreadCount: await countUnreadNotices(trx, p) };
  });
}

/**
 * SLA breaches per stage, owner or branch: admin rights see every branch, a supervisor their team's branches.
 * @throws FORBIDDEN for other roles
 */
export async function getSlaReport(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  q: SlaReportQueryDto,
): Promise<SlaReportDto> {
  const all = isAdmin(p);
  if (!all && p.role !== 'supervisor')
    throw new AppError('FORBIDDEN', 'The SLA report is for supervisors and administrators');
  const report = await slaReport(db, q, all ? null : p.branchIds);
  await recordAudit(db, p, origin, [
    {
      action: 'credit_application.sla_report',
      result: 'ok',
      details: { ...q, scope: all ? 'all' : p.branchIds },
    },
  ]);
  return report;
}
