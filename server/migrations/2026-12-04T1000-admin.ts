import { type Kysely, sql } from 'kysely';

// Frozen once committed: imports nothing from src/, works on Kysely<any>.
// The admin page's organisation and user management: regions -> branches -> teams, users in a team, optimistic
// concurrency (`version`) on everything an admin edits, and deactivation time (users are never deleted).

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('regions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .alterTable('branches')
    .addColumn('region_id', 'uuid', (c) => c.references('regions.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await sql`insert into regions (name) select distinct region from branches on conflict do nothing`.execute(
    db,
  );
  await sql`update branches b set region_id = r.id from regions r where r.name = b.region`.execute(db);
  // `branches.region` (text) stays, as the region's name: the seed, fixtures and older code write only the text;
  // this keeps the two in step either way (text -> region found or created; region_id -> its name).
  await sql`
    create function branches_region_sync() returns trigger language plpgsql as $$
    begin
      if new.region_id is not null and (tg_op = 'INSERT' or new.region_id is distinct from old.region_id) then
        select name into new.region from regions where id = new.region_id;
      elsif new.region is not null and (tg_op = 'INSERT' or new.region is distinct from old.region) then
        insert into regions (name) values (new.region) on conflict (name) do nothing;
        select id into new.region_id from regions where name = new.region;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger branches_region_sync before insert or update of region, region_id on branches
    for each row execute function branches_region_sync()`.execute(db);

  await db.schema
    .createTable('teams')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('branch_id', 'uuid', (c) => c.notNull().references('branches.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('supervisor_id', 'uuid', (c) => c.references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('teams_branch_name_uq', ['branch_id', 'name'])
    .execute();

  await db.schema
    .alterTable('users')
    .addColumn('team_id', 'uuid', (c) => c.references('teams.id'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('deactivated_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('users_team_idx').on('users').column('team_id').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: frozen migrations run on an untyped Kysely
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .dropColumn('team_id')
    .dropColumn('version')
    .dropColumn('deactivated_at')
    .execute();
  await db.schema.dropTable('teams').ifExists().execute();
  await sql`drop trigger if exists branches_region_sync on branches`.execute(db);
  await sql`drop function if exists branches_region_sync`.execute(db);
  await db.schema.alterTable('branches').dropColumn('region_id').dropColumn('version').execute();
  await db.schema.dropTable('regions').ifExists().execute();
}
