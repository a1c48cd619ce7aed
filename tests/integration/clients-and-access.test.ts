import type { ClientSearchResultDto } from '@crm/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  ids.mine = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Артёмов Пётр Ильич',
    emails: ['petr@artemov.example'],
    phones: ['+74951234567'],
    inn: '500100732259',
  });
  ids.rm2s = await createClient(tdb.db, org, {
    kind: 'legal_entity',
    name: 'ООО «Ромашка»',
    manager: 'rm2',
    inn: '7725088527',
    emails: ['info@romashka.example'],
  });
  ids.other = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Иванов Иван Иванович',
    manager: 'rmOther',
    emails: ['ivanov@secret.example'],
    inn: '344809916052',
  });
  app = await buildTestApp(tdb.db);
  for (const [k, email] of Object.entries({
    rm1: 'rm1@bank.example',
    rmOther: 'rm.other@bank.example',
    sup: 'sup@bank.example',
    admin: 'admin@bank.example',
  })) {
    tokens[k] = await tokenFor(app, email);
  }
});
afterAll(async () => {
  await app.close();
  await tdb.destroy();
});

const get = (url: string, who: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` } });

describe('who may see which client', () => {
  it('lets an RM open a client they manage and one their branch serves', async () => {
    expect((await get(`/api/v1/clients/${ids.mine}`, 'rm1')).statusCode).toBe(200);
    expect((await get(`/api/v1/clients/${ids.rm2s}`, 'rm1')).statusCode).toBe(200);
  });

  it('hides another branch RM’s client from RM A, by id and by search, and audits the refusal', async () => {
    const byId = await get(`/api/v1/clients/${ids.other}`, 'rm1');
    expect(byId.statusCode).toBe(404);
    expect(byId.body).not.toContain('Иванов');
    for (const q of ['Иванов', '344809916052', 'ivanov@secret.example']) {
      const res = await get(`/api/v1/clients?q=${encodeURIComponent(q)}`, 'rm1');
      expect(res.json<ClientSearchResultDto>().items, q).toEqual([]);
    }
    const denied = await tdb.db
      .selectFrom('audit_events')
      .where('result', '=', 'denied')
      .select('client_ids')
      .execute();
    expect(denied.map((d) => d.client_ids)).toContainEqual([ids.other]);
    // ...while their own RM finds them.
    expect((await get(`/api/v1/clients/${ids.other}`, 'rmOther')).statusCode).toBe(200);
  });

  it('lets a supervisor see their team’s clients but not another branch’s', async () => {
    expect((await get(`/api/v1/clients/${ids.mine}`, 'sup')).statusCode).toBe(200);
    expect((await get(`/api/v1/clients/${ids.other}`, 'sup')).statusCode).toBe(404);
  });

  it('gives an admin settings, not client data', async () => {
    expect((await get(`/api/v1/clients/${ids.mine}`, 'admin')).statusCode).toBe(404);
  });

  it('refuses calls without a token (401) and with a forged one', async () => {
    const none = await app.inject({ method: 'GET', url: `/api/v1/clients/${ids.mine}` });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'UNAUTHENTICATED', statusCode: 401 });
    const forged = await app.inject({
      method: 'GET',
      url: `/api/v1/clients/${ids.mine}`,
      headers: { authorization: `Bearer ${tokens.rm1!.slice(0, -4)}AAAA` },
    });
    expect(forged.statusCode).toBe(401);
  });

  it('refuses a deactivated user at once with 403', async () => {
    const token = await tokenFor(app, 'rm2@bank.example');
    await tdb.db.updateTable('users').set({ is_active: false }).where('id', '=', org.users.rm2!).execute();
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
    await tdb.db.updateTable('users').set({ is_active: true }).where('id', '=', org.users.rm2!).execute();
  });
});

describe('client search', () => {
  it('finds by INN, email, phone in any common format, and name with ё folded', async () => {
    const find = async (q: string) =>
      (await get(`/api/v1/clients?q=${encodeURIComponent(q)}`, 'rm1'))
        .json<ClientSearchResultDto>()
        .items.map((i) => i.id);
    expect(await find('500100732259')).toEqual([ids.mine]);
    expect(await find('PETR@Artemov.example')).toEqual([ids.mine]);
    expect(await find('8 (495) 123-45-67')).toEqual([ids.mine]);
    expect(await find('Артемов Петр')).toEqual([ids.mine]);
    expect(await find('ромашка')).toEqual([ids.rm2s]);
    // Senders sign in Latin letters; the client is kept in Cyrillic.
    expect(await find('Artemov Petr')).toEqual([ids.mine]);
    expect(await find('Petr Artemov')).toEqual([ids.mine]);
    expect(await find('Romashka')).toEqual([ids.rm2s]);
  });

  it('has trigrams for Cyrillic (a database created without a UTF-8 ctype would score 0)', async () => {
    const { rows } = await sql<{
      s: number;
    }>`select similarity('Иванов Иван', 'Иванов Иван Иванович') as s`.execute(tdb.db);
    expect(rows[0]!.s).toBeGreaterThan(0.3);
  });

  it('records search hits in the audit log without the query text', async () => {
    await get(`/api/v1/clients?q=${encodeURIComponent('Ромашка')}`, 'rm1');
    const last = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'client.search')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last.client_ids).toEqual([ids.rm2s]);
    expect(JSON.stringify(last)).not.toContain('Ромашка');
  });
});

describe('bad input gets a 4xx naming the field', () => {
  it('rejects a too-short query', async () => {
    const res = await get('/api/v1/clients?q=a', 'rm1');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.q' });
  });
  it('rejects a malformed client id', async () => {
    const res = await get('/api/v1/clients/not-a-uuid', 'rm1');
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('params.id');
  });
  it('rejects a mail-context participant with an unknown role and an unexpected field', async () => {
    const post = (payload: object) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/mail-context',
        headers: { authorization: `Bearer ${tokens.rm1}` },
        payload,
      });
    const badRole = await post({
      itemType: 'message',
      participants: [{ role: 'bcc', displayName: '', emailAddress: 'a@b.c' }],
      userAddresses: [],
    });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().field).toBe('body.participants.0.role');
    const extra = await post({ itemType: 'message', participants: [], userAddresses: [], token: 'x' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().field).toBe('body.token');
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/v1/mail-context',
      headers: { authorization: `Bearer ${tokens.rm1}`, 'content-type': 'application/json' },
      payload: '{"itemType":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toHaveProperty('requestId');
  });
  it('answers an unknown route with a typed 404', async () => {
    const res = await get('/api/v1/nope', 'rm1');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });
});

describe('mail-context revisits', () => {
  it('answers 304 to a revisit whose ETag still matches, and audits both reads', async () => {
    const payload = {
      itemType: 'message',
      participants: [{ role: 'from', displayName: 'Пётр', emailAddress: 'petr@artemov.example' }],
      userAddresses: ['rm1@bank.example'],
    };
    const auth = { authorization: `Bearer ${tokens.rm1}` };
    const first = await app.inject({ method: 'POST', url: '/api/v1/mail-context', headers: auth, payload });
    expect(first.statusCode).toBe(200);
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/mail-context',
      headers: { ...auth, 'if-none-match': etag },
      payload,
    });
    expect(again.statusCode).toBe(304);
    expect(again.headers['cache-control']).toBe('private, no-store');
    const reads = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'client.read')
      .where('result', '=', 'ok')
      .where(sql<boolean>`${ids.mine} = any(client_ids)`)
      .select('channel')
      .execute();
    expect(reads.filter((r) => r.channel === 'pane')).toHaveLength(2);
  });
});

describe('system routes', () => {
  it('reports health with the database checked', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.json()).toEqual({ status: 'ok', database: 'ok' });
  });
  it('serves the OpenAPI document with the pane routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/mail-context', '/api/v1/clients', '/api/v1/tasks/{id}']),
    );
  });
  it('has no dev sign-in unless enabled', async () => {
    const strict = await buildTestApp(tdb.db, { devAuth: false });
    expect(
      (
        await strict.inject({
          method: 'POST',
          url: '/api/v1/dev/token',
          payload: { email: 'rm1@bank.example' },
        })
      ).statusCode,
    ).toBe(404);
    await strict.close();
  });
});
