import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('branches')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Europe/Moscow'))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('relationship_manager', 'supervisor', 'admin')`),
    )
    .addColumn('branch_id', 'uuid', (c) => c.references('branches.id'))
    .addColumn('supervisor_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('users_supervisor_idx').on('users').column('supervisor_id').execute();

  // Every address a user is known by: primary email, aliases/UPNs, LegacyExchangeDN. Keys are normalised.
  await db.schema
    .createTable('user_addresses')
    .addColumn('address_key', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('email', 'alias', 'exchange_dn')`))
    .execute();
  await db.schema.createIndex('user_addresses_user_idx').on('user_addresses').column('user_id').execute();

  await db.schema
    .createTable('clients')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('individual', 'legal_entity')`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('potential', 'new', 'active', 'inactive')`),
    )
    .addColumn('segments', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('display_name', 'text', (c) => c.notNull())
    // lower-case, ё folded to е, legal-form words and quotes removed: what name search compares (banking.md).
    .addColumn('search_name', 'text', (c) => c.notNull())
    .addColumn('manager_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('clients_manager_idx').on('clients').column('manager_id').execute();
  await sql`create index clients_search_name_trgm on clients using gin (search_name gin_trgm_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('client_branches')
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('branch_id', 'uuid', (c) => c.notNull().references('branches.id'))
    .addPrimaryKeyConstraint('client_branches_pk', ['client_id', 'branch_id'])
    .execute();
  await db.schema
    .createIndex('client_branches_branch_idx')
    .on('client_branches')
    .column('branch_id')
    .execute();

  await db.schema
    .createTable('individual_profiles')
    .addColumn('client_id', 'uuid', (c) => c.primaryKey().references('clients.id').onDelete('cascade'))
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('middle_name', 'text')
    .addColumn('birth_date', 'date')
    .addColumn('inn', 'text', (c) => c.check(sql`inn ~ '^[0-9]{12}$'`))
    .addColumn('citizenship', 'text')
    .execute();
  await db.schema
    .createIndex('individual_profiles_inn_idx')
    .on('individual_profiles')
    .column('inn')
    .execute();

  await db.schema
    .createTable('legal_entity_profiles')
    .addColumn('client_id', 'uuid', (c) => c.primaryKey().references('clients.id').onDelete('cascade'))
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text', (c) => c.notNull())
    .addColumn('inn', 'text', (c) => c.notNull().check(sql`inn ~ '^[0-9]{10}$'`))
    .addColumn('kpp', 'text', (c) => c.check(sql`kpp ~ '^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$'`))
    .addColumn('ogrn', 'text', (c) => c.check(sql`ogrn ~ '^[0-9]{13}$'`))
    .addColumn('okved', 'text')
    .addColumn('credit_rating', 'text')
    .execute();
  await db.schema
    .createIndex('legal_entity_profiles_inn_idx')
    .on('legal_entity_profiles')
    .column('inn')
    .execute();

  // One address may belong to several clients (a shared accounting mailbox): no unique key on value.
  await db.schema
    .createTable('contact_points')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('email', 'phone')`))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('value_normalized', 'text', (c) => c.notNull())
    .addColumn('is_primary', 'boolean', (c) => c.notNull().defaultTo(false))
    .addUniqueConstraint('contact_points_client_value_uq', ['client_id', 'kind', 'value_normalized'])
    .execute();
  await db.schema
    .createIndex('contact_points_value_idx')
    .on('contact_points')
    .columns(['value_normalized', 'client_id'])
    .execute();

  await db.schema
    .createTable('client_relations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('from_client_id', 'uuid', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('to_client_id', 'uuid', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('director', 'founder', 'contact_person', 'spouse', 'guarantor')`),
    )
    .addColumn('share_percent', sql`numeric(5,2)`)
    .addCheckConstraint('client_relations_not_self', sql`from_client_id <> to_client_id`)
    .execute();
  await db.schema
    .createIndex('client_relations_from_idx')
    .on('client_relations')
    .column('from_client_id')
    .execute();
  await db.schema
    .createIndex('client_relations_to_idx')
    .on('client_relations')
    .column('to_client_id')
    .execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('loan', 'deposit', 'card', 'account', 'cash_management')`),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'planned', 'expired')`))
    .execute();

  await db.schema
    .createTable('deals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id'))
    .addColumn('product_id', 'uuid', (c) => c.notNull().references('products.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) =>
      c.notNull().check(sql`stage in ('lead', 'qualification', 'proposal', 'negotiation', 'won', 'lost')`),
    )
    .addColumn('amount', sql`numeric(20,2)`, (c) => c.notNull())
    .addColumn('currency', sql`char(3)`, (c) => c.notNull())
    .addColumn('expected_close_date', 'date')
    .addColumn('manager_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index deals_open_by_client on deals (client_id) where stage not in ('won', 'lost')`.execute(
    db,
  );

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) =>
      c.notNull().check(sql`priority in ('low', 'normal', 'high', 'urgent')`),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('open', 'in_progress', 'done', 'cancelled')`),
    )
    .addColumn('due_at', 'timestamptz')
    .addColumn('effort_estimate_minutes', 'integer', (c) => c.check(sql`effort_estimate_minutes >= 0`))
    .addColumn('assignee_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('author_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('client_id', 'uuid', (c) => c.references('clients.id'))
    .addColumn('deal_id', 'uuid', (c) => c.references('deals.id'))
    .addColumn('internet_message_id', 'text')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index tasks_open_by_client on tasks (client_id, due_at) where status in ('open', 'in_progress')`.execute(
    db,
  );
  await db.schema.createIndex('tasks_assignee_idx').on('tasks').columns(['assignee_id', 'status']).execute();

  await db.schema
    .createTable('task_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('task_id', 'uuid', (c) => c.notNull().references('tasks.id'))
    .addColumn('actor_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('changes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('task_history_task_idx')
    .on('task_history')
    .columns(['task_id', 'at'])
    .execute();

  await db.schema
    .createTable('credit_applications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id'))
    .addColumn('product_id', 'uuid', (c) => c.notNull().references('products.id'))
    .addColumn('amount', sql`numeric(20,2)`, (c) => c.notNull())
    .addColumn('currency', sql`char(3)`, (c) => c.notNull())
    .addColumn('term_months', 'integer', (c) => c.notNull().check(sql`term_months > 0`))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('stage_entered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sla_due_at', 'timestamptz')
    .addColumn('decision', 'text', (c) =>
      c.check(sql`decision in ('approved', 'approved_changed_terms', 'declined', 'client_refused')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('credit_applications_client_idx')
    .on('credit_applications')
    .column('client_id')
    .execute();

  await db.schema
    .createTable('loans')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('contract_number', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'uuid', (c) => c.notNull().references('clients.id'))
    .addColumn('product_id', 'uuid', (c) => c.notNull().references('products.id'))
    .addColumn('currency', sql`char(3)`, (c) => c.notNull())
    .addColumn('principal', sql`numeric(20,2)`, (c) => c.notNull())
    .addColumn('balance', sql`numeric(20,2)`, (c) => c.notNull())
    .addColumn('overdue_amount', sql`numeric(20,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('days_past_due', 'integer', (c) => c.notNull().defaultTo(0).check(sql`days_past_due >= 0`))
    .addColumn('next_payment_date', 'date')
    .addColumn('next_payment_amount', sql`numeric(20,2)`)
    .addColumn('closed_at', 'timestamptz')
    .execute();
  await sql`create index loans_open_by_client on loans (client_id) where closed_at is null`.execute(db);

  // Append-only record of who saw or changed what (banking.md, "Personal data and audit").
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor_id', 'uuid')
    .addColumn('actor_role', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('ok', 'denied', 'failed')`))
    .addColumn('client_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('entity', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('channel', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
  await sql`create index audit_events_clients_idx on audit_events using gin (client_ids)`.execute(db);
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_events_no_change before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'audit_events',
    'loans',
    'credit_applications',
    'task_history',
    'tasks',
    'deals',
    'products',
    'client_relations',
    'contact_points',
    'legal_entity_profiles',
    'individual_profiles',
    'client_branches',
    'clients',
    'user_addresses',
    'users',
    'branches',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  await sql`drop function if exists audit_events_append_only`.execute(db);
}
