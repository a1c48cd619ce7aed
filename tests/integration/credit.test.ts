import {
  type ClientCardDto,
  type CreditApplicationDetailDto,
  MAX_PDN_PERCENT,
  type TaskLinkDto,
} from '@crm/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { scanSla } from '../../server/src/modules/credit/credit.jobs.ts';
import { DEFAULT_ROUTES, insertRoutes } from '../../server/src/modules/demo/seed-credit.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, grant, type Org } from '../support/fixtures.ts';

// Credit applications along the demo routes (consumer: intake -> documents -> scoring -> security check ->
// underwriting -> decision -> signing -> disbursement; role queues: client manager, credit officer, supervisor).

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let client: string;
let guarantor: string;
const tokens: Record<string, string> = {};
const EMAILS: Record<string, string> = {
  rm1: 'rm1@bank.example',
  rm2: 'rm2@bank.example',
  sup: 'sup@bank.example',
  co: 'co@bank.example',
  rmOther: 'rm.other@bank.example',
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    { key: 'co', name: 'Credit Officer', email: 'co@bank.example', role: 'credit_officer', branch: 'msk' },
  ]);
  // rm1 may see personal data such as income; rm2 may not (the masking test below).
  await grant(tdb.db, org.users.rm1!, 'view_personal_data');
  await tdb.db
    .insertInto('products')
    .values([
      { code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' },
      { code: 'MORTGAGE', name: 'Ипотека', kind: 'loan', status: 'active' },
      { code: 'CORP-LOAN', name: 'Кредит юрлицу', kind: 'loan', status: 'active' },
    ])
    .execute();
  await insertRoutes(tdb.db, DEFAULT_ROUTES, () => crypto.randomUUID());
  client = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Заёмщиков Пётр Иванович',
    emails: ['borrower@client.example'],
    phones: ['+79161234567'],
  });
  guarantor = await createClient(tdb.db, org, { kind: 'individual', name: 'Поручителев Иван Петрович' });
  app = await buildTestApp(tdb.db);
  for (const [k, e] of Object.entries(EMAILS)) tokens[k] = await tokenFor(app, e);
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

async function call(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  return app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, payload });
}
async function ok(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await call(who, method, url, payload);
  if (res.statusCode >= 300) throw new Error(`${method} ${url} as ${who}: ${res.statusCode} ${res.body}`);
  return res.json<CreditApplicationDetailDto>();
}

const create = (extra: Record<string, unknown> = {}) =>
  ok('rm1', 'POST', '/api/v1/credit-applications', {
    clientId: client,
    productCode: 'CONS-LOAN',
    amount: { amount: '300000.00', currency: 'RUB' },
    termMonths: 12,
    ratePercent: '12',
    purpose: 'Ремонт квартиры',
    monthlyIncome: '60000.00',
    existingMonthlyPayments: '5000.00',
    ...extra,
  });
const advance = (who: string, a: { id: string; version: number }, comment?: string) =>
  call(who, 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version, comment });

async function taskOf(taskId: string | null) {
  return tdb.db.selectFrom('tasks').selectAll().where('id', '=', taskId!).executeTakeFirstOrThrow();
}

describe('income is personal data', () => {
  it('withholds income and existing payments from a colleague without the grant, keeping the PDN ratio', async () => {
    const a = await create();
    const seen = await ok('rm2', 'GET', `/api/v1/credit-applications/${a.id}`);
    expect(seen.pdn).toMatchObject({
      monthlyIncome: null,
      existingMonthlyPayments: null,
      ratioPercent: '52.76',
      masked: true,
    });
  });
});

describe('creating an application', () => {
  it('chooses the route by product, computes PDN exactly with a warning above 50%, and starts intake with a task', async () => {
    const a = await create();
    expect(a.route?.name).toBe('Потребительский кредит');
    expect(a.status).toBe('in_progress');
    // 300 000 at 12% for 12 months: 26 654.64 a month; (26 654.64 + 5 000) / 60 000 = 52.76%
    expect(a.pdn).toEqual({
      monthlyIncome: '60000.00',
      existingMonthlyPayments: '5000.00',
      newMonthlyPayment: '26654.64',
      ratioPercent: '52.76',
      warning: true,
      masked: false,
    });
    expect(a.coolingOff).toEqual({ hours: 48, endsAt: null });
    expect(a.currentStage).toMatchObject({
      stage: 'intake',
      owner: { id: org.users.rm1 },
      slaState: 'on_track',
    });
    const task = await taskOf(a.currentStage!.taskId);
    expect(task).toMatchObject({ assignee_id: org.users.rm1, status: 'open', client_id: client });
    expect(task.due_at?.toISOString()).toBe(a.currentStage!.dueAt);
    // The calendar sync job is queued in the same transaction (transactional outbox).
    const jobs = await sql<{
      key: string;
    }>`select key from graphile_worker._private_jobs where key = ${`task:${task.id}`}`.execute(tdb.db);
    expect(jobs.rows).toHaveLength(1);
    const messages = await tdb.db
      .selectFrom('client_notifications')
      .where('application_id', '=', a.id)
      .select(['event', 'channel', 'recipient', 'status'])
      .orderBy('channel')
      .execute();
    expect(messages).toEqual([
      { event: 'submitted', channel: 'email', recipient: 'borrower@client.example', status: 'pending' },
      { event: 'submitted', channel: 'sms', recipient: '+79161234567', status: 'pending' },
    ]);
    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('entity_id', '=', a.id)
      .where('action', '=', 'credit_application.create')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(audit.client_ids).toEqual([client]);
    expect(JSON.stringify(audit.details)).not.toContain('60000');
  });

  it('has no cooling-off with a guarantor, and none below 50 000 RUB', async () => {
    expect((await create({ guarantorIds: [guarantor] })).coolingOff.hours).toBeNull();
    expect((await create({ amount: { amount: '49999.99', currency: 'RUB' } })).coolingOff.hours).toBeNull();
    expect((await create({ amount: { amount: '150000', currency: 'RUB' } })).coolingOff.hours).toBe(4);
  });

  it('refuses a product without a route, another RM’s client, and credit officers', async () => {
    const noRoute = await call('rm1', 'POST', '/api/v1/credit-applications', {
      clientId: client,
      productCode: 'CONS-LOAN',
      amount: { amount: '300000.00', currency: 'USD' },
      termMonths: 12,
      ratePercent: '12',
      purpose: 'x',
      monthlyIncome: '1',
      existingMonthlyPayments: '0',
    });
    expect(noRoute.statusCode).toBe(422);
    expect(noRoute.json().code).toBe('NO_APPROVAL_ROUTE');
    const other = await call('rmOther', 'POST', '/api/v1/credit-applications', {
      clientId: client,
      productCode: 'CONS-LOAN',
      amount: { amount: '300000.00', currency: 'RUB' },
      termMonths: 12,
      ratePercent: '12',
      purpose: 'x',
      monthlyIncome: '1',
      existingMonthlyPayments: '0',
    });
    expect(other.statusCode).toBe(404);
  });
});

describe('amounts out of range (new-user trial: two 500s)', () => {
  it('records a PDN far above any income at its ceiling instead of failing', async () => {
    const a = await create({
      amount: { amount: '1000000000000', currency: 'RUB' },
      monthlyIncome: '100000',
      existingMonthlyPayments: '0',
    });
    expect(a.pdn).toMatchObject({ ratioPercent: MAX_PDN_PERCENT, warning: true });
  });

  it('refuses zero, negative and 16-digit amounts at the field, when applying and when deciding', async () => {
    for (const amount of ['0', '0.00', '-5', '-0.01', '1000000000000000', '1e6', ' 5']) {
      const res = await call('rm1', 'POST', '/api/v1/credit-applications', {
        clientId: client,
        productCode: 'CONS-LOAN',
        amount: { amount, currency: 'RUB' },
        termMonths: 12,
        ratePercent: '12',
        purpose: 'x',
        monthlyIncome: '60000',
        existingMonthlyPayments: '0',
      });
      expect(res.statusCode, amount).toBe(400);
      expect(res.json(), amount).toMatchObject({
        field: 'body.amount.amount',
        // The schema's own words, not "must match pattern ...".
        message:
          'body.amount.amount: must be an amount above 0 with at most 15 digits and 2 decimals, e.g. "300000.00"',
      });
    }
    const a = await create();
    for (const amount of ['-5', '0', '1000000000000000']) {
      const res = await call('sup', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
        version: a.version,
        decision: 'approved_changed_terms',
        reason: 'x',
        terms: { amount: { amount, currency: 'RUB' }, termMonths: 12, ratePercent: '12' },
      });
      expect(res.statusCode, amount).toBe(400);
      expect(res.json(), amount).toMatchObject({ field: 'body.terms.amount.amount' });
    }
  });
});

describe("a stage's task moves with its stage", () => {
  it('cannot be closed or handed over through the task: the RM who authored it and the officer get 409 STAGE_TASK', async () => {
    let a = await create();
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    const taskId = a.currentStage!.taskId!;
    expect((await taskOf(taskId)).assignee_id).toBe(org.users.co);
    for (const [who, change] of [
      ['rm1', { status: 'done' }],
      ['co', { status: 'done' }],
      ['co', { status: 'cancelled' }],
    ] as const) {
      const { version } = await taskOf(taskId);
      const res = await app.inject({
        method: 'PATCH',
        url: `/api/v1/tasks/${taskId}`,
        headers: { authorization: `Bearer ${tokens[who]}` },
        payload: { version, ...change },
      });
      expect(res.statusCode, `${who} ${JSON.stringify(change)}`).toBe(409);
      expect(res.json()).toMatchObject({ code: 'STAGE_TASK', field: 'body.status' });
    }
    expect((await taskOf(taskId)).status).toBe('open');
    // The pane learns it from the task itself (no "Done" on it): in the card and from the task's link.
    const following = { applicationId: a.id, number: a.number, stage: 'scoring' };
    const card = (await ok('rm1', 'GET', `/api/v1/clients/${client}`)) as unknown as ClientCardDto;
    expect(card.tasks.find((t) => t.id === taskId)).toMatchObject({ creditStage: following });
    const link = async () =>
      ((await ok('co', 'GET', `/api/v1/tasks/${taskId}`)) as unknown as TaskLinkDto).task;
    expect((await link()).creditStage).toEqual(following);
    // Moving the stage on closes it.
    a = await ok('co', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    expect((await taskOf(taskId)).status).toBe('done');
    expect((await link()).creditStage).toBeNull();
  });
});

describe('walking the route', () => {
  it('moves forward by stage owners, returns for documents, decides on changed terms, and holds the payout until the cooling-off ends', async () => {
    let a = await create();
    const firstTask = a.currentStage!.taskId;
    // What each user may do is in the application itself (the pane offers only that).
    expect(a.actions).toMatchObject({ advance: true, returnTo: [], approve: false, refuse: true });
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    expect(a.currentStage).toMatchObject({ stage: 'documents', owner: { id: org.users.rm1 } });
    expect((await taskOf(firstTask)).status).toBe('done');
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    // Scoring is the credit officers' queue: the branch's officer gets it and its task.
    expect(a.currentStage).toMatchObject({
      stage: 'scoring',
      owner: { id: org.users.co },
      ownerRole: 'credit_officer',
    });
    expect((await taskOf(a.currentStage!.taskId)).assignee_id).toBe(org.users.co);
    expect(a.actions, 'the RM, scoring being the officer’s').toEqual({
      advance: false,
      returnTo: [],
      approve: false,
      decline: false,
      refuse: true,
    });
    const asOfficer = await ok('co', 'GET', `/api/v1/credit-applications/${a.id}`);
    expect(asOfficer.actions).toMatchObject({ advance: true, returnTo: ['documents'], approve: false });

    const notOwner = await advance('rm1', a);
    expect(notOwner.statusCode).toBe(403);
    const stale = await advance('co', { id: a.id, version: a.version - 1 });
    expect(stale.json().code).toBe('VERSION_CONFLICT');
    const wrongReturn = await call('co', 'POST', `/api/v1/credit-applications/${a.id}/return`, {
      version: a.version,
      toStage: 'intake',
      comment: 'x',
    });
    expect(wrongReturn.statusCode).toBe(409);
    expect(wrongReturn.json().code).toBe('CREDIT_TRANSITION_NOT_ALLOWED');

    a = await ok('co', 'POST', `/api/v1/credit-applications/${a.id}/return`, {
      version: a.version,
      toStage: 'documents',
      comment: 'Нужна справка о доходах за 6 месяцев',
    });
    expect(a.currentStage).toMatchObject({ stage: 'documents', owner: { id: org.users.rm1 } });
    expect(a.stages.find((s) => s.stage === 'scoring')).toMatchObject({
      outcome: 'returned',
      comment: 'Нужна справка о доходах за 6 месяцев',
    });
    const requested = await tdb.db
      .selectFrom('client_notifications')
      .where('application_id', '=', a.id)
      .where('event', '=', 'documents_requested')
      .select(['channel', 'body'])
      .execute();
    expect(requested.map((r) => r.channel).sort()).toEqual(['email', 'sms']);
    expect(requested.find((r) => r.channel === 'email')!.body).toContain('справка о доходах');

    for (const who of ['rm1', 'co', 'co', 'co'])
      a = await ok(who, 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    expect(a.currentStage).toMatchObject({ stage: 'decision', owner: { id: org.users.sup } });
    expect(a.actions, 'the officer, the decision being the supervisor’s').toMatchObject({ approve: false });
    const asDecider = await ok('sup', 'GET', `/api/v1/credit-applications/${a.id}`);
    expect(asDecider.actions).toMatchObject({ advance: false, approve: true, decline: true });
    const advanceAtDecision = await advance('sup', a);
    expect(advanceAtDecision.json().code).toBe('CREDIT_TRANSITION_NOT_ALLOWED');
    const noTerms = await call('sup', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'approved_changed_terms',
    });
    expect(noTerms.statusCode).toBe(400);
    a = await ok('sup', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'approved_changed_terms',
      reason: 'ПДН выше 50%: меньшая сумма',
      terms: { amount: { amount: '250000.00', currency: 'RUB' }, termMonths: 18, ratePercent: '14.5' },
    });
    expect(a.decision).toBe('approved_changed_terms');
    expect(a.decisionDetails).toMatchObject({
      decidedBy: { id: org.users.sup },
      approvedTerms: {
        amount: { amount: '250000.00', currency: 'RUB' },
        termMonths: 18,
        ratePercent: '14.500',
      },
    });
    expect(a.currentStage).toMatchObject({ stage: 'signing', owner: { id: org.users.rm1 } });

    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    expect(a.currentStage?.stage).toBe('disbursement');
    // Paying out waits for the cooling-off: not offered until then (break-it review: offered, then refused).
    expect(a.actions).toMatchObject({ advance: false, refuse: true });
    // 250 000 RUB > 200 000: 48 hours from signing.
    const ends = new Date(a.coolingOff.endsAt!).getTime();
    expect(Math.abs(ends - (Date.now() + 48 * 3_600_000))).toBeLessThan(60_000);
    const early = await advance('rm1', a);
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('COOLING_OFF_ACTIVE');
    // The client changes their mind within the cooling-off period.
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'client_refused',
      reason: 'Клиент отказался в период охлаждения',
    });
    expect(a.status).toBe('refused');
    expect(a.currentStage).toBeNull();
    expect(a.actions).toEqual({
      advance: false,
      returnTo: [],
      approve: false,
      decline: false,
      refuse: false,
    });
    const closed = await advance('rm1', a);
    expect(closed.json().code).toBe('APPLICATION_CLOSED');
  });

  it('declines with a reason at a stage that may decline, and tells the client', async () => {
    let a = await create();
    const noReason = await call('rm1', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'declined',
    });
    expect(noReason.statusCode).toBe(400);
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'declined',
      reason: 'Действует самозапрет на кредиты',
    });
    expect(a).toMatchObject({ status: 'declined', decision: 'declined', currentStage: null });
    expect(a.decisionDetails?.reason).toBe('Действует самозапрет на кредиты');
    const events = await tdb.db
      .selectFrom('client_notifications')
      .where('application_id', '=', a.id)
      .select('event')
      .distinct()
      .execute();
    expect(events.map((e) => e.event).sort()).toEqual(['declined', 'submitted']);
  });

  it('approves only at the deciding stage', async () => {
    const a = await create();
    const res = await call('rm1', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'approved',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('CREDIT_TRANSITION_NOT_ALLOWED');
  });
});

describe('who decides (break-it review)', () => {
  it('four eyes: a supervisor who manages the client and brought the application cannot approve it', async () => {
    const own = await createClient(tdb.db, org, {
      kind: 'individual',
      name: 'Клиентов Руководителя',
      manager: 'sup',
    });
    let a = await ok('sup', 'POST', '/api/v1/credit-applications', {
      clientId: own,
      productCode: 'CONS-LOAN',
      amount: { amount: '300000.00', currency: 'RUB' },
      termMonths: 12,
      ratePercent: '12',
      purpose: 'Ремонт',
      monthlyIncome: '600000',
      existingMonthlyPayments: '0',
    });
    while (a.stage !== 'decision') {
      const owner = a.currentStage!.owner?.id;
      const who = owner === org.users.co ? 'co' : owner === org.users.rm1 ? 'rm1' : 'sup';
      a = await ok(who, 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    }
    const asSup = await ok('sup', 'GET', `/api/v1/credit-applications/${a.id}`);
    expect(asSup.actions.approve).toBe(false);
    const approve = await call('sup', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'approved',
    });
    expect(approve.statusCode).toBe(403);
    expect(approve.json().message).toMatch(/^Four eyes/);
  });

  it("only the client's manager (or their supervisor) or the stage owner records the client's refusal", async () => {
    const a = await create();
    const asColleague = await ok('rm2', 'GET', `/api/v1/credit-applications/${a.id}`);
    expect(asColleague.actions.refuse).toBe(false);
    const refused = await call('rm2', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
      version: a.version,
      decision: 'client_refused',
    });
    expect(refused.statusCode).toBe(403);
    expect((await ok('sup', 'GET', `/api/v1/credit-applications/${a.id}`)).actions.refuse).toBe(true);
  });

  it('a reason that only looks written is refused in words', async () => {
    const a = await create();
    for (const reason of ['\u3164', '\u2800', '\u180E', '\u00AD', ' \u200E ']) {
      const res = await call('rm1', 'POST', `/api/v1/credit-applications/${a.id}/decision`, {
        version: a.version,
        decision: 'declined',
        reason,
      });
      expect(res.statusCode, JSON.stringify(reason)).toBe(400);
      expect(res.json().message).toBe('body.reason: must not be blank: write something visible');
    }
  });
});

describe('reassigning and nudging', () => {
  it('lets the supervisor give a stage to another team member, whose task it becomes', async () => {
    let a = await create();
    const taskId = a.currentStage!.taskId;
    const byRm = await call('rm1', 'POST', `/api/v1/credit-applications/${a.id}/stage-owner`, {
      version: a.version,
      ownerId: org.users.rm2,
    });
    expect(byRm.statusCode).toBe(403);
    a = await ok('sup', 'POST', `/api/v1/credit-applications/${a.id}/stage-owner`, {
      version: a.version,
      ownerId: org.users.rm2,
    });
    expect(a.currentStage).toMatchObject({ owner: { id: org.users.rm2 }, taskId });
    const task = await taskOf(taskId);
    expect(task.assignee_id).toBe(org.users.rm2);
    const history = await tdb.db
      .selectFrom('task_history')
      .where('task_id', '=', taskId!)
      .where('action', '=', 'updated')
      .select('changes')
      .executeTakeFirstOrThrow();
    expect(history.changes).toMatchObject({ assigneeId: { from: org.users.rm1, to: org.users.rm2 } });
    // rm2 may now move it; rm1 no longer.
    expect((await advance('rm1', a)).statusCode).toBe(403);
    expect((await advance('rm2', a)).statusCode).toBe(200);
  });

  it('delivers an RM’s nudge to the current stage owner', async () => {
    let a = await create();
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
    const res = await call('rm2', 'POST', `/api/v1/credit-applications/${a.id}/nudges`, {
      message: 'Клиент спрашивает, когда будет скоринг',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      kind: 'nudge',
      recipient: { id: org.users.co },
      author: { id: org.users.rm2 },
    });
    const mine = await call('co', 'GET', '/api/v1/credit-applications/notices');
    expect(mine.json().items[0]).toMatchObject({
      kind: 'nudge',
      applicationId: a.id,
      stage: 'scoring',
      message: 'Клиент спрашивает, когда будет скоринг',
    });
    const detail = await ok('rm1', 'GET', `/api/v1/credit-applications/${a.id}`);
    expect(detail.nudges).toHaveLength(1);
  });
});

describe('SLA scan', () => {
  it('marks stages at risk and breached once, notifies the owner and escalates breaches to the supervisor', async () => {
    const a = await create();
    const b = await create();
    const now = new Date();
    await tdb.db
      .updateTable('application_stages')
      .set({ at_risk_at: new Date(now.getTime() - 60_000) })
      .where('id', '=', a.currentStage!.id)
      .execute();
    await tdb.db
      .updateTable('application_stages')
      .set({ at_risk_at: new Date(now.getTime() - 120_000), due_at: new Date(now.getTime() - 60_000) })
      .where('id', '=', b.currentStage!.id)
      .execute();
    const first = await scanSla(tdb.db, now);
    expect(first.atRisk).toBeGreaterThanOrEqual(1);
    expect(first.breached).toBeGreaterThanOrEqual(1);
    expect(await scanSla(tdb.db, now)).toEqual({ atRisk: 0, breached: 0, escalated: 0 });
    const notices = await tdb.db
      .selectFrom('credit_notices')
      .where('application_id', 'in', [a.id, b.id])
      .select(['application_id', 'user_id', 'kind'])
      .execute();
    expect(notices).toEqual(
      expect.arrayContaining([
        { application_id: a.id, user_id: org.users.rm1, kind: 'sla_at_risk' },
        { application_id: b.id, user_id: org.users.rm1, kind: 'sla_breached' },
        { application_id: b.id, user_id: org.users.sup, kind: 'escalation' },
      ]),
    );
    expect(notices.filter((n) => n.application_id === a.id)).toHaveLength(1);
    // The pane shows the deadline in the reader's language and time (new-user trial: "due 2026-11-30T15:49Z").
    const rmNotices = (await call('rm1', 'GET', '/api/v1/credit-applications/notices')).json().items;
    const atRisk = rmNotices.find((n: { applicationId: string }) => n.applicationId === a.id);
    expect(atRisk).toMatchObject({ kind: 'sla_at_risk', message: null, stageDueAt: a.currentStage!.dueAt });
    const escalation = (await call('sup', 'GET', '/api/v1/credit-applications/notices'))
      .json()
      .items.find(
        (n: { applicationId: string; kind: string }) => n.applicationId === b.id && n.kind === 'escalation',
      );
    expect(escalation).toMatchObject({ message: null, stageOwner: { id: org.users.rm1, name: 'RM One' } });
    const card = await call('rm1', 'GET', `/api/v1/clients/${client}`);
    const onCard = card.json().credit.applications.find((x: { id: string }) => x.id === b.id);
    expect(onCard).toMatchObject({
      slaState: 'breached',
      owner: { id: org.users.rm1 },
      status: 'in_progress',
    });

    const from = new Date(now.getTime() - 3_600_000).toISOString();
    const to = new Date(now.getTime() + 3_600_000).toISOString();
    const report = await call(
      'sup',
      'GET',
      `/api/v1/credit-applications/sla-report?groupBy=owner&from=${from}&to=${to}`,
    );
    expect(report.statusCode).toBe(200);
    const rm1Row = report.json().rows.find((r: { key: string }) => r.key === org.users.rm1);
    expect(rm1Row).toMatchObject({ label: 'RM One', breached: 1, openBreached: 1 });
    for (const groupBy of ['stage', 'branch'])
      expect(
        (
          await call(
            'sup',
            'GET',
            `/api/v1/credit-applications/sla-report?groupBy=${groupBy}&from=${from}&to=${to}`,
          )
        ).statusCode,
      ).toBe(200);
    expect(
      (await call('rm1', 'GET', `/api/v1/credit-applications/sla-report?groupBy=owner&from=${from}&to=${to}`))
        .statusCode,
    ).toBe(403);
  });
});
