import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { csvCell } from '../../server/src/modules/admin/audit-export.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// The admin API's organisation (regions -> branches -> teams) and the audit CSV export: validation names the
// field, stale versions are 409, changes are audited with before/after, a moved team keeps its people.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let adminToken: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
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

describe('organisation', () => {
  it('lists the regions the existing branches named, with their branches', async () => {
    const res = await call('GET', '/admin/organisation');
    expect(res.statusCode).toBe(200);
    const o = res.json();
    expect(o.regions.map((r: { name: string }) => r.name)).toEqual(['Москва', 'Санкт-Петербург']);
    const msk = o.branches.find((b: { code: string }) => b.code === 'MSK-01');
    expect(msk).toMatchObject({ regionId: o.regions[0].id, timeZone: 'Europe/Moscow', users: 3, version: 1 });
  });

  it('creates a region and a branch in it; the time zone is checked and made canonical', async () => {
    const region = await call('POST', '/admin/regions', { name: 'Свердловская область' });
    expect(region.statusCode).toBe(201);
    const dup = await call('POST', '/admin/regions', { name: 'Свердловская область' });
    expect(dup.json()).toMatchObject({ statusCode: 409, code: 'ALREADY_EXISTS', field: 'body.name' });

    const bad = await call('POST', '/admin/branches', {
      code: 'EKB-01',
      name: 'Екатеринбург',
      regionId: region.json().id,
      timeZone: 'Mars/Olympus',
    });
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field: 'body.timeZone' });
    const offset = await call('POST', '/admin/branches', {
      code: 'EKB-01',
      name: 'Екатеринбург',
      regionId: region.json().id,
      timeZone: '+05:00',
    });
    expect(offset.json()).toMatchObject({ statusCode: 400, field: 'body.timeZone' });
    const badCode = await call('POST', '/admin/branches', {
      code: 'ekb 01',
      name: 'Екатеринбург',
      regionId: region.json().id,
      timeZone: 'Asia/Yekaterinburg',
    });
    expect(badCode.json()).toMatchObject({ statusCode: 400, field: 'body.code' });
    const noRegion = await call('POST', '/admin/branches', {
      code: 'EKB-01',
      name: 'Екатеринбург',
      regionId: '00000000-0000-4000-8000-000000000000',
      timeZone: 'Asia/Yekaterinburg',
    });
    expect(noRegion.json()).toMatchObject({ statusCode: 400, field: 'body.regionId' });

    const branch = await call('POST', '/admin/branches', {
      code: 'EKB-01',
      name: 'Екатеринбург',
      regionId: region.json().id,
      timeZone: 'asia/yekaterinburg',
    });
    expect(branch.statusCode, branch.body).toBe(201);
    expect(branch.json()).toMatchObject({
      code: 'EKB-01',
      regionId: region.json().id,
      timeZone: 'Asia/Yekaterinburg',
      users: 0,
      version: 1,
    });
    const [event] = await auditOf(branch.headers['x-request-id'] as string);
    expect(event).toMatchObject({
      action: 'branch.create',
      entity: 'branch',
      entity_id: branch.json().id,
      actor_id: org.users.admin,
    });
    expect(event!.details).toMatchObject({
      after: { code: 'EKB-01', time_zone: 'Asia/Yekaterinburg', region: 'Свердловская область' },
    });
    const twice = await call('POST', '/admin/branches', {
      code: 'EKB-01',
      name: 'Другой',
      regionId: region.json().id,
      timeZone: 'Asia/Yekaterinburg',
    });
    expect(twice.json()).toMatchObject({ statusCode: 409, code: 'ALREADY_EXISTS', field: 'body.code' });
  });

  it('updates a branch with the version it was read at, auditing before/after; a stale version is 409', async () => {
    const res = await call('PATCH', `/admin/branches/${org.branches.spb}`, {
      version: 1,
      name: 'Санкт-Петербург, Невский',
      timeZone: 'Europe/Kaliningrad',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'Санкт-Петербург, Невский',
      timeZone: 'Europe/Kaliningrad',
      version: 2,
    });
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event!.details).toEqual({
      fields: ['name', 'time_zone'],
      changes: {
        name: { from: 'Санкт-Петербург', to: 'Санкт-Петербург, Невский' },
        time_zone: { from: 'Europe/Moscow', to: 'Europe/Kaliningrad' },
      },
    });
    const stale = await call('PATCH', `/admin/branches/${org.branches.spb}`, { version: 1, name: 'Stale' });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT', field: 'body.version' });
  });

  it('renames a region; its branches carry the new name', async () => {
    const o = (await call('GET', '/admin/organisation')).json();
    const moscow = o.regions.find((r: { name: string }) => r.name === 'Москва');
    const res = await call('PATCH', `/admin/regions/${moscow.id}`, {
      version: moscow.version,
      name: 'Москва и область',
    });
    expect(res.statusCode, res.body).toBe(200);
    const row = await tdb.db
      .selectFrom('branches')
      .where('id', '=', org.branches.msk)
      .select('region')
      .executeTakeFirstOrThrow();
    expect(row.region).toBe('Москва и область');
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({
      action: 'region.update',
      details: { changes: { name: { from: 'Москва', to: 'Москва и область' } } },
    });
  });

  it('creates a team with a supervisor, and moving it to another branch keeps its people and takes them along', async () => {
    const notSup = await call('POST', '/admin/teams', {
      branchId: org.branches.msk,
      name: 'Корпоративный',
      supervisorId: org.users.rm1,
    });
    expect(notSup.json()).toMatchObject({ statusCode: 400, field: 'body.supervisorId' });
    const team = await call('POST', '/admin/teams', {
      branchId: org.branches.msk,
      name: 'Корпоративный',
      supervisorId: org.users.sup,
    });
    expect(team.statusCode, team.body).toBe(201);
    const teamId = team.json().id;
    expect(team.json()).toMatchObject({
      supervisor: { id: org.users.sup, name: 'Supervisor One' },
      members: 0,
    });
    const dup = await call('POST', '/admin/teams', { branchId: org.branches.msk, name: 'Корпоративный' });
    expect(dup.json()).toMatchObject({ statusCode: 409, field: 'body.name' });

    for (const key of ['rm1', 'rm2']) {
      const u = (await call('GET', `/admin/users/${org.users[key]}`)).json();
      const res = await call('PATCH', `/admin/users/${u.id}`, { version: u.version, teamId });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().team).toEqual({ id: teamId, name: 'Корпоративный' });
    }
    // A team of another branch is refused for a user of this one.
    const spbTeam = (
      await call('POST', '/admin/teams', { branchId: org.branches.spb, name: 'Розница' })
    ).json();
    const rmOther = (await call('GET', `/admin/users/${org.users.rmOther}`)).json();
    const wrong = await call('PATCH', `/admin/users/${rmOther.id}`, {
      version: rmOther.version,
      branchId: org.branches.msk,
      teamId: spbTeam.id,
    });
    expect(wrong.json()).toMatchObject({ statusCode: 400, field: 'body.teamId' });

    const moved = await call('PATCH', `/admin/teams/${teamId}`, { version: 1, branchId: org.branches.spb });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ branchId: org.branches.spb, members: 2, version: 2 });
    const members = await tdb.db
      .selectFrom('users')
      .where('team_id', '=', teamId)
      .select(['id', 'branch_id'])
      .orderBy('name')
      .execute();
    expect(members).toEqual([
      { id: org.users.rm1, branch_id: org.branches.spb },
      { id: org.users.rm2, branch_id: org.branches.spb },
    ]);
    const events = await auditOf(moved.headers['x-request-id'] as string);
    expect(events.map((e) => e.action)).toEqual(['team.update', 'user.update', 'user.update']);
    expect(events[0]!.details).toMatchObject({
      changes: { branch_id: { from: org.branches.msk, to: org.branches.spb } },
      movedMembers: expect.arrayContaining([org.users.rm1, org.users.rm2]),
    });
    const stale = await call('PATCH', `/admin/teams/${teamId}`, { version: 1, name: 'Stale' });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT' });
  });

  it('refuses non-admins (403, audited) before reading their input', async () => {
    const res = await call('POST', '/admin/regions', { name: '' }, await tokenFor(app, 'sup@bank.example'));
    expect(res.statusCode).toBe(403);
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({ action: 'access.denied', actor_id: org.users.sup });
  });
});

describe('audit CSV export', () => {
  it('exports the filtered audit events as CSV with actor names, and audits the export', async () => {
    const client = await createClient(tdb.db, org, { kind: 'individual', name: 'Сорокин Илья Петрович' });
    const rm = await tokenFor(app, 'rm1@bank.example');
    await app.inject({ url: `/api/v1/clients/${client}`, headers: { authorization: `Bearer ${rm}` } });
    const res = await call('GET', `/admin/audit-events.csv?clientId=${client}&action=client.read`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-.*\.csv"$/);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'id,at,actor_id,actor_name,actor_role,action,result,client_ids,entity,entity_id,ip,user_agent,channel,request_id,details',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${org.users.rm1},RM One,relationship_manager,client.read,ok,${client}`);
    const [event] = await auditOf(res.headers['x-request-id'] as string);
    expect(event).toMatchObject({
      action: 'audit.export',
      client_ids: [client],
      details: { rows: 1, truncated: false, filters: { action: 'client.read' } },
    });

    const bad = await call('GET', '/admin/audit-events.csv?from=yesterday');
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'querystring.from' });
  });

  it('quotes cells and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });
});
