import type {
  ApprovalRouteDto,
  ApprovalRoutesDto,
  CreditApplicationDetailDto,
  RouteStageInputDto,
  SaveApprovalRouteResultDto,
} from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { DEFAULT_ROUTES, insertRoutes } from '../../server/src/modules/demo/seed-credit.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// The admin page's credit settings: approval routes are versioned (an application keeps the version it
// started on, stages and SLAs included; a new one takes the newest), holidays move the SLA of stages entered
// afterwards, template edits reach the next client message; validation names the field, stale versions are
// 409, every change is audited with before/after, non-admins get 403.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let client: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    { key: 'co', name: 'Credit Officer', email: 'co@bank.example', role: 'credit_officer', branch: 'msk' },
    { key: 'gone', name: 'Gone User', email: 'gone@bank.example', role: 'credit_officer', branch: 'msk' },
  ]);
  await tdb.db.updateTable('users').set({ is_active: false }).where('id', '=', org.users.gone!).execute();
  await tdb.db
    .insertInto('products')
    .values([
      { code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' },
      { code: 'MORTGAGE', name: 'Ипотека', kind: 'loan', status: 'active' },
      { code: 'CORP-LOAN', name: 'Кредит юрлицу', kind: 'loan', status: 'active' },
      { code: 'CREDIT-LINE', name: 'Кредитная линия', kind: 'loan', status: 'active' },
      { code: 'DEPOSIT', name: 'Вклад', kind: 'deposit', status: 'active' },
    ])
    .execute();
  await insertRoutes(tdb.db, DEFAULT_ROUTES, () => crypto.randomUUID());
  client = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Заёмщиков Пётр Иванович',
    emails: ['borrower@client.example'],
    phones: ['+79161234567'],
  });
  app = await buildTestApp(tdb.db);
  for (const [k, e] of Object.entries({
    admin: 'admin@bank.example',
    rm1: 'rm1@bank.example',
    sup: 'sup@bank.example',
  }))
    tokens[k] = await tokenFor(app, e);
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const call = (method: Method, url: string, payload?: object, who = 'admin') =>
  app.inject({ method, url: `/api/v1${url}`, payload, headers: { authorization: `Bearer ${tokens[who]}` } });

const auditOf = (requestId: string) =>
  tdb.db.selectFrom('audit_events').where('request_id', '=', requestId).selectAll().orderBy('id').execute();

async function routes(): Promise<ApprovalRouteDto[]> {
  const res = await call('GET', '/admin/credit/routes');
  expect(res.statusCode).toBe(200);
  return res.json<ApprovalRoutesDto>().items;
}
const activeRoute = async (name: string) => (await routes()).find((r) => r.name === name && r.active)!;

/** A route's stages in the request shape (what the editor sends back). */
const asInput = (r: ApprovalRouteDto): RouteStageInputDto[] =>
  r.stages.map((s) => ({
    stageCode: s.stageCode,
    ownerRole: s.ownerRole,
    ownerUserId: s.owner?.id ?? null,
    slaWorkingHours: s.slaWorkingHours,
    canReturnTo: s.canReturnTo,
    canDecline: s.canDecline,
    decides: s.decides,
  }));
const asBody = (r: ApprovalRouteDto, stages = asInput(r)) => ({
  version: r.version,
  loanKind: r.loanKind,
  productCodes: r.productCodes,
  amountMin: r.amountMin,
  amountMax: r.amountMax,
  currency: r.currency,
  priority: r.priority,
  stages,
});

/** The deciding stage alone (returns to nothing). */
const decisionOnly = () => ({ ...newRoute().stages[2]!, canReturnTo: [] as string[] });

const newRoute = (over: Record<string, unknown> = {}) => ({
  name: 'Автокредит',
  loanKind: 'consumer',
  productCodes: ['CONS-LOAN'],
  amountMin: '1.00',
  amountMax: '5000000.00',
  currency: 'USD',
  priority: 10,
  stages: [
    {
      stageCode: 'intake',
      ownerRole: 'client_manager',
      ownerUserId: null,
      slaWorkingHours: 4,
      canReturnTo: [],
      canDecline: true,
      decides: false,
    },
    {
      stageCode: 'underwriting',
      ownerRole: null,
      ownerUserId: org?.users.co ?? null,
      slaWorkingHours: 16,
      canReturnTo: ['intake'],
      canDecline: true,
      decides: false,
    },
    {
      stageCode: 'decision',
      ownerRole: 'supervisor',
      ownerUserId: null,
      slaWorkingHours: 8,
      canReturnTo: ['intake', 'underwriting'],
      canDecline: true,
      decides: true,
    },
  ],
  ...over,
});

async function createApplication(): Promise<CreditApplicationDetailDto> {
  const res = await call(
    'POST',
    '/credit-applications',
    {
      clientId: client,
      productCode: 'CONS-LOAN',
      amount: { amount: '300000.00', currency: 'RUB' },
      termMonths: 12,
      ratePercent: '12',
      purpose: 'Ремонт квартиры',
      monthlyIncome: '160000.00',
      existingMonthlyPayments: '5000.00',
    },
    'rm1',
  );
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('approval routes', () => {
  it('lists every route with its stages, products and use', async () => {
    const items = await routes();
    const consumer = items.find((r) => r.name === 'Потребительский кредит')!;
    expect(consumer).toMatchObject({
      version: 1,
      active: true,
      currency: 'RUB',
      inUse: false,
      applications: 0,
    });
    expect(consumer.stages.map((s) => s.stageCode)).toEqual([
      'intake',
      'documents',
      'scoring',
      'security_check',
      'underwriting',
      'decision',
      'signing',
      'disbursement',
    ]);
    const res = await call('GET', '/admin/credit/routes');
    expect(res.json<ApprovalRoutesDto>().products.map((p) => p.code)).toContain('CREDIT-LINE');
    expect(res.json<ApprovalRoutesDto>().products.map((p) => p.code)).not.toContain('DEPOSIT');
  });

  it.each([
    ['no stages', { stages: [] }, 'body.stages'],
    [
      'an SLA of 0 hours',
      { stages: [{ ...decisionOnly(), slaWorkingHours: 0 }] },
      'body.stages.0.slaWorkingHours',
    ],
    [
      'an SLA above 2000 hours',
      { stages: [{ ...decisionOnly(), slaWorkingHours: 2001 }] },
      'body.stages.0.slaWorkingHours',
    ],
    [
      'a stage twice',
      { stages: [newRoute().stages[0], { ...decisionOnly(), stageCode: 'intake', canReturnTo: [] }] },
      'body.stages.1.stageCode',
    ],
    ['no deciding stage', { stages: [newRoute().stages[0]] }, 'body.stages'],
    [
      'two deciding stages',
      { stages: [{ ...newRoute().stages[0], decides: true }, decisionOnly()] },
      'body.stages',
    ],
    [
      'a return to a later stage',
      { stages: [{ ...newRoute().stages[0], canReturnTo: ['decision'] }, decisionOnly()] },
      'body.stages.0.canReturnTo',
    ],
    [
      'a stage with a role and a user',
      { stages: [{ ...decisionOnly(), ownerUserId: '00000000-0000-4000-8000-000000000000' }] },
      'body.stages.0.ownerRole',
    ],
    [
      'a stage without an owner',
      { stages: [{ ...decisionOnly(), ownerRole: null }] },
      'body.stages.0.ownerRole',
    ],
    [
      'an unknown owner',
      {
        stages: [{ ...decisionOnly(), ownerRole: null, ownerUserId: '00000000-0000-4000-8000-000000000000' }],
      },
      'body.stages.0.ownerUserId',
    ],
    ['a minimum above the maximum', { amountMin: '100.00', amountMax: '99.99' }, 'body.amountMin'],
    ['a currency that is not ISO 4217', { currency: 'rub' }, 'body.currency'],
    ['an unknown product', { productCodes: ['CONS-LOAN', 'NO-SUCH'] }, 'body.productCodes.1'],
    ['a product that is not a loan', { productCodes: ['DEPOSIT'] }, 'body.productCodes.0'],
    [
      'an unknown stage code',
      { stages: [{ ...decisionOnly(), stageCode: 'coffee' }] },
      'body.stages.0.stageCode',
    ],
    ['an unknown property', { colour: 'red' }, 'body.colour'],
  ])('refuses a route with %s (400, field named)', async (_what, over, field) => {
    const res = await call('POST', '/admin/credit/routes', newRoute(over));
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field });
  });

  // Break-it review: the RM approving their own application, and stages nobody can act on.
  it('refuses owners who must not hold a stage: the RM deciding (four eyes), an administrator', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "the client's manager deciding",
        { stages: [{ ...decisionOnly(), ownerRole: 'client_manager' }] },
        'body.stages.0.ownerRole',
      ],
      [
        'an administrator owning a stage',
        { stages: [{ ...decisionOnly(), ownerRole: null, ownerUserId: org.users.admin }] },
        'body.stages.0.ownerUserId',
      ],
      [
        'a relationship manager deciding by name',
        { stages: [{ ...decisionOnly(), ownerRole: null, ownerUserId: org.users.rm1 }] },
        'body.stages.0.ownerUserId',
      ],
    ];
    for (const [what, over, field] of cases) {
      const res = await call('POST', '/admin/credit/routes', newRoute({ name: `Bad ${what}`, ...over }));
      expect(res.statusCode, what).toBe(400);
      expect(res.json(), what).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
  });

  it('refuses an owner who is deactivated', async () => {
    const stages = [{ ...decisionOnly(), ownerRole: null, ownerUserId: org.users.gone }];
    const res = await call('POST', '/admin/credit/routes', newRoute({ stages }));
    expect(res.json()).toMatchObject({ statusCode: 400, field: 'body.stages.0.ownerUserId' });
  });

  it('refuses an active route of equal priority that takes the same product, currency and amounts', async () => {
    const res = await call(
      'POST',
      '/admin/credit/routes',
      newRoute({ currency: 'RUB', priority: 0, amountMin: '1000000.00', amountMax: null }),
    );
    expect(res.json()).toMatchObject({ statusCode: 409, code: 'ROUTE_OVERLAP', field: 'body.priority' });
    expect(res.json().message).toContain('Потребительский кредит');
    // A higher priority is a deliberate override (e.g. large amounts): allowed.
    const over = await call(
      'POST',
      '/admin/credit/routes',
      newRoute({
        name: 'Крупный потребительский',
        currency: 'RUB',
        priority: 5,
        amountMin: '90000000.00',
        amountMax: null,
      }),
    );
    expect(over.statusCode, over.body).toBe(201);
  });

  it('creates a route as version 1 with a named owner, audited with its stages', async () => {
    const res = await call('POST', '/admin/credit/routes', newRoute());
    expect(res.statusCode, res.body).toBe(201);
    const { route, previous } = res.json<SaveApprovalRouteResultDto>();
    expect(previous).toBeNull();
    expect(route).toMatchObject({ name: 'Автокредит', version: 1, active: true, amountMax: '5000000.00' });
    expect(route.stages[1]).toMatchObject({
      stageCode: 'underwriting',
      owner: { id: org.users.co },
      ownerRole: null,
    });
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({
      action: 'approval_route.create',
      entity_id: route.id,
      actor_id: org.users.admin,
    });
    expect((event!.details as { after: { stages: unknown[] } }).after.stages).toHaveLength(3);
    const dup = await call('POST', '/admin/credit/routes', newRoute());
    expect(dup.json()).toMatchObject({ statusCode: 409, code: 'ALREADY_EXISTS', field: 'body.name' });
  });

  it('keeps an application on the version it started with; a new application takes the new version', async () => {
    const before = await createApplication();
    expect(before.route).toMatchObject({ name: 'Потребительский кредит', version: 1 });
    expect(before.currentStage).toMatchObject({ stage: 'intake', slaWorkingHours: 4 });

    const v1 = await activeRoute('Потребительский кредит');
    expect(v1).toMatchObject({ inUse: true, openApplications: 1 });
    const stages = asInput(v1).map((s) =>
      s.stageCode === 'intake'
        ? { ...s, slaWorkingHours: 6 }
        : s.stageCode === 'documents'
          ? { ...s, slaWorkingHours: 12 }
          : s,
    );
    const saved = await call('POST', `/admin/credit/routes/${v1.id}/versions`, asBody(v1, stages));
    expect(saved.statusCode, saved.body).toBe(201);
    const result = saved.json<SaveApprovalRouteResultDto>();
    expect(result.route).toMatchObject({ version: 2, active: true, inUse: false });
    expect(result.previous).toEqual({ id: v1.id, version: 1, openApplications: 1 });

    const all = (await routes()).filter((r) => r.name === 'Потребительский кредит');
    expect(all.map((r) => [r.version, r.active, r.inUse])).toEqual([
      [2, true, false],
      [1, false, true],
    ]);
    const [event] = await auditOf(saved.headers['x-request-id'] as string);
    const details = event!.details as {
      before: { stages: { slaWorkingHours: number }[] };
      after: typeof details.before;
    };
    expect(event!.action).toBe('approval_route.version');
    expect(details.before.stages[0]!.slaWorkingHours).toBe(4);
    expect(details.after.stages[0]!.slaWorkingHours).toBe(6);

    // The running application walks version 1: its next stage has version 1's SLA.
    const moved = await call(
      'POST',
      `/credit-applications/${before.id}/advance`,
      { version: before.version },
      'rm1',
    );
    expect(moved.statusCode, moved.body).toBe(200);
    const afterMove = moved.json<CreditApplicationDetailDto>();
    expect(afterMove.route).toMatchObject({ id: v1.id, version: 1 });
    expect(afterMove.currentStage).toMatchObject({ stage: 'documents', slaWorkingHours: 8 });

    const fresh = await createApplication();
    expect(fresh.route).toMatchObject({ id: result.route.id, version: 2 });
    expect(fresh.currentStage).toMatchObject({ stage: 'intake', slaWorkingHours: 6 });
  });

  it('answers 409 VERSION_CONFLICT when the edited version is no longer the newest', async () => {
    const all = (await routes()).filter((r) => r.name === 'Потребительский кредит');
    const old = all.find((r) => r.version === 1)!;
    const res = await call('POST', `/admin/credit/routes/${old.id}/versions`, asBody(old));
    expect(res.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT', field: 'body.version' });
    const current = all.find((r) => r.active)!;
    const stale = await call('POST', `/admin/credit/routes/${current.id}/versions`, {
      ...asBody(current),
      version: 1,
    });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT' });
    const missing = await call(
      'POST',
      '/admin/credit/routes/00000000-0000-4000-8000-000000000000/versions',
      asBody(current),
    );
    expect(missing.statusCode).toBe(404);
  });

  it('validates a new version like a new route', async () => {
    const current = await activeRoute('Потребительский кредит');
    const stages = asInput(current).map((s) => ({ ...s, decides: false }));
    const res = await call('POST', `/admin/credit/routes/${current.id}/versions`, asBody(current, stages));
    expect(res.json()).toMatchObject({ statusCode: 400, field: 'body.stages' });
  });

  it('deactivates a route: no new application takes it, audited', async () => {
    const r = await activeRoute('Автокредит');
    const stale = await call('POST', `/admin/credit/routes/${r.id}/deactivate`, { version: 2 });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT' });
    const res = await call('POST', `/admin/credit/routes/${r.id}/deactivate`, { version: r.version });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ active: false });
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({ action: 'approval_route.deactivate', entity_id: r.id });
    expect(event!.details).toMatchObject({ changes: { active: { from: true, to: false } } });
    expect((await routes()).filter((x) => x.name === 'Автокредит' && x.active)).toEqual([]);
  });
});

/** The local date (YYYY-MM-DD) of an instant in Moscow, where the test branch works. */
const moscowDate = (iso: string) => new Date(iso).toLocaleDateString('sv-SE', { timeZone: 'Europe/Moscow' });

describe('holidays', () => {
  it('lists a year of the production calendar', async () => {
    const res = await call('GET', '/admin/credit/holidays?year=2027&country=RU');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { date: string; kind: string }[];
    expect(items[0]).toMatchObject({ date: '2027-01-01', kind: 'holiday' });
    expect(items.every((h) => h.date.startsWith('2027-'))).toBe(true);
    expect(res.json().regions).toEqual(['Москва', 'Санкт-Петербург']);
    const bad = await call('GET', '/admin/credit/holidays?year=99');
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'querystring.year' });
  });

  it('a holiday added moves the SLA due time of a stage entered afterwards; one already entered keeps its own', async () => {
    const first = await createApplication();
    const due = first.currentStage!.dueAt!;
    const day = moscowDate(due);
    // A working day may carry a short-day row already: replace it with a holiday.
    const existing = await tdb.db
      .selectFrom('holidays')
      .where('date', '=', day)
      .where('region', 'is', null)
      .select('id')
      .execute();
    for (const h of existing)
      expect((await call('DELETE', `/admin/credit/holidays/${h.id}`)).statusCode).toBe(200);

    const res = await call('POST', '/admin/credit/holidays', {
      country: 'RU',
      region: null,
      date: day,
      kind: 'holiday',
      name: 'День банковского работника',
    });
    expect(res.statusCode, res.body).toBe(201);
    const holiday = res.json();
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({ action: 'holiday.create', entity_id: holiday.id });
    expect(event!.details).toMatchObject({ after: { date: day, kind: 'holiday', region: null } });

    const second = await createApplication();
    expect(moscowDate(second.currentStage!.dueAt!) > day).toBe(true);
    const again = await call('GET', `/credit-applications/${first.id}`, undefined, 'rm1');
    expect(again.json().currentStage.dueAt).toBe(due);

    const del = await call('DELETE', `/admin/credit/holidays/${holiday.id}`);
    expect(del.statusCode).toBe(200);
    const [delEvent] = await auditOf(del.headers['x-request-id'] as string);
    expect(delEvent).toMatchObject({ action: 'holiday.delete', entity_id: holiday.id });
    expect(delEvent!.details).toMatchObject({ before: { date: day } });
    const third = await createApplication();
    expect(moscowDate(third.currentStage!.dueAt!)).toBe(day);
    expect((await call('DELETE', `/admin/credit/holidays/${holiday.id}`)).statusCode).toBe(404);
  });

  it('refuses a day twice, an unknown region, a bad date or kind', async () => {
    const ok = await call('POST', '/admin/credit/holidays', {
      country: 'RU',
      region: 'Москва',
      date: '2027-09-01',
      kind: 'short_day',
      name: 'Проверка',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const twice = await call('POST', '/admin/credit/holidays', {
      country: 'RU',
      region: 'Москва',
      date: '2027-09-01',
      kind: 'holiday',
      name: 'Снова',
    });
    expect(twice.json()).toMatchObject({ statusCode: 409, code: 'ALREADY_EXISTS', field: 'body.date' });
    const region = await call('POST', '/admin/credit/holidays', {
      country: 'RU',
      region: 'Атлантида',
      date: '2027-09-02',
      kind: 'holiday',
      name: 'Нет',
    });
    expect(region.json()).toMatchObject({ statusCode: 400, field: 'body.region' });
    const date = await call('POST', '/admin/credit/holidays', {
      country: 'RU',
      region: null,
      date: '2027-13-01',
      kind: 'holiday',
      name: 'Нет',
    });
    expect(date.json()).toMatchObject({ statusCode: 400, field: 'body.date' });
    const kind = await call('POST', '/admin/credit/holidays', {
      country: 'RU',
      region: null,
      date: '2027-09-03',
      kind: 'vacation',
      name: 'Нет',
    });
    expect(kind.json()).toMatchObject({ statusCode: 400, field: 'body.kind' });
    const regional = await call(
      'GET',
      '/admin/credit/holidays?year=2027&region=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0',
    );
    expect(regional.json().items.some((h: { region: string | null }) => h.region === 'Москва')).toBe(true);
  });
});

describe('notification templates', () => {
  it('lists the templates with the placeholders each event knows', async () => {
    const res = await call('GET', '/admin/credit/templates');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(24);
    expect(res.json().placeholders.documents_requested).toContain('comment');
    expect(res.json().placeholders.submitted).not.toContain('comment');
  });

  it('an edited template is the text of the next client message; audited with before/after', async () => {
    const list = await call('GET', '/admin/credit/templates');
    const t = list
      .json()
      .items.find(
        (x: { event: string; channel: string; lang: string }) =>
          x.event === 'submitted' && x.channel === 'email' && x.lang === 'ru',
      );
    const body = 'Добрый день, {{clientName}}! Заявка {{number}} на {{amount}} получена банком.';
    const res = await call('PATCH', '/admin/credit/templates/submitted/email/ru', {
      version: t.version,
      subject: 'Мы получили заявку {{number}}',
      body,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ body, version: t.version + 1 });
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({ action: 'notification_template.update', entity_id: 'submitted/email/ru' });
    expect(event!.details).toMatchObject({
      fields: ['subject', 'body'],
      changes: { body: { from: t.body, to: body } },
    });

    const a = await createApplication();
    const message = await tdb.db
      .selectFrom('client_notifications')
      .where('application_id', '=', a.id)
      .where('channel', '=', 'email')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(message.subject).toBe(`Мы получили заявку ${a.number}`);
    expect(message.body).toMatch(
      /^Добрый день, Заёмщиков Пётр Иванович! Заявка .+ на 300\s000,00\s₽ получена банком\.$/,
    );

    const stale = await call('PATCH', '/admin/credit/templates/submitted/email/ru', {
      version: t.version,
      body,
    });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT', field: 'body.version' });
  });

  it('a disabled template sends nothing on its channel', async () => {
    const list = await call('GET', '/admin/credit/templates');
    const t = list
      .json()
      .items.find(
        (x: { event: string; channel: string; lang: string }) =>
          x.event === 'submitted' && x.channel === 'sms' && x.lang === 'ru',
      );
    const res = await call('PATCH', '/admin/credit/templates/submitted/sms/ru', {
      version: t.version,
      enabled: false,
    });
    expect(res.json()).toMatchObject({ enabled: false });
    const a = await createApplication();
    const channels = await tdb.db
      .selectFrom('client_notifications')
      .where('application_id', '=', a.id)
      .select('channel')
      .execute();
    expect(channels.map((c) => c.channel)).toEqual(['email']);
  });

  it.each([
    [
      'an unknown placeholder in the body',
      'submitted/email/en',
      { body: 'Dear {{clientName}}, {{x}}' },
      'body.body',
    ],
    ['a placeholder of another event', 'submitted/email/en', { body: 'Missing: {{comment}}' }, 'body.body'],
    ['a spaced placeholder', 'submitted/email/en', { body: 'Dear {{ clientName }}' }, 'body.body'],
    ['an unknown placeholder in the subject', 'approved/email/ru', { subject: '{{nomer}}' }, 'body.subject'],
    ['a subject on an SMS', 'approved/sms/ru', { subject: 'Тема' }, 'body.subject'],
    ['an email without a subject', 'approved/email/ru', { subject: null }, 'body.subject'],
    // Break-it review: a line break would start another mail header.
    [
      'a subject with a line break',
      'approved/email/en',
      { subject: 'Hello\r\nBcc: victim@evil.example' },
      'body.subject',
    ],
    ['a blank body', 'approved/email/ru', { body: '   ' }, 'body.body'],
  ])('refuses %s (400, field named)', async (_what, key, over, field) => {
    const res = await call('PATCH', `/admin/credit/templates/${key}`, { version: 1, ...over });
    expect(res.json()).toMatchObject({ statusCode: 400, field });
  });

  it('answers 404 for a template that does not exist and 400 for an unknown event', async () => {
    expect(
      (await call('PATCH', '/admin/credit/templates/rejected/email/ru', { version: 1 })).json(),
    ).toMatchObject({
      statusCode: 400,
      field: 'params.event',
    });
  });

  it('previews a text with sample data, refusing unknown placeholders', async () => {
    const res = await call('POST', '/admin/credit/templates/preview', {
      event: 'documents_requested',
      lang: 'en',
      subject: 'Application {{number}}',
      body: 'Dear {{clientName}}, we need: {{comment}}.',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      subject: 'Application КЗ-2026-5000123',
      body: 'Dear John Smith, we need: income statement for 6 months.',
    });
    const bad = await call('POST', '/admin/credit/templates/preview', {
      event: 'submitted',
      lang: 'ru',
      subject: null,
      body: '{{oops}}',
    });
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'body.body' });
  });
});

describe('admins only', () => {
  it.each([
    ['GET', '/admin/credit/routes'],
    ['POST', '/admin/credit/routes'],
    ['GET', '/admin/credit/holidays?year=2026'],
    ['POST', '/admin/credit/holidays'],
    ['GET', '/admin/credit/templates'],
    ['PATCH', '/admin/credit/templates/submitted/email/ru'],
    ['POST', '/admin/credit/templates/preview'],
  ] as const)(
    '%s %s answers 403 to a supervisor and an RM, audited as access.denied',
    async (method, url) => {
      for (const who of ['sup', 'rm1']) {
        const res = await call(method, url, method === 'GET' ? undefined : { version: 1 }, who);
        expect(res.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
        const events = await auditOf(res.headers['x-request-id'] as string);
        expect(events.map((e) => e.action)).toContain('access.denied');
      }
    },
  );
});
