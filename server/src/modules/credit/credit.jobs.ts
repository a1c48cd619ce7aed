import { Logger, type Runner, run, type TaskList } from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { GraphConnection, type SecretEnv } from '../m365/graph-connection.ts';
import { sendClientNotification } from './client-notifications.ts';
import { createSenders, type Senders } from './notification-senders.ts';

// Background work of credit applications, on graphile-worker (the queue calendar sync installed):
// - `credit_notify` {notificationId}: sends one client message of the outbox (retried with backoff);
// - `credit_sla_scan`: every minute (graphile-worker cron), marks open stages at risk (80% of their SLA in
//   working time passed) and breached, notifies the owner and escalates a breach to the owner's supervisor.

type Log = { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };

export type SlaScanResult = { atRisk: number; breached: number; escalated: number };

/** Rows per statement: a backlog (after downtime) is worked in slices, each its own short transaction. */
const SCAN_CHUNK = 10_000;

/**
 * One SLA scan at `now`. Due and at-risk times were computed in the branch's working calendar when each stage
 * started, so this is two index range reads. Stages being moved right now are skipped (`skip locked`) and seen
 * by the next scan; each stage is marked once per state, so notices are not repeated.
 */
export async function scanSla(db: Db, now: Date): Promise<SlaScanResult> {
  const result: SlaScanResult = { atRisk: 0, breached: 0, escalated: 0 };
  for (;;) {
    const r = await sql<{ n: number }>`
      with picked as (
        select id from application_stages
        where completed_at is null and sla_state = 'on_track' and at_risk_at <= ${now} and due_at > ${now}
        order by at_risk_at limit ${SCAN_CHUNK} for update skip locked
      ), marked as (
        update application_stages s set sla_state = 'at_risk', at_risk_noticed_at = ${now}
        from picked where s.id = picked.id
        returning s.id, s.application_id, s.owner_user_id, s.due_at
      ), noticed as (
        insert into credit_notices (user_id, application_id, stage_id, kind)
        select owner_user_id, application_id, id, 'sla_at_risk'
        from marked where owner_user_id is not null
        returning 1
      )
      select (select count(*) from marked)::int as n`.execute(db);
    const n = r.rows[0]?.n ?? 0;
    result.atRisk += n;
    if (n < SCAN_CHUNK) break;
  }
  for (;;) {
    const r = await sql<{ n: number; escalated: number }>`
      with picked as (
        select id from application_stages
        where completed_at is null and sla_state <> 'breached' and due_at <= ${now}
        order by due_at limit ${SCAN_CHUNK} for update skip locked
      ), marked as (
        update application_stages s set sla_state = 'breached', breached_at = ${now},
          escalated_to = (
            select coalesce(sup.id, tsup.id) from users o
            left join users sup on sup.id = o.supervisor_id and sup.is_active
            left join teams t on t.id = o.team_id
            left join users tsup on tsup.id = t.supervisor_id and tsup.is_active
            where o.id = s.owner_user_id)
        from picked where s.id = picked.id
        returning s.id, s.application_id, s.owner_user_id, s.escalated_to
      ), owner_notices as (
        insert into credit_notices (user_id, application_id, stage_id, kind)
        select owner_user_id, application_id, id, 'sla_breached' from marked where owner_user_id is not null
        returning 1
      ), escalations as (
        insert into credit_notices (user_id, application_id, stage_id, kind)
        select m.escalated_to, m.application_id, m.id, 'escalation'
        from marked m
        where m.escalated_to is not null and m.escalated_to is distinct from m.owner_user_id
        returning 1
      )
      select (select count(*) from marked)::int as n, (select count(*) from escalations)::int as escalated`.execute(
      db,
    );
    const n = r.rows[0]?.n ?? 0;
    result.breached += n;
    result.escalated += r.rows[0]?.escalated ?? 0;
    if (n < SCAN_CHUNK) break;
  }
  return result;
}

/** The job handlers of the credit module. */
export function creditTaskList(deps: { db: Db; senders: Senders; log?: Log }): TaskList {
  return {
    credit_notify: async (payload) => {
      await sendClientNotification(
        deps.db,
        deps.senders,
        (payload as { notificationId: string }).notificationId,
      );
    },
    credit_sla_scan: async () => {
      const r = await scanSla(deps.db, new Date());
      if (r.atRisk + r.breached > 0) deps.log?.info(r, 'credit SLA scan');
    },
  };
}

export type CreditWorker = { stop: () => Promise<void>; runner: Runner };

/**
 * Starts the credit jobs' runner on its own small pool, next to the calendar worker (each runner takes only
 * its own task identifiers). The SLA scan runs every minute through graphile-worker's cron (one run per
 * minute across all workers). `senders` replaces the configured adapters (tests).
 */
export async function startCreditWorker(opts: {
  databaseUrl: string;
  db: Db;
  config: Pick<Config, 'graph' | 'credit' | 'calendarSync'>;
  log?: Log;
  pollIntervalMs?: number;
  senders?: Senders;
  /** false: no cron (tests run scans themselves). */
  cron?: boolean;
  /** The environment holding the secrets the admin page's settings name (main.ts passes process.env). */
  env?: SecretEnv;
}): Promise<CreditWorker> {
  // Each send takes the current Microsoft 365 connection (admin page settings, else CRM_GRAPH_*).
  const graph =
    opts.config.credit.email.kind === 'graph'
      ? new GraphConnection({
          db: opts.db,
          env: opts.env ?? {},
          defaults: {
            graph: opts.config.graph,
            mailboxConcurrency: opts.config.calendarSync.mailboxConcurrency,
            serviceMailbox: opts.config.calendarSync.serviceMailbox ?? null,
          },
          log: opts.log,
        }).delegate()
      : null;
  const senders = opts.senders ?? createSenders(opts.config.credit, graph, opts.log);
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 4 });
  pool.on('error', (err) => opts.log?.warn({ err: err.message }, 'credit worker pool error'));
  pool.on('connect', (client) =>
    client.on('error', (err) => opts.log?.warn({ err: err.message }, 'credit worker connection error')),
  );
  const runner = await run({
    pgPool: pool,
    taskList: creditTaskList({ db: opts.db, senders, log: opts.log }),
    crontab: opts.cron === false ? '' : '* * * * * credit_sla_scan ?max=1',
    concurrency: 2,
    noHandleSignals: true,
    pollInterval: opts.pollIntervalMs ?? 2000,
    logger: new Logger(() => (level, message) => {
      if (level === 'error' || level === 'warning') opts.log?.warn({ level }, message);
    }),
  });
  return {
    runner,
    stop: async () => {
      await runner.stop();
      await pool.end();
    },
  };
}
