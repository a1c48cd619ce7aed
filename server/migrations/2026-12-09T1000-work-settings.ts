import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// Work settings the admin edits (issue 5), read at each use so a change takes effect without a restart.
// 1. `task_types`: what was the fixed enum of task types. `default_duration_minutes` null means "no default of
//    the type": a planned task without a duration gets the calendar sync's configured default (never all-day
//    by itself). `default_reminder_minutes` null means no Outlook reminder. Rows are never deleted, only
//    deactivated (`active`), so tasks of a retired type keep their name; `tasks.type` references the code.
// 2. `task_priorities`: names of the four fixed priority codes and the Outlook event importance each maps to.

const TASK_TYPES: [string, string, string, number | null][] = [
  ['call', 'Звонок', 'Call', 15],
  ['meeting', 'Встреча', 'Meeting', 60],
  ['document_check', 'Проверка документов', 'Document check', 30],
  ['visit', 'Визит', 'Visit', 90],
  ['follow_up', 'Напоминание', 'Follow-up', 15],
  ['email', 'Письмо', 'Email', 15],
];

const PRIORITIES: [string, string, string, string][] = [
  ['low', 'Низкий', 'Low', 'low'],
  ['normal', 'Обычный', 'Normal', 'normal'],
  ['high', 'Высокий', 'High', 'high'],
  ['urgent', 'Срочный', 'Urgent', 'high'],
];

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table task_types (
    code text primary key check (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_ru text not null check (length(btrim(name_ru)) between 1 and 100),
    name_en text not null check (length(btrim(name_en)) between 1 and 100),
    default_duration_minutes integer check (default_duration_minutes between 1 and 20160),
    default_reminder_minutes integer check (default_reminder_minutes between 0 and 20160),
    calendar_category text not null default 'CRM' check (length(btrim(calendar_category)) between 1 and 255),
    active boolean not null default true,
    ordinal integer not null default 0,
    version integer not null default 1,
    updated_at timestamptz not null default now()
  )`.execute(db);
  for (const [i, [code, ru, en, minutes]] of TASK_TYPES.entries())
    await sql`insert into task_types (code, name_ru, name_en, default_duration_minutes, default_reminder_minutes, ordinal)
      values (${code}, ${ru}, ${en}, ${minutes}, 15, ${(i + 1) * 10})`.execute(db);
  // Any other code already on a task (none in practice: the API allowed only the six) stays readable, inactive.
  await sql`insert into task_types (code, name_ru, name_en, active, ordinal)
    select distinct type, type, type, false, 1000 from tasks where type not in (select code from task_types)`.execute(
    db,
  );
  await sql`alter table tasks add constraint tasks_type_fk foreign key (type) references task_types (code)`.execute(
    db,
  );

  await sql`create table task_priorities (
    code text primary key check (code in ('low', 'normal', 'high', 'urgent')),
    name_ru text not null check (length(btrim(name_ru)) between 1 and 100),
    name_en text not null check (length(btrim(name_en)) between 1 and 100),
    ordinal integer not null default 0,
    graph_importance text not null default 'normal' check (graph_importance in ('low', 'normal', 'high')),
    version integer not null default 1,
    updated_at timestamptz not null default now()
  )`.execute(db);
  for (const [i, [code, ru, en, importance]] of PRIORITIES.entries())
    await sql`insert into task_priorities (code, name_ru, name_en, ordinal, graph_importance)
      values (${code}, ${ru}, ${en}, ${(i + 1) * 10}, ${importance})`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table task_priorities`.execute(db);
  await sql`alter table tasks drop constraint tasks_type_fk`.execute(db);
  await sql`drop table task_types`.execute(db);
}
