import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// Tasks are looked up by the open credit stage they follow: every task in the pane and the team view says
// whether it follows one (its "Done" is the stage's to give), and a task's status change is refused while it
// does. Without this index each lookup read every stage.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index application_stages_open_task on application_stages (task_id) where completed_at is null and task_id is not null`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index application_stages_open_task`.execute(db);
}
