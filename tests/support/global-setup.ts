import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { migrateToLatest } from '../../server/src/db/migrate.ts';
import { installJobQueue } from '../../server/src/modules/calendar-sync/calendar-sync.jobs.ts';
import { extraCaCertsWithTestCa } from '../emulators/tls/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Server URL (database part ignored) where test files create their databases. */
    pgAdminUrl: string;
    /** Name of the migrated, empty template database. */
    templateDb: string;
  }
}

// A real PostgreSQL, never a mock: TEST_DATABASE_URL when set, else an embedded one for this run.
export default async function setup(project: TestProject) {
  // Worker processes start after this and read it at startup: they trust the HTTPS emulators (tests/emulators/tls).
  process.env.NODE_EXTRA_CA_CERTS = extraCaCertsWithTestCa(process.env.NODE_EXTRA_CA_CERTS);
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'crm-test-pg-'));
    // mkdtemp makes it 0700; run as root, PostgreSQL runs as the `postgres` user and must reach its data dir.
    await chmod(dir, 0o755);
    const port = 55000 + Math.floor(Math.random() * 5000);
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
    adminUrl = embedded.url;
    stop = embedded.stop;
  }
  const templateDb = `crm_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDb}`);
  // UTF-8 with a real ctype, or pg_trgm makes no trigrams for Cyrillic (docs/stack.md).
  await admin.query(
    `create database ${templateDb} template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`,
  );
  const url = new URL(adminUrl);
  url.pathname = `/${templateDb}`;
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 1 }) }),
  });
  await migrateToLatest(db);
  await db.destroy();
  // graphile-worker's schema: task writes enqueue calendar jobs in their transaction (transactional outbox).
  await installJobQueue(url.toString());
  project.provide('pgAdminUrl', adminUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    const { rows } = await admin.query(`select datname from pg_database where datname like $1`, [
      `crm_t%_${process.pid}%`,
    ]);
    for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
    await admin.end();
    await stop?.();
  };
}
