import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// 1. `calendar_feeds`: private iCalendar feed tokens (no Microsoft 365). Only the sha256 of the token is
//    stored; at most one live (not revoked) token per user. Revoked rows stay for the audit trail.
// 2. `users.language`: the language of mail sent to the user (assignment notices); null means Russian.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table calendar_feeds (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users(id),
    token_hash bytea not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  )`.execute(db);
  await sql`create unique index calendar_feeds_one_live on calendar_feeds (user_id) where revoked_at is null`.execute(
    db,
  );
  await sql`alter table users add column language text check (language in ('ru', 'en'))`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop column language`.execute(db);
  await sql`drop table calendar_feeds`.execute(db);
}
