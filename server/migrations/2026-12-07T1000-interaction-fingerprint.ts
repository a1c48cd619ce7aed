import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// 1. `content_fingerprint`: what a logged message said (hash of its normalised subject and new-part text,
//    defined in src/modules/interactions/fingerprint.ts), stored when it is first logged. Logging a Message-ID
//    that exists, by a user who sees none of its clients, links only when the content is the same message.
//    Rows logged before stay null: their fingerprint is computed from the stored subject and body.
// 2. Repairs rows that an earlier version stored beyond what the API answers with (a client's history then
//    failed for good): dates outside 1900-2199, names and subjects over their limits.

const FROM = sql`'1900-01-01T00:00:00Z'::timestamptz`;
const UNTIL = sql`'2200-01-01T00:00:00Z'::timestamptz`;

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table interactions add column content_fingerprint text`.execute(db);

  await sql`update interactions set meeting_start = null where meeting_start < ${FROM} or meeting_start >= ${UNTIL}`.execute(
    db,
  );
  await sql`update interactions set meeting_end = null where meeting_end < ${FROM} or meeting_end >= ${UNTIL}`.execute(
    db,
  );
  await sql`update interactions set sent_at = created_at where sent_at < ${FROM} or sent_at >= ${UNTIL}`.execute(
    db,
  );
  await sql`update interactions set subject = left(subject, 998) where length(subject) > 998`.execute(db);
  await sql`update interactions
    set from_party = jsonb_build_object('name', left(from_party->>'name', 512), 'address', left(from_party->>'address', 1024))
    where from_party is not null
      and (length(from_party->>'name') > 512 or length(from_party->>'address') > 1024)`.execute(db);
  for (const column of ['to_parties', 'cc_parties'])
    await sql`update interactions
      set ${sql.ref(column)} = (select coalesce(jsonb_agg(jsonb_build_object('name', left(p->>'name', 512),
          'address', left(p->>'address', 1024)) order by o), '[]'::jsonb)
        from jsonb_array_elements(${sql.ref(column)}) with ordinality as t(p, o))
      where exists (select 1 from jsonb_array_elements(${sql.ref(column)}) as e(p)
        where length(p->>'name') > 512 or length(p->>'address') > 1024)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table interactions drop column content_fingerprint`.execute(db);
}
