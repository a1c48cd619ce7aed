import type { PipelineRequest, SendRequest } from '@azure/core-rest-pipeline';
import {
  type AccessToken,
  ClientAssertionCredential,
  ClientSecretCredential,
  type GetTokenOptions,
  type TokenCredential,
} from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  ResponseType,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import type { GraphConfig } from '../../config.ts';

// Microsoft Graph, app-only: tokens from @azure/identity (client secret or certificate assertion), requests
// through @microsoft/microsoft-graph-client with our own middleware chain — authentication and the HTTP
// handler, without the SDK's RetryHandler (it re-sends POSTs after 429/503/504, so a create that was stored but
// answered 504 would become a duplicate: docs/stack.md) and without its RedirectHandler (Graph answers
// directly; a redirect could only lead somewhere we did not allow). Every retry decision is the caller's,
// made per request kind (create, patch, delete, lookup) and per inner `$batch` response.

/** Sent on every request: ids must survive the user moving an item (docs/microsoft.md). */
export const PREFER_IMMUTABLE_ID = 'IdType="ImmutableId"';

/** One Graph answer: status, headers we use, JSON body (null when none). */
export type GraphResponse = { status: number; body: unknown; retryAfterMs: number | null };

/** A request inside `$batch`, or sent alone. `url` is relative to the base URL (`/users/...`). */
export type GraphRequest = {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
};

/**
 * No answer: timeout, connection reset, DNS. For a create the event may or may not exist: the caller must
 * look it up before creating again.
 */
export class GraphTransportError extends Error {
  readonly ambiguous = true;
}

/** The `error.code` of a Graph error body, e.g. `ErrorAccessDenied`, `MailboxConcurrency`. */
export function graphErrorCode(body: unknown): string | null {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' ? code : null;
}

export function graphErrorMessage(r: GraphResponse): string {
  const e = (r.body as { error?: { code?: string; message?: string } } | null)?.error;
  return `${r.status} ${e?.code ?? ''}${e?.message ? `: ${e.message}` : ''}`.trim();
}

function retryAfterMs(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Limits parallel requests per mailbox; a `MailboxConcurrency` 429 halves that mailbox's limit. */
export class MailboxLimiter {
  private readonly active = new Map<string, number>();
  private readonly limits = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  constructor(private readonly defaultLimit: number) {}

  limit(mailbox: string): number {
    return this.limits.get(mailbox) ?? this.defaultLimit;
  }
  setLimit(mailbox: string, n: number): void {
    this.limits.set(mailbox, Math.max(1, n));
  }
  /** Halves the mailbox's limit (at least 1); returns the new one. */
  lower(mailbox: string): number {
    const n = Math.max(1, Math.floor(this.limit(mailbox) / 2));
    this.limits.set(mailbox, n);
    return n;
  }
  async run<T>(mailbox: string, fn: () => Promise<T>): Promise<T> {
    while ((this.active.get(mailbox) ?? 0) >= this.limit(mailbox)) {
      await new Promise<void>((resolve) => {
        const q = this.waiting.get(mailbox) ?? [];
        q.push(resolve);
        this.waiting.set(mailbox, q);
      });
    }
    this.active.set(mailbox, (this.active.get(mailbox) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      this.active.set(mailbox, (this.active.get(mailbox) ?? 1) - 1);
      this.waiting.get(mailbox)?.shift()?.();
    }
  }
}

export type GraphClient = {
  /** One request, one attempt. Throws {@link GraphTransportError} when no answer came. */
  send(mailbox: string, req: GraphRequest): Promise<GraphResponse>;
  /** One `$batch` (at most 20 requests), one attempt; inner answers by request id. */
  batch(
    mailbox: string,
    reqs: GraphRequest[],
  ): Promise<{ outer: GraphResponse; inner: Map<string, GraphResponse> }>;
  /** GET of an absolute URL Graph gave us (`@odata.nextLink`, `@odata.deltaLink`). */
  getAbsolute(mailbox: string, url: string): Promise<GraphResponse>;
  limiter: MailboxLimiter;
  baseUrl: string;
};

/**
 * The app's credential (client credentials grant): the secret, or a client assertion signed with the
 * certificate's key (Microsoft identity platform, "certificate credentials":
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials), through @azure/identity; MSAL
 * caches tokens and renews them before expiry. Around it:
 * - instance discovery is off: it would ask login.microsoftonline.com about every other authority (a national
 *   cloud's, a proxy's) and fail (docs/stack.md);
 * - every request of the credential goes to the configured authority and tenant only: MSAL posts the secret to
 *   whatever `token_endpoint` the authority's OpenID metadata names, and that must not be another host;
 * - a token request without an answer fails after `config.timeoutMs` (identity does not time it out), so a
 *   hung Entra never holds a mailbox's request slots;
 * - {@link AppCredential.forgetTokens} drops the cached token after Graph refused it (401).
 */
export class AppCredential implements TokenCredential {
  private inner: TokenCredential;
  private forgotAt = 0;
  constructor(
    private readonly config: GraphConfig,
    /** Told the HTTP status of each answer of the token endpoint (MSAL's error keeps only Entra's text). */
    private readonly onTokenResponse?: (status: number) => void,
  ) {
    this.inner = this.build();
  }

  private build(): TokenCredential {
    const { config, onTokenResponse } = this;
    const authority = new URL(config.authorityHost);
    const tenantPath = `/${config.tenantId.toLowerCase()}/`;
    const onlyAuthority = {
      position: 'perRetry' as const,
      policy: {
        name: 'crmOnlyTheAuthority',
        sendRequest: async (req: PipelineRequest, next: SendRequest) => {
          const u = new URL(req.url);
          if (u.origin !== authority.origin || !u.pathname.toLowerCase().startsWith(tenantPath))
            throw new Error(
              `refused to send the credential to ${u.origin}${u.pathname}: not the configured authority`,
            );
          const res = await next(req);
          if (req.method === 'POST') onTokenResponse?.(res.status);
          return res;
        },
      },
    };
    const options = {
      authorityHost: config.authorityHost,
      disableInstanceDiscovery: true,
      // Entra answers directly; a redirect could only lead somewhere we did not allow.
      redirectOptions: { maxRetries: 0 },
      additionalPolicies: [onlyAuthority],
    };
    const assertion = config.clientAssertion;
    return assertion
      ? new ClientAssertionCredential(config.tenantId, config.clientId, async () => assertion(), options)
      : new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, options);
  }

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `network_error: no token from ${this.config.authorityHost} within ${this.config.timeoutMs} ms`,
            ),
          ),
        this.config.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.inner.getToken(scopes, options), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forgets the cached token (Graph answered 401): the next request asks Entra again; at most every 30 s. */
  forgetTokens(): void {
    if (Date.now() - this.forgotAt < 30_000) return;
    this.forgotAt = Date.now();
    this.inner = this.build();
  }
}

/** The app's credential for `config` (see {@link AppCredential}). */
export const graphCredential = (config: GraphConfig, onTokenResponse?: (status: number) => void) =>
  new AppCredential(config, onTokenResponse);

/**
 * What Entra answered when no token came, e.g. `invalid_client: AADSTS7000215: Invalid client secret
 * provided...` (never a secret: Entra does not echo it), with the AADSTS code when there is one.
 */
export function tokenFailure(err: unknown): { code: string | null; status: number | null; message: string } {
  const e = err as {
    statusCode?: number;
    errorResponse?: { error?: string; errorDescription?: string };
    message?: string;
  };
  const firstLine = (t: string) => (t.split(/\r?\n/)[0] ?? '').trim();
  const description = firstLine(e?.errorResponse?.errorDescription ?? '');
  let message =
    e?.errorResponse?.error && description
      ? `${e.errorResponse.error}: ${description}`
      : firstLine(String(e?.message ?? err));
  // MSAL words Entra's answer as "invalid_client: Error(s): 7000215 - Timestamp: ... - Description: AADSTS7000215:
  // ... - Trace ID: ..." (msal-common ServerError): keep the OAuth error and the description.
  const msal = /^([\w.]+): Error\(s\):.*? - Description: (.*?)(?: - (?:Trace|Correlation) ID:.*)?$/.exec(
    message,
  );
  if (msal) message = `${msal[1]}: ${msal[2]}`;
  return {
    code: /AADSTS(\d+)/.exec(message)?.[0] ?? null,
    status: typeof e?.statusCode === 'number' ? e.statusCode : null,
    message,
  };
}

/**
 * Why a request got no answer, one line: the SDK wraps fetch's and the credential's errors in a `GraphError`
 * whose `body` is the original's text (e.g. `TimeoutError: ...`, `AuthenticationRequiredError: invalid_client:
 * AADSTS7000215: ...`).
 */
export function noAnswerDetail(err: unknown): string {
  const e = (err ?? {}) as { body?: unknown; message?: string };
  const text = typeof e.body === 'string' && e.body ? e.body : String(e.message || err);
  return text.split(/\r?\n/)[0] ?? text;
}

/**
 * The SDK client over the configured base URL (`https://graph.microsoft.com/v1.0` or a national cloud's):
 * authentication with the credential, then fetch — nothing else in the chain.
 */
export function sdkClient(config: GraphConfig, credential: TokenCredential): Client {
  const base = new URL(config.baseUrl);
  const segments = base.pathname.split('/').filter(Boolean);
  const version = segments.pop() ?? 'v1.0';
  const auth = new AuthenticationHandler(
    new TokenCredentialAuthenticationProvider(credential, { scopes: [config.scope] }),
  );
  auth.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: `${base.origin}/${segments.join('/')}`,
    defaultVersion: version,
    // The SDK sends the token only to hosts it knows as Graph's; the configured one is ours to name.
    customHosts: new Set([base.hostname]),
    fetchOptions: { redirect: 'error' },
  });
}

/** Builds the client: one credential (tokens cached until shortly before expiry) and one SDK client. */
export function createGraphClient(config: GraphConfig, opts: { mailboxConcurrency: number }): GraphClient {
  const limiter = new MailboxLimiter(opts.mailboxConcurrency);
  const credential = graphCredential(config);
  const client = sdkClient(config, credential);
  const base = new URL(config.baseUrl);
  const basePath = base.pathname.replace(/\/?$/, '/');

  const call = async (method: string, url: string, body: unknown): Promise<GraphResponse> => {
    let res: Response;
    let text: string;
    try {
      const request = client
        .api(url)
        .header('Prefer', PREFER_IMMUTABLE_ID)
        .header('Accept', 'application/json')
        .option('signal', AbortSignal.timeout(config.timeoutMs))
        .responseType(ResponseType.RAW);
      res = (await (method === 'GET'
        ? request.get()
        : method === 'POST'
          ? request.post(body)
          : method === 'PATCH'
            ? request.patch(body)
            : request.delete())) as Response;
      text = await res.text();
    } catch (err) {
      // No answer: the network, the timeout, or no token (the SDK wraps the credential's error; its text says
      // what Entra answered, e.g. AADSTS7000215).
      throw new GraphTransportError(`${method} ${url.split('?')[0]}: ${noAnswerDetail(err)}`);
    }
    if (res.status === 401) credential.forgetTokens();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: { code: 'NonJsonResponse', message: text.slice(0, 200) } };
    }
    return { status: res.status, body: parsed, retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
  };

  return {
    limiter,
    baseUrl: config.baseUrl,
    // Relative to the configured base (its path may hold more than the version: a proxy's prefix).
    send: (mailbox, req) => limiter.run(mailbox, () => call(req.method, req.url, req.body)),
    getAbsolute: (mailbox, url) => {
      // A link Graph gave us is followed with our token only on the configured endpoint (the SDK would also
      // send it to any port of the same host, and to Microsoft's own hosts behind a proxy base URL).
      const u = new URL(url);
      if (u.origin !== base.origin || !u.pathname.startsWith(basePath))
        return Promise.reject(
          new GraphTransportError(
            `refused to follow a link to ${u.origin}${u.pathname}: not the Graph endpoint`,
          ),
        );
      return limiter.run(mailbox, () => call('GET', url, undefined));
    },
    batch: async (mailbox, reqs) => {
      const outer = await limiter.run(mailbox, () =>
        call('POST', '/$batch', {
          requests: reqs.map((r) => ({
            id: r.id,
            method: r.method,
            url: r.url,
            headers: {
              prefer: PREFER_IMMUTABLE_ID,
              ...(r.body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(r.body === undefined ? {} : { body: r.body }),
          })),
        }),
      );
      const inner = new Map<string, GraphResponse>();
      const responses = (outer.body as { responses?: unknown[] } | null)?.responses;
      if (outer.status === 200 && Array.isArray(responses)) {
        // Responses come back in any order: matched by id (docs/microsoft.md, "$batch").
        for (const r of responses as {
          id: string;
          status: number;
          headers?: Record<string, string>;
          body?: unknown;
        }[]) {
          if (!r || typeof r !== 'object' || r.id === undefined) continue; // not an answer: the item is retried
          const headers = Object.fromEntries(
            Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
          );
          inner.set(String(r.id), {
            status: r.status,
            body: r.body ?? null,
            retryAfterMs: retryAfterMs(headers['retry-after']),
          });
        }
      }
      return { outer, inner };
    },
  };
}
