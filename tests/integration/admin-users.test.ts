import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createCreditApplication, createOrg, type Org } from '../support/fixtures.ts';

// The admin API's users: list/search, create, update (role, branch, supervisor, aliases, grants), deactivate
// with reassignment in one transaction; validation names the field, stale versions are 409, every change is
// audited with before/after in the change's transaction.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let adminToken: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    {
      key: 'rm1',
      name: 'RM One',
      email: 'rm1@bank.example',
      branch: 'msk',
      supervisor: 'sup',
      aliases: ['r.one@bank.example'],
    },
  ]);
  app = await buildTestApp(tdb.db);
  adminToken = await tokenFor(app, 'admin@bank.example');
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, token = adminToken) =>
  app.inject({ method, url: `/api/v1${url}`, payload, headers: { authorization: `Bearer ${token}` } });

const auditOf = (requestId: string) =>
  tdb.db.selectFrom('audit_events').where('request_id', '=', requestId).selectAll().orderBy('id').execute();

async function openTask(
  assignee: string,
  clientId: string | null,
  status: 'open' | 'in_progress' | 'done' = 'open',
) {
  const { id } = await tdb.db
    .insertInto('tasks')
    .values({
      title: 'Позвонить',
      type: 'call',
      priority: 'normal',
      status,
      assignee_id: assignee,
      author_id: assignee,
      client_id: clientId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

describe('admin users: list and search', () => {
  it('finds users by part of the name, email or an alias, and filters by role, branch and active', async () => {
    const byName = await call('GET', '/admin/users?q=rm%20o');
    expect(byName.statusCode).toBe(200);
    expect(byName.json().items.map((u: { email: string }) => u.email)).toEqual([
      'rm1@bank.example',
      'rm.other@bank.example',
    ]);
    const byAlias = (await call('GET', '/admin/users?q=r.one')).json();
    expect(byAlias.items).toHaveLength(1);
    expect(byAlias.items[0]).toMatchObject({
      email: 'rm1@bank.example',
      aliases: ['r.one@bank.example'],
      branch: { code: 'MSK-01' },
      supervisor: { id: org.users.sup, name: 'Supervisor One' },
      isActive: true,
      version: 1,
    });
    const sups = (await call('GET', '/admin/users?role=supervisor')).json();
    expect(sups.items.map((u: { id: string }) => u.id)).toEqual([org.users.sup]);
    const spb = (await call('GET', `/admin/users?branchId=${org.branches.spb}&active=true`)).json();
    expect(spb).toMatchObject({ total: 1, items: [{ id: org.users.rmOther }] });
    // "%" is a character, not a wildcard.
    expect((await call('GET', '/admin/users?q=%25')).json().items).toEqual([]);
  });

  it('refuses a business user without admin rights (403, audited)', async () => {
    const res = await call('GET', '/admin/users', undefined, await tokenFor(app, 'rm1@bank.example'));
    expect(res.statusCode).toBe(403);
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({ action: 'access.denied', result: 'denied', actor_id: org.users.rm1 });
  });
});

describe('admin users: create', () => {
  it('creates a user with aliases, Entra identity and grants, who can then sign in; audited with the new values', async () => {
    const res = await call('POST', '/admin/users', {
      name: ' Новикова Анна ',
      email: 'A.Novikova@Bank.Example',
      aliases: ['anna.n@bank.example'],
      role: 'relationship_manager',
      branchId: org.branches.msk,
      supervisorId: org.users.sup,
      entraTenantId: '72F988BF-86F1-41AF-91AB-2D7CD011DB47',
      entraObjectId: '00000000-0000-0000-0000-0000000000a1',
      grants: ['view_personal_data'],
    });
    expect(res.statusCode, res.body).toBe(201);
    const user = res.json();
    expect(user).toMatchObject({
      name: 'Новикова Анна',
      email: 'a.novikova@bank.example',
      aliases: ['anna.n@bank.example'],
      grants: ['view_personal_data'],
      entraTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      supervisor: { id: org.users.sup },
      version: 1,
    });
    const events = await auditOf(res.headers['x-request-id'] as string);
    expect(events.map((e) => e.action)).toEqual(['user.create', 'grant.add']);
    expect(events[0]).toMatchObject({
      entity: 'user',
      entity_id: user.id,
      channel: 'admin',
      actor_id: org.users.admin,
    });
    expect((events[0]!.details as { after: Record<string, unknown> }).after).toMatchObject({
      email: 'a.novikova@bank.example',
      role: 'relationship_manager',
      aliases: ['anna.n@bank.example'],
    });
    // The alias is an address the user is known by.
    expect(await tokenFor(app, 'anna.n@bank.example')).toBeTruthy();
  });

  it.each([
    [{ email: 'not-an-address' }, 'body.email'],
    [{ email: 'x@bank.example', role: 'boss' }, 'body.role'],
    [
      { email: 'x@bank.example', entraTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
      'body.entraObjectId',
    ],
    // An RM is not a supervisor (the key is replaced by the user's id).
    [{ email: 'x@bank.example', supervisorId: 'rm2' }, 'body.supervisorId'],
    [{ email: 'x@bank.example', branchId: '00000000-0000-4000-8000-000000000000' }, 'body.branchId'],
    [{ email: 'x@bank.example', name: '   ' }, 'body.name'],
    [{ email: 'x@bank.example', grants: ['root'] }, 'body.grants.0'],
  ])('refuses %o with 400 naming %s', async (patch, field) => {
    const body: Record<string, unknown> = { name: 'X', role: 'relationship_manager', ...patch };
    if (body.supervisorId === 'rm2') body.supervisorId = org.users.rm2;
    const res = await call('POST', '/admin/users', body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });

  it('refuses an email or alias another user is known by (409 naming the field)', async () => {
    const byEmail = await call('POST', '/admin/users', {
      name: 'Dup',
      email: 'RM1@bank.example',
      role: 'relationship_manager',
    });
    expect(byEmail.statusCode).toBe(409);
    expect(byEmail.json()).toMatchObject({ code: 'ALREADY_EXISTS', field: 'body.email' });
    const byAlias = await call('POST', '/admin/users', {
      name: 'Dup',
      email: 'dup@bank.example',
      aliases: ['r.one@bank.example'],
      role: 'relationship_manager',
    });
    expect(byAlias.json()).toMatchObject({ statusCode: 409, code: 'ALREADY_EXISTS', field: 'body.aliases' });
  });
});

describe('admin users: update', () => {
  it('changes role, branch, supervisor, aliases and grants, bumps the version and audits before/after', async () => {
    const created = (
      await call('POST', '/admin/users', {
        name: 'Егоров Пётр',
        email: 'p.egorov@bank.example',
        role: 'relationship_manager',
        branchId: org.branches.msk,
      })
    ).json();
    const res = await call('PATCH', `/admin/users/${created.id}`, {
      version: 1,
      role: 'supervisor',
      branchId: org.branches.spb,
      aliases: ['egorov@bank.example'],
      grants: ['admin', 'view_personal_data'],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      role: 'supervisor',
      branch: { id: org.branches.spb },
      aliases: ['egorov@bank.example'],
      grants: ['admin', 'view_personal_data'],
      version: 2,
    });
    const events = await auditOf(res.headers['x-request-id'] as string);
    const update = events.find((e) => e.action === 'user.update')!;
    expect((update.details as { changes: unknown }).changes).toEqual({
      role: { from: 'relationship_manager', to: 'supervisor' },
      branch_id: { from: org.branches.msk, to: org.branches.spb },
      grants: { from: [], to: ['admin', 'view_personal_data'] },
      aliases: { from: [], to: ['egorov@bank.example'] },
    });
    expect(events.filter((e) => e.action === 'grant.add')).toHaveLength(2);

    // Someone else's newer save wins over a stale form: 409, nothing changed.
    const stale = await call('PATCH', `/admin/users/${created.id}`, { version: 1, name: 'Stale' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'VERSION_CONFLICT', field: 'body.version' });
    expect((await call('GET', `/admin/users/${created.id}`)).json()).toMatchObject({
      name: 'Егоров Пётр',
      version: 2,
    });

    // Now a supervisor: rm2 can report to them.
    const assign = await call('PATCH', `/admin/users/${org.users.rm2}`, {
      version: 1,
      supervisorId: created.id,
    });
    expect(assign.statusCode, assign.body).toBe(200);
    expect(assign.json().supervisor).toEqual({ id: created.id, name: 'Егоров Пётр' });
  });

  it('does not let an admin take their own admin rights away', async () => {
    const res = await call('PATCH', `/admin/users/${org.users.admin}`, {
      version: 1,
      role: 'relationship_manager',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.role' });
  });

  it('answers 404 for an unknown user and 400 for a bad version', async () => {
    const missing = await call('PATCH', '/admin/users/00000000-0000-4000-8000-000000000000', {
      version: 1,
      name: 'X',
    });
    expect(missing.statusCode).toBe(404);
    const bad = await call('PATCH', `/admin/users/${org.users.rm2}`, { version: '1', name: 'X' });
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'body.version' });
  });
});

describe('admin users: the last administrator', () => {
  it('two admins deactivating each other at once: one wins, the other gets 409 LAST_ADMIN (break-it review)', async () => {
    const other = (
      await call('POST', '/admin/users', {
        name: 'Second Admin',
        email: 'admin2@bank.example',
        role: 'admin',
        branchId: null,
      })
    ).json() as { id: string; version: number };
    const otherToken = await tokenFor(app, 'admin2@bank.example');
    // Only these two hold admin rights for the race (earlier tests granted admin to others): set aside.
    const grants = await tdb.db
      .deleteFrom('role_grants')
      .where('grant', '=', 'admin')
      .returningAll()
      .execute();
    const me = (await call('GET', `/admin/users/${org.users.admin}`)).json() as { version: number };
    const [a, b] = await Promise.all([
      call('POST', `/admin/users/${other.id}/deactivate`, { version: other.version }),
      call('POST', `/admin/users/${org.users.admin}/deactivate`, { version: me.version }, otherToken),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    if (statuses[1] === 409) expect([a, b].find((r) => r.statusCode === 409)!.json().code).toBe('LAST_ADMIN');
    const admins = await tdb.db
      .selectFrom('users')
      .where('role', '=', 'admin')
      .where('is_active', '=', true)
      .select('id')
      .execute();
    expect(admins).toHaveLength(1);
    if (admins[0]!.id !== org.users.admin) {
      // The other admin won: restore the fixture's admin for the tests that follow.
      await tdb.db
        .updateTable('users')
        .set({ is_active: true, deactivated_at: null })
        .where('id', '=', org.users.admin!)
        .execute();
      await tdb.db.updateTable('users').set({ is_active: false }).where('id', '=', other.id).execute();
    }
    if (grants.length > 0) await tdb.db.insertInto('role_grants').values(grants).execute();
  });
});

describe('admin users: deactivating a supervisor', () => {
  it('moves their direct reports and teams to the named supervisor in one transaction, audited; not to an RM', async () => {
    const mk = async (key: string, role: string, supervisorId?: string) =>
      (
        await call('POST', '/admin/users', {
          name: `Person ${key}`,
          email: `person.${key}@bank.example`,
          role,
          branchId: org.branches.msk,
          ...(supervisorId ? { supervisorId } : {}),
        })
      ).json() as { id: string; version: number };
    const boss = await mk('boss', 'supervisor');
    const heir = await mk('heir', 'supervisor');
    const r1 = await mk('r1', 'relationship_manager', boss.id);
    const r2 = await mk('r2', 'relationship_manager', boss.id);
    const team = await tdb.db
      .insertInto('teams')
      .values({ branch_id: org.branches.msk!, name: 'Team of boss', supervisor_id: boss.id })
      .returning('id')
      .executeTakeFirstOrThrow();

    // The deactivation dialog says up front what will move (new-user trial: it learned only afterwards).
    expect((await call('GET', `/admin/users/${boss.id}`)).json()).toMatchObject({
      directReports: 2,
      supervisedTeams: 1,
      openStages: 0,
    });
    const ask = await call('POST', `/admin/users/${boss.id}/deactivate`, { version: boss.version });
    expect(ask.statusCode).toBe(409);
    expect(ask.json()).toMatchObject({
      code: 'REASSIGNMENT_REQUIRED',
      field: 'body.reassignTo',
      openTasks: 0,
      managedClients: 0,
      directReports: 2,
      supervisedTeams: 1,
      openStages: 0,
    });
    const toRm = await call('POST', `/admin/users/${boss.id}/deactivate`, {
      version: boss.version,
      reassignTo: r1.id,
    });
    expect(toRm.statusCode).toBe(400);
    expect(toRm.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.reassignTo' });
    expect((await call('GET', `/admin/users/${r2.id}`)).json().supervisor?.id ?? null).toBe(boss.id);

    const ok = await call('POST', `/admin/users/${boss.id}/deactivate`, {
      version: boss.version,
      reassignTo: heir.id,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ movedReports: 2, movedTeams: 1, movedTasks: 0, movedClients: 0 });
    for (const r of [r1, r2])
      expect(
        (
          await tdb.db
            .selectFrom('users')
            .where('id', '=', r.id)
            .select('supervisor_id')
            .executeTakeFirstOrThrow()
        ).supervisor_id,
      ).toBe(heir.id);
    expect(
      (
        await tdb.db
          .selectFrom('teams')
          .where('id', '=', team.id)
          .select('supervisor_id')
          .executeTakeFirstOrThrow()
      ).supervisor_id,
    ).toBe(heir.id);
    const audit = await auditOf(ok.headers['x-request-id'] as string);
    expect(
      audit
        .filter((e) => e.action === 'user.update')
        .map((e) => e.entity_id)
        .sort(),
    ).toEqual([r1.id, r2.id].sort());
    expect(audit.filter((e) => e.action === 'team.update').map((e) => e.entity_id)).toEqual([team.id]);
  });

  it('moves open credit stages they own to the successor with their stage tasks; completed stages keep their owner', async () => {
    const rm = (
      await call('POST', '/admin/users', {
        name: 'Stage Owner',
        email: 'stage.owner@bank.example',
        role: 'relationship_manager',
        branchId: org.branches.msk,
      })
    ).json() as { id: string; version: number };
    const client = await createClient(tdb.db, org, { kind: 'individual', name: 'Заёмщиков Пётр Ильич' });
    const appId = await createCreditApplication(tdb.db, client);
    const task = await openTask(rm.id, client);
    const done = await tdb.db
      .insertInto('application_stages')
      .values({
        application_id: appId,
        stage_code: 'intake',
        owner_user_id: rm.id,
        entered_at: new Date(Date.now() - 86_400_000),
        completed_at: new Date(),
        outcome: 'forwarded',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const open = await tdb.db
      .insertInto('application_stages')
      .values({
        application_id: appId,
        stage_code: 'documents',
        owner_user_id: rm.id,
        task_id: task,
        entered_at: new Date(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ask = await call('POST', `/admin/users/${rm.id}/deactivate`, { version: rm.version });
    expect(ask.json()).toMatchObject({ code: 'REASSIGNMENT_REQUIRED', openTasks: 1, openStages: 1 });
    // Break-it review: a St Petersburg RM cannot open this Moscow client, so the stage would be stuck with
    // them; refused, and nothing moved.
    const blind = await call('POST', `/admin/users/${rm.id}/deactivate`, {
      version: rm.version,
      reassignTo: org.users.rmOther,
    });
    expect(blind.statusCode).toBe(400);
    expect(blind.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.reassignTo' });
    expect((await call('GET', `/admin/users/${rm.id}`)).json()).toMatchObject({
      isActive: true,
      openTasks: 1,
    });
    const ok = await call('POST', `/admin/users/${rm.id}/deactivate`, {
      version: rm.version,
      reassignTo: org.users.rm1,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ movedTasks: 1, movedStages: 1 });
    const owner = async (id: string) =>
      (
        await tdb.db
          .selectFrom('application_stages')
          .where('id', '=', id)
          .select('owner_user_id')
          .executeTakeFirstOrThrow()
      ).owner_user_id;
    expect(await owner(open.id)).toBe(org.users.rm1);
    expect(await owner(done.id)).toBe(rm.id);
    const moved = await tdb.db
      .selectFrom('tasks')
      .where('id', '=', task)
      .select('assignee_id')
      .executeTakeFirstOrThrow();
    expect(moved.assignee_id).toBe(org.users.rm1);
  });
});

describe('admin users: deactivate', () => {
  async function leaver(key: string) {
    const u = (
      await call('POST', '/admin/users', {
        name: `Leaver ${key}`,
        email: `leaver.${key}@bank.example`,
        role: 'relationship_manager',
        branchId: org.branches.msk,
      })
    ).json();
    const client = await createClient(
      tdb.db,
      { ...org, users: { ...org.users, [key]: u.id } },
      {
        kind: 'individual',
        name: `Клиент ${key} Иванович`,
        manager: key,
      },
    );
    const tasks = [await openTask(u.id, client), await openTask(u.id, null, 'in_progress')];
    const done = await openTask(u.id, client, 'done');
    return { id: u.id as string, client, tasks, done };
  }

  it('refuses while the user has open tasks or clients unless reassignTo is named (409 with counts, nothing changed)', async () => {
    const l = await leaver('a');
    const res = await call('POST', `/admin/users/${l.id}/deactivate`, { version: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'REASSIGNMENT_REQUIRED',
      field: 'body.reassignTo',
      openTasks: 2,
      managedClients: 1,
    });
    expect((await call('GET', `/admin/users/${l.id}`)).json()).toMatchObject({
      isActive: true,
      openTasks: 2,
      managedClients: 1,
    });

    const inactive = await tdb.db
      .insertInto('users')
      .values({
        name: 'Gone',
        email: 'gone@bank.example',
        role: 'relationship_manager',
        branch_id: null,
        supervisor_id: null,
        is_active: false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const toInactive = await call('POST', `/admin/users/${l.id}/deactivate`, {
      version: 1,
      reassignTo: inactive.id,
    });
    expect(toInactive.json()).toMatchObject({ statusCode: 400, field: 'body.reassignTo' });
    const toSelf = await call('POST', `/admin/users/${l.id}/deactivate`, { version: 1, reassignTo: l.id });
    expect(toSelf.json()).toMatchObject({ statusCode: 400, field: 'body.reassignTo' });
    const self = await call('POST', `/admin/users/${org.users.admin}/deactivate`, { version: 1 });
    expect(self.json()).toMatchObject({ statusCode: 400, field: 'params.id' });
  });

  it('moves open tasks and managed clients to reassignTo with the deactivation, audited, calendar sync queued', async () => {
    const l = await leaver('b');
    const res = await call('POST', `/admin/users/${l.id}/deactivate`, {
      version: 1,
      reassignTo: org.users.rm2,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      movedTasks: 2,
      movedClients: 1,
      user: { isActive: false, openTasks: 0, managedClients: 0, version: 2 },
    });
    expect(res.json().user.deactivatedAt).toBeTruthy();

    const tasks = await tdb.db
      .selectFrom('tasks')
      .where('id', 'in', [...l.tasks, l.done])
      .select(['id', 'assignee_id', 'version'])
      .execute();
    for (const t of tasks)
      expect(t).toMatchObject(
        t.id === l.done ? { assignee_id: l.id, version: 1 } : { assignee_id: org.users.rm2, version: 2 },
      );
    const client = await tdb.db
      .selectFrom('clients')
      .where('id', '=', l.client)
      .select(['manager_id'])
      .executeTakeFirstOrThrow();
    expect(client.manager_id).toBe(org.users.rm2);
    const history = await tdb.db
      .selectFrom('task_history')
      .where('task_id', 'in', l.tasks)
      .selectAll()
      .execute();
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({
      actor_id: org.users.admin,
      changes: { assigneeId: { from: l.id, to: org.users.rm2 } },
    });
    const jobs = await sql<{
      key: string;
    }>`select key from graphile_worker._private_jobs where key = any(${l.tasks.map((t) => `task:${t}`)})`.execute(
      tdb.db,
    );
    expect(jobs.rows).toHaveLength(2);

    const events = await auditOf(res.headers['x-request-id'] as string);
    expect(events.map((e) => e.action).sort()).toEqual([
      'client.update',
      'task.update',
      'task.update',
      'user.deactivate',
    ]);
    const deactivation = events.find((e) => e.action === 'user.deactivate')!;
    expect(deactivation).toMatchObject({ entity_id: l.id, client_ids: [l.client] });
    expect(deactivation.details).toMatchObject({
      changes: { isActive: { from: true, to: false } },
      reassignTo: org.users.rm2,
    });
    // A deactivated user can no longer sign in.
    const signIn = await app.inject({
      method: 'POST',
      url: '/api/v1/dev/token',
      payload: { email: 'leaver.b@bank.example' },
    });
    expect(signIn.statusCode).toBe(404);
    // Deactivating twice is refused.
    const again = await call('POST', `/admin/users/${l.id}/deactivate`, { version: 2 });
    expect(again.json()).toMatchObject({ statusCode: 400, field: 'params.id' });
  });

  it('moves nothing when the deactivation fails: tasks, clients and the user change in one transaction', async () => {
    const l = await leaver('c');
    // A failure at the last step (the user row) must undo the moves made before it.
    await sql`create function refuse_deactivation() returns trigger language plpgsql as $$
      begin if old.is_active and not new.is_active then raise exception 'refused by test'; end if; return new; end $$`.execute(
      tdb.db,
    );
    await sql`create trigger refuse_deactivation before update on users for each row execute function refuse_deactivation()`.execute(
      tdb.db,
    );
    try {
      const res = await call('POST', `/admin/users/${l.id}/deactivate`, {
        version: 1,
        reassignTo: org.users.rm2,
      });
      expect(res.statusCode).toBe(500);
    } finally {
      await sql`drop trigger refuse_deactivation on users`.execute(tdb.db);
      await sql`drop function refuse_deactivation`.execute(tdb.db);
    }
    const tasks = await tdb.db
      .selectFrom('tasks')
      .where('id', 'in', l.tasks)
      .select(['assignee_id', 'version'])
      .execute();
    expect(tasks).toEqual([
      { assignee_id: l.id, version: 1 },
      { assignee_id: l.id, version: 1 },
    ]);
    const client = await tdb.db
      .selectFrom('clients')
      .where('id', '=', l.client)
      .select('manager_id')
      .executeTakeFirstOrThrow();
    expect(client.manager_id).toBe(l.id);
    expect(
      await tdb.db.selectFrom('task_history').where('task_id', 'in', l.tasks).selectAll().execute(),
    ).toEqual([]);
    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('entity_id', '=', l.id)
      .where('action', '=', 'user.deactivate')
      .selectAll()
      .execute();
    expect(audit).toEqual([]);
    // And with the obstacle gone it works.
    const ok = await call('POST', `/admin/users/${l.id}/deactivate`, {
      version: 1,
      reassignTo: org.users.rm2,
    });
    expect(ok.statusCode).toBe(200);
  });
});
