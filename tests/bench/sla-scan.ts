import { sql } from 'kysely';
import { createDb } from '../../server/src/db/database.ts';
import { migrateToLatest } from '../../server/src/db/migrate.ts';
import { scanSla } from '../../server/src/modules/credit/credit.jobs.ts';

// The SLA scan over many open credit applications (issue 6: "the at-risk/breach scan over 100,000 open
// applications, time per scan"). Seeds BENCH-SLA applications once into the bench bank (it needs its clients,
// users and a loan product), each with one open stage owned by the client's manager: 10% past their at-risk
// time, 5% past their due time, the rest due later. Every run puts them back to on_track and times:
// - the first scan (marks ~15,000 stages, writes their notices and escalations);
// - a steady-state scan right after (nothing new: the per-minute cost of the cron job).

export type SlaScanBench = {
  applications: number;
  firstScan: { ms: number; atRisk: number; breached: number; escalated: number };
  steadyScanMs: number;
};

/**
 * Seeds (once) and times the SLA scan in the database at `databaseUrl` (the bench bank).
 * @param count open applications to scan, default 100,000
 */
export async function measureSlaScan(databaseUrl: string, count = 100_000): Promise<SlaScanBench> {
  const db = createDb(databaseUrl, { max: 2 });
  try {
    await migrateToLatest(db);
    const have = await sql<{
      n: number;
    }>`select count(*)::int as n from credit_applications where number like 'BENCH-SLA-%'`
      .execute(db)
      .then((r) => r.rows[0]!.n);
    if (have < count) {
      const product = await db
        .selectFrom('products')
        .where('kind', '=', 'loan')
        .select('id')
        .executeTakeFirst();
      if (!product) throw new Error('the bench bank has no loan product: seed it first');
      await sql`
        insert into credit_applications (number, client_id, product_id, amount, currency, term_months, stage,
          stage_entered_at, sla_due_at, created_by, branch_id)
        select 'BENCH-SLA-' || lpad((${have} + n)::text, 7, '0'), c.id, ${product.id}::uuid, 500000, 'RUB', 36,
          'underwriting', now(), now(), c.manager_id,
          (select cb.branch_id from client_branches cb where cb.client_id = c.id limit 1)
        from (select id, manager_id, row_number() over (order by id) as n from clients) c
        where c.n <= ${count - have}`.execute(db);
      await sql`
        insert into application_stages (application_id, stage_code, owner_user_id, owner_role, sla_working_hours,
          entered_at, at_risk_at, due_at)
        select a.id, 'underwriting', a.created_by, 'client_manager', 16, now(), now(), now()
        from credit_applications a
        where a.number like 'BENCH-SLA-%'
          and not exists (select 1 from application_stages s where s.application_id = a.id)`.execute(db);
      await sql`analyze application_stages`.execute(db);
    }
    // Reset: every bench stage open and on track; 10% at risk by now, 5% breached by now, the rest later.
    await sql`delete from credit_notices where application_id in
      (select id from credit_applications where number like 'BENCH-SLA-%')`.execute(db);
    await sql`
      update application_stages s set sla_state = 'on_track', at_risk_noticed_at = null, breached_at = null,
        escalated_to = null, completed_at = null,
        at_risk_at = case when x.k < 15 then now() - interval '1 hour' else now() + interval '1 day' end,
        due_at = case when x.k < 5 then now() - interval '1 minute' else now() + interval '2 days' end
      from (select a.id, (abs(hashtext(a.id::text)) % 100) as k from credit_applications a
            where a.number like 'BENCH-SLA-%') x
      where s.application_id = x.id`.execute(db);
    await sql`vacuum analyze application_stages`.execute(db).catch(() => {});
    const t0 = performance.now();
    const first = await scanSla(db, new Date());
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    await scanSla(db, new Date());
    const steadyMs = performance.now() - t1;
    const applications = await sql<{ n: number }>`select count(*)::int as n from application_stages s
      join credit_applications a on a.id = s.application_id
      where a.number like 'BENCH-SLA-%' and s.completed_at is null`
      .execute(db)
      .then((r) => r.rows[0]!.n);
    return {
      applications,
      firstScan: { ms: Math.round(firstMs), ...first },
      steadyScanMs: Math.round(steadyMs * 10) / 10,
    };
  } finally {
    await db.destroy();
  }
}
