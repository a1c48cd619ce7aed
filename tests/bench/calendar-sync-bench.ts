// Calendar sync benchmark (issue 4): 2,000 tasks assigned across 50 mailboxes with the Graph emulator adding
// 20 ms per request, then 20 % of them rescheduled; then the same with 20 % of requests answered 429/503.
// Prints the wall time until every change is in the calendars, Graph HTTP requests per task change (outer
// requests: a $batch of 20 counts once), duplicates (tasks with more than one event) and lost changes (tasks
// whose event is missing or not at the task's time). Runs in its own throw-away database on
// TEST_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { type CalendarSyncConfig, DEFAULT_EXTENDED_PROPERTY_ID } from '../../server/src/config.ts';
import { createDb, type Db } from '../../server/src/db/database.ts';
import { migrateToLatest } from '../../server/src/db/migrate.ts';
import {
  installJobQueue,
  startCalendarWorker,
} from '../../server/src/modules/calendar-sync/calendar-sync.jobs.ts';
import { enqueueTaskSync } from '../../server/src/modules/calendar-sync/calendar-sync.repository.ts';
import { type GraphEmulator, instantOf, startGraphEmulator } from '../emulators/graph/graph-emulator.ts';
import { createClient, createOrg } from '../support/fixtures.ts';

export type CalendarSyncBenchPhase = {
  name: string;
  changes: number;
  drainMs: number;
  httpRequests: number;
  requestsPerChange: number;
  duplicates: number;
  lost: number;
};

const TASKS = Number(process.env.BENCH_CAL_TASKS ?? 2000);
const MAILBOXES = Number(process.env.BENCH_CAL_MAILBOXES ?? 50);
const LATENCY_MS = 20;

async function drain(db: Db, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
      where task_identifier in ('calendar_sync_task', 'calendar_sync_mailbox')`.execute(db);
    const open = await db
      .selectFrom('calendar_links')
      .where((eb) => eb.or([eb('needs_sync', '=', true), eb('state', '=', 'pending')]))
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    if (jobs.rows[0]!.n === 0 && open.n === 0) return;
    if (Date.now() > until) throw new Error(`not drained after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Tasks with more than one live event, and tasks whose event is missing or not at the task's time. */
async function check(db: Db, emu: GraphEmulator): Promise<{ duplicates: number; lost: number }> {
  const tasks = await db.selectFrom('tasks').select(['id', 'planned_start_at']).execute();
  let duplicates = 0;
  let lost = 0;
  for (const t of tasks) {
    const events = emu.eventsOfTask(t.id);
    if (events.length > 1) duplicates++;
    const e = events[0]?.event;
    if (!e || instantOf(e.start).getTime() !== t.planned_start_at!.getTime()) lost++;
  }
  return { duplicates, lost };
}

const httpCount = (emu: GraphEmulator) => emu.log.filter((r) => !r.batched).length + emu.batches;

async function scenario(serverUrl: string, faults: boolean): Promise<CalendarSyncBenchPhase[]> {
  const name = `crm_calbench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name} template template0 encoding 'UTF8'`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = createDb(url, { max: 40 });
  const emu = await startGraphEmulator();
  let worker: Awaited<ReturnType<typeof startCalendarWorker>> | null = null;
  try {
    await migrateToLatest(db);
    await installJobQueue(url);
    const org = await createOrg(
      db,
      Array.from({ length: MAILBOXES }, (_, i) => ({
        key: `bench${i}`,
        name: `Bench RM ${i}`,
        email: `bench${i}@bank.example`,
        branch: 'msk' as const,
        supervisor: 'sup',
      })),
    );
    const clientId = await createClient(db, org, { kind: 'legal_entity', name: 'ООО Бенчмарк' });
    emu.latencyMs = LATENCY_MS;
    if (faults) {
      emu.inject({ answer: { status: 429, retryAfter: 1 }, probability: 0.1 });
      emu.inject({ answer: { status: 503 }, probability: 0.1 });
    }
    const sync: CalendarSyncConfig = {
      worker: 'off',
      workerConcurrency: 8,
      staleLockSeconds: 600,
      mailboxConcurrency: 4,
      batchSize: 20,
      batchWindowMs: 200,
      retryBaseMs: 200,
      maxRounds: 10,
      category: 'CRM',
      reminderMinutes: 15,
      defaultDurationMinutes: 30,
      publicUrl: 'https://crm.bank.example',
      extendedPropertyId: DEFAULT_EXTENDED_PROPERTY_ID,
      notificationUrl: null,
      subscriptionLifetimeMinutes: 4230,
      pollSeconds: 3600,
    };
    worker = await startCalendarWorker({
      databaseUrl: url,
      db,
      config: {
        graph: {
          baseUrl: emu.baseUrl,
          tenantId: emu.tenantId,
          clientId: emu.clientId,
          clientSecret: emu.clientSecret,
          authorityHost: emu.authorityHost,
          scope: 'https://graph.microsoft.com/.default',
          timeoutMs: 10_000,
        },
        calendarSync: sync,
      },
      pollIntervalMs: 50,
    });
    const phases: CalendarSyncBenchPhase[] = [];
    const base = Date.parse('2026-12-10T07:00:00Z');

    // 1. A supervisor assigns 2,000 tasks across 50 mailboxes (one transaction per 200, outbox jobs inside).
    let before = httpCount(emu);
    let t0 = Date.now();
    const ids: string[] = [];
    for (let chunk = 0; chunk < TASKS; chunk += 200) {
      await db.transaction().execute(async (trx) => {
        const rows = await trx
          .insertInto('tasks')
          .values(
            Array.from({ length: Math.min(200, TASKS - chunk) }, (_, k) => {
              const i = chunk + k;
              return {
                title: `Bench task ${i}`,
                type: 'call',
                priority: 'normal' as const,
                status: 'open' as const,
                assignee_id: org.users[`bench${i % MAILBOXES}`]!,
                author_id: org.users.sup!,
                client_id: clientId,
                planned_start_at: new Date(base + (i % 40) * 3_600_000),
                planned_duration_minutes: 30,
              };
            }),
          )
          .returning('id')
          .execute();
        for (const r of rows) {
          await enqueueTaskSync(trx, r.id);
          ids.push(r.id);
        }
      });
    }
    await drain(db, 600_000);
    let drainMs = Date.now() - t0;
    let http = httpCount(emu) - before;
    phases.push({
      name: `${faults ? 'faults: ' : ''}assign ${TASKS} across ${MAILBOXES}`,
      changes: TASKS,
      drainMs,
      httpRequests: http,
      requestsPerChange: http / TASKS,
      ...(await check(db, emu)),
    });

    // 2. 20 % rescheduled.
    const moved = ids.filter((_, i) => i % 5 === 0);
    before = httpCount(emu);
    t0 = Date.now();
    for (let chunk = 0; chunk < moved.length; chunk += 200) {
      await db.transaction().execute(async (trx) => {
        const part = moved.slice(chunk, chunk + 200);
        await trx
          .updateTable('tasks')
          .set({
            planned_start_at: sql`planned_start_at + interval '1 day'`,
            version: sql`version + 1`,
            updated_at: sql`now()`,
          })
          .where('id', 'in', part)
          .execute();
        for (const id of part) await enqueueTaskSync(trx, id);
      });
    }
    await drain(db, 600_000);
    drainMs = Date.now() - t0;
    http = httpCount(emu) - before;
    phases.push({
      name: `${faults ? 'faults: ' : ''}reschedule ${moved.length}`,
      changes: moved.length,
      drainMs,
      httpRequests: http,
      requestsPerChange: http / moved.length,
      ...(await check(db, emu)),
    });
    return phases;
  } finally {
    await worker?.stop();
    await emu.close();
    await db.destroy();
    const a = new pg.Client({ connectionString: serverUrl });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  }
}

/**
 * Runs both scenarios (no faults; 20 % of requests 429/503) and prints one line per phase. Returns the figures.
 * Targets (issue 4): ≤ 0.1 requests per change in bulk, drained within 15 s without faults, 0 duplicates, 0 lost.
 */
export async function runCalendarSyncBench(
  serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
): Promise<CalendarSyncBenchPhase[]> {
  const all = [...(await scenario(serverUrl, false)), ...(await scenario(serverUrl, true))];
  for (const p of all)
    console.log(
      `calendar sync: ${p.name}: drained in ${(p.drainMs / 1000).toFixed(1)} s, ${p.httpRequests} Graph requests ` +
        `(${p.requestsPerChange.toFixed(3)} per change), duplicates ${p.duplicates}, lost ${p.lost}`,
    );
  return all;
}
