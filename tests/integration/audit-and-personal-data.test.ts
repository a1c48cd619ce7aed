import type { AuditEventDto, AuditEventsPageDto, ClientCardDto, TaskDto } from '@crm/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createCreditApplication, createOrg, grant, type Org } from '../support/fixtures.ts';

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    { key: 'co', name: 'Credit Officer', email: 'co@bank.example', role: 'credit_officer', branch: 'msk' },
  ]);
  await grant(tdb.db, org.users.sup!, 'view_personal_data');
  ids.person = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Белова Анна Викторовна',
    birthDate: '1985-04-12',
    emails: ['belova@agro-south.example'],
  });
  ids.company = await createClient(tdb.db, org, {
    kind: 'legal_entity',
    name: 'ООО «Ромашка»',
    inn: '7725088527',
  });
  ids.applicant = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Заёмщик Пётр',
    manager: 'rm2',
  });
  await createCreditApplication(tdb.db, ids.applicant);
  ids.spbApplicant = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Питерский Заёмщик',
    manager: 'rmOther',
  });
  await createCreditApplication(tdb.db, ids.spbApplicant);
  app = await buildTestApp(tdb.db);
  for (const [k, email] of Object.entries({
    rm1: 'rm1@bank.example',
    sup: 'sup@bank.example',
    co: 'co@bank.example',
    admin: 'admin@bank.example',
  }))
    tokens[k] = await tokenFor(app, email);
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

const get = (url: string, who: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` } });
const auditOf = (res: { headers: Record<string, unknown> }) =>
  tdb.db
    .selectFrom('audit_events')
    .where('request_id', '=', String(res.headers['x-request-id']))
    .selectAll()
    .execute();

describe('personal data on the client card', () => {
  it('is masked (null + listed in `masked`) without the view_personal_data grant, in the card and the pane', async () => {
    const res = await get(`/api/v1/clients/${ids.person}`, 'rm1');
    const card = res.json<ClientCardDto>();
    expect(card.individual?.birthDate).toBeNull();
    expect(card.masked).toEqual(['individual.birthDate']);
    expect(res.body).not.toContain('1985-04-12');
    const [event] = await auditOf(res);
    expect(event!.details).toMatchObject({
      personalDataShown: [],
      personalDataMasked: ['individual.birthDate'],
    });

    const pane = await app.inject({
      method: 'POST',
      url: '/api/v1/mail-context',
      headers: { authorization: `Bearer ${tokens.rm1}` },
      payload: {
        itemType: 'message',
        participants: [{ role: 'from', displayName: 'Анна', emailAddress: 'belova@agro-south.example' }],
        userAddresses: [],
      },
    });
    expect(pane.body).not.toContain('1985-04-12');
    expect(pane.json().participants[0].clients[0].masked).toEqual(['individual.birthDate']);
  });

  it('is shown with the grant, and the audit names the personal fields revealed', async () => {
    const res = await get(`/api/v1/clients/${ids.person}`, 'sup');
    const card = res.json<ClientCardDto>();
    expect(card.individual?.birthDate).toBe('1985-04-12');
    expect(card.masked).toEqual([]);
    const [event] = await auditOf(res);
    expect(event).toMatchObject({ action: 'client.read', result: 'ok', actor_role: 'supervisor' });
    expect(event!.details).toMatchObject({ view: 'card', personalDataShown: ['individual.birthDate'] });
    // Only the field's name is in the trail, never its value.
    expect(JSON.stringify(event)).not.toContain('1985-04-12');
  });

  it('has nothing to mask on a company card', async () => {
    const card = (await get(`/api/v1/clients/${ids.company}`, 'rm1')).json<ClientCardDto>();
    expect(card.masked).toEqual([]);
  });
});

describe('credit officer visibility', () => {
  it('sees the clients with credit applications in their branch, and no others', async () => {
    expect((await get(`/api/v1/clients/${ids.applicant}`, 'co')).statusCode).toBe(200);
    expect((await get(`/api/v1/clients/${ids.person}`, 'co')).statusCode).toBe(404);
    expect((await get(`/api/v1/clients/${ids.spbApplicant}`, 'co')).statusCode).toBe(404);
    const found = (await get('/api/v1/clients?q=Заёмщик', 'co'))
      .json()
      .items.map((i: { id: string }) => i.id);
    expect(found).toEqual([ids.applicant]);
  });
});

describe('audit of changes', () => {
  it('records before/after of the changed task fields in the transaction of the change', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: { authorization: `Bearer ${tokens.rm1}` },
      payload: { title: 'Позвонить', type: 'call', clientId: ids.person, dueAt: '2026-12-01T07:00:00.000Z' },
    });
    const task = created.json<TaskDto>();
    const [createEvent] = await auditOf(created);
    expect(createEvent).toMatchObject({ action: 'task.create', entity: 'task', entity_id: task.id });
    expect(createEvent!.details).toMatchObject({ after: { title: 'Позвонить', status: 'open' } });
    const updated = await app.inject({
      method: 'PATCH',
      url: `/api/v1/tasks/${task.id}`,
      headers: { authorization: `Bearer ${tokens.rm1}` },
      payload: { version: 1, status: 'done', title: 'Позвонить' },
    });
    const [updateEvent] = await auditOf(updated);
    expect(updateEvent!.details).toEqual({
      fields: ['status'],
      changes: { status: { from: 'open', to: 'done' } },
    });
  });

  it('keeps audit_events append-only', async () => {
    await expect(sql`update audit_events set result = 'ok'`.execute(tdb.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events`.execute(tdb.db)).rejects.toThrow(/append-only/);
  });
});

describe('GET /api/v1/audit-events', () => {
  it('refuses non-admins with 403, and audits the refusal', async () => {
    const res = await get('/api/v1/audit-events', 'rm1');
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
    const [event] = await auditOf(res);
    expect(event).toMatchObject({ action: 'access.denied', result: 'denied', actor_id: org.users.rm1 });
    expect(event!.details).toMatchObject({ route: '/api/v1/audit-events', method: 'GET', code: 'FORBIDDEN' });
  });

  it('lets an admin query by client, user, action and period, page by cursor, and audits each query', async () => {
    const byClient = await get(`/api/v1/audit-events?clientId=${ids.person}`, 'admin');
    expect(byClient.statusCode).toBe(200);
    const page = byClient.json<AuditEventsPageDto>();
    expect(page.items.length).toBeGreaterThan(2);
    expect(page.items.every((e) => e.clientIds.includes(ids.person!))).toBe(true);
    expect(page.items.map((e) => Number(e.id))).toEqual(
      [...page.items.map((e) => Number(e.id))].sort((a, b) => b - a),
    );
    const first = page.items[0]!;
    expect(first).toMatchObject({ ip: expect.any(String), channel: expect.any(String) });

    const byUser = (
      await get(`/api/v1/audit-events?userId=${org.users.sup}&action=client.read`, 'admin')
    ).json<AuditEventsPageDto>();
    expect(byUser.items.length).toBeGreaterThan(0);
    expect(byUser.items.every((e) => e.actorId === org.users.sup && e.action === 'client.read')).toBe(true);

    const future = (
      await get('/api/v1/audit-events?from=2100-01-01T00:00:00Z', 'admin')
    ).json<AuditEventsPageDto>();
    expect(future.items).toEqual([]);
    const past = (
      await get('/api/v1/audit-events?to=2000-01-01T00:00:00Z', 'admin')
    ).json<AuditEventsPageDto>();
    expect(past.items).toEqual([]);

    const seen: AuditEventDto[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/api/v1/audit-events?clientId=${ids.person}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        'admin',
      );
      const p: AuditEventsPageDto = res.json();
      seen.push(...p.items);
      cursor = p.nextCursor;
    } while (cursor);
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(page.items.length);

    const queries = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'audit.query')
      .where('actor_id', '=', org.users.admin!)
      .select(['details', 'client_ids'])
      .execute();
    expect(queries.length).toBeGreaterThanOrEqual(4);
    expect(queries[0]!.client_ids).toEqual([ids.person]);
  });

  it('rejects unknown filters and bad values', async () => {
    expect((await get('/api/v1/audit-events?clientId=nope', 'admin')).json().field).toBe(
      'querystring.clientId',
    );
    expect((await get('/api/v1/audit-events?who=me', 'admin')).statusCode).toBe(400);
  });
});
