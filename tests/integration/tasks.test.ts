import type { TaskDto } from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let clientId: string;
let foreignClientId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  clientId = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Сорокин Илья Петрович',
    emails: ['i.sorokin@severstal-trade.example'],
  });
  foreignClientId = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Чужой Клиент',
    manager: 'rmOther',
  });
  app = await buildTestApp(tdb.db);
  for (const [k, email] of Object.entries({
    rm1: 'rm1@bank.example',
    rm2: 'rm2@bank.example',
    sup: 'sup@bank.example',
    rmOther: 'rm.other@bank.example',
  })) {
    tokens[k] = await tokenFor(app, email);
  }
});
afterAll(async () => {
  await app.close();
  await tdb.destroy();
});

const call = (method: 'POST' | 'PATCH', url: string, who: string, payload: object) =>
  app.inject({ method, url, headers: { authorization: `Bearer ${tokens[who]}` }, payload });

const newTask = (extra: object = {}) => ({
  title: 'Перезвонить по продлению лимита',
  type: 'call',
  priority: 'high',
  dueAt: '2026-12-01T07:00:00.000Z',
  effortEstimateMinutes: 30,
  clientId,
  internetMessageId: '<CAF=abc@mail.severstal-trade.example>',
  ...extra,
});

describe('tasks from the pane', () => {
  it('creates a task linked to the client and the email, and shows it on the client card', async () => {
    const res = await call('POST', '/api/v1/tasks', 'rm1', newTask());
    expect(res.statusCode).toBe(201);
    const task = res.json<TaskDto>();
    expect(task).toMatchObject({
      title: 'Перезвонить по продлению лимита',
      status: 'open',
      version: 1,
      clientId,
      internetMessageId: '<CAF=abc@mail.severstal-trade.example>',
      assignee: { id: org.users.rm1 },
      author: { id: org.users.rm1 },
      effortEstimateMinutes: 30,
    });
    expect(new Date(task.dueAt!).toISOString()).toBe('2026-12-01T07:00:00.000Z');
    const card = await app.inject({
      method: 'GET',
      url: `/api/v1/clients/${clientId}`,
      headers: { authorization: `Bearer ${tokens.rm1}` },
    });
    expect(card.json().tasks.map((t: TaskDto) => t.id)).toContain(task.id);
    const history = await tdb.db
      .selectFrom('task_history')
      .where('task_id', '=', task.id)
      .selectAll()
      .execute();
    expect(history.map((h) => h.action)).toEqual(['created']);
  });

  it('completes and reschedules with the current version, bumping it and recording history', async () => {
    const task = (await call('POST', '/api/v1/tasks', 'rm1', newTask())).json<TaskDto>();
    const done = await call('PATCH', `/api/v1/tasks/${task.id}`, 'rm1', { version: 1, status: 'done' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', version: 2 });
    const moved = await call('PATCH', `/api/v1/tasks/${task.id}`, 'rm1', {
      version: 2,
      dueAt: '2026-12-03T09:30:00+03:00',
    });
    expect(new Date(moved.json().dueAt).toISOString()).toBe('2026-12-03T06:30:00.000Z');
    const history = await tdb.db
      .selectFrom('task_history')
      .where('task_id', '=', task.id)
      .orderBy('id')
      .selectAll()
      .execute();
    expect(history.map((h) => Object.keys(h.changes as object))).toEqual([
      ['status', 'assigneeId'],
      ['status'],
      ['dueAt'],
    ]);
    // The card lists open tasks only: a completed one leaves it.
    const card = await app.inject({
      method: 'GET',
      url: `/api/v1/clients/${clientId}`,
      headers: { authorization: `Bearer ${tokens.rm1}` },
    });
    expect(card.json().tasks.map((t: TaskDto) => t.id)).not.toContain(task.id);
  });

  it('lets exactly one of two concurrent updates of the same version win; the other gets 409', async () => {
    const task = (await call('POST', '/api/v1/tasks', 'rm1', newTask())).json<TaskDto>();
    const results = await Promise.all([
      call('PATCH', `/api/v1/tasks/${task.id}`, 'rm1', { version: 1, status: 'done' }),
      call('PATCH', `/api/v1/tasks/${task.id}`, 'sup', { version: 1, dueAt: '2026-12-10T07:00:00Z' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const conflict = results.find((r) => r.statusCode === 409)!;
    expect(conflict.json()).toMatchObject({ code: 'VERSION_CONFLICT', field: 'body.version' });
    const row = await tdb.db
      .selectFrom('tasks')
      .where('id', '=', task.id)
      .select('version')
      .executeTakeFirstOrThrow();
    expect(row.version).toBe(2);
  });

  it('refuses a task on a client the user cannot see, and a PATCH of someone else’s task', async () => {
    const hidden = await call('POST', '/api/v1/tasks', 'rm1', newTask({ clientId: foreignClientId }));
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().field).toBe('body.clientId');
    const task = (await call('POST', '/api/v1/tasks', 'rm1', newTask())).json<TaskDto>();
    const stranger = await call('PATCH', `/api/v1/tasks/${task.id}`, 'rmOther', {
      version: 1,
      status: 'done',
    });
    expect(stranger.statusCode).toBe(404);
  });

  it('lets a supervisor assign to a team member but not an RM assign to a colleague', async () => {
    const bySup = await call('POST', '/api/v1/tasks', 'sup', newTask({ assigneeId: org.users.rm2 }));
    expect(bySup.statusCode).toBe(201);
    expect(bySup.json().assignee.id).toBe(org.users.rm2);
    const byRm = await call('POST', '/api/v1/tasks', 'rm1', newTask({ assigneeId: org.users.rm2 }));
    expect(byRm.statusCode).toBe(403);
    expect(byRm.json().field).toBe('body.assigneeId');
  });

  it('names the field for bad task input and stores nothing', async () => {
    const before = await tdb.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const [payload, field] of [
      [newTask({ title: '' }), 'body.title'],
      [newTask({ dueAt: 'tomorrow' }), 'body.dueAt'],
      [newTask({ effortEstimateMinutes: -5 }), 'body.effortEstimateMinutes'],
      [newTask({ type: 'party' }), 'body.type'],
      [newTask({ clientId: 'x' }), 'body.clientId'],
    ] as const) {
      const res = await call('POST', '/api/v1/tasks', 'rm1', payload);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().field, JSON.stringify(payload)).toBe(field);
    }
    const after = await tdb.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('says the card’s task list is cut when the client has more open tasks than the card carries', async () => {
    const busy = await createClient(tdb.db, org, { kind: 'individual', name: 'Очень Занятой Клиент' });
    const rows = Array.from({ length: 55 }, (_, i) => ({
      title: `Задача ${i}`,
      type: 'call',
      priority: 'normal' as const,
      status: 'open' as const,
      assignee_id: org.users.rm1!,
      author_id: org.users.rm1!,
      client_id: busy,
    }));
    await tdb.db.insertInto('tasks').values(rows).execute();
    const card = await app.inject({
      method: 'GET',
      url: `/api/v1/clients/${busy}`,
      headers: { authorization: `Bearer ${tokens.rm1}` },
    });
    expect(card.json().tasks).toHaveLength(50);
    expect(card.json().truncated).toEqual(['tasks']);
    const other = await app.inject({
      method: 'GET',
      url: `/api/v1/clients/${clientId}`,
      headers: { authorization: `Bearer ${tokens.rm1}` },
    });
    expect(other.json().truncated).toEqual([]);
  });
});
