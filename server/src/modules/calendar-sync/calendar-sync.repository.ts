import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { CalendarLinkState } from '../../db/types.ts';
import type { TaskForEvent } from './calendar-event.mapper.ts';

/**
 * Outbox: asks the worker to bring the task's calendar events in line with the task. Call it inside the
 * transaction that changes the task, so the job exists if and only if the change committed. Keyed per task:
 * ten edits in a second become one job (graphile-worker `job_key`, mode replace).
 */
export async function enqueueTaskSync(trx: Db, taskId: string): Promise<void> {
  await sql`select graphile_worker.add_job('calendar_sync_task', json_build_object('taskId', ${taskId}::text),
    job_key := ${`task:${taskId}`}::text, max_attempts := 25)`.execute(trx);
}

/** enqueueTaskSync for many tasks in one statement (a route's stage tasks, the demo seed's 100,000). */
export async function enqueueTaskSyncs(trx: Db, taskIds: string[]): Promise<void> {
  if (taskIds.length === 0) return;
  await sql`select graphile_worker.add_job('calendar_sync_task', json_build_object('taskId', id::text),
    job_key := 'task:' || id::text, max_attempts := 25) from unnest(${taskIds}::uuid[]) as id`.execute(trx);
}

/**
 * Asks for a mailbox run. One queue per mailbox: its runs never overlap, so two runs never write the same
 * event; keyed per mailbox and started `windowMs` after the first request, so a burst becomes one run that batches.
 * Priority 1 (graphile-worker runs lower numbers first): pending task reconciles (priority 0) of a burst all
 * run before the mailbox runs that send them, so 200 assigned tasks leave as full `$batch`es, not a trickle.
 */
export async function enqueueMailboxSync(trx: Db, userId: string, windowMs: number): Promise<void> {
  // preserve_run_at: the first change of a burst fixes when the run starts, the rest join it (one $batch).
  await sql`select graphile_worker.add_job('calendar_sync_mailbox', json_build_object('userId', ${userId}::text),
    queue_name := ${`calendar:${userId}`}::text, run_at := now() + make_interval(secs => ${windowMs / 1000}::float8),
    job_key := ${`mailbox:${userId}`}::text, job_key_mode := 'preserve_run_at', max_attempts := 25,
    priority := 1)`.execute(trx);
}

export type LinkRow = {
  id: string;
  task_id: string;
  user_id: string;
  generation: number;
  transaction_id: string;
  event_id: string | null;
  change_key: string | null;
  op: 'upsert' | 'delete';
  needs_sync: boolean;
  state: CalendarLinkState;
  synced_version: number | null;
  schedule_key: string | null;
  create_attempted_at: Date | null;
  last_error: string | null;
};

export type WorkItem = { link: LinkRow; task: TaskForEvent & { version: number } };

/** Links of one mailbox that need Graph calls, with their task's current state (oldest first). */
export async function findMailboxWork(db: Db, userId: string, limit: number): Promise<WorkItem[]> {
  const rows = await db
    .selectFrom('calendar_links as l')
    .innerJoin('tasks as t', 't.id', 'l.task_id')
    .leftJoin('clients as c', 'c.id', 't.client_id')
    .leftJoin('task_types as tt', 'tt.code', 't.type')
    .leftJoin('task_priorities as tp', 'tp.code', 't.priority')
    .where('l.user_id', '=', userId)
    .where('l.needs_sync', '=', true)
    .orderBy('l.created_at')
    .limit(limit)
    .selectAll('l')
    .select([
      't.title',
      't.status',
      't.planned_start_at',
      't.planned_duration_minutes',
      't.all_day',
      't.due_at',
      't.effort_estimate_minutes',
      't.version',
      'c.display_name',
      'tt.calendar_category',
      'tt.default_reminder_minutes',
      'tp.graph_importance',
    ])
    .execute();
  return rows.map((r) => ({
    link: r as unknown as LinkRow,
    task: {
      id: r.task_id,
      title: r.title,
      status: r.status,
      plannedStartAt: r.planned_start_at,
      plannedDurationMinutes: r.planned_duration_minutes,
      allDay: r.all_day,
      dueAt: r.due_at,
      effortEstimateMinutes: r.effort_estimate_minutes,
      clientName: r.display_name,
      // Read per sync round: a changed type setting reaches events synced from now on.
      typeSettings:
        r.calendar_category === null
          ? null
          : { category: r.calendar_category, reminderMinutes: r.default_reminder_minutes },
      importance: r.graph_importance,
      version: r.version,
    },
  }));
}

export type MailboxInfo = {
  userId: string;
  /** What Graph addresses: the Entra object id when known, else the primary SMTP address (UPN). */
  mailbox: string;
  timeZone: string;
  /** When Graph was last asked for the mailbox's own zone; null = never. */
  timeZoneReadAt: Date | null;
  state: 'ok' | 'not_syncable';
  reason: string | null;
  maxConcurrency: number | null;
};

/** Records what Graph said the mailbox's zone is (IANA; null = refused or unknown: keep what we had). */
export async function saveMailboxTimeZone(db: Db, userId: string, timeZone: string | null): Promise<void> {
  await db
    .insertInto('mailbox_sync_state')
    .values({ user_id: userId, time_zone: timeZone, time_zone_read_at: sql`now()` })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        time_zone: timeZone === null ? sql`mailbox_sync_state.time_zone` : timeZone,
        time_zone_read_at: sql`now()`,
      }),
    )
    .execute();
}

export async function findMailbox(db: Db, userId: string): Promise<MailboxInfo | undefined> {
  const r = await db
    .selectFrom('users as u')
    .leftJoin('branches as b', 'b.id', 'u.branch_id')
    .leftJoin('mailbox_sync_state as m', 'm.user_id', 'u.id')
    .where('u.id', '=', userId)
    .select([
      'u.id',
      'u.email',
      'u.entra_object_id',
      'b.time_zone as branch_tz',
      'm.state',
      'm.reason',
      'm.time_zone',
      'm.time_zone_read_at',
      'm.max_concurrency',
    ])
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    userId: r.id,
    mailbox: r.entra_object_id ?? r.email,
    // The mailbox's own zone when known; the branch's until then (both IANA).
    timeZone: r.time_zone ?? r.branch_tz ?? 'Europe/Moscow',
    timeZoneReadAt: r.time_zone_read_at ?? null,
    state: r.state ?? 'ok',
    reason: r.reason ?? null,
    maxConcurrency: r.max_concurrency ?? null,
  };
}

/** Parks a mailbox: its links become not_syncable with the reason, and no run retries them. */
export async function markMailboxNotSyncable(db: Db, userId: string, reason: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('mailbox_sync_state')
      .values({ user_id: userId, state: 'not_syncable', reason })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ state: 'not_syncable', reason, updated_at: sql`now()` }),
      )
      .execute();
    await trx
      .updateTable('calendar_links')
      .set({ state: 'not_syncable', needs_sync: false, last_error: reason, updated_at: sql`now()` })
      .where('user_id', '=', userId)
      .where('state', 'not in', ['deleted', 'removed_in_outlook'])
      .execute();
  });
}

export async function saveMailboxConcurrency(db: Db, userId: string, n: number): Promise<void> {
  await db
    .insertInto('mailbox_sync_state')
    .values({ user_id: userId, max_concurrency: n })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ max_concurrency: n, updated_at: sql`now()` }))
    .execute();
}

/** A success: needs_sync stays on when the task changed while the request was in flight. */
export async function recordSynced(
  db: Db,
  linkId: string,
  fields: {
    eventId: string;
    changeKey: string | null;
    version: number | null;
    scheduleKey: string | null;
    eventModifiedAt: string | null;
  },
): Promise<void> {
  await db
    .updateTable('calendar_links as l')
    .set({
      event_id: fields.eventId,
      change_key: fields.changeKey,
      state: 'synced',
      synced_version: fields.version,
      schedule_key: fields.scheduleKey,
      synced_at: sql`now()`,
      event_modified_at: fields.eventModifiedAt,
      last_error: null,
      updated_at: sql`now()`,
      needs_sync: sql<boolean>`(l.op = 'delete' or ${fields.version}::int is null or exists (
        select 1 from tasks t where t.id = l.task_id and t.version <> ${fields.version}::int))`,
    })
    .where('l.id', '=', linkId)
    .execute();
}

export async function updateLink(
  db: Db,
  linkId: string,
  set: Partial<{
    event_id: string | null;
    state: LinkRow['state'];
    needs_sync: boolean;
    last_error: string | null;
    create_attempted_at: Date | null;
  }>,
): Promise<void> {
  await db
    .updateTable('calendar_links')
    .set({ ...set, updated_at: sql`now()` } as never)
    .where('id', '=', linkId)
    .execute();
}

/** Marks creates as sent before they are sent: after a crash or an ambiguous answer, look up before creating. */
export async function markCreatesAttempted(db: Db, linkIds: string[]): Promise<void> {
  if (linkIds.length === 0) return;
  await db
    .updateTable('calendar_links')
    .set({ create_attempted_at: sql`now()`, attempts: sql`attempts + 1` })
    .where('id', '=', sql<string>`any(${linkIds}::uuid[])`)
    .execute();
}
