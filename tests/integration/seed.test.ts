import { isValidInn, isValidOgrn } from '@crm/shared';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let tdb: TestDatabase;
const now = new Date('2026-11-29T09:00:00Z');
beforeAll(async () => {
  tdb = await createTestDatabase();
  await seedDemoBank(tdb.db, { clients: 300, now });
});
afterAll(() => tdb.destroy());

describe('the demo bank', () => {
  it('has at least 300 clients of both kinds, every one with valid identifiers', async () => {
    const { db } = tdb;
    const kinds = await db
      .selectFrom('clients')
      .select(['kind', sql<number>`count(*)::int`.as('n')])
      .groupBy('kind')
      .execute();
    const total = kinds.reduce((s, k) => s + k.n, 0);
    expect(total).toBeGreaterThanOrEqual(300);
    expect(kinds.map((k) => k.kind).sort()).toEqual(['individual', 'legal_entity']);
    const people = await db.selectFrom('individual_profiles').select('inn').execute();
    const companies = await db.selectFrom('legal_entity_profiles').select(['inn', 'ogrn']).execute();
    expect(people.filter((p) => p.inn && !isValidInn(p.inn))).toEqual([]);
    expect(companies.filter((c) => !isValidInn(c.inn) || (c.ogrn && !isValidOgrn(c.ogrn)))).toEqual([]);
  });

  it('has deals in every stage, tasks overdue/today/later, an application past SLA and overdue loans', async () => {
    const { db } = tdb;
    const stages = await db.selectFrom('deals').select('stage').distinct().execute();
    expect(stages.map((s) => s.stage).sort()).toEqual([
      'lead',
      'lost',
      'negotiation',
      'proposal',
      'qualification',
      'won',
    ]);
    const due = await db
      .selectFrom('tasks')
      .select([
        sql<number>`count(*) filter (where due_at < ${now})::int`.as('overdue'),
        sql<number>`count(*) filter (where due_at::date = ${now}::date)::int`.as('today'),
        sql<number>`count(*) filter (where due_at > ${now})::int`.as('later'),
      ])
      .executeTakeFirstOrThrow();
    expect(due.overdue).toBeGreaterThan(0);
    expect(due.today).toBeGreaterThan(0);
    expect(due.later).toBeGreaterThan(0);
    const pastSla = await db
      .selectFrom('credit_applications')
      .where('sla_due_at', '<', now)
      .select('id')
      .execute();
    expect(pastSla.length).toBeGreaterThan(0);
    const overdue = await db.selectFrom('loans').where('days_past_due', '>', 0).select('id').execute();
    expect(overdue.length).toBeGreaterThan(0);
  });

  it("gives every open stage of an in-progress application its owner's task, as the API would", async () => {
    const { db } = tdb;
    const open = await db
      .selectFrom('application_stages as s')
      .innerJoin('credit_applications as a', 'a.id', 's.application_id')
      .leftJoin('tasks as t', 't.id', 's.task_id')
      .where('a.status', '=', 'in_progress')
      .where('s.completed_at', 'is', null)
      .where('s.owner_user_id', 'is not', null)
      .select([
        's.owner_user_id',
        's.due_at',
        'a.client_id',
        'a.number',
        't.id as task_id',
        't.assignee_id',
        't.client_id as task_client_id',
        't.status',
        't.due_at as task_due_at',
        't.title',
      ])
      .execute();
    expect(open.length).toBeGreaterThan(0);
    for (const s of open) {
      expect(s.task_id, s.number).not.toBeNull();
      expect(s.assignee_id).toBe(s.owner_user_id);
      expect(s.task_client_id).toBe(s.client_id);
      expect(s.status).toBe('open');
      expect(s.task_due_at).toEqual(s.due_at);
      expect(s.title).toContain(s.number);
    }
    // The API path's side effects: history, calendar sync job, audit event per task.
    const ids = open.map((s) => s.task_id!);
    const history = await db
      .selectFrom('task_history')
      .where('task_id', 'in', ids)
      .select('task_id')
      .execute();
    expect(new Set(history.map((h) => h.task_id)).size).toBe(ids.length);
    const audited = await db
      .selectFrom('audit_events')
      .where('action', '=', 'task.create')
      .where('entity_id', 'in', ids)
      .select('entity_id')
      .execute();
    expect(audited.length).toBe(ids.length);
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
      where task_identifier = 'calendar_sync_task' and key = any(${ids.map((id) => `task:${id}`)}::text[])`.execute(
      db,
    );
    expect(jobs.rows[0]?.n).toBe(ids.length);
  });

  it('is deterministic for the same clock', async () => {
    const other = await createTestDatabase();
    try {
      await seedDemoBank(other.db, { clients: 300, now });
      const names = (d: TestDatabase) =>
        d.db.selectFrom('clients').select(['id', 'display_name']).orderBy('id').execute();
      expect(await names(other)).toEqual(await names(tdb));
      // Application ids are not fixed, their numbers are: each number's stage task keeps its id.
      const stageTasks = (d: TestDatabase) =>
        d.db
          .selectFrom('application_stages as s')
          .innerJoin('credit_applications as a', 'a.id', 's.application_id')
          .select(['a.number', 's.task_id'])
          .orderBy('a.number')
          .execute();
      expect(await stageTasks(other)).toEqual(await stageTasks(tdb));
    } finally {
      await other.destroy();
    }
  });
});
