import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLES, type Role } from '@crm/shared';

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
  /** Entra ID sign-in; null (off) when `CRM_ENTRA_TENANTS` is empty. */
  entra: EntraConfig | null;
  /** `CRM_CORS_ORIGINS`: comma list of origins allowed to call the API cross-origin; default none. */
  corsOrigins: string[];
  /** `CRM_FRAME_ANCESTORS`: space/comma list for CSP `frame-ancestors` (who may frame the pane). */
  frameAncestors: string[];
  /** `CRM_RATE_LIMIT_PER_IP` / `CRM_RATE_LIMIT_PER_USER`: requests per minute; 0 turns that limit off. */
  rateLimit: { perIpPerMinute: number; perUserPerMinute: number };
  /** `CRM_BODY_LIMIT_BYTES`, default 1 MiB: larger request bodies get 413. */
  bodyLimitBytes: number;
  /** `CRM_TRUST_PROXY`: false (default), true, a hop count, or a comma list of proxy addresses/CIDRs. */
  trustProxy: boolean | number | string;
  /** `CRM_IDEMPOTENCY_TTL_HOURS`, default 24: how long an `Idempotency-Key` replays its first answer. */
  idempotencyTtlHours: number;
};

/** How Entra ID access tokens are validated (docs/microsoft.md, "Sign-in"). */
export type EntraConfig = {
  /** `CRM_ENTRA_TENANTS`: onboarded tenant ids (`tid`), lower-case GUIDs. */
  tenants: string[];
  /** `CRM_ENTRA_API_AUDIENCE`: accepted `aud` values (the API's client id; `api://...` for v1 tokens). */
  audiences: string[];
  /** `CRM_ENTRA_API_SCOPE`, default `access_as_user`: must be in the token's `scp`. */
  scope: string;
  /** `CRM_ENTRA_AUTHORITY_HOST`, default `https://login.microsoftonline.com` (national clouds differ). */
  authorityHost: string;
  /** `CRM_ENTRA_METADATA_URL`, default `{authority}/{tid}/v2.0/.well-known/openid-configuration`. */
  metadataUrlTemplate: string;
  /** `CRM_ENTRA_ISSUER_TEMPLATE`, default `{authority}/{tid}/v2.0`: v2 tokens' exact `iss`. */
  issuerTemplate: string;
  /** `CRM_ENTRA_ACCEPT_V1`, default false: also accept v1 tokens, whose `iss` is `v1IssuerTemplate`. */
  acceptV1: boolean;
  /** `CRM_ENTRA_V1_ISSUER_TEMPLATE`, default `https://sts.windows.net/{tid}/`. */
  v1IssuerTemplate: string;
  /** `CRM_ENTRA_CLOCK_SKEW_SECONDS`, default 120, 60..300: tolerance on `exp`/`nbf`. */
  clockSkewSeconds: number;
  /** `CRM_ENTRA_JWKS_COOLDOWN_SECONDS`, default 30: least time between two key refetches on an unknown `kid`. */
  jwksCooldownSeconds: number;
  /**
   * `CRM_ENTRA_ROLE_MAPPING`, e.g. `CRM.RM=relationship_manager,CRM.Supervisor=supervisor`: app role values
   * (`roles` claim) or group ids (`groups` claim) that provision and set a user's CRM role at sign-in. The
   * first matching entry wins. Empty: only users an admin provisioned may sign in.
   */
  roleMapping: { claim: string; role: Role }[];
};

/** Outlook on the web and new Outlook origins that frame the task pane (CSP `frame-ancestors`). */
export const DEFAULT_FRAME_ANCESTORS = [
  "'self'",
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.live.com',
  'https://outlook.cloud.microsoft',
  'https://*.officeapps.live.com',
];

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
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Values that are left over from a template or a tutorial, never real secrets.
const PLACEHOLDER =
  /change.?me|change.?it|replace.?me|placeholder|your.?(secret|password|key|client|tenant|api)|example|dummy|insert.?here|todo|xxxx|<[^>]*>|\$\{[^}]*\}|^(secret|password|passw0rd|admin|test|default|qwerty|123456+)$/i;

/** True when `value` looks like a placeholder or a weak secret (few distinct characters). */
export function isPlaceholderSecret(value: string): boolean {
  return PLACEHOLDER.test(value) || new Set(value).size < 10;
}

function list(value: string | undefined, sep = /[\s,]+/): string[] {
  return (value ?? '')
    .split(sep)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An http(s) URL without a trailing slash; http only for loopback hosts (local emulators). */
function baseUrl(value: string, name: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value}"`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname)))
    throw new ConfigError(`${name} must be https (http only for a loopback emulator), got "${value}"`);
  return value.replace(/\/+$/, '');
}

function origin(value: string, name: string): string {
  const url = baseUrl(value, name);
  if (new URL(url).origin !== url)
    throw new ConfigError(`${name}: "${value}" is not an origin (scheme://host[:port])`);
  return url;
}

function entraConfig(env: NodeJS.ProcessEnv): EntraConfig | null {
  const tenants = list(env.CRM_ENTRA_TENANTS).map((t) => t.toLowerCase());
  if (tenants.length === 0) return null;
  for (const t of tenants) {
    if (!GUID.test(t)) throw new ConfigError(`CRM_ENTRA_TENANTS: "${t}" is not a tenant id (GUID)`);
    if (/^0{8}-/.test(t)) throw new ConfigError(`CRM_ENTRA_TENANTS: "${t}" is a placeholder tenant id`);
  }
  const audiences = list(env.CRM_ENTRA_API_AUDIENCE, /\s*,\s*/);
  if (audiences.length === 0)
    throw new ConfigError(
      "CRM_ENTRA_API_AUDIENCE is required with CRM_ENTRA_TENANTS: the API's client id (and api://... for v1 tokens)",
    );
  for (const a of audiences)
    if (/<[^>]*>|\$\{|your.?(client|api|app)|change.?me|placeholder|^0{8}-/i.test(a))
      throw new ConfigError(`CRM_ENTRA_API_AUDIENCE: "${a}" is a placeholder`);
  const authorityHost = baseUrl(
    env.CRM_ENTRA_AUTHORITY_HOST?.trim() || 'https://login.microsoftonline.com',
    'CRM_ENTRA_AUTHORITY_HOST',
  );
  const template = (name: string, fallback: string) => {
    const t = env[name]?.trim() || fallback;
    if (!t.includes('{tid}')) throw new ConfigError(`${name} must contain {tid}, got "${t}"`);
    return t.replaceAll('{authority}', authorityHost);
  };
  const roleMapping = list(env.CRM_ENTRA_ROLE_MAPPING, /\s*,\s*/).map((pair) => {
    const [claim, role] = pair.split('=').map((s) => s.trim());
    if (!claim || !role || !(ROLES as readonly string[]).includes(role))
      throw new ConfigError(
        `CRM_ENTRA_ROLE_MAPPING: "${pair}" must be CLAIM=ROLE with ROLE one of ${ROLES.join(', ')}`,
      );
    return { claim, role: role as Role };
  });
  return {
    tenants,
    audiences,
    scope: env.CRM_ENTRA_API_SCOPE?.trim() || 'access_as_user',
    authorityHost,
    metadataUrlTemplate: template(
      'CRM_ENTRA_METADATA_URL',
      '{authority}/{tid}/v2.0/.well-known/openid-configuration',
    ),
    issuerTemplate: template('CRM_ENTRA_ISSUER_TEMPLATE', '{authority}/{tid}/v2.0'),
    acceptV1: bool(env.CRM_ENTRA_ACCEPT_V1, false, 'CRM_ENTRA_ACCEPT_V1'),
    v1IssuerTemplate: template('CRM_ENTRA_V1_ISSUER_TEMPLATE', 'https://sts.windows.net/{tid}/'),
    clockSkewSeconds: int(env.CRM_ENTRA_CLOCK_SKEW_SECONDS, 120, 'CRM_ENTRA_CLOCK_SKEW_SECONDS', 60, 300),
    jwksCooldownSeconds: int(
      env.CRM_ENTRA_JWKS_COOLDOWN_SECONDS,
      30,
      'CRM_ENTRA_JWKS_COOLDOWN_SECONDS',
      0,
      3600,
    ),
    roleMapping,
  };
}

function trustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value.trim() === '') return false;
  if (/^\d+$/.test(value.trim())) return Number(value);
  if (/^(true|false)$/i.test(value.trim())) return /^true$/i.test(value.trim());
  return value.trim();
}

/**
 * Checks what serving needs beyond a parsable config (scripts such as the seed do not serve).
 * @throws ConfigError when no sign-in method is configured: nobody could use the API.
 */
export function assertCanServe(config: Pick<Config, 'devAuth' | 'entra'>): void {
  if (!config.devAuth && !config.entra)
    throw new ConfigError(
      'No sign-in is configured: set CRM_ENTRA_TENANTS and CRM_ENTRA_API_AUDIENCE (Entra ID), or CRM_DEV_AUTH=true for the demo',
    );
}

/**
 * Parses the environment into a frozen {@link Config}.
 * @throws ConfigError naming the variable at fault, when dev sign-in would listen beyond loopback, when a
 * secret is a placeholder. Before serving, also {@link assertCanServe}.
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
  if (env.CRM_JWT_SECRET && isPlaceholderSecret(env.CRM_JWT_SECRET))
    throw new ConfigError(
      'CRM_JWT_SECRET is a placeholder or weak value: set a random secret (e.g. `openssl rand -hex 32`) or leave it unset for a per-process one',
    );
  const jwtSecret = env.CRM_JWT_SECRET || randomBytes(32).toString('hex');
  if (jwtSecret.length < 32) throw new ConfigError('CRM_JWT_SECRET must be at least 32 characters');
  if (databaseUrl) {
    let password = '';
    try {
      password = decodeURIComponent(new URL(databaseUrl).password);
    } catch {
      throw new ConfigError('DATABASE_URL must be a postgres:// URL');
    }
    if (password && PLACEHOLDER.test(password))
      throw new ConfigError('DATABASE_URL has a placeholder password: set the real one');
  }
  const entra = entraConfig(env);
  const frameAncestors = env.CRM_FRAME_ANCESTORS?.trim()
    ? list(env.CRM_FRAME_ANCESTORS)
    : DEFAULT_FRAME_ANCESTORS;
  for (const f of frameAncestors)
    if (f === '*' || /^(https?:)?\*?$/.test(f))
      throw new ConfigError(`CRM_FRAME_ANCESTORS: "${f}" would let any site frame the pane`);
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
    entra,
    corsOrigins: list(env.CRM_CORS_ORIGINS).map((o) => origin(o, 'CRM_CORS_ORIGINS')),
    frameAncestors,
    rateLimit: {
      perIpPerMinute: int(env.CRM_RATE_LIMIT_PER_IP, 3000, 'CRM_RATE_LIMIT_PER_IP', 0, 1_000_000),
      perUserPerMinute: int(env.CRM_RATE_LIMIT_PER_USER, 600, 'CRM_RATE_LIMIT_PER_USER', 0, 1_000_000),
    },
    bodyLimitBytes: int(
      env.CRM_BODY_LIMIT_BYTES,
      1024 * 1024,
      'CRM_BODY_LIMIT_BYTES',
      1024,
      50 * 1024 * 1024,
    ),
    trustProxy: trustProxy(env.CRM_TRUST_PROXY),
    idempotencyTtlHours: int(env.CRM_IDEMPOTENCY_TTL_HOURS, 24, 'CRM_IDEMPOTENCY_TTL_HOURS', 1, 24 * 30),
  });
}
