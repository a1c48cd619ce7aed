import { addWorkingMinutes } from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { loadWorkingCalendar } from '../../server/src/modules/credit/working-calendar.repository.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createSyncHarness, type SyncHarness } from '../support/calendar-sync.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// Work settings (admin page): task types, priorities, branch working hours. Validation names the field,
// stale versions are 409, every change is audited with before/after, only admins may change them, and the
// settings take effect at once: task creation checks the type, the calendar event takes the type's category
// and reminder, the credit SLA counts in the branch's new hours.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let client: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  client = await createClient(tdb.db, org, { kind: 'individual', name: 'Клиентов Клиент Клиентович' });
  app = await buildTestApp(tdb.db);
  for (const [k, email] of Object.entries({ admin: 'admin@bank.example', rm1: 'rm1@bank.example' }))
    tokens[k] = await tokenFor(app, email);
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object, who = 'admin') =>
  app.inject({ method, url: `/api/v1${url}`, payload, headers: { authorization: `Bearer ${tokens[who]}` } });

const auditOf = (requestId: string) =>
  tdb.db.selectFrom('audit_events').where('request_id', '=', requestId).selectAll().orderBy('id').execute();
const rid = (res: { headers: Record<string, unknown> }) => res.headers['x-request-id'] as string;

describe('task types', () => {
  it('lists the six seeded types with ru/en names, reminder 15 and category CRM', async () => {
    const res = await call('GET', '/admin/task-types');
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((x: { code: string }) => x.code)).toEqual([
      'call',
      'meeting',
      'document_check',
      'visit',
      'follow_up',
      'email',
    ]);
    expect(items[1]).toMatchObject({
      code: 'meeting',
      nameRu: 'Встреча',
      nameEn: 'Meeting',
      defaultDurationMinutes: 60,
      defaultReminderMinutes: 15,
      calendarCategory: 'CRM',
      active: true,
      version: 1,
    });
  });

  it('creates a type (audited), refuses a duplicate, a bad code and bad minutes naming the field', async () => {
    const body = {
      code: 'office_meeting',
      nameRu: 'Встреча в офисе',
      nameEn: 'Office meeting',
      defaultDurationMinutes: 45,
      defaultReminderMinutes: 30,
      calendarCategory: 'Офис',
    };
    const res = await call('POST', '/admin/task-types', body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ ...body, active: true, version: 1, ordinal: 70 });
    const [event] = await auditOf(rid(res));
    expect(event).toMatchObject({
      action: 'task_type.create',
      result: 'ok',
      entity: 'task_type',
      entity_id: 'office_meeting',
      channel: 'admin',
      actor_id: org.users.admin,
    });
    expect((event!.details as { after: object }).after).toMatchObject({ nameRu: 'Встреча в офисе' });

    const dup = await call('POST', '/admin/task-types', body);
    expect(dup.json()).toMatchObject({ statusCode: 409, code: 'ALREADY_EXISTS', field: 'body.code' });
    const badCode = await call('POST', '/admin/task-types', { ...body, code: 'Office Meeting' });
    expect(badCode.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field: 'body.code' });
    const badMinutes = await call('POST', '/admin/task-types', {
      ...body,
      code: 'x_ray',
      defaultDurationMinutes: 0,
    });
    expect(badMinutes.json()).toMatchObject({ statusCode: 400, field: 'body.defaultDurationMinutes' });
    const blank = await call('POST', '/admin/task-types', { ...body, code: 'x_ray', nameEn: '   ' });
    expect(blank.json()).toMatchObject({ statusCode: 400, field: 'body.nameEn' });
    const unknown = await call('POST', '/admin/task-types', { ...body, code: 'x_ray', colour: 'red' });
    expect(unknown.statusCode).toBe(400);
  });

  it('changes a type with the version seen, audits before/after, and answers 409 to a stale version', async () => {
    const res = await call('PATCH', '/admin/task-types/visit', {
      version: 1,
      nameEn: 'Client visit',
      defaultReminderMinutes: null,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ nameEn: 'Client visit', defaultReminderMinutes: null, version: 2 });
    const [event] = await auditOf(rid(res));
    expect(event).toMatchObject({ action: 'task_type.update', entity_id: 'visit' });
    expect(event!.details).toMatchObject({
      changes: {
        name_en: { from: 'Visit', to: 'Client visit' },
        default_reminder_minutes: { from: 15, to: null },
      },
    });
    const stale = await call('PATCH', '/admin/task-types/visit', { version: 1, nameEn: 'Visit' });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT', field: 'body.version' });
    const missing = await call('PATCH', '/admin/task-types/no_such', { version: 1, nameEn: 'X' });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses everyone without admin rights, and lets every signed-in user read the catalog', async () => {
    for (const [method, url, body] of [
      ['GET', '/admin/task-types', undefined],
      ['POST', '/admin/task-types', { code: 'rm_type', nameRu: 'a', nameEn: 'a' }],
      ['PATCH', '/admin/task-types/call', { version: 1, nameEn: 'Ring' }],
      ['GET', '/admin/task-priorities', undefined],
      ['PATCH', '/admin/task-priorities/high', { version: 1, nameEn: 'Hot' }],
      ['GET', `/admin/branches/${org.branches.msk}/working-hours`, undefined],
      ['PATCH', `/admin/branches/${org.branches.msk}/working-hours`, { version: 1, dayStart: '08:00' }],
    ] as const) {
      const res = await call(method, url, body, 'rm1');
      expect(res.json(), `${method} ${url}`).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    }
    expect(
      await tdb.db.selectFrom('task_types').where('code', '=', 'rm_type').select('code').executeTakeFirst(),
    ).toBeUndefined();

    const catalog = await call('GET', '/task-types?lang=en', undefined, 'rm1');
    expect(catalog.statusCode).toBe(200);
    const c = catalog.json();
    expect(c.taskTypes.find((x: { code: string }) => x.code === 'office_meeting')).toEqual({
      code: 'office_meeting',
      name: 'Office meeting',
      names: { ru: 'Встреча в офисе', en: 'Office meeting' },
      defaultDurationMinutes: 45,
      defaultReminderMinutes: 30,
    });
    expect(c.priorities.map((p: { code: string }) => p.code)).toEqual(['low', 'normal', 'high', 'urgent']);
    const ru = (await call('GET', '/task-types', undefined, 'rm1')).json();
    expect(ru.taskTypes[0]).toMatchObject({ code: 'call', name: 'Звонок' });
  });
});

describe('tasks use the configured types', () => {
  const newTask = (type: string, extra: object = {}) =>
    call('POST', '/tasks', { title: 'Встреча с клиентом', type, clientId: client, ...extra }, 'rm1');

  it('refuses an unknown or deactivated type with 400 UNKNOWN_TASK_TYPE; tasks of a retired type still show it', async () => {
    const created = await newTask('office_meeting');
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().type).toBe('office_meeting');

    const unknown = await newTask('teleport');
    expect(unknown.json()).toMatchObject({ statusCode: 400, code: 'UNKNOWN_TASK_TYPE', field: 'body.type' });
    const malformed = await newTask('Not A Code');
    expect(malformed.json()).toMatchObject({ statusCode: 400, field: 'body.type' });

    const type = (await call('GET', '/admin/task-types'))
      .json()
      .items.find((x: { code: string }) => x.code === 'office_meeting');
    const off = await call('PATCH', '/admin/task-types/office_meeting', {
      version: type.version,
      active: false,
    });
    expect(off.json()).toMatchObject({ active: false });
    const refused = await newTask('office_meeting');
    expect(refused.json()).toMatchObject({ statusCode: 400, code: 'UNKNOWN_TASK_TYPE', field: 'body.type' });

    // The existing task keeps its type, can still be edited, and the pane can still name it.
    const task = created.json();
    const edited = await call(
      'PATCH',
      `/tasks/${task.id}`,
      { version: task.version, title: 'Перенесли' },
      'rm1',
    );
    expect(edited.json()).toMatchObject({ type: 'office_meeting', title: 'Перенесли' });
    const toRetired = await call(
      'PATCH',
      `/tasks/${task.id}`,
      { version: edited.json().version, type: 'teleport' },
      'rm1',
    );
    expect(toRetired.json()).toMatchObject({
      statusCode: 400,
      code: 'UNKNOWN_TASK_TYPE',
      field: 'body.type',
    });
    const catalog = (await call('GET', '/task-types', undefined, 'rm1')).json();
    expect(catalog.taskTypes.map((x: { code: string }) => x.code)).not.toContain('office_meeting');
    expect(catalog.inactiveTaskTypes).toContainEqual({
      code: 'office_meeting',
      name: 'Встреча в офисе',
      names: { ru: 'Встреча в офисе', en: 'Office meeting' },
    });
    await call('PATCH', '/admin/task-types/office_meeting', { version: off.json().version, active: true });
  });

  it("gives a planned task without a duration its type's default duration", async () => {
    const res = await newTask('meeting', { plannedStartAt: '2030-03-01T10:00:00.000Z' });
    expect(res.json()).toMatchObject({ type: 'meeting', plannedDurationMinutes: 60 });
    const own = await newTask('meeting', {
      plannedStartAt: '2030-03-01T10:00:00.000Z',
      plannedDurationMinutes: 20,
    });
    expect(own.json().plannedDurationMinutes).toBe(20);
  });
});

describe('the calendar event follows the task type', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await createSyncHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("writes the event with the type's category and reminder and the priority's importance, without a restart", async () => {
    const admin = await tokenFor(h.app, 'admin@bank.example');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/task-types',
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        code: 'office_meeting',
        nameRu: 'Встреча в офисе',
        nameEn: 'Office meeting',
        defaultReminderMinutes: 30,
        calendarCategory: 'Офис',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const office = await h.createTask('rm1', {
      type: 'office_meeting',
      priority: 'urgent',
      title: 'Встреча в офисе',
    });
    const plain = await h.createTask('rm2', { type: 'call', title: 'Звонок' });
    await h.startWorker();
    await h.settle();
    const [event] = h.emu.events(h.mailbox('rm1'));
    expect(event).toMatchObject({ categories: ['Офис'], isReminderOn: true, reminderMinutesBeforeStart: 30 });
    const sent = (subject: string) =>
      h.emu.log.find((r) => r.method === 'POST' && (r.body as { subject?: string })?.subject === subject)
        ?.body as { importance?: string } | undefined;
    expect(sent(office.title)?.importance).toBe('high');
    // A seeded type keeps what the configuration said before (CRM, 15 minutes).
    expect(h.emu.events(h.mailbox('rm2'))[0]).toMatchObject({
      categories: ['CRM'],
      reminderMinutesBeforeStart: 15,
    });
    expect((await h.getTask('rm1', office.id)).calendarSync?.state).toBe('synced');
    expect((await h.getTask('rm2', plain.id)).calendarSync?.state).toBe('synced');
  });
});

describe('priorities', () => {
  it('renames a priority and maps it to an Outlook importance, audited; stale version 409; bad value 400', async () => {
    const list = (await call('GET', '/admin/task-priorities')).json().items;
    expect(list.find((p: { code: string }) => p.code === 'urgent')).toMatchObject({
      nameRu: 'Срочный',
      graphImportance: 'high',
      version: 1,
    });
    const res = await call('PATCH', '/admin/task-priorities/low', {
      version: 1,
      nameRu: 'Не срочно',
      graphImportance: 'normal',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ nameRu: 'Не срочно', graphImportance: 'normal', version: 2 });
    const [event] = await auditOf(rid(res));
    expect(event).toMatchObject({ action: 'task_priority.update', entity_id: 'low' });
    expect(event!.details).toMatchObject({ changes: { name_ru: { from: 'Низкий', to: 'Не срочно' } } });
    const stale = await call('PATCH', '/admin/task-priorities/low', { version: 1, nameRu: 'Низкий' });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT' });
    const bad = await call('PATCH', '/admin/task-priorities/low', { version: 2, graphImportance: 'huge' });
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'body.graphImportance' });
    const noSuch = await call('PATCH', '/admin/task-priorities/critical', { version: 1, nameRu: 'x' });
    expect(noSuch.json()).toMatchObject({ statusCode: 400, field: 'params.code' });
  });
});

describe('branch working hours', () => {
  const url = () => `/admin/branches/${org.branches.spb}/working-hours`;

  it('shows the defaults of a branch without a calendar row', async () => {
    const res = await call('GET', url());
    expect(res.json()).toEqual({
      branchId: org.branches.spb,
      branchCode: 'SPB-01',
      branchName: 'Санкт-Петербург',
      timeZone: 'Europe/Moscow',
      workDays: [1, 2, 3, 4, 5],
      dayStart: '09:00',
      dayEnd: '18:00',
      version: 1,
    });
    const none = await call('GET', '/admin/branches/00000000-0000-4000-8000-000000000000/working-hours');
    expect(none.statusCode).toBe(404);
  });

  it('validates days, hours and the time zone naming the field', async () => {
    const base = {
      version: 1,
      workDays: [1, 2, 3, 4, 5],
      dayStart: '09:00',
      dayEnd: '18:00',
      timeZone: 'Europe/Moscow',
    };
    const cases: [object, string][] = [
      [{ timeZone: 'Mars/Olympus' }, 'body.timeZone'],
      [{ timeZone: '+03:00' }, 'body.timeZone'],
      [{ dayStart: '18:00', dayEnd: '09:00' }, 'body.dayEnd'],
      [{ dayStart: '9:00' }, 'body.dayStart'],
      [{ dayEnd: '24:00' }, 'body.dayEnd'],
      [{ workDays: [] }, 'body.workDays'],
      [{ workDays: [0, 1] }, 'body.workDays/0'],
      [{ workDays: [1, 1] }, 'body.workDays'],
    ];
    for (const [change, field] of cases) {
      const res = await call('PUT', url(), { ...base, ...change });
      expect(res.statusCode, JSON.stringify(change)).toBe(400);
      expect(res.json().field, JSON.stringify(change)).toMatch(new RegExp(`^${field.split('/')[0]}`));
    }
    const partial = await call('PATCH', url(), { version: 1, dayStart: '19:00' });
    expect(partial.json()).toMatchObject({ statusCode: 400, field: 'body.dayStart' });
    expect((await call('GET', url())).json().version).toBe(1);
  });

  it('saves days, hours and zone (audited, version bumped); a stale version is 409', async () => {
    const res = await call('PUT', url(), {
      version: 1,
      workDays: [6, 1, 2, 3, 4, 5],
      dayStart: '08:30',
      dayEnd: '20:00',
      timeZone: 'asia/vladivostok',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      workDays: [1, 2, 3, 4, 5, 6],
      dayStart: '08:30',
      dayEnd: '20:00',
      timeZone: 'Asia/Vladivostok',
      version: 3,
    });
    const [event] = await auditOf(rid(res));
    expect(event).toMatchObject({
      action: 'branch.working_hours.update',
      entity: 'branch',
      entity_id: org.branches.spb,
      channel: 'admin',
    });
    expect(event!.details).toMatchObject({
      changes: {
        workDays: { from: [1, 2, 3, 4, 5], to: [1, 2, 3, 4, 5, 6] },
        dayStart: { from: '09:00', to: '08:30' },
        timeZone: { from: 'Europe/Moscow', to: 'Asia/Vladivostok' },
      },
    });
    const branch = await tdb.db
      .selectFrom('branches')
      .select(['time_zone', 'version'])
      .where('id', '=', org.branches.spb)
      .executeTakeFirstOrThrow();
    expect(branch).toEqual({ time_zone: 'Asia/Vladivostok', version: 2 });

    const stale = await call('PATCH', url(), { version: 1, dayEnd: '19:00' });
    expect(stale.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT', field: 'body.version' });
    // A rename in the Organisation section bumps the branch: the working-hours form's version is stale too.
    const renamed = await call('PATCH', `/admin/branches/${org.branches.spb}`, { version: 2, name: 'СПб' });
    expect(renamed.statusCode).toBe(200);
    const afterRename = await call('PATCH', url(), { version: 3, dayEnd: '19:00' });
    expect(afterRename.json()).toMatchObject({ statusCode: 409, code: 'VERSION_CONFLICT' });
    const ok = await call('PATCH', url(), { version: 4, dayEnd: '19:00' });
    expect(ok.json()).toMatchObject({ dayEnd: '19:00', dayStart: '08:30', version: 5 });
  });

  it('moves the credit SLA: the calendar the SLA reads has the new hours, and a due time follows', async () => {
    const msk = `/admin/branches/${org.branches.msk}/working-hours`;
    // Friday 2030-03-01 18:30 Moscow: 2 working hours from then end Monday 11:00 with Mon-Fri 09-18...
    const start = new Date('2030-03-01T15:30:00.000Z');
    const before = await loadWorkingCalendar(tdb.db, org.branches.msk, start);
    expect(addWorkingMinutes(start, 120, before).toISOString()).toBe('2030-03-04T08:00:00.000Z');

    const res = await call('PUT', msk, {
      version: (await call('GET', msk)).json().version,
      workDays: [1, 2, 3, 4, 5, 6],
      dayStart: '10:00',
      dayEnd: '19:00',
      timeZone: 'Europe/Moscow',
    });
    expect(res.statusCode, res.body).toBe(200);
    // ...and Saturday 11:30 with Mon-Sat 10-19 (half an hour on Friday; no restart: read at each stage entry).
    const after = await loadWorkingCalendar(tdb.db, org.branches.msk, start);
    expect(after).toMatchObject({ workDays: [1, 2, 3, 4, 5, 6], dayStartMinute: 600, dayEndMinute: 1140 });
    expect(addWorkingMinutes(start, 120, after).toISOString()).toBe('2030-03-02T08:30:00.000Z');
  });
});
