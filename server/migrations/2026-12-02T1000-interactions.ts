import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// Emails and meetings logged to clients' history: one row per message however many users log it (keyed by
// its Internet Message-ID), one link per (message, client), attachments stored once by content hash.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('interactions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // `<id@host>` as in the header (trimmed, angle brackets kept); `<ical-uid:UID>` for a calendar item
    // that has no Message-ID. The one key that makes logging idempotent across users and machines.
    .addColumn('internet_message_id', 'text', (c) => c.notNull().unique())
    .addColumn('conversation_id', 'text')
    .addColumn('in_reply_to', 'text')
    .addColumn('message_references', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('message', 'meeting')`))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('in', 'out')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    // {name, address} / arrays of them; addresses normalised (lower-case SMTP).
    .addColumn('from_party', 'jsonb')
    .addColumn('to_parties', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('cc_parties', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // The new part only (quoted history cut); HTML sanitised before it is stored.
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text')
    .addColumn('quoted_history_stripped', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('signature_note', 'text', (c) =>
      c.check(sql`signature_note in ('smime-signed', 'smime-opaque-signed', 'smime-encrypted')`),
    )
    .addColumn('meeting_uid', 'text')
    .addColumn('meeting_start', 'timestamptz')
    .addColumn('meeting_end', 'timestamptz')
    .addColumn('meeting_location', 'text')
    .addColumn('meeting_time_zone', 'text')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('mime', 'item')`))
    .addColumn('created_by', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index interactions_conversation_idx on interactions (conversation_id) where conversation_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('interaction_links')
    .addColumn('interaction_id', 'uuid', (c) => c.notNull().references('interactions.id').onDelete('cascade'))
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('deal_id', 'uuid', (c) => c.references('deals.id').onDelete('set null'))
    .addColumn('task_id', 'uuid', (c) => c.references('tasks.id').onDelete('set null'))
    .addColumn('linked_by', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('interaction_links_pk', ['interaction_id', 'client_id'])
    .execute();
  await db.schema
    .createIndex('interaction_links_client_idx')
    .on('interaction_links')
    .column('client_id')
    .execute();

  // Content-addressed: the same file attached to many emails is stored once.
  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('size', 'integer', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Attachments are mostly compressed already (PDF, images, Office files): skip TOAST compression attempts.
  await sql`alter table blobs alter column content set storage external`.execute(db);

  await db.schema
    .createTable('interaction_attachments')
    .addColumn('interaction_id', 'uuid', (c) => c.notNull().references('interactions.id').onDelete('cascade'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content_id', 'text')
    .addColumn('inline', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('interaction_attachments_pk', ['interaction_id', 'ordinal'])
    .execute();
  await db.schema
    .createIndex('interaction_attachments_sha256_idx')
    .on('interaction_attachments')
    .column('sha256')
    .execute();

  // The prospect check suggests the company of a sender's domain: contacts by email domain.
  await sql`create index contact_points_email_domain_idx on contact_points (split_part(value_normalized, '@', 2)) where kind = 'email'`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists contact_points_email_domain_idx`.execute(db);
  for (const t of ['interaction_attachments', 'blobs', 'interaction_links', 'interactions'])
    await db.schema.dropTable(t).ifExists().execute();
}
