import { constants, createHash, createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { GraphConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { M365ConnectionTable } from '../../db/types.ts';
import {
  createGraphClient,
  type GraphClient,
  GraphTransportError,
  MailboxLimiter,
} from '../calendar-sync/graph.client.ts';
import { isM365SecretName, serviceHostProblem } from './m365-policy.ts';

// The Graph connection jobs use, re-read while the server runs: the admin page's saved settings
// (`m365_connection`) when present and enabled, else CRM_GRAPH_* from the start, else none (Graph off).
// Secrets come from the environment only: the row names the variable, this module reads its value.

/** The server's environment as given at start (main.ts / worker.ts pass process.env). */
export type SecretEnv = Readonly<Record<string, string | undefined>>;

/** What CRM_GRAPH_* gave at start: the fallback when no enabled settings are saved. */
export type EnvGraphDefaults = {
  graph: GraphConfig | null;
  /** `CRM_GRAPH_MAILBOX_CONCURRENCY`. */
  mailboxConcurrency: number;
  serviceMailbox: string | null;
};

export type ConnectionRow = Selectable<M365ConnectionTable>;

/** The connection in effect: where it comes from, the Graph settings (null: off) and the per-mailbox limits. */
export type EffectiveConnection = {
  source: 'database' | 'environment' | 'none';
  graph: GraphConfig | null;
  mailboxConcurrency: number;
  serviceMailbox: string | null;
  /** Why the saved connection cannot get a token as it stands (a variable not set), or null. */
  problem: string | null;
};

const DEFAULT_TIMEOUT_MS = 30_000;

/** The saved row (at most one), or undefined. */
export async function readConnectionRow(db: Db): Promise<ConnectionRow | undefined> {
  return db.selectFrom('m365_connection').selectAll().where('id', '=', 1).executeTakeFirst();
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * A client assertion for the certificate credential (Microsoft identity platform, "certificate credentials"):
 * a JWT signed with the certificate's private key, `aud` the token endpoint, `iss` = `sub` = the client id,
 * a fresh `jti`, valid 10 minutes. A SHA-256 thumbprint (64 hex) goes in `x5t#S256` with PS256 (Microsoft's
 * recommendation); a SHA-1 one (40 hex, what the portal lists) in `x5t` with RS256.
 * @throws Error when the key is not a PEM private key
 */
export function clientAssertion(opts: {
  tokenUrl: string;
  clientId: string;
  thumbprint: string;
  privateKeyPem: string;
  now?: Date;
}): string {
  const thumb = Buffer.from(opts.thumbprint.replace(/[^0-9a-f]/gi, ''), 'hex');
  const sha256 = thumb.length === 32;
  const header = sha256
    ? { alg: 'PS256', typ: 'JWT', 'x5t#S256': b64url(thumb) }
    : { alg: 'RS256', typ: 'JWT', x5t: b64url(thumb) };
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const payload = {
    aud: opts.tokenUrl,
    iss: opts.clientId,
    sub: opts.clientId,
    jti: randomUUID(),
    nbf: now,
    iat: now,
    exp: now + 600,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const key = createPrivateKey(opts.privateKeyPem.replace(/\\n/g, '\n'));
  const signature = sign(
    'sha256',
    Buffer.from(input),
    sha256 ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key,
  );
  return `${input}.${b64url(signature)}`;
}

/** Hex SHA-1 of a DER certificate: what the Azure portal lists as the thumbprint (tests and docs). */
export const sha1Thumbprint = (der: Buffer) => createHash('sha1').update(der).digest('hex');

/** Builds the Graph settings of a saved row; secrets are read from `env` by the names the row holds. */
export function connectionFromRow(row: ConnectionRow, env: SecretEnv, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const tokenUrl = `${row.authority_host.replace(/\/+$/, '')}/${row.tenant_id}/oauth2/v2.0/token`;
  const base = row.graph_base_url.replace(/\/+$/, '');
  let problem: string | null = null;
  let secret = '';
  let assertion: (() => string) | undefined;
  // Checked again where the secret is read: a row written around the admin API must not send a server secret
  // anywhere either (m365-policy.ts).
  const hostProblem = serviceHostProblem(new URL(tokenUrl), env) ?? serviceHostProblem(new URL(base), env);
  const secretName = row.credential_kind === 'secret' ? row.secret_env_name : row.certificate_key_env_name;
  if (!isM365SecretName(secretName)) problem = `${secretName} may not hold the Microsoft 365 credential`;
  else if (hostProblem) problem = hostProblem;
  else if (row.credential_kind === 'secret') {
    secret = env[secretName] || '';
    if (!secret) problem = `${secretName} is not set in the server's environment`;
  }
  if (row.credential_kind === 'certificate') {
    const pem = (!problem && env[secretName as string]) || '';
    if (!pem && !problem) problem = `${secretName} is not set in the server's environment`;
    assertion = () => {
      if (!pem) throw new Error(problem ?? 'no private key');
      return clientAssertion({
        tokenUrl,
        clientId: row.client_id,
        thumbprint: row.certificate_thumbprint ?? '',
        privateKeyPem: pem,
      });
    };
  }
  const graph: GraphConfig = {
    baseUrl: base,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    clientSecret: secret,
    ...(assertion ? { clientAssertion: assertion } : {}),
    authorityHost: row.authority_host.replace(/\/+$/, ''),
    scope: `${new URL(base).origin}/.default`,
    timeoutMs,
  };
  return { graph, problem };
}

/** The connection in effect for this row (or its absence): saved and enabled > environment > none. */
export function effectiveConnection(
  row: ConnectionRow | undefined,
  defaults: EnvGraphDefaults,
  env: SecretEnv,
): EffectiveConnection {
  if (row?.enabled) {
    const { graph, problem } = connectionFromRow(row, env, defaults.graph?.timeoutMs);
    return {
      source: 'database',
      graph,
      mailboxConcurrency: row.mailbox_concurrency,
      serviceMailbox: row.service_mailbox,
      problem,
    };
  }
  return {
    source: defaults.graph ? 'environment' : 'none',
    graph: defaults.graph,
    mailboxConcurrency: defaults.mailboxConcurrency,
    serviceMailbox: defaults.serviceMailbox,
    problem: null,
  };
}

/** The state jobs read: the client (one per settings version, so per-mailbox limits persist) and its limits. */
export type CurrentGraph = {
  source: EffectiveConnection['source'];
  graph: GraphClient | null;
  mailboxConcurrency: number;
  serviceMailbox: string | null;
};

/**
 * Hands jobs the current Graph client. `refresh()` costs one indexed read of the row's version at most every
 * `checkEveryMs` (default 1 s); a new version (or the row's removal/disabling) rebuilds the client, so a save on
 * the admin page takes effect on the next job run in every worker, without a restart.
 */
export class GraphConnection {
  private key: string | null = null;
  private state: CurrentGraph;
  private checkedAt = 0;
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly opts: {
      db: Db;
      defaults: EnvGraphDefaults;
      env: SecretEnv;
      checkEveryMs?: number;
      log?: { info: (o: object, m: string) => void };
    },
  ) {
    this.state = this.build(undefined);
  }

  private build(row: ConnectionRow | undefined): CurrentGraph {
    const eff = effectiveConnection(row, this.opts.defaults, this.opts.env);
    return {
      source: eff.source,
      graph: eff.graph ? createGraphClient(eff.graph, { mailboxConcurrency: eff.mailboxConcurrency }) : null,
      mailboxConcurrency: eff.mailboxConcurrency,
      serviceMailbox: eff.serviceMailbox,
    };
  }

  /** Re-reads the settings when their version changed (at most every `checkEveryMs`). */
  async refresh(): Promise<CurrentGraph> {
    if (this.key !== null && Date.now() - this.checkedAt < (this.opts.checkEveryMs ?? 1000))
      return this.state;
    this.inflight ??= (async () => {
      try {
        const v = await this.opts.db
          .selectFrom('m365_connection')
          .select(['version', 'enabled'])
          .where('id', '=', 1)
          .executeTakeFirst();
        const key = v?.enabled ? `db:${v.version}` : 'env';
        if (key !== this.key) {
          const row = v?.enabled ? await readConnectionRow(this.opts.db) : undefined;
          this.state = this.build(row?.enabled ? row : undefined);
          if (this.key !== null)
            this.opts.log?.info({ source: this.state.source }, 'Microsoft 365 connection changed');
          this.key = row?.enabled ? `db:${row.version}` : 'env';
        }
        this.checkedAt = Date.now();
      } finally {
        this.inflight = null;
      }
    })();
    await this.inflight;
    return this.state;
  }

  /** The state from the last refresh. */
  get current(): CurrentGraph {
    return this.state;
  }

  /**
   * A GraphClient that refreshes, then forwards to the current client: for long-lived senders (credit
   * notifications). With no connection it throws {@link GraphTransportError} (the job is retried later).
   */
  delegate(): GraphClient {
    const client = async () => {
      const c = (await this.refresh()).graph;
      if (!c) throw new GraphTransportError('Microsoft 365 connection is not configured');
      return c;
    };
    const self = this;
    // Senders call `send` only; the limiter here is the current client's when there is one.
    const idle = new MailboxLimiter(1);
    return {
      send: async (mailbox, req) => (await client()).send(mailbox, req),
      batch: async (mailbox, reqs) => (await client()).batch(mailbox, reqs),
      getAbsolute: async (mailbox, url) => (await client()).getAbsolute(mailbox, url),
      get limiter() {
        return self.state.graph?.limiter ?? idle;
      },
      get baseUrl() {
        return self.state.graph?.baseUrl ?? '';
      },
    };
  }
}
