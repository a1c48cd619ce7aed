import type { ClientCardDto, CreditApplicationDetailDto, CreditNoticesDto } from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { DEFAULT_ROUTES, insertRoutes } from '../../server/src/modules/demo/seed-credit.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// The stage owner's notices (nudges, SLA notices, escalations) as the pane reads them: listed with the
// unread count, marked read by their recipient only, out of view with their client; and the client's
// language choosing the language of the client's messages.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const tokens: Record<string, string> = {};
const EMAILS: Record<string, string> = {
  rm1: 'rm1@bank.example',
  rm2: 'rm2@bank.example',
  co: 'co@bank.example',
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    { key: 'co', name: 'Credit Officer', email: 'co@bank.example', role: 'credit_officer', branch: 'msk' },
  ]);
  await tdb.db
    .insertInto('products')
    .values([{ code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' }])
    .execute();
  await insertRoutes(tdb.db, DEFAULT_ROUTES, () => crypto.randomUUID());
  app = await buildTestApp(tdb.db);
  for (const [k, e] of Object.entries(EMAILS)) tokens[k] = await tokenFor(app, e);
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

const call = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
async function ok<T>(who: string, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<T> {
  const res = await call(who, method, url, payload);
  if (res.statusCode >= 300) throw new Error(`${method} ${url} as ${who}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

const apply = (clientId: string) =>
  ok<CreditApplicationDetailDto>('rm1', 'POST', '/api/v1/credit-applications', {
    clientId,
    productCode: 'CONS-LOAN',
    amount: { amount: '300000.00', currency: 'RUB' },
    termMonths: 12,
    ratePercent: '12',
    purpose: 'Ремонт квартиры',
    monthlyIncome: '90000.00',
    existingMonthlyPayments: '0',
  });

/** An application at scoring: the credit officers' queue, held by the MSK officer `co`. */
async function atScoring(clientId: string): Promise<CreditApplicationDetailDto> {
  let a = await apply(clientId);
  for (let i = 0; i < 2; i++)
    a = await ok('rm1', 'POST', `/api/v1/credit-applications/${a.id}/advance`, { version: a.version });
  expect(a.currentStage).toMatchObject({ stage: 'scoring', owner: { id: org.users.co } });
  return a;
}
const nudge = (who: string, a: { id: string }, message: string) =>
  ok<{ id: string }>(who, 'POST', `/api/v1/credit-applications/${a.id}/nudges`, { message });
const notices = (who: string, q = '') =>
  ok<CreditNoticesDto>(who, 'GET', `/api/v1/credit-applications/notices${q}`);
const unread = async (who: string) =>
  (await ok<{ unreadCount: number }>(who, 'GET', '/api/v1/credit-applications/notices/unread-count'))
    .unreadCount;
const markRead = (who: string, ids: string[] | 'all') =>
  call(who, 'POST', '/api/v1/credit-applications/notices/read', { ids });

/** Leaves the officer with no unread notices, so each test counts its own. */
async function clearInbox() {
  await ok('co', 'POST', '/api/v1/credit-applications/notices/read', { ids: 'all' });
}

describe('the stage owner’s notices', () => {
  it('lists the caller’s notices newest first with client, stage, author and the unread count, audited', async () => {
    await clearInbox();
    const client = await createClient(tdb.db, org, { kind: 'individual', name: 'Уведомлев Олег Ильич' });
    const a = await atScoring(client);
    const first = await nudge('rm1', a, 'Клиент ждёт решения');
    const second = await nudge('rm2', a, 'Когда будет скоринг?');
    const res = await call('co', 'GET', '/api/v1/credit-applications/notices');
    expect(res.statusCode).toBe(200);
    const list = res.json<CreditNoticesDto>();
    expect(list.unreadCount).toBe(2);
    expect(list.items.slice(0, 2).map((n) => n.id)).toEqual([second.id, first.id]);
    expect(list.items[0]).toEqual({
      id: second.id,
      kind: 'nudge',
      applicationId: a.id,
      applicationNumber: a.number,
      client: { id: client, displayName: 'Уведомлев Олег Ильич' },
      stage: 'scoring',
      stageDueAt: a.currentStage!.dueAt,
      stageOwner: { id: org.users.co, name: 'Credit Officer' },
      message: 'Когда будет скоринг?',
      author: { id: org.users.rm2, name: 'RM Two' },
      recipient: { id: org.users.co, name: 'Credit Officer' },
      createdAt: expect.any(String),
      readAt: null,
    });
    expect(await unread('co')).toBe(2);
    // The author does not receive their own nudge.
    expect((await notices('rm1')).items.map((n) => n.id)).not.toContain(first.id);
    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('request_id', '=', res.headers['x-request-id'] as string)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      action: 'credit_application.notices',
      result: 'ok',
      actor_id: org.users.co,
      channel: 'pane',
    });
    expect(audit.client_ids).toContain(client);
  });

  it('marks read only the caller’s own notices, once, by id or all', async () => {
    await clearInbox();
    const client = await createClient(tdb.db, org, { kind: 'individual', name: 'Прочтенов Иван Ильич' });
    const a = await atScoring(client);
    const n1 = await nudge('rm1', a, 'Первый вопрос');
    const n2 = await nudge('rm1', a, 'Второй вопрос');
    // Someone else's ids are ignored, not refused: nothing tells rm2 whether they exist.
    const foreign = await markRead('rm2', [n1.id, n2.id]);
    expect(foreign.statusCode).toBe(200);
    expect(foreign.json()).toEqual({ marked: 0, unreadCount: 0 });
    expect(await unread('co')).toBe(2);

    const one = await markRead('co', [n1.id, '999999999']);
    expect(one.json()).toEqual({ marked: 1, unreadCount: 1 });
    expect((await markRead('co', [n1.id])).json()).toEqual({ marked: 0, unreadCount: 1 });
    const list = await notices('co');
    expect(list.items.find((n) => n.id === n1.id)?.readAt).toEqual(expect.any(String));
    expect(list.items.find((n) => n.id === n2.id)?.readAt).toBeNull();
    expect((await notices('co', '?unread=true')).items.map((n) => n.id)).toEqual([n2.id]);

    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('request_id', '=', one.headers['x-request-id'] as string)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      action: 'credit_application.notices_read',
      result: 'ok',
      actor_id: org.users.co,
      entity: 'credit_notice',
      details: { all: false, ids: [n1.id] },
    });
    expect(audit.client_ids).toEqual([client]);
    // Nothing marked: nothing audited.
    const none = await markRead('rm2', 'all');
    expect(
      await tdb.db
        .selectFrom('audit_events')
        .where('request_id', '=', none.headers['x-request-id'] as string)
        .selectAll()
        .execute(),
    ).toEqual([]);

    expect((await markRead('co', 'all')).json()).toEqual({ marked: 1, unreadCount: 0 });
    expect(await unread('co')).toBe(0);
  });

  it.each([
    ['no body', undefined, 'body'],
    ['an empty list', { ids: [] }, 'body.ids'],
    ['a word other than all', { ids: 'everything' }, 'body.ids'],
    ['a non-numeric id', { ids: ['abc'] }, 'body.ids'],
    ['a repeated id', { ids: ['1', '1'] }, 'body.ids'],
    ['an unknown property', { ids: 'all', also: true }, 'body'],
  ])('refuses marking read with %s (400 naming the field)', async (_name, payload, field) => {
    const res = await call('co', 'POST', '/api/v1/credit-applications/notices/read', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(String(res.json().field)).toMatch(new RegExp(`^${field.replace('.', '\\.')}`));
  });

  it('hides the notices of a client the owner may no longer see, from the list, the count and marking', async () => {
    await clearInbox();
    const client = await createClient(tdb.db, org, { kind: 'individual', name: 'Переведенов Пётр Ильич' });
    const a = await atScoring(client);
    const n = await nudge('rm1', a, 'Ещё актуально?');
    expect(await unread('co')).toBe(1);
    // The client moves to St Petersburg: the MSK credit officer no longer reviews it.
    await tdb.db
      .updateTable('client_branches')
      .set({ branch_id: org.branches.spb })
      .where('client_id', '=', client)
      .execute();
    expect(await unread('co')).toBe(0);
    const list = await notices('co');
    expect(list.unreadCount).toBe(0);
    expect(list.items.map((x) => x.id)).not.toContain(n.id);
    expect((await markRead('co', [n.id])).json()).toEqual({ marked: 0, unreadCount: 0 });
    const row = await tdb.db
      .selectFrom('credit_notices')
      .where('id', '=', n.id)
      .select('read_at')
      .executeTakeFirstOrThrow();
    expect(row.read_at).toBeNull();
  });
});

describe('the client’s language', () => {
  const clientWith = async (name: string, preferred: 'ru' | 'en' | null, citizenship: string | null) => {
    const id = await createClient(tdb.db, org, {
      kind: 'individual',
      name,
      emails: [`${crypto.randomUUID()}@client.example`],
    });
    await tdb.db.updateTable('clients').set({ preferred_language: preferred }).where('id', '=', id).execute();
    await tdb.db
      .updateTable('individual_profiles')
      .set({ citizenship })
      .where('client_id', '=', id)
      .execute();
    return id;
  };
  const langOfMessages = async (clientId: string) => {
    const rows = await tdb.db
      .selectFrom('client_notifications')
      .where('client_id', '=', clientId)
      .select(['lang', 'body'])
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    return [...new Set(rows.map((r) => r.lang))];
  };

  it.each([
    ['the client’s choice over a Russian citizenship', 'en', 'RU', 'en'],
    ['the client’s choice over a foreign citizenship', 'ru', 'DE', 'ru'],
    ['a foreign citizenship without a choice', null, 'DE', 'en'],
    ['a Russian citizenship without a choice', null, 'RU', 'ru'],
    ['no citizenship and no choice', null, null, 'ru'],
  ] as const)('writes to the client in %s', async (_name, preferred, citizenship, expected) => {
    const client = await clientWith(`Языков ${expected} ${citizenship ?? 'нет'}`, preferred, citizenship);
    await apply(client);
    expect(await langOfMessages(client)).toEqual([expected]);
  });

  it('shows the language on the card and takes it when a prospect is created', async () => {
    const created = await call('rm1', 'POST', '/api/v1/prospects', {
      kind: 'individual',
      displayName: 'Smith John',
      email: 'john.smith@example.org',
      preferredLanguage: 'en',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().client.id as string;
    const card = await ok<ClientCardDto>('rm1', 'GET', `/api/v1/clients/${id}`);
    expect(card.preferredLanguage).toBe('en');
    const other = await createClient(tdb.db, org, { kind: 'individual', name: 'Безвыборов Иван Ильич' });
    expect((await ok<ClientCardDto>('rm1', 'GET', `/api/v1/clients/${other}`)).preferredLanguage).toBeNull();
  });

  it('refuses a prospect in a language the bank does not write in (400 naming the field)', async () => {
    const res = await call('rm1', 'POST', '/api/v1/prospects', {
      kind: 'individual',
      displayName: 'Müller Hans',
      preferredLanguage: 'de',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.preferredLanguage' });
  });
});
