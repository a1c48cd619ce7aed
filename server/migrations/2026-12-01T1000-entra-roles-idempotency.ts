import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// Entra ID identities (users keyed by tid + oid), the credit_officer role, grants on top of roles,
// Idempotency-Key storage for creates, and audit indexes for the admin query and sign-in events.

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('entra_tenant_id', 'uuid')
    .addColumn('entra_object_id', 'uuid')
    .execute();
  await db.schema
    .alterTable('users')
    .addUniqueConstraint('users_entra_identity_uq', ['entra_tenant_id', 'entra_object_id'])
    .execute();
  await db.schema
    .alterTable('users')
    .addCheckConstraint(
      'users_entra_identity_pair',
      sql`(entra_tenant_id is null) = (entra_object_id is null)`,
    )
    .execute();
  await sql`alter table users drop constraint users_role_check`.execute(db);
  await db.schema
    .alterTable('users')
    .addCheckConstraint(
      'users_role_check',
      sql`role in ('relationship_manager', 'supervisor', 'credit_officer', 'admin')`,
    )
    .execute();

  // Rights on top of a role: `view_personal_data` (unmasked personal data), `admin` (admin rights for a
  // business user). Changes are audited by the service that makes them.
  await db.schema
    .createTable('role_grants')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('grant', 'text', (c) => c.notNull().check(sql`"grant" in ('view_personal_data', 'admin')`))
    .addColumn('granted_by', 'uuid', (c) => c.references('users.id'))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('role_grants_pk', ['user_id', 'grant'])
    .execute();

  // One row per (user, Idempotency-Key): the first request's hash and its answer, replayed on retries.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created_idx')
    .on('idempotency_keys')
    .column('created_at')
    .execute();

  await db.schema
    .createIndex('audit_events_actor_idx')
    .on('audit_events')
    .columns(['actor_id', 'at'])
    .execute();
  // Sign-in events carry the token id (`uti`) in entity_id: one event per token, looked up by it.
  await sql`create index audit_events_sign_in_idx on audit_events (entity_id) where action = 'auth.sign_in'`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists audit_events_sign_in_idx`.execute(db);
  await sql`drop index if exists audit_events_actor_idx`.execute(db);
  await db.schema.dropTable('idempotency_keys').ifExists().execute();
  await db.schema.dropTable('role_grants').ifExists().execute();
  await sql`delete from users where role = 'credit_officer'`.execute(db);
  await sql`alter table users drop constraint users_role_check`.execute(db);
  await sql`alter table users add constraint users_role_check check (role in ('relationship_manager', 'supervisor', 'admin'))`.execute(
    db,
  );
  await sql`alter table users drop constraint users_entra_identity_pair`.execute(db);
  await sql`alter table users drop constraint users_entra_identity_uq`.execute(db);
  await db.schema.alterTable('users').dropColumn('entra_object_id').dropColumn('entra_tenant_id').execute();
}
