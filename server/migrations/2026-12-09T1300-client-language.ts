import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// The language the bank writes to the client in (notification templates exist in Russian and English).
// null: decided by citizenship, as before this column (RU or unknown: Russian, another country: English).

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table clients add column preferred_language text
    constraint clients_preferred_language_check check (preferred_language in ('ru', 'en'))`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table clients drop column preferred_language`.execute(db);
}
