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

  it('is deterministic for the same clock', async () => {
    const other = await createTestDatabase();
    try {
      await seedDemoBank(other.db, { clients: 300, now });
      const names = (d: TestDatabase) =>
        d.db.selectFrom('clients').select(['id', 'display_name']).orderBy('id').execute();
      expect(await names(other)).toEqual(await names(tdb));
    } finally {
      await other.destroy();
    }
  });
});
