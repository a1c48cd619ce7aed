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
  /** `CRM_ATTACHMENT_MAX_BYTES`, default 25 MiB: the largest file a logged interaction keeps. */
  attachmentMaxBytes: number;
  /** `CRM_INTERACTION_MAX_BYTES`, default 35 MiB: all files of one logged interaction together. */
  interactionMaxBytes: number;
  /** Microsoft Graph app-only access for calendar sync; null (off) when `CRM_GRAPH_TENANT_ID` is empty. */
  graph: GraphConfig | null;
  /** How tasks are written into Outlook calendars (docs/microsoft.md, "Graph calendar events"). */
  calendarSync: CalendarSyncConfig;
  /** Credit applications: client notifications (email, SMS) sent by the worker. */
  credit: CreditConfig;
};

/** App-only (client credentials) access to Microsoft Graph. */
export type GraphConfig = {
  /** `CRM_GRAPH_BASE_URL`, default `https://graph.microsoft.com/v1.0` (national clouds differ). */
  baseUrl: string;
  /** `CRM_GRAPH_TENANT_ID`: the bank's tenant (GUID). */
  tenantId: string;
  /** `CRM_GRAPH_CLIENT_ID`: the app registration holding `Calendars.ReadWrite` (application). */
  clientId: string;
  /** `CRM_GRAPH_CLIENT_SECRET` (sensitive). */
  clientSecret: string;
  /**
   * `CRM_GRAPH_AUTHORITY_HOST`, default `https://login.microsoftonline.com` (national clouds differ): the Entra
   * authority @azure/identity asks for tokens, at `{authorityHost}/{tenant}/oauth2/v2.0/token`. Must be https.
   */
  authorityHost: string;
  /** `CRM_GRAPH_SCOPE`, default `{origin of baseUrl}/.default`. */
  scope: string;
  /** `CRM_GRAPH_TIMEOUT_MS`, default 30000: a request without an answer by then is an ambiguous outcome. */
  timeoutMs: number;
  /**
   * Certificate credential: returns a signed client assertion (JWT) for each token request; when set it is
   * sent instead of `clientSecret` (Microsoft identity platform, "certificate credentials").
   */
  clientAssertion?: () => string;
};

export type CalendarSyncConfig = {
  /** `CRM_WORKER`: `inline` (default) runs the job worker in the API process; `off` leaves it to `npm run worker`. */
  worker: 'inline' | 'off';
  /** `CRM_WORKER_CONCURRENCY`, default 8: jobs a worker process runs at once. */
  workerConcurrency: number;
  /**
   * `CRM_WORKER_STALE_LOCK_SECONDS`, default 600: a job locked longer than this belongs to a dead worker
   * (kill -9, lost host) and is unlocked for others; a run never lasts more than half of it.
   */
  staleLockSeconds: number;
  /** `CRM_GRAPH_MAILBOX_CONCURRENCY`, default 4: parallel Graph requests per mailbox (Outlook's limit). */
  mailboxConcurrency: number;
  /** `CRM_GRAPH_BATCH_SIZE`, default 20 (Graph's maximum): requests per `$batch`. */
  batchSize: number;
  /** `CRM_CALENDAR_BATCH_WINDOW_MS`, default 200: a mailbox run waits this long after the first change to batch a burst. */
  batchWindowMs: number;
  /** `CRM_GRAPH_RETRY_BASE_MS`, default 1000: exponential backoff base when Graph gives no Retry-After. */
  retryBaseMs: number;
  /** `CRM_GRAPH_MAX_ROUNDS`, default 6: attempts within one job run before the job is retried later. */
  maxRounds: number;
  /** `CRM_CALENDAR_CATEGORY`, default `CRM`: the Outlook category of task events. */
  category: string;
  /** `CRM_CALENDAR_REMINDER_MINUTES`, default 15; `off` for no reminder. */
  reminderMinutes: number | null;
  /** `CRM_CALENDAR_DEFAULT_DURATION_MINUTES`, default 30: events of tasks without a planned duration. */
  defaultDurationMinutes: number;
  /** `CRM_PUBLIC_URL`, default `http://{HOST}:{PORT}`: the task link in each event's body. */
  publicUrl: string;
  /** `CRM_GRAPH_EXTENDED_PROPERTY_ID`: the single-value extended property carrying the task id. */
  extendedPropertyId: string;
  /**
   * `CRM_GRAPH_NOTIFICATION_URL`, default `{CRM_PUBLIC_URL}/api/v1/graph/notifications` when that is https
   * (Graph posts to https only); null: no subscriptions, changes from Outlook come by delta polling alone.
   */
  notificationUrl: string | null;
  /** `CRM_GRAPH_SUBSCRIPTION_MINUTES`, default 4230 (Outlook events' maximum in the stored docs): renewed at half-life. */
  subscriptionLifetimeMinutes: number;
  /** `CRM_CALENDAR_POLL_SECONDS`, default 300: delta polling of every synced mailbox (the safety net). */
  pollSeconds: number;
  /**
   * `CRM_GRAPH_SERVICE_MAILBOX`: the mailbox assignment notices are sent from (Graph `sendMail`, needs
   * `Mail.Send` application permission). Unset, or Graph not configured: notices go to the log only (demo).
   */
  serviceMailbox?: string | null;
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
  /**
   * `CRM_ENTRA_SPA_CLIENT_ID`: the add-in's own app registration (SPA, redirect URIs `brk-multihub://<origin>`
   * and `<origin>/auth-dialog.html`), given to MSAL in the pane. Default: the API audience when it is a GUID
   * (one registration for pane and API).
   */
  spaClientId: string;
  /**
   * `CRM_ENTRA_SIGN_IN_AUTHORITY`, default `{authority}/organizations`: where the pane signs users in (a tenant
   * id instead of `organizations` for a single-tenant registration; another host for a national cloud).
   */
  signInAuthority: string;
  /**
   * The delegated scope every token request of the pane names: `{App ID URI}/{scope}`. The App ID URI is the
   * first `CRM_ENTRA_API_AUDIENCE` entry that is not a bare GUID, else `api://{client id}` (Entra's default).
   */
  signInScope: string;
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
  const spaClientId = env.CRM_ENTRA_SPA_CLIENT_ID?.trim() || audiences.find((a) => GUID.test(a));
  if (!spaClientId)
    throw new ConfigError(
      "CRM_ENTRA_SPA_CLIENT_ID is required when CRM_ENTRA_API_AUDIENCE names no client id (GUID): the add-in's app registration",
    );
  if (!GUID.test(spaClientId) || /^0{8}-/.test(spaClientId))
    throw new ConfigError(`CRM_ENTRA_SPA_CLIENT_ID: "${spaClientId}" is not a client id (GUID)`);
  const scope = env.CRM_ENTRA_API_SCOPE?.trim() || 'access_as_user';
  const appIdUri = audiences.find((a) => !GUID.test(a)) ?? `api://${audiences[0]}`;
  const signInAuthority = baseUrl(
    env.CRM_ENTRA_SIGN_IN_AUTHORITY?.trim() || `${authorityHost}/organizations`,
    'CRM_ENTRA_SIGN_IN_AUTHORITY',
  );
  if (new URL(signInAuthority).pathname.split('/').filter(Boolean).length !== 1)
    throw new ConfigError(
      `CRM_ENTRA_SIGN_IN_AUTHORITY must be a host and one tenant segment (…/organizations or …/<tenant id>), got "${signInAuthority}"`,
    );
  return {
    tenants,
    audiences,
    scope,
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
    spaClientId: spaClientId.toLowerCase(),
    signInAuthority,
    signInScope: `${appIdUri.replace(/\/+$/, '')}/${scope}`,
  };
}

function graphConfig(env: NodeJS.ProcessEnv): GraphConfig | null {
  const tenantId = env.CRM_GRAPH_TENANT_ID?.trim().toLowerCase();
  if (!tenantId) return null;
  if (!GUID.test(tenantId) || /^0{8}-/.test(tenantId))
    throw new ConfigError(`CRM_GRAPH_TENANT_ID: "${tenantId}" is not a tenant id (GUID)`);
  const clientId = env.CRM_GRAPH_CLIENT_ID?.trim() ?? '';
  if (!GUID.test(clientId))
    throw new ConfigError('CRM_GRAPH_CLIENT_ID must be the app registration id (GUID)');
  const clientSecret = env.CRM_GRAPH_CLIENT_SECRET ?? '';
  if (!clientSecret || isPlaceholderSecret(clientSecret))
    throw new ConfigError(
      'CRM_GRAPH_CLIENT_SECRET is required with CRM_GRAPH_TENANT_ID and must not be a placeholder',
    );
  const base = baseUrl(
    env.CRM_GRAPH_BASE_URL?.trim() || 'https://graph.microsoft.com/v1.0',
    'CRM_GRAPH_BASE_URL',
  );
  const authority = baseUrl(
    env.CRM_GRAPH_AUTHORITY_HOST?.trim() || 'https://login.microsoftonline.com',
    'CRM_GRAPH_AUTHORITY_HOST',
  );
  // @azure/identity refuses an http authority, and the Graph SDK reads only https URLs (docs/stack.md).
  if (new URL(authority).protocol !== 'https:' || new URL(base).protocol !== 'https:')
    throw new ConfigError('CRM_GRAPH_AUTHORITY_HOST and CRM_GRAPH_BASE_URL must be https URLs');
  if (env.CRM_GRAPH_TOKEN_URL?.trim())
    throw new ConfigError(
      'CRM_GRAPH_TOKEN_URL is no longer read: set CRM_GRAPH_AUTHORITY_HOST (the token endpoint is {authority}/{tenant}/oauth2/v2.0/token)',
    );
  return {
    baseUrl: base,
    tenantId,
    clientId,
    clientSecret,
    authorityHost: authority,
    scope: env.CRM_GRAPH_SCOPE?.trim() || `${new URL(base).origin}/.default`,
    timeoutMs: int(env.CRM_GRAPH_TIMEOUT_MS, 30_000, 'CRM_GRAPH_TIMEOUT_MS', 100, 300_000),
  };
}

function calendarSyncConfig(env: NodeJS.ProcessEnv, host: string, port: number): CalendarSyncConfig {
  const worker = env.CRM_WORKER?.trim() || 'inline';
  if (worker !== 'inline' && worker !== 'off')
    throw new ConfigError(`CRM_WORKER must be inline or off, got "${worker}"`);
  const reminder = env.CRM_CALENDAR_REMINDER_MINUTES?.trim();
  const publicUrl = env.CRM_PUBLIC_URL?.trim()
    ? baseUrl(env.CRM_PUBLIC_URL.trim(), 'CRM_PUBLIC_URL')
    : `http://${host}:${port}`;
  return {
    worker,
    workerConcurrency: int(env.CRM_WORKER_CONCURRENCY, 8, 'CRM_WORKER_CONCURRENCY', 1, 200),
    staleLockSeconds: int(env.CRM_WORKER_STALE_LOCK_SECONDS, 600, 'CRM_WORKER_STALE_LOCK_SECONDS', 2, 14_400),
    mailboxConcurrency: int(env.CRM_GRAPH_MAILBOX_CONCURRENCY, 4, 'CRM_GRAPH_MAILBOX_CONCURRENCY', 1, 64),
    batchSize: int(env.CRM_GRAPH_BATCH_SIZE, 20, 'CRM_GRAPH_BATCH_SIZE', 1, 20),
    batchWindowMs: int(env.CRM_CALENDAR_BATCH_WINDOW_MS, 200, 'CRM_CALENDAR_BATCH_WINDOW_MS', 0, 60_000),
    retryBaseMs: int(env.CRM_GRAPH_RETRY_BASE_MS, 1000, 'CRM_GRAPH_RETRY_BASE_MS', 1, 60_000),
    maxRounds: int(env.CRM_GRAPH_MAX_ROUNDS, 6, 'CRM_GRAPH_MAX_ROUNDS', 1, 50),
    category: env.CRM_CALENDAR_CATEGORY?.trim() || 'CRM',
    reminderMinutes:
      reminder === 'off' ? null : int(reminder, 15, 'CRM_CALENDAR_REMINDER_MINUTES', 0, 40_320),
    defaultDurationMinutes: int(
      env.CRM_CALENDAR_DEFAULT_DURATION_MINUTES,
      30,
      'CRM_CALENDAR_DEFAULT_DURATION_MINUTES',
      1,
      1440,
    ),
    publicUrl,
    extendedPropertyId: env.CRM_GRAPH_EXTENDED_PROPERTY_ID?.trim() || DEFAULT_EXTENDED_PROPERTY_ID,
    notificationUrl: env.CRM_GRAPH_NOTIFICATION_URL?.trim()
      ? baseUrl(env.CRM_GRAPH_NOTIFICATION_URL.trim(), 'CRM_GRAPH_NOTIFICATION_URL')
      : publicUrl.startsWith('https:')
        ? `${publicUrl}/api/v1/graph/notifications`
        : null,
    subscriptionLifetimeMinutes: int(
      env.CRM_GRAPH_SUBSCRIPTION_MINUTES,
      4230,
      'CRM_GRAPH_SUBSCRIPTION_MINUTES',
      5,
      10_080,
    ),
    pollSeconds: int(env.CRM_CALENDAR_POLL_SECONDS, 300, 'CRM_CALENDAR_POLL_SECONDS', 5, 86_400),
    serviceMailbox: serviceMailbox(env.CRM_GRAPH_SERVICE_MAILBOX),
  };
}

function serviceMailbox(value: string | undefined): string | null {
  const v = value?.trim();
  if (!v) return null;
  if (!/^[^\s@]+@[^\s@]+$/.test(v))
    throw new ConfigError(`CRM_GRAPH_SERVICE_MAILBOX must be a mailbox address, got "${v}"`);
  return v;
}

/** `String {GUID} Name crmTaskId`: the property each task event carries (the GUID is this product's own). */
export const DEFAULT_EXTENDED_PROPERTY_ID = 'String {6f1d5a52-3c1e-4b8e-9a57-2f4c1b7e9d10} Name crmTaskId';

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
  const port = int(env.PORT, 3000, 'PORT', 0, 65535);
  return Object.freeze({
    host,
    port,
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
    attachmentMaxBytes: int(
      env.CRM_ATTACHMENT_MAX_BYTES,
      25 * 1024 * 1024,
      'CRM_ATTACHMENT_MAX_BYTES',
      1024,
      150 * 1024 * 1024,
    ),
    interactionMaxBytes: int(
      env.CRM_INTERACTION_MAX_BYTES,
      35 * 1024 * 1024,
      'CRM_INTERACTION_MAX_BYTES',
      1024,
      200 * 1024 * 1024,
    ),
    graph: graphConfig(env),
    calendarSync: calendarSyncConfig(env, isLoopback(host) ? '127.0.0.1' : host, port),
    credit: creditConfig(env),
  });
}

/** How client notifications of credit applications leave the bank (the outbox worker's adapters). */
export type CreditConfig = {
  /**
   * `CRM_NOTIFY_EMAIL`: `log` (default: written to the log only, the demo) or `graph` (Graph `sendMail` from
   * the mailbox `CRM_NOTIFY_EMAIL_FROM`; needs the Graph app settings and the `Mail.Send` application permission)
   * or `smtp` (an SMTP relay, see {@link SmtpConfig}; assignment notices then go by SMTP too).
   */
  email: { kind: 'log' } | { kind: 'graph'; from: string } | { kind: 'smtp'; smtp: SmtpConfig };
  /**
   * `CRM_SMS_PROVIDER`: `log` (default) or `http`: JSON POST to `CRM_SMS_GATEWAY_URL` with bearer
   * `CRM_SMS_GATEWAY_TOKEN` (sensitive) and an `Idempotency-Key` header; sender name `CRM_SMS_SENDER` (BANK).
   */
  sms: { kind: 'log' } | { kind: 'http'; url: string; token: string | null; sender: string };
  /** `CRM_NOTIFY_TIMEOUT_MS`, default 10000: a send without an answer by then is retried (same key). */
  timeoutMs: number;
};

function creditConfig(env: NodeJS.ProcessEnv): CreditConfig {
  const emailKind = env.CRM_NOTIFY_EMAIL?.trim() || 'log';
  const smsKind = env.CRM_SMS_PROVIDER?.trim() || 'log';
  let email: CreditConfig['email'];
  if (emailKind === 'log') email = { kind: 'log' };
  else if (emailKind === 'graph') {
    const from = env.CRM_NOTIFY_EMAIL_FROM?.trim();
    if (!from?.includes('@'))
      throw new ConfigError('CRM_NOTIFY_EMAIL=graph needs CRM_NOTIFY_EMAIL_FROM (the sending mailbox)');
    if (!env.CRM_GRAPH_TENANT_ID?.trim())
      throw new ConfigError('CRM_NOTIFY_EMAIL=graph needs the Graph settings (CRM_GRAPH_TENANT_ID ...)');
    email = { kind: 'graph', from };
  } else if (emailKind === 'smtp') email = { kind: 'smtp', smtp: smtpConfig(env) };
  else throw new ConfigError(`CRM_NOTIFY_EMAIL must be log, graph or smtp, got "${emailKind}"`);
  let sms: CreditConfig['sms'];
  if (smsKind === 'log') sms = { kind: 'log' };
  else if (smsKind === 'http') {
    const url = env.CRM_SMS_GATEWAY_URL?.trim();
    if (!url) throw new ConfigError('CRM_SMS_PROVIDER=http needs CRM_SMS_GATEWAY_URL');
    const token = env.CRM_SMS_GATEWAY_TOKEN?.trim() || null;
    if (token && isPlaceholderSecret(token))
      throw new ConfigError('CRM_SMS_GATEWAY_TOKEN is a placeholder: set the real one');
    sms = {
      kind: 'http',
      url: baseUrl(url, 'CRM_SMS_GATEWAY_URL'),
      token,
      sender: env.CRM_SMS_SENDER?.trim() || 'BANK',
    };
  } else throw new ConfigError(`CRM_SMS_PROVIDER must be log or http, got "${smsKind}"`);
  return {
    email,
    sms,
    timeoutMs: int(env.CRM_NOTIFY_TIMEOUT_MS, 10_000, 'CRM_NOTIFY_TIMEOUT_MS', 100, 120_000),
  };
}

/** An SMTP relay for outgoing mail (`CRM_NOTIFY_EMAIL=smtp`). */
export type SmtpConfig = {
  /**
   * `CRM_SMTP_URL`: `smtp://[user:password@]host[:port]` (STARTTLS when the server offers it) or `smtps://`
   * (TLS from the first byte, port 465). Sensitive: the credentials in it are never logged or echoed in errors.
   */
  url: string;
  /** `CRM_SMTP_FROM`: the From address, `crm@bank.example` or `Bank CRM <crm@bank.example>`. */
  from: string;
  /** `CRM_SMTP_TIMEOUT_MS`, default 30000: connection, greeting and each reply; no answer by then is retried. */
  timeoutMs: number;
};

function smtpConfig(env: NodeJS.ProcessEnv): SmtpConfig {
  const raw = env.CRM_SMTP_URL?.trim();
  if (!raw) throw new ConfigError('CRM_NOTIFY_EMAIL=smtp needs CRM_SMTP_URL (smtp:// or smtps://)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value may hold a password: never echo it.
    throw new ConfigError('CRM_SMTP_URL is not a valid URL (smtp://user:password@host:port)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new ConfigError(`CRM_SMTP_URL must start with smtp:// or smtps://, got "${url.protocol}//"`);
  if (!url.hostname) throw new ConfigError('CRM_SMTP_URL has no host');
  if (url.password && isPlaceholderSecret(decodeURIComponent(url.password)))
    throw new ConfigError('CRM_SMTP_URL carries a placeholder password: set the real one');
  const from = env.CRM_SMTP_FROM?.trim();
  if (!from || !/^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(from))
    throw new ConfigError('CRM_NOTIFY_EMAIL=smtp needs CRM_SMTP_FROM (the From address)');
  return {
    url: raw,
    from,
    timeoutMs: int(env.CRM_SMTP_TIMEOUT_MS, 30_000, 'CRM_SMTP_TIMEOUT_MS', 100, 300_000),
  };
}
