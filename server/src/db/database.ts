import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';

// numeric stays a string (money is never a float); int8 counts fit a JS number; dates stay 'YYYY-MM-DD'.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

/**
 * Opens a pooled connection to PostgreSQL. Sessions run in UTC so JSON built in SQL carries `+00:00`.
 * @param url a `postgres://` connection string
 * @param onError called for errors of idle clients (a dropped connection), which pg would otherwise throw
 */
export function createDb(url: string, opts: { max?: number; onError?: (err: Error) => void } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, options: '-c TimeZone=UTC' });
  pool.on('error', (err) => opts.onError?.(err));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
