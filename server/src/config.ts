import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Everything the server reads from its environment, parsed once. Secrets are never logged. */
export type Config = {
  /** Interface to listen on. `HOST`, default 127.0.0.1. */
  host: string;
  /** TCP port. `PORT`, default 3000. */
  port: number;
  /** `DATABASE_URL`; null means start the embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | null;
  /** `CRM_DATA_DIR`, default `<repo>/.data`: embedded PostgreSQL files. */
  dataDir: string;
  /** `CRM_EMBEDDED_PG_PORT`, default 54329. */
  embeddedPgPort: number;
  /** `CRM_DEV_AUTH`: demo users sign in without a password. Default on only for the embedded demo. */
  devAuth: boolean;
  /** `CRM_DEV_AUTH_ALLOW_REMOTE=true` lets dev sign-in run on a non-loopback interface. */
  devAuthAllowRemote: boolean;
  /** `CRM_JWT_SECRET` (>= 32 chars) signs dev tokens; default a random per-process secret. */
  jwtSecret: string;
  /** `CRM_TOKEN_TTL_SECONDS`, default 28800 (8 hours). */
  tokenTtlSeconds: number;
  /** `CRM_SEED_DEMO`: seed the demo bank into an empty database at start. Default: on with embedded. */
  seedDemo: boolean;
  /** `CRM_ADDIN_DIST`, default `<repo>/addin/dist`: the built task pane served at `/`. */
  addinDist: string;
  /** `LOG_LEVEL`, default info. */
  logLevel: string;
  /** `CRM_DB_POOL_MAX`, default 10. */
  dbPoolMax: number;
};

export class ConfigError extends Error {}

function bool(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

function int(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be an integer ${min}..${max}`);
  return n;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * Parses the environment into a frozen {@link Config}.
 * @throws ConfigError naming the variable at fault, or when dev sign-in would listen beyond loopback.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  const host = env.HOST?.trim() || '127.0.0.1';
  const devAuth = bool(env.CRM_DEV_AUTH, databaseUrl === null, 'CRM_DEV_AUTH');
  const devAuthAllowRemote = bool(env.CRM_DEV_AUTH_ALLOW_REMOTE, false, 'CRM_DEV_AUTH_ALLOW_REMOTE');
  if (devAuth && !isLoopback(host) && !devAuthAllowRemote) {
    throw new ConfigError(
      `CRM_DEV_AUTH lets anyone sign in as a demo user: refusing to listen on ${host}. Use HOST=127.0.0.1 or set CRM_DEV_AUTH_ALLOW_REMOTE=true`,
    );
  }
  const jwtSecret = env.CRM_JWT_SECRET || randomBytes(32).toString('hex');
  if (jwtSecret.length < 32) throw new ConfigError('CRM_JWT_SECRET must be at least 32 characters');
  return Object.freeze({
    host,
    port: int(env.PORT, 3000, 'PORT', 0, 65535),
    databaseUrl,
    dataDir: path.resolve(env.CRM_DATA_DIR || path.join(repoRoot, '.data')),
    embeddedPgPort: int(env.CRM_EMBEDDED_PG_PORT, 54329, 'CRM_EMBEDDED_PG_PORT', 1, 65535),
    devAuth,
    devAuthAllowRemote,
    jwtSecret,
    tokenTtlSeconds: int(env.CRM_TOKEN_TTL_SECONDS, 28800, 'CRM_TOKEN_TTL_SECONDS', 60, 7 * 86400),
    seedDemo: bool(env.CRM_SEED_DEMO, databaseUrl === null, 'CRM_SEED_DEMO'),
    addinDist: path.resolve(env.CRM_ADDIN_DIST || path.join(repoRoot, 'addin/dist')),
    logLevel: env.LOG_LEVEL || 'info',
    dbPoolMax: int(env.CRM_DB_POOL_MAX, 10, 'CRM_DB_POOL_MAX', 1, 500),
  });
}
