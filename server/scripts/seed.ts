import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/database.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { installJobQueue } from '../src/modules/calendar-sync/calendar-sync.jobs.ts';
import { seedDemoBank } from '../src/modules/demo/seed.ts';

// npm run seed -- [--clients N]: REPLACES all data in DATABASE_URL (or the embedded database) with a
// freshly generated demo bank of N generated clients (default 320), e.g. 1000000 for benchmarks.
const { values } = parseArgs({ options: { clients: { type: 'string', default: '320' } } });
const clients = Number(values.clients);
if (!Number.isInteger(clients) || clients < 0) {
  console.error('--clients must be a non-negative integer');
  process.exit(2);
}
const config = loadConfig({ ...process.env, CRM_DEV_AUTH: 'false' });
const embedded = config.databaseUrl
  ? null
  : await startEmbeddedPostgres({ dataDir: `${config.dataDir}/pg`, port: config.embeddedPgPort });
const db = createDb(config.databaseUrl ?? embedded!.url);
let code = 0;
try {
  await migrateToLatest(db);
  // Seeded stage tasks queue their calendar sync job (graphile_worker.add_job), as the API does.
  await installJobQueue(config.databaseUrl ?? embedded!.url);
  // CASCADE: every table that hangs off these (tasks, credit, interactions, calendar links, feeds...) goes too,
  // whichever module added it; reference data (task types, templates, holidays) stays.
  await sql`truncate audit_events, idempotency_keys, users, branches, clients, products, approval_routes, blobs cascade`.execute(
    db,
  );
  const started = Date.now();
  const result = await seedDemoBank(db, { clients, log: (m) => console.log(m) });
  console.log(`seeded ${result.clients} clients in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  await db.destroy();
  await embedded?.stop();
}
process.exit(code);
