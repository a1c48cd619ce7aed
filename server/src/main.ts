import { buildApp } from './app.ts';
import { assertCanServe, ConfigError, loadConfig } from './config.ts';
import { createDb } from './db/database.ts';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './db/embedded.ts';
import { migrateToLatest } from './db/migrate.ts';
import {
  type CalendarWorker,
  installJobQueue,
  startCalendarWorker,
} from './modules/calendar-sync/calendar-sync.jobs.ts';
import { type CreditWorker, startCreditWorker } from './modules/credit/credit.jobs.ts';
import { isEmpty, seedDemoBank } from './modules/demo/seed.ts';

// Reads configuration, starts embedded PostgreSQL when no DATABASE_URL is given, migrates, seeds the
// demo bank into an empty database, listens, and closes everything in order on SIGINT/SIGTERM.
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
    assertCanServe(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  if (!config.databaseUrl)
    try {
      embedded = await startEmbeddedPostgres({
        dataDir: `${config.dataDir}/pg`,
        port: config.embeddedPgPort,
      });
    } catch (err) {
      if (!(err instanceof EmbeddedPostgresError)) throw err;
      console.error(`embedded PostgreSQL: ${err.message}`);
      process.exit(1);
    }
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  const db = createDb(databaseUrl, {
    max: config.dbPoolMax,
    onError: (err) => console.error(`database pool: ${err.message}`),
  });
  try {
    await migrateToLatest(db);
    // The task transaction enqueues calendar jobs (graphile_worker.add_job): its schema must exist first.
    await installJobQueue(databaseUrl);
    if (config.seedDemo && (await isEmpty(db))) {
      const result = await seedDemoBank(db, { clients: 320 });
      console.log(`seeded demo bank: ${result.clients} clients, ${result.users} users`);
    }
  } catch (err) {
    console.error(err);
    await db.destroy();
    await embedded?.stop();
    process.exit(1);
  }

  const app = await buildApp({
    config,
    db,
    publicUrl: config.calendarSync.publicUrl,
    m365: {
      env: process.env,
      defaults: {
        graph: config.graph,
        mailboxConcurrency: config.calendarSync.mailboxConcurrency,
        serviceMailbox: config.calendarSync.serviceMailbox ?? null,
      },
    },
  });
  let worker: CalendarWorker | null = null;
  let creditWorker: CreditWorker | null = null;
  let workerDb: typeof db | null = null;
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await worker?.stop();
    await creditWorker?.stop();
    // Pools first: stopping PostgreSQL under a live pool makes the pool's error crash the process.
    await workerDb?.destroy();
    await db.destroy();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
  await app.listen({ host: config.host, port: config.port });
  if (config.calendarSync.worker === 'inline') {
    // Jobs get a pool of their own: sharing the request pool, a burst of sync jobs could hold every
    // connection while requests wait (and the other way round), stalling both.
    workerDb = createDb(databaseUrl, {
      max: config.calendarSync.workerConcurrency + 4,
      onError: (err) => console.error(`database pool (jobs): ${err.message}`),
    });
    // env: the secrets the admin page's Microsoft 365 settings name live in the process environment.
    worker = await startCalendarWorker({ databaseUrl, db: workerDb, config, log: app.log, env: process.env });
    creditWorker = await startCreditWorker({
      databaseUrl,
      db: workerDb,
      config,
      log: app.log,
      env: process.env,
    });
  }
  if (config.devAuth) app.log.warn('dev sign-in is ON: demo users sign in without a password');
  if (config.entra)
    app.log.info(
      { tenants: config.entra.tenants.length, acceptV1: config.entra.acceptV1 },
      'Entra ID sign-in is ON',
    );
}

void main();
