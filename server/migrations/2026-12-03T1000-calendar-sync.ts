import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// Microsoft Graph calendar sync: the task's planned time, one link per (task, mailbox, generation) to the event
// that shows it, the state of each mailbox, and the tables for change notifications and delta (docs/microsoft.md,
// "Graph calendar events"). The job queue itself is graphile-worker's own schema, installed by its migrations.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('planned_start_at', 'timestamptz')
    .addColumn('planned_duration_minutes', 'integer', (c) =>
      c.check(sql`planned_duration_minutes > 0 and planned_duration_minutes <= 20160`),
    )
    .addColumn('all_day', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  // One row per mailbox that sync has touched. not_syncable stops every retry for that mailbox until an admin
  // clears it (MailboxNotEnabledForRESTAPI, ErrorAccessDenied). time_zone: the mailbox's own zone (IANA) when
  // known, else the branch's is used. max_concurrency: lowered after a MailboxConcurrency 429.
  await db.schema
    .createTable('mailbox_sync_state')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id'))
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('ok').check(sql`state in ('ok', 'not_syncable')`),
    )
    .addColumn('reason', 'text')
    .addColumn('time_zone', 'text')
    .addColumn('max_concurrency', 'integer', (c) => c.check(sql`max_concurrency between 1 and 64`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // A task's event in one mailbox. A new generation (and so a new transactionId) for every event we create for
  // a task: reassignment back to a former assignee, or placing a task back after the user deleted its event.
  // op says what the worker must do when needs_sync: 'upsert' (create or patch) or 'delete'.
  await db.schema
    .createTable('calendar_links')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('task_id', 'uuid', (c) => c.notNull().references('tasks.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull().unique())
    // Immutable id (every request sends Prefer: IdType="ImmutableId").
    .addColumn('event_id', 'text')
    .addColumn('change_key', 'text')
    .addColumn('op', 'text', (c) => c.notNull().defaultTo('upsert').check(sql`op in ('upsert', 'delete')`))
    .addColumn('needs_sync', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(
          sql`state in ('pending', 'synced', 'failed', 'not_syncable', 'removed_in_outlook', 'deleted')`,
        ),
    )
    .addColumn('synced_version', 'integer')
    // start|duration|allDay as last written: a CRM reschedule of a task whose event the user deleted places it back.
    .addColumn('schedule_key', 'text')
    // Set before every create is sent: a later attempt looks the event up first (crash or ambiguous answer).
    .addColumn('create_attempted_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('synced_at', 'timestamptz')
    // Graph's lastModifiedDateTime of the event as we last saw it (conflict rule: the later change wins).
    .addColumn('event_modified_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('calendar_links_task_generation_key', ['task_id', 'generation'])
    .execute();
  await sql`create index calendar_links_work_idx on calendar_links (user_id) where needs_sync`.execute(db);
  await sql`create index calendar_links_task_user_idx on calendar_links (task_id, user_id, generation desc)`.execute(
    db,
  );
  await sql`create unique index calendar_links_event_idx on calendar_links (user_id, event_id) where event_id is not null`.execute(
    db,
  );

  // Change notifications: subscriptions per mailbox, and every notification persisted before the 202.
  await db.schema
    .createTable('graph_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('client_state', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('active').check(sql`state in ('active', 'reauthorize', 'removed')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('graph_subscriptions_user_idx')
    .on('graph_subscriptions')
    .column('user_id')
    .execute();
  await db.schema
    .createTable('graph_notifications')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('subscription_id', 'text')
    .addColumn('change_type', 'text')
    .addColumn('lifecycle_event', 'text')
    .addColumn('resource', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz')
    .execute();
  await sql`create index graph_notifications_unprocessed_idx on graph_notifications (id) where processed_at is null`.execute(
    db,
  );

  // Delta (calendarView/delta) per mailbox: the whole deltaLink as Graph returned it, and its window.
  await db.schema
    .createTable('calendar_delta_state')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id'))
    .addColumn('delta_link', 'text')
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('window_end', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'calendar_delta_state',
    'graph_notifications',
    'graph_subscriptions',
    'calendar_links',
    'mailbox_sync_state',
  ])
    await db.schema.dropTable(t).ifExists().execute();
  await db.schema
    .alterTable('tasks')
    .dropColumn('planned_start_at')
    .dropColumn('planned_duration_minutes')
    .dropColumn('all_day')
    .execute();
}
