import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// When the worker last asked Graph for the mailbox's own time zone (mailboxSettings/timeZone), whatever the
// answer: an app without MailboxSettings.Read gets 403 every time, and must not ask on every run.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table mailbox_sync_state add column time_zone_read_at timestamptz`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table mailbox_sync_state drop column time_zone_read_at`.execute(db);
}
