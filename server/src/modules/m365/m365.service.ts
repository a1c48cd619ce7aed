import {
  AppError,
  type M365HealthDto,
  type M365SettingsDto,
  type M365TestResultDto,
  type UpdateM365SettingsDto,
} from '@crm/shared';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import {
  graphCredential,
  graphErrorCode,
  noAnswerDetail,
  sdkClient,
  tokenFailure,
} from '../calendar-sync/graph.client.ts';
import {
  type ConnectionRow,
  type EnvGraphDefaults,
  effectiveConnection,
  readConnectionRow,
  type SecretEnv,
} from './graph-connection.ts';
import { serviceHostProblem } from './m365-policy.ts';

// The Microsoft 365 connection on the admin page: settings (one row, optimistic concurrency, audited without
// secrets), a connection test with the real error, and the sync's health.

type Actor = Pick<Principal, 'id' | 'role'>;

/** What the admin API needs from the server's start: its environment (secrets) and CRM_GRAPH_* defaults. */
export type M365Context = { env: SecretEnv; defaults: EnvGraphDefaults };

const DEFAULT_GRAPH = 'https://graph.microsoft.com/v1.0';
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

const isSet = (env: SecretEnv, name: string | null) => Boolean(name && env[name]);

/** GET /admin/m365: the saved row, else a form prefilled from CRM_GRAPH_* (version 0). */
export async function getSettings(db: Db, ctx: M365Context): Promise<M365SettingsDto> {
  const row = await readConnectionRow(db);
  const effective = effectiveConnection(row, ctx.defaults, ctx.env);
  const source = effective.source;
  const effectiveProblem = effective.source === 'none' ? null : effective.problem;
  if (!row) {
    const g = ctx.defaults.graph;
    const envSecret = g ? 'CRM_GRAPH_CLIENT_SECRET' : null;
    return {
      tenantId: g?.tenantId ?? '',
      clientId: g?.clientId ?? '',
      credentialKind: 'secret',
      secret: { envName: envSecret, set: isSet(ctx.env, envSecret) },
      certificateThumbprint: null,
      certificateKey: { envName: null, set: false },
      graphBaseUrl: g?.baseUrl ?? DEFAULT_GRAPH,
      authorityHost: g?.authorityHost ?? DEFAULT_AUTHORITY,
      serviceMailbox: ctx.defaults.serviceMailbox,
      mailboxConcurrency: Math.min(4, ctx.defaults.mailboxConcurrency),
      enabled: true,
      version: 0,
      updatedAt: null,
      updatedBy: null,
      effectiveSource: source,
      effectiveProblem,
    };
  }
  const by = row.updated_by
    ? await db.selectFrom('users').where('id', '=', row.updated_by).select(['id', 'name']).executeTakeFirst()
    : undefined;
  return {
    tenantId: row.tenant_id,
    clientId: row.client_id,
    credentialKind: row.credential_kind,
    secret: { envName: row.secret_env_name, set: isSet(ctx.env, row.secret_env_name) },
    certificateThumbprint: row.certificate_thumbprint,
    certificateKey: {
      envName: row.certificate_key_env_name,
      set: isSet(ctx.env, row.certificate_key_env_name),
    },
    graphBaseUrl: row.graph_base_url,
    authorityHost: row.authority_host,
    serviceMailbox: row.service_mailbox,
    mailboxConcurrency: row.mailbox_concurrency,
    enabled: row.enabled,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: by ?? null,
    effectiveSource: source,
    effectiveProblem,
  };
}

/** A URL without a trailing slash, on a host the connection may use (serviceHostProblem). */
function serviceUrl(value: string, field: string, originOnly: boolean, env: SecretEnv): string {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Not a URL', field);
  }
  const problem = serviceHostProblem(u, env);
  if (problem) throw new AppError('VALIDATION_FAILED', problem, field);
  if (u.search || u.hash || u.username || u.password)
    throw new AppError('VALIDATION_FAILED', 'No query, fragment or credentials in the URL', field);
  // Stored as the URL parser reads it (e.g. `0x7f.0.0.1` -> `127.0.0.1`, tabs dropped, host lower-cased,
  // default port dropped): the stored text is what every request is built from, and what admins see.
  const clean = u.href.replace(/\/+$/, '');
  if (originOnly && u.origin !== clean)
    throw new AppError('VALIDATION_FAILED', 'Only scheme://host[:port], no path', field);
  return clean;
}

type RowValues = Omit<ConnectionRow, 'id' | 'version' | 'updated_at' | 'updated_by'>;

function rowValues(input: UpdateM365SettingsDto, env: SecretEnv): RowValues {
  const tenant = input.tenantId.toLowerCase();
  if (/^0{8}-/.test(tenant))
    throw new AppError(
      'VALIDATION_FAILED',
      'A placeholder tenant id: use the bank tenant id',
      'body.tenantId',
    );
  if (/^0{8}-/.test(input.clientId))
    throw new AppError(
      'VALIDATION_FAILED',
      'A placeholder client id: use the app registration id',
      'body.clientId',
    );
  const secret = input.credentialKind === 'secret';
  if (secret && !input.secretEnvName)
    throw new AppError(
      'VALIDATION_FAILED',
      'Name the environment variable holding the client secret',
      'body.secretEnvName',
    );
  if (!secret && !input.certificateThumbprint)
    throw new AppError(
      'VALIDATION_FAILED',
      "The certificate's thumbprint is required",
      'body.certificateThumbprint',
    );
  if (!secret && !input.certificateKeyEnvName)
    throw new AppError(
      'VALIDATION_FAILED',
      'Name the environment variable holding the PEM private key',
      'body.certificateKeyEnvName',
    );
  return {
    tenant_id: tenant,
    client_id: input.clientId.toLowerCase(),
    credential_kind: input.credentialKind,
    // Only the chosen credential's references are kept: a stale name must not look configured.
    secret_env_name: secret ? input.secretEnvName : null,
    certificate_thumbprint: secret
      ? null
      : (input.certificateThumbprint ?? '').replace(/[^0-9a-fA-F]/g, '').toLowerCase(),
    certificate_key_env_name: secret ? null : input.certificateKeyEnvName,
    graph_base_url: serviceUrl(input.graphBaseUrl, 'body.graphBaseUrl', false, env),
    authority_host: serviceUrl(input.authorityHost, 'body.authorityHost', true, env),
    service_mailbox: input.serviceMailbox?.trim().toLowerCase() || null,
    mailbox_concurrency: input.mailboxConcurrency,
    enabled: input.enabled,
  };
}

/**
 * PUT /admin/m365: saves the whole connection (version 0 creates it). Jobs pick it up on their next run.
 * @throws AppError VALIDATION_FAILED (field), VERSION_CONFLICT
 */
export async function updateSettings(
  db: Db,
  ctx: M365Context,
  actor: Actor,
  origin: RequestOrigin,
  input: UpdateM365SettingsDto,
): Promise<M365SettingsDto> {
  const next = rowValues(input, ctx.env);
  const conflict = () =>
    new AppError(
      'VERSION_CONFLICT',
      'Someone changed the Microsoft 365 connection since you opened it: reload and try again',
      'body.version',
    );
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('m365_connection')
      .selectAll()
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirst();
    if ((before?.version ?? 0) !== input.version) throw conflict();
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, to] of Object.entries(next)) {
      const from = before ? (before as Record<string, unknown>)[k] : null;
      if (from !== to) changes[k] = { from, to };
    }
    if (before && Object.keys(changes).length === 0) return;
    if (!before) {
      try {
        await trx
          .insertInto('m365_connection')
          .values({ id: 1, ...next, updated_by: actor.id })
          .execute();
      } catch (err) {
        // Two first saves at once: the other one won.
        if ((err as { code?: string }).code === '23505') throw conflict();
        throw err;
      }
    } else
      await trx
        .updateTable('m365_connection')
        .set({ ...next, version: sql`version + 1`, updated_at: sql`now()`, updated_by: actor.id })
        .where('id', '=', 1)
        .execute();
    // Env var NAMES and the thumbprint are not secrets; no secret value is ever in the row.
    await recordAudit(trx, actor, origin, [
      {
        action: before ? 'm365_connection.update' : 'm365_connection.create',
        result: 'ok',
        entity: 'm365_connection',
        entityId: '1',
        details: { fields: Object.keys(changes), changes },
      },
    ]);
  });
  return getSettings(db, ctx);
}

/** Removes the secret's value from a text the remote service sent back (defence in depth). */
function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * POST /admin/m365/test: with the connection in effect, gets a token (client credentials) and reads the
 * mailbox's calendar (`GET /users/{mailbox}/calendar`). Fails with the service's own error: the token
 * endpoint's `error` + AADSTS description, or Graph's status and `error.code`. Audited `m365_connection.test`.
 */
export async function testConnection(
  db: Db,
  ctx: M365Context,
  actor: Actor,
  origin: RequestOrigin,
  mailbox: string,
): Promise<M365TestResultDto> {
  const started = Date.now();
  const eff = effectiveConnection(await readConnectionRow(db), ctx.defaults, ctx.env);
  const secrets = eff.graph ? [eff.graph.clientSecret] : [];
  const result = (
    r: Omit<M365TestResultDto, 'elapsedMs' | 'source' | 'message'> & { message: string },
  ): M365TestResultDto => ({
    ...r,
    message: redact(r.message, secrets).slice(0, 1000),
    source: eff.source,
    elapsedMs: Date.now() - started,
  });
  const run = async (): Promise<M365TestResultDto> => {
    const g = eff.graph;
    if (!g)
      return result({
        ok: false,
        stage: 'config',
        status: null,
        code: 'NotConfigured',
        message: 'Microsoft 365 is not connected: save the settings first',
      });
    if (eff.problem)
      return result({ ok: false, stage: 'config', status: null, code: 'SecretNotSet', message: eff.problem });
    // The same credential and SDK client the worker uses, so the test fails exactly as the sync would.
    let tokenStatus: number | null = null;
    const credential = graphCredential({ ...g, timeoutMs: Math.min(g.timeoutMs, 15_000) }, (status) => {
      tokenStatus = status;
    });
    try {
      await credential.getToken(g.scope, { abortSignal: AbortSignal.timeout(Math.min(g.timeoutMs, 15_000)) });
    } catch (err) {
      const failure = tokenFailure(err);
      // MSAL says only "network_error: See https://aka.ms/..." when nobody answered: name the address instead.
      const unreachable =
        failure.code === null &&
        tokenStatus === null &&
        /network_error|endpoints_resolution_error/.test(failure.message);
      return result({
        ok: false,
        stage: 'token',
        status: failure.status ?? tokenStatus,
        code: unreachable ? 'NoAnswer' : (failure.code ?? 'NoToken'),
        message: unreachable
          ? `No answer from the sign-in authority ${g.authorityHost}: check the address, DNS, the firewall and the proxy`
          : failure.message,
      });
    }
    try {
      const res = (await sdkClient(g, credential)
        .api(`/users/${encodeURIComponent(mailbox)}/calendar?$select=id,name`)
        .option('signal', AbortSignal.timeout(Math.min(g.timeoutMs, 15_000)))
        .responseType(ResponseType.RAW)
        .get()) as Response;
      const body = (await res.json().catch(() => null)) as {
        name?: string;
        error?: { message?: string };
      } | null;
      if (!res.ok) {
        const code = graphErrorCode(body);
        return result({
          ok: false,
          stage: 'graph',
          status: res.status,
          code,
          message:
            `${res.status} ${code ?? ''}${body?.error?.message ? `: ${body.error.message}` : ''}`.trim(),
        });
      }
      return result({
        ok: true,
        stage: null,
        status: res.status,
        code: null,
        message: `${mailbox}: ${body?.name ?? 'calendar'} is readable`,
      });
    } catch (err) {
      return result({
        ok: false,
        stage: 'graph',
        status: null,
        code: 'NoAnswer',
        message: `${g.baseUrl}: ${noAnswerDetail(err)}`,
      });
    }
  };
  const out = await run();
  await recordAudit(db, actor, origin, [
    {
      action: 'm365_connection.test',
      result: out.ok ? 'ok' : 'failed',
      entity: 'm365_connection',
      entityId: '1',
      details: { mailbox, source: out.source, stage: out.stage, status: out.status, code: out.code },
    },
  ]);
  return out;
}

/** Subscriptions expiring within this many hours count as "expiring soon". */
const EXPIRING_HOURS = 12;

/** GET /admin/m365/health: queue depth, sync failures by reason, parked mailboxes, subscriptions. */
export async function health(db: Db, ctx: M365Context): Promise<M365HealthDto> {
  const source = effectiveConnection(await readConnectionRow(db), ctx.defaults, ctx.env).source;
  // graphile_worker.jobs (0.17) is the public view; attempts >= max_attempts: failed for good.
  const queue = await sql<{ task: string; pending: number; retrying: number; failed: number }>`
    select task_identifier as task,
      count(*) filter (where attempts = 0)::int as pending,
      count(*) filter (where attempts > 0 and attempts < max_attempts)::int as retrying,
      count(*) filter (where attempts >= max_attempts)::int as failed
    from graphile_worker.jobs group by task_identifier order by task_identifier`.execute(db);
  const failures = await db
    .selectFrom('calendar_links')
    .where('state', 'in', ['failed', 'not_syncable'])
    .select([
      'state',
      sql<string>`coalesce(nullif(left(last_error, 200), ''), 'unknown')`.as('reason'),
      sql<number>`count(*)::int`.as('count'),
    ])
    .groupBy(['state', sql`2`])
    .orderBy(sql`3`, 'desc')
    .limit(50)
    .execute();
  const parked = await db
    .selectFrom('mailbox_sync_state as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .where('m.state', '=', 'not_syncable')
    .select(['m.user_id', 'u.name', 'u.email', 'm.reason', 'm.updated_at'])
    .orderBy('m.updated_at', 'desc')
    .limit(200)
    .execute();
  const subs = await db
    .selectFrom('graph_subscriptions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .where('s.state', '<>', 'removed')
    .select(['s.id', 'u.email', 's.state', 's.expires_at'])
    .orderBy('s.expires_at')
    .limit(500)
    .execute();
  const last = await db
    .selectFrom('calendar_links')
    .select(sql<Date | null>`max(synced_at)`.as('at'))
    .executeTakeFirst();
  const now = Date.now();
  const subscriptions = subs.map((s) => {
    const left = s.expires_at.getTime() - now;
    return {
      id: s.id,
      mailbox: s.email,
      state: s.state,
      expiresAt: s.expires_at.toISOString(),
      expiry:
        left <= 0
          ? ('expired' as const)
          : left < EXPIRING_HOURS * 3600_000
            ? ('expiring' as const)
            : ('ok' as const),
    };
  });
  return {
    source,
    queue: queue.rows,
    failures: failures.map((f) => ({ state: f.state, reason: f.reason, count: f.count })),
    notSyncable: parked.map((p) => ({
      userId: p.user_id,
      name: p.name,
      mailbox: p.email,
      reason: p.reason,
      since: new Date(p.updated_at as unknown as Date).toISOString(),
    })),
    subscriptions,
    subscriptionsExpired: subscriptions.filter((s) => s.expiry === 'expired').length,
    subscriptionsExpiringSoon: subscriptions.filter((s) => s.expiry === 'expiring').length,
    lastSyncedAt: last?.at ? new Date(last.at).toISOString() : null,
    checkedAt: new Date(now).toISOString(),
  };
}
