import type { GraphConfig } from '../../config.ts';

// A small Microsoft Graph client over fetch, app-only (client credentials). Not @microsoft/microsoft-graph-client:
// its RetryHandler re-sends POSTs after 429/503/504 (a create that was stored but answered 504 becomes a
// duplicate) and it strips Authorization for hosts it does not know (docs/stack.md). Every retry decision here
// is the caller's, made per request kind (create, patch, delete, lookup) and per inner `$batch` response.

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

/** The client-credentials token request: the secret, or a signed client assertion (certificate). */
export function tokenRequestBody(config: GraphConfig): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: config.clientId,
    ...(config.clientAssertion
      ? {
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: config.clientAssertion(),
        }
      : { client_secret: config.clientSecret }),
    scope: config.scope,
  });
}

/** Builds the client. Tokens are fetched from `tokenUrl` (client credentials) and cached until 5 min before expiry. */
export function createGraphClient(config: GraphConfig, opts: { mailboxConcurrency: number }): GraphClient {
  const limiter = new MailboxLimiter(opts.mailboxConcurrency);
  let token: { value: string; expiresAt: number } | null = null;
  let pending: Promise<string> | null = null;

  const acquireToken = async (): Promise<string> => {
    if (token && token.expiresAt > Date.now()) return token.value;
    pending ??= (async () => {
      try {
        const res = await fetch(config.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: tokenRequestBody(config),
          // Graph and Entra answer directly; a redirect could only lead somewhere we did not allow.
          redirect: 'error',
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        const body = (await res.json().catch(() => ({}))) as {
          access_token?: string;
          expires_in?: number;
          error?: string;
          error_codes?: number[];
        };
        // The OAuth error and AADSTS number say what is wrong (e.g. 7000215: invalid secret); never a secret.
        if (!res.ok || !body.access_token)
          throw new GraphTransportError(
            `token endpoint answered ${res.status}${body.error ? ` ${body.error}` : ''}${body.error_codes?.length ? ` AADSTS${body.error_codes[0]}` : ''}`,
          );
        token = {
          value: body.access_token,
          expiresAt: Date.now() + Math.max(60, (body.expires_in ?? 3600) - 300) * 1000,
        };
        return token.value;
      } catch (err) {
        if (err instanceof GraphTransportError) throw err;
        throw new GraphTransportError(`token endpoint: ${(err as Error).message}`);
      } finally {
        pending = null;
      }
    })();
    return pending;
  };

  const call = async (method: string, url: string, body: unknown): Promise<GraphResponse> => {
    const accessToken = await acquireToken();
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          prefer: PREFER_IMMUTABLE_ID,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new GraphTransportError(`${method} ${url.split('?')[0]}: ${(err as Error).message}`);
    }
    if (res.status === 401) token = null;
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
    send: (mailbox, req) => limiter.run(mailbox, () => call(req.method, config.baseUrl + req.url, req.body)),
    getAbsolute: (mailbox, url) => limiter.run(mailbox, () => call('GET', url, undefined)),
    batch: async (mailbox, reqs) => {
      const outer = await limiter.run(mailbox, () =>
        call('POST', `${config.baseUrl}/$batch`, {
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
