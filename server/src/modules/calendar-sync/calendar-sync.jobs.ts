import { Logger, type Runner, run, runMigrations, type Task, type TaskList } from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { smtpMailSender } from '../credit/smtp-sender.ts';
import { GraphConnection, type SecretEnv } from '../m365/graph-connection.ts';
import { type AssignmentMailPayload, sendAssignmentMail } from '../tasks/assignment-mail.ts';
import {
  ensureSubscription,
  poll,
  processNotifications,
  pullDelta,
  schedulePoll,
} from './calendar-inbound.service.ts';
import { reconcileTask, type SyncDeps, syncMailbox } from './calendar-sync.service.ts';

type Log = {
  info: (o: object, m: string) => void;
  warn: (o: object, m: string) => void;
  error?: (o: object, m: string) => void;
};

function workerLogger(log: Log | null): Logger {
  return new Logger(() => (level, message) => {
    if (!log) return;
    // Called as methods: pino's need their `this`.
    if (level === 'error') {
      if (log.error) log.error({ level }, message);
      else log.warn({ level }, message);
    } else if (level === 'warning') log.warn({ level }, message);
  });
}

/**
 * Installs (or upgrades) graphile-worker's own schema. The task transaction calls `graphile_worker.add_job`,
 * so this must run before the API serves: main.ts and the test template run it after our migrations.
 */
export async function installJobQueue(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: workerLogger(null) });
}

/**
 * A keyed job replaced while it ran loses its key and its retries (graphile-worker gives it attempts =
 * max_attempts): the newer job, queued behind it, carries the work on. Failing it would leave a permanently
 * failed job behind for nothing, so its failure is logged and it completes.
 */
function supersedable(deps: SyncDeps, fn: (payload: unknown) => Promise<void>): Task {
  return async (payload, helpers) => {
    try {
      await fn(payload);
    } catch (err) {
      const job = helpers.job;
      // Read again: the key is cleared while the job runs, after the worker fetched it.
      const now = await sql<{
        key: string | null;
        attempts: number;
        max_attempts: number;
      }>`select key, attempts,
        max_attempts from graphile_worker.jobs where id = ${job.id}::bigint`.execute(deps.db);
      const row = now.rows[0];
      if (row && row.key === null && row.attempts >= row.max_attempts) {
        deps.log?.warn(
          { task: job.task_identifier, err: (err as Error).message },
          'superseded job left its work to the newer one',
        );
        return;
      }
      throw err;
    }
  };
}

/**
 * The job handlers: `calendar_sync_task` {taskId}, `calendar_sync_mailbox` {userId}, inbound and upkeep jobs.
 * With a `connection`, each run takes its current Graph client and limits, so the admin page's Microsoft 365
 * settings apply from the next run on, without a restart.
 */
export function calendarSyncTaskList(deps: SyncDeps, connection?: GraphConnection): TaskList {
  let pollScheduled = deps.graph !== null;
  const now = async (): Promise<SyncDeps> => {
    if (!connection) return deps;
    const c = await connection.refresh();
    // Graph switched on after the start: the delta poll (safety net) must run too.
    if (c.graph && !pollScheduled) {
      pollScheduled = true;
      await schedulePoll(deps.db, deps.config.pollSeconds);
    }
    return {
      ...deps,
      graph: c.graph,
      config: { ...deps.config, mailboxConcurrency: c.mailboxConcurrency, serviceMailbox: c.serviceMailbox },
    };
  };
  const user = (payload: unknown) => (payload as { userId: string }).userId;
  return {
    calendar_sync_task: supersedable(deps, async (payload) =>
      reconcileTask(await now(), (payload as { taskId: string }).taskId),
    ),
    calendar_sync_mailbox: supersedable(deps, async (payload) => syncMailbox(await now(), user(payload))),
    calendar_notifications: supersedable(deps, async () => processNotifications(await now())),
    calendar_delta: supersedable(deps, async (payload) => pullDelta(await now(), user(payload))),
    calendar_subscribe: supersedable(deps, async (payload) => ensureSubscription(await now(), user(payload))),
    calendar_poll: supersedable(deps, async () => poll(await now())),
    calendar_assignment_mail: async (payload) => {
      const d = await now();
      await sendAssignmentMail(d, d.db, payload as AssignmentMailPayload);
    },
  };
}

export type CalendarWorker = { stop: () => Promise<void>; runner: Runner };

/**
 * Starts a graphile-worker runner for the calendar jobs on its own small pool. Signals are the host's
 * business (`noHandleSignals`): the API and `npm run worker` stop it on SIGINT/SIGTERM.
 */
export async function startCalendarWorker(opts: {
  databaseUrl: string;
  db: Db;
  /** `credit.email` of kind `smtp` sends assignment notices through that relay. */
  config: Pick<Config, 'graph' | 'calendarSync'> & Partial<Pick<Config, 'credit'>>;
  log?: Log;
  pollIntervalMs?: number;
  /** The environment holding the secrets the admin page's settings name (main.ts passes process.env). */
  env?: SecretEnv;
}): Promise<CalendarWorker> {
  // CRM_GRAPH_* is the fallback; saved settings on the admin page take over while the worker runs.
  const connection = new GraphConnection({
    db: opts.db,
    env: opts.env ?? {},
    defaults: {
      graph: opts.config.graph,
      mailboxConcurrency: opts.config.calendarSync.mailboxConcurrency,
      serviceMailbox: opts.config.calendarSync.serviceMailbox ?? null,
    },
    log: opts.log,
  });
  const { graph } = await connection.refresh();
  const email = opts.config.credit?.email;
  const mail = email?.kind === 'smtp' ? smtpMailSender(email.smtp) : null;
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.config.calendarSync.workerConcurrency + 2,
  });
  pool.on('error', (err) => opts.log?.warn({ err: err.message }, 'worker pool error'));
  pool.on('connect', (client) =>
    client.on('error', (err) => opts.log?.warn({ err: err.message }, 'worker connection error')),
  );
  const runner = await run({
    pgPool: pool,
    taskList: calendarSyncTaskList(
      { db: opts.db, graph, config: opts.config.calendarSync, log: opts.log, mail },
      connection,
    ),
    concurrency: opts.config.calendarSync.workerConcurrency,
    noHandleSignals: true,
    pollInterval: opts.pollIntervalMs ?? 2000,
    logger: workerLogger(opts.log ?? null),
  });
  // A worker killed with -9 leaves its jobs and queues locked (graphile-worker frees them only after 4 hours):
  // locks older than the lease are released so a restarted or another worker carries on.
  const unlockStale = async () => {
    try {
      await pool.query(
        // Only workers holding calendar jobs or queues: other runners (credit) keep their own leases.
        `select graphile_worker.force_unlock_workers(array(select distinct j.locked_by
           from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
           where j.locked_by is not null and t.identifier like 'calendar\\_%'
             and j.locked_at < now() - make_interval(secs => $1)
         union select distinct locked_by from graphile_worker._private_job_queues
           where locked_by is not null and queue_name like 'calendar:%'
             and locked_at < now() - make_interval(secs => $1)))`,
        [opts.config.calendarSync.staleLockSeconds],
      );
    } catch (err) {
      opts.log?.warn({ err: (err as Error).message }, 'unlocking stale jobs failed');
    }
  };
  await unlockStale();
  if (graph) await schedulePoll(opts.db, opts.config.calendarSync.pollSeconds);
  const timer = setInterval(
    () => void unlockStale(),
    Math.max(1000, (opts.config.calendarSync.staleLockSeconds * 1000) / 4),
  );
  timer.unref();
  return {
    runner,
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await pool.end();
    },
  };
}
