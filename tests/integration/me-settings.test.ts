import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createOrg, type Org } from '../support/fixtures.ts';

// The pane's settings of the signed-in user: the language of their email notifications (PATCH /me, audited,
// strictly validated) and whether their private calendar feed exists (GET /me/calendar-feed, /me/settings).

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  app = await buildTestApp(tdb.db, {}, 'https://crm.bank.example');
  for (const [k, email] of Object.entries({ rm1: 'rm1@bank.example', rm2: 'rm2@bank.example' }))
    tokens[k] = await tokenFor(app, email);
});
afterAll(async () => {
  await app.close();
  await tdb.destroy();
});

const call = (method: 'POST' | 'PATCH' | 'DELETE' | 'GET', url: string, who: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${tokens[who]}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });

describe('language of my email notifications', () => {
  it('starts at the default (null) and is set with PATCH /me, audited with before/after', async () => {
    const before = await call('GET', '/api/v1/me/settings', 'rm1');
    expect(before.json()).toEqual({ language: null, calendarFeed: { exists: false, createdAt: null } });
    const res = await call('PATCH', '/api/v1/me', 'rm1', { language: 'en' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ language: 'en' });
    const row = await tdb.db
      .selectFrom('users')
      .where('id', '=', org.users.rm1!)
      .select('language')
      .executeTakeFirstOrThrow();
    expect(row.language).toBe('en');
    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'user.language.update')
      .where('actor_id', '=', org.users.rm1!)
      .selectAll()
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      entity: 'user',
      entity_id: org.users.rm1,
      channel: 'pane',
      details: { fields: ['language'], changes: { language: { from: null, to: 'en' } } },
    });
    // Setting the same value again is not a change: no second event. Back to the default is one.
    await call('PATCH', '/api/v1/me', 'rm1', { language: 'en' });
    const reset = await call('PATCH', '/api/v1/me', 'rm1', { language: null });
    expect(reset.json()).toMatchObject({ language: null });
    const count = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'user.language.update')
      .where('actor_id', '=', org.users.rm1!)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });

  it('changes only the caller’s own language', async () => {
    await call('PATCH', '/api/v1/me', 'rm2', { language: 'en' });
    const rm1 = await call('GET', '/api/v1/me/settings', 'rm1');
    expect(rm1.json().language).toBeNull();
    expect((await call('GET', '/api/v1/me/settings', 'rm2')).json().language).toBe('en');
  });

  it.each([
    [{ language: 'de' }, 'body.language'],
    [{ language: 'EN' }, 'body.language'],
    [{ language: 1 }, 'body.language'],
    [{}, 'body.language'],
    [{ language: 'ru', version: 3 }, 'body.version'],
  ])('refuses %j with 400 VALIDATION_FAILED on %s', async (payload, field) => {
    const res = await call('PATCH', '/api/v1/me', 'rm1', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field });
  });

  it('refuses a body that is not an object', async () => {
    const res = await call('PATCH', '/api/v1/me', 'rm1', ['ru']);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('calendar feed state', () => {
  it('GET /me/calendar-feed follows create, re-create and revoke; the token is never in it', async () => {
    expect((await call('GET', '/api/v1/me/calendar-feed', 'rm1')).json()).toEqual({
      exists: false,
      createdAt: null,
    });
    const created = await call('POST', '/api/v1/me/calendar-feed', 'rm1');
    expect(created.statusCode).toBe(201);
    const state = await call('GET', '/api/v1/me/calendar-feed', 'rm1');
    expect(state.json()).toEqual({ exists: true, createdAt: expect.any(String) });
    expect(Date.now() - Date.parse(state.json().createdAt)).toBeLessThan(60_000);
    const token = /calendar-feeds\/([^.]+)\.ics$/.exec(created.json().url)![1]!;
    expect(state.body).not.toContain(token);
    expect((await call('GET', '/api/v1/me/settings', 'rm1')).json().calendarFeed.exists).toBe(true);
    // rm2 has none: the state is per user.
    expect((await call('GET', '/api/v1/me/calendar-feed', 'rm2')).json().exists).toBe(false);
    await call('POST', '/api/v1/me/calendar-feed', 'rm1');
    const after = await call('GET', '/api/v1/me/calendar-feed', 'rm1');
    expect(after.json().exists).toBe(true);
    expect((await app.inject({ url: `/api/v1/calendar-feeds/${token}.ics` })).statusCode).toBe(404);
    expect((await call('DELETE', '/api/v1/me/calendar-feed', 'rm1')).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/me/calendar-feed', 'rm1')).json()).toEqual({
      exists: false,
      createdAt: null,
    });
  });

  it('requires sign-in', async () => {
    for (const url of ['/api/v1/me/calendar-feed', '/api/v1/me/settings']) {
      const res = await app.inject({ url });
      expect(res.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    }
    const patch = await app.inject({ method: 'PATCH', url: '/api/v1/me', payload: { language: 'en' } });
    expect(patch.statusCode).toBe(401);
  });
});
