import { ConfigError, loadConfig } from './config.ts';
import { createDb } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { installJobQueue, startCalendarWorker } from './modules/calendar-sync/calendar-sync.jobs.ts';
import { startCreditWorker } from './modules/credit/credit.jobs.ts';

// `npm run worker -w server`: the job worker alone (calendar sync), for running it apart from the API
// (CRM_WORKER=off there). Needs DATABASE_URL: the embedded PostgreSQL belongs to the API process.
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
    if (!config.databaseUrl) throw new ConfigError('DATABASE_URL is required for a separate worker');
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const db = createDb(config.databaseUrl, { max: config.calendarSync.workerConcurrency + 2 });
  await migrateToLatest(db);
  await installJobQueue(config.databaseUrl);
  const log = {
    info: (o: object, m: string) => console.log(JSON.stringify({ level: 'info', msg: m, ...o })),
    warn: (o: object, m: string) => console.error(JSON.stringify({ level: 'warn', msg: m, ...o })),
  };
  const worker = await startCalendarWorker({
    databaseUrl: config.databaseUrl,
    db,
    config,
    log,
    pollIntervalMs: 500,
    env: process.env,
  });
  const creditWorker = await startCreditWorker({
    databaseUrl: config.databaseUrl,
    db,
    config,
    log,
    pollIntervalMs: 500,
    env: process.env,
  });
  if (!config.graph)
    log.warn(
      {},
      'CRM_GRAPH_TENANT_ID is not set: calendar jobs complete without Graph calls until the admin page connects Microsoft 365',
    );
  log.info({ pid: process.pid }, 'worker started');
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await worker.stop();
    await creditWorker.stop();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void close());
  process.on('SIGTERM', () => void close());
}

void main();
