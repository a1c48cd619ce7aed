import {
  constants,
  createHash,
  createPublicKey,
  type KeyObject,
  randomBytes,
  randomUUID,
  verify,
} from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { findIana } from 'windows-iana';
import { emulatorTls } from '../tls/index.ts';

// A local Microsoft Graph for calendar sync tests: a real HTTP server on 127.0.0.1 with the token endpoint
// (client credentials) and what sync calls — /users/{id}/events CRUD, the extended-property $filter, transactionId,
// $batch, immutable ids — behaving as docs/microsoft.md ("Graph calendar events") describes, plus fault injection.

export type DateTimeTimeZone = { dateTime: string; timeZone: string };
/** A message as `sendMail` receives it (the fields we send). */
export type SentMessage = {
  subject: string;
  body: { contentType: string; content: string };
  toRecipients: { emailAddress: { address: string } }[];
  internetMessageHeaders?: { name: string; value: string }[];
};
/** A message in a mailbox: a draft (`POST /users/{id}/messages`) until sent, then a sent item. */
export type EmuMessage = {
  /** Immutable id: survives the move from Drafts to Sent Items. */
  id: string;
  /** REST id: changes with the folder. */
  restId: string;
  isDraft: boolean;
  parentFolder: 'drafts' | 'sentitems';
  message: SentMessage;
  singleValueExtendedProperties: { id: string; value: string }[];
};
export type EmuEvent = {
  /** Immutable id (what callers sending Prefer: IdType="ImmutableId" see). */
  id: string;
  /** REST id: changes when the item moves to another folder. */
  restId: string;
  changeKey: string;
  transactionId: string | null;
  subject: string;
  body: { contentType: string; content: string };
  start: DateTimeTimeZone;
  end: DateTimeTimeZone;
  isAllDay: boolean;
  showAs: string;
  categories: string[];
  isReminderOn: boolean;
  reminderMinutesBeforeStart: number;
  attendees: unknown[];
  singleValueExtendedProperties: { id: string; value: string }[];
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** Set when the user deleted it (kept for transactionId semantics). */
  deleted?: boolean;
  /** Change sequence (delta). */
  seq?: number;
};

export type EmuSubscription = {
  id: string;
  mailbox: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  clientState: string;
  expirationDateTime: string;
};

export type LoggedRequest = {
  method: string;
  path: string;
  mailbox: string | null;
  prefer: string;
  batched: boolean;
  /** Answer status; 0 when no answer was sent. */
  status: number;
  at: number;
  body?: unknown;
};

/** An injected answer; `body` replaces the Graph error body (e.g. an empty lookup result). */
type Answer = { status: number; code?: string; message?: string; retryAfter?: number; body?: unknown };
/**
 * A fault: which requests it hits and what happens. `store-then-500`/`store-then-timeout`: the write is
 * applied, then the answer is an error / never comes in time (the ambiguous outcomes of
 * microsoft-graph-docs-contrib#8120). `times` (default 1) limits how often it fires; `probability` makes it random.
 */
export type Fault = {
  method?: string;
  mailbox?: string;
  pathIncludes?: string;
  /** Only inside $batch (true), only outside (false), either (undefined). For the $batch request itself use path '/$batch'. */
  batched?: boolean;
  times?: number;
  probability?: number;
  answer: Answer | 'store-then-500' | 'store-then-timeout' | 'timeout' | 'reset';
};

/**
 * Per-mailbox behaviour. `timeZone`: the mailbox's zone as `mailboxSettings/timeZone` gives it (Windows or
 * IANA name); unset = the app lacks MailboxSettings.Read, so that call answers 403 (the default registration
 * asks for Calendars.ReadWrite only).
 */
type MailboxConfig = {
  notEnabled?: boolean;
  accessDenied?: boolean;
  concurrencyLimit?: number;
  timeZone?: string;
};

const GRAPH_ERRORS: Record<number, string> = {
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

function offsetMs(instant: number, iana: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: iana,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(instant))
      .map((x) => [x.type, x.value]),
  );
  return Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}Z`) - instant;
}

/** IANA zone for a Graph timeZone value (Windows name, IANA name or UTC). */
export function ianaOf(timeZone: string): string {
  if (timeZone === 'UTC' || timeZone.includes('/')) return timeZone;
  const z = findIana(timeZone)[0];
  if (!z) throw new Error(`unknown time zone ${timeZone}`);
  return z;
}

/** The instant a Graph {dateTime, timeZone} denotes. */
export function instantOf(t: DateTimeTimeZone): Date {
  const iana = ianaOf(t.timeZone);
  const wall = Date.parse(`${t.dateTime.slice(0, 19)}Z`);
  let guess = wall - offsetMs(wall, iana);
  guess = wall - offsetMs(guess, iana);
  return new Date(guess);
}

function toUtc(t: DateTimeTimeZone): DateTimeTimeZone {
  return { dateTime: `${instantOf(t).toISOString().slice(0, 19)}.0000000`, timeZone: 'UTC' };
}

export class GraphEmulator {
  readonly tenantId = randomUUID();
  readonly clientId = randomUUID();
  readonly clientSecret = randomBytes(24).toString('hex');
  readonly mailboxes = new Map<string, MailboxConfig>();
  /**
   * Certificates registered on the app (certificate credentials), by base64url thumbprint (`x5t` SHA-1 or
   * `x5t#S256` SHA-256): see {@link addCertificate}.
   */
  readonly certificates = new Map<string, KeyObject>();
  readonly log: LoggedRequest[] = [];
  /** Mail sent (`POST /users/{from}/sendMail`, or a draft's `POST .../messages/{id}/send`: 202), oldest first. */
  readonly sentMail: { from: string; message: SentMessage }[] = [];
  /** Messages of each mailbox (drafts and sent items), by immutable id. */
  readonly messages = new Map<string, Map<string, EmuMessage>>();
  /** Extra latency per request (ms), so concurrency can be observed. */
  latencyMs = 0;
  /** Graph's reminder bug: `isReminderOn: false` ignored on create (microsoft-graph-docs-contrib#6912). */
  ignoreReminderOffOnCreate = false;
  private readonly store = new Map<string, Map<string, EmuEvent>>();
  private readonly transactions = new Map<string, { eventId: string; hash: string }>();
  private readonly faults: Fault[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly tokens = new Set<string>();
  private server!: https.Server;
  private sockets = new Set<import('node:stream').Duplex>();
  baseUrl = '';
  tokenUrl = '';
  /** The emulated Entra authority (`https://127.0.0.1:{port}`): token endpoint `{authorityHost}/{tenant}/oauth2/v2.0/token`. */
  authorityHost = '';

  async start(): Promise<this> {
    this.server = https.createServer(emulatorTls(), (req, res) => void this.route(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `https://127.0.0.1:${port}/v1.0`;
    this.authorityHost = `https://127.0.0.1:${port}`;
    this.tokenUrl = `${this.authorityHost}/${this.tenantId}/oauth2/v2.0/token`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /**
   * Registers a certificate's public key on the app registration under its hex thumbprint (SHA-1, 40 hex, sent
   * as `x5t`; or SHA-256, 64 hex, sent as `x5t#S256`), as uploading the certificate in the portal does.
   */
  addCertificate(publicKeyPem: string, thumbprintHex: string): void {
    this.certificates.set(
      Buffer.from(thumbprintHex, 'hex').toString('base64url'),
      createPublicKey(publicKeyPem),
    );
  }

  /** Entra's answer to a refused token request: `error`, AADSTS description, `error_codes` (real shape). */
  private aadError(res: http.ServerResponse, status: number, error: string, code: number, text: string) {
    return this.json(res, status, {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    });
  }

  /** Checks a certificate client assertion (JWT): registered thumbprint, signature, aud, iss = sub = client id, exp. */
  private assertionProblem(jwt: string, tokenUrl: string): string | null {
    const [h, p, sig] = jwt.split('.');
    if (!h || !p || !sig) return 'malformed';
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, string>;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const key = this.certificates.get(header['x5t#S256'] ?? header.x5t ?? '');
    if (!key) return 'unknown certificate';
    const data = Buffer.from(`${h}.${p}`);
    const ok =
      header.alg === 'PS256'
        ? verify(
            'sha256',
            data,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
            Buffer.from(sig, 'base64url'),
          )
        : header.alg === 'RS256' && verify('sha256', data, key, Buffer.from(sig, 'base64url'));
    if (!ok) return 'bad signature';
    if (claims.aud !== tokenUrl) return 'wrong audience';
    if (claims.iss !== this.clientId || claims.sub !== this.clientId) return 'wrong issuer';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return 'expired';
    return null;
  }

  /** Graph stops accepting every token issued so far (revoked, or expired early): 401 until a new one. */
  revokeTokens(): void {
    this.tokens.clear();
  }
  /** Tokens issued and still accepted. */
  get tokenCount(): number {
    return this.tokens.size;
  }
  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Live events of a mailbox (not deleted). */
  events(mailbox: string): EmuEvent[] {
    return [...(this.store.get(mailbox.toLowerCase())?.values() ?? [])].filter((e) => !e.deleted);
  }
  /** Every live event carrying this task id in the extended property, across mailboxes. */
  eventsOfTask(taskId: string): { mailbox: string; event: EmuEvent }[] {
    const out: { mailbox: string; event: EmuEvent }[] = [];
    for (const [mailbox, events] of this.store)
      for (const e of events.values())
        if (!e.deleted && e.singleValueExtendedProperties.some((p) => p.value === taskId))
          out.push({ mailbox, event: e });
    return out;
  }

  /** The user drags the event to another time in Outlook. */
  userMoves(mailbox: string, id: string, start: DateTimeTimeZone, end: DateTimeTimeZone): EmuEvent {
    const e = this.find(mailbox, id)!;
    Object.assign(e, { start, end });
    this.touch(e);
    this.notifySubscribers(mailbox, e, 'updated');
    return e;
  }
  /** The user deletes the event in Outlook. */
  userDeletes(mailbox: string, id: string): void {
    const e = this.find(mailbox, id)!;
    e.deleted = true;
    e.seq = ++this.seq;
    this.notifySubscribers(mailbox, e, 'deleted');
  }
  /** The user moves the event to another calendar folder: its REST id changes, its immutable id does not. */
  userMovesToFolder(mailbox: string, id: string): EmuEvent {
    const e = this.find(mailbox, id)!;
    e.restId = `AAMk${randomBytes(12).toString('base64url')}`;
    this.touch(e);
    return e;
  }

  private touch(e: EmuEvent) {
    e.changeKey = randomBytes(6).toString('base64url');
    e.lastModifiedDateTime = new Date().toISOString();
    e.seq = ++this.seq;
  }

  // ---- delta, subscriptions, notifications ----
  private seq = 0;
  /** Delta tokens issued before this sequence are expired (410 SyncStateNotFound). */
  private deltaValidFrom = 0;
  /** Items per delta page. */
  deltaPageSize = 50;
  readonly subscriptions = new Map<string, EmuSubscription>();
  /** Subscription creations to fail with "validation request timed out" (msgraph-sdk-dotnet#2805). */
  failSubscriptionValidations = 0;
  /** Every notification POST the emulator made: status and how long the endpoint took. */
  readonly deliveries: { url: string; status: number; ms: number }[] = [];

  /** The delta tokens handed out so far stop working (Graph: 410 / syncStateNotFound). */
  expireDeltaTokens(): void {
    this.deltaValidFrom = this.seq + 1;
  }

  private notifySubscribers(mailbox: string, e: EmuEvent, changeType: 'created' | 'updated' | 'deleted') {
    for (const sub of this.subscriptions.values()) {
      if (sub.mailbox !== mailbox.toLowerCase()) continue;
      void this.deliver(sub.notificationUrl, [
        {
          subscriptionId: sub.id,
          clientState: sub.clientState,
          changeType,
          resource: `Users/${sub.mailbox}/Events/${e.id}`,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Event',
            '@odata.id': `Users/${sub.mailbox}/Events/${e.id}`,
            id: e.id,
          },
          subscriptionExpirationDateTime: sub.expirationDateTime,
          tenantId: this.tenantId,
        },
      ]);
    }
  }

  /** Posts a notification collection as Graph does; resolves with the endpoint's status. */
  async deliver(url: string, value: unknown[]): Promise<number> {
    const t0 = Date.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value }),
        signal: AbortSignal.timeout(3000),
      });
      await res.text();
      this.deliveries.push({ url, status: res.status, ms: Date.now() - t0 });
      return res.status;
    } catch {
      this.deliveries.push({ url, status: 0, ms: Date.now() - t0 });
      return 0;
    }
  }

  /** A lifecycle event for a subscription (`missed`, `subscriptionRemoved`, `reauthorizationRequired`). */
  async sendLifecycle(subscriptionId: string, lifecycleEvent: string): Promise<number> {
    const sub = this.subscriptions.get(subscriptionId)!;
    if (lifecycleEvent === 'subscriptionRemoved') this.subscriptions.delete(subscriptionId);
    return this.deliver(sub.lifecycleNotificationUrl, [
      {
        subscriptionId: sub.id,
        clientState: sub.clientState,
        lifecycleEvent,
        resource: sub.resource,
        subscriptionExpirationDateTime: sub.expirationDateTime,
        tenantId: this.tenantId,
      },
    ]);
  }

  private async subscriptionsRoute(method: string, path: string, body: Record<string, string> | undefined) {
    const ok = (status: number, b?: unknown) => ({ status, headers: {} as Record<string, string>, body: b });
    const id = /^\/subscriptions\/([^/]+)$/.exec(path)?.[1];
    if (method === 'POST' && path === '/subscriptions') {
      if (this.failSubscriptionValidations > 0) {
        this.failSubscriptionValidations--;
        return this.error({
          status: 400,
          code: 'InvalidRequest',
          message: 'Subscription validation request timed out.',
        });
      }
      const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
      for (const url of [body!.notificationUrl!, body!.lifecycleNotificationUrl ?? body!.notificationUrl!]) {
        try {
          const res = await fetch(`${url}?validationToken=${encodeURIComponent(token)}`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain; charset=utf-8' },
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          if (
            res.status !== 200 ||
            text !== token ||
            !String(res.headers.get('content-type')).startsWith('text/plain')
          )
            return this.error({
              status: 400,
              code: 'ValidationError',
              message: `Subscription validation request failed. Response must exactly match validationToken query parameter.`,
            });
        } catch {
          return this.error({
            status: 400,
            code: 'InvalidRequest',
            message: 'Subscription validation request timed out.',
          });
        }
      }
      const mailbox = /^\/?users\/([^/]+)\/events$/i.exec(body!.resource!)?.[1];
      if (!mailbox)
        return this.error({ status: 400, code: 'InvalidRequest', message: 'Unsupported resource' });
      const sub: EmuSubscription = {
        id: randomUUID(),
        mailbox: decodeURIComponent(mailbox).toLowerCase(),
        resource: body!.resource!,
        changeType: body!.changeType!,
        notificationUrl: body!.notificationUrl!,
        lifecycleNotificationUrl: body!.lifecycleNotificationUrl ?? body!.notificationUrl!,
        clientState: body!.clientState!,
        expirationDateTime: body!.expirationDateTime!,
      };
      this.subscriptions.set(sub.id, sub);
      return ok(201, sub);
    }
    const sub = id ? this.subscriptions.get(decodeURIComponent(id)) : undefined;
    if (!sub)
      return this.error({ status: 404, code: 'ResourceNotFound', message: 'The object was not found.' });
    if (method === 'PATCH') {
      sub.expirationDateTime = body!.expirationDateTime!;
      return ok(200, sub);
    }
    if (method === 'DELETE') {
      this.subscriptions.delete(sub.id);
      return ok(204);
    }
    return this.error({ status: 405, code: 'BadRequest', message: 'Method not allowed' });
  }

  private delta(mailbox: string, query: URLSearchParams, prefer: string) {
    const ok = (b: unknown) => ({ status: 200, headers: {} as Record<string, string>, body: b });
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const dec = (t: string) => JSON.parse(Buffer.from(t, 'base64url').toString('utf8'));
    const base = `${this.baseUrl}/users/${encodeURIComponent(mailbox)}/calendarView/delta`;
    let state: { since: number; upto: number; offset: number; start: string; end: string; issued: number };
    if (query.get('$deltatoken')) {
      const t = dec(query.get('$deltatoken')!);
      if (t.issued < this.deltaValidFrom)
        return {
          status: 410,
          headers: {},
          body: { error: { code: 'SyncStateNotFound', message: 'The sync state generation is not found.' } },
        };
      state = { since: t.upto, upto: this.seq, offset: 0, start: t.start, end: t.end, issued: this.seq };
    } else if (query.get('$skiptoken')) {
      state = dec(query.get('$skiptoken')!);
    } else {
      const start = query.get('startDateTime');
      const end = query.get('endDateTime');
      if (!start || !end)
        return this.error({
          status: 400,
          code: 'ErrorInvalidParameter',
          message: 'startDateTime and endDateTime are required',
        });
      state = { since: -1, upto: this.seq, offset: 0, start, end, issued: this.seq };
    }
    const inWindow = (e: EmuEvent) =>
      instantOf(e.end) > new Date(state.start) && instantOf(e.start) < new Date(state.end);
    const all = [...(this.store.get(mailbox)?.values() ?? [])]
      .filter((e) =>
        state.since < 0
          ? !e.deleted && inWindow(e)
          : (e.seq ?? 0) > state.since && (e.seq ?? 0) <= state.upto,
      )
      .filter((e) => e.deleted || inWindow(e));
    const page = all.slice(state.offset, state.offset + this.deltaPageSize);
    const value = page.map((e) =>
      e.deleted ? { id: e.id, '@removed': { reason: 'deleted' } } : this.view(e, prefer),
    );
    if (state.offset + this.deltaPageSize < all.length)
      return ok({
        value,
        '@odata.nextLink': `${base}?$skiptoken=${enc({ ...state, offset: state.offset + this.deltaPageSize })}`,
      });
    return ok({
      value,
      '@odata.deltaLink': `${base}?$deltatoken=${enc({ upto: state.upto, start: state.start, end: state.end, issued: state.issued })}`,
    });
  }

  private find(mailbox: string, id: string): EmuEvent | undefined {
    for (const e of this.store.get(mailbox.toLowerCase())?.values() ?? [])
      if (!e.deleted && (e.id === id || e.restId === id)) return e;
    return undefined;
  }

  private takeFault(method: string, path: string, mailbox: string | null, batched: boolean): Fault | null {
    for (const f of this.faults) {
      if ((f.times ?? 1) <= 0) continue;
      if (f.method && f.method !== method) continue;
      if (f.mailbox && f.mailbox.toLowerCase() !== mailbox) continue;
      if (f.pathIncludes && !path.includes(f.pathIncludes)) continue;
      if (f.batched !== undefined && f.batched !== batched) continue;
      if (f.probability !== undefined && Math.random() >= f.probability) continue;
      if (f.probability === undefined) f.times = (f.times ?? 1) - 1;
      return f;
    }
    return null;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://emulator');
    // OpenID Provider metadata: MSAL (@azure/identity) reads the token endpoint from it
    // (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri).
    if (req.method === 'GET' && url.pathname === `/${this.tenantId}/v2.0/.well-known/openid-configuration`) {
      const origin = new URL(this.tokenUrl).origin;
      return this.json(res, 200, {
        issuer: `${origin}/${this.tenantId}/v2.0`,
        token_endpoint: this.tokenUrl,
        authorization_endpoint: `${origin}/${this.tenantId}/oauth2/v2.0/authorize`,
        jwks_uri: `${origin}/${this.tenantId}/discovery/v2.0/keys`,
        end_session_endpoint: `${origin}/${this.tenantId}/oauth2/v2.0/logout`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        tenant_region_scope: 'EU',
      });
    }
    if (req.method === 'POST' && url.pathname === `/${this.tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') !== 'client_credentials')
        return this.aadError(
          res,
          400,
          'unsupported_grant_type',
          70003,
          'The app requested an unsupported grant type.',
        );
      if (form.get('client_id') !== this.clientId)
        return this.aadError(
          res,
          400,
          'unauthorized_client',
          700016,
          `Application with identifier '${form.get('client_id')}' was not found in the directory '${this.tenantId}'.`,
        );
      const assertion = form.get('client_assertion');
      if (assertion) {
        const problem = this.assertionProblem(assertion, this.tokenUrl);
        if (problem)
          return this.aadError(
            res,
            401,
            'invalid_client',
            700027,
            `Client assertion failed signature validation (${problem}).`,
          );
      } else if (form.get('client_secret') !== this.clientSecret)
        return this.aadError(
          res,
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.clientId}'.`,
        );
      const token = randomBytes(16).toString('hex');
      this.tokens.add(token);
      return this.json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: token });
    }
    const auth = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (!this.tokens.has(auth))
      return this.json(res, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' },
      });
    const path = url.pathname.replace(/^\/v1\.0/, '');
    const prefer = String(req.headers.prefer ?? '');
    const body = raw ? JSON.parse(raw) : undefined;
    if (path === '/$batch' && req.method === 'POST') return this.batch(res, body, prefer);
    if (path.startsWith('/subscriptions')) {
      const r = await this.subscriptionsRoute(req.method!, path, body);
      this.record(req.method!, path, null, prefer, false, r.status, body);
      return this.send(res, r);
    }
    const mailbox = /^\/users\/([^/]+)/.exec(path)?.[1];
    const mb = mailbox ? decodeURIComponent(mailbox).toLowerCase() : null;
    const fault = this.takeFault(req.method!, path + url.search, mb, false);
    if (fault?.answer === 'reset') return req.socket.destroy();
    if (fault?.answer === 'timeout') return; // never answers (the client's timeout fires)
    const limited = mb ? this.enter(mb) : null;
    try {
      if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
      if (limited) {
        this.record(req.method!, path + url.search, mb, prefer, false, limited.status, body);
        return this.send(res, limited);
      }
      const r =
        fault && typeof fault.answer === 'object'
          ? this.error(fault.answer)
          : this.handle(req.method!, path, url.searchParams, body, prefer);
      const final =
        fault?.answer === 'store-then-500'
          ? this.error({
              status: 500,
              code: 'InternalServerError',
              message: 'An internal server error occurred.',
            })
          : r;
      const silent = fault?.answer === 'store-then-timeout';
      this.record(req.method!, path + url.search, mb, prefer, false, silent ? 0 : final.status, body);
      if (silent) return;
      this.send(res, final);
    } finally {
      if (mb) this.inFlight.set(mb, (this.inFlight.get(mb) ?? 1) - 1);
    }
  }

  /** Counts the request against the mailbox's concurrency; an answer when over the limit. */
  private enter(mb: string): { status: number; headers: Record<string, string>; body: unknown } | null {
    const n = (this.inFlight.get(mb) ?? 0) + 1;
    this.inFlight.set(mb, n);
    const limit = this.mailboxes.get(mb)?.concurrencyLimit;
    if (limit !== undefined && n > limit)
      return this.error({
        status: 429,
        code: 'MailboxConcurrency',
        message: 'Application is over its MailboxConcurrency limit.',
        retryAfter: 1,
      });
    return null;
  }

  private error(a: Answer) {
    const code = a.code ?? GRAPH_ERRORS[a.status] ?? 'ErrorInternalServerError';
    return {
      status: a.status,
      headers:
        a.retryAfter !== undefined ? { 'Retry-After': String(a.retryAfter) } : ({} as Record<string, string>),
      body: a.body ?? { error: { code, message: a.message ?? code } },
    };
  }

  private send(
    res: http.ServerResponse,
    r: { status: number; headers: Record<string, string>; body: unknown },
  ) {
    res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
    res.end(r.body === undefined || r.status === 204 ? undefined : JSON.stringify(r.body));
  }
  private json(res: http.ServerResponse, status: number, body: unknown) {
    this.send(res, { status, headers: {}, body });
  }

  private async batch(
    res: http.ServerResponse,
    body: {
      requests: {
        id: string;
        method: string;
        url: string;
        body?: unknown;
        headers?: Record<string, string>;
        dependsOn?: string[];
      }[];
    },
    outerPrefer: string,
  ) {
    const outerFault = this.takeFault('POST', '/$batch', null, false);
    if (outerFault?.answer === 'timeout') return;
    if (outerFault?.answer === 'reset') return res.socket?.destroy();
    if (!Array.isArray(body?.requests) || body.requests.length > 20)
      return this.send(
        res,
        this.error({ status: 400, code: 'BadRequest', message: 'Number of batch requests exceeds 20.' }),
      );
    this.batches++;
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    const mailboxes = new Set(
      body.requests
        .map((r) => /^\/users\/([^/?]+)/.exec(r.url)?.[1])
        .filter(Boolean)
        .map((m) => decodeURIComponent(m!).toLowerCase()),
    );
    for (const mb of mailboxes) {
      const limited = this.enter(mb);
      if (limited) {
        for (const m of mailboxes) this.inFlight.set(m, (this.inFlight.get(m) ?? 1) - 1);
        return this.send(res, limited);
      }
    }
    try {
      if (outerFault && typeof outerFault.answer === 'object')
        return this.send(res, this.error(outerFault.answer));
      const failed = new Set<string>();
      const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
      for (const r of body.requests) {
        const innerPrefer = String(
          Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === 'prefer')?.[1] ?? '',
        );
        if (r.dependsOn?.some((d) => failed.has(d))) {
          failed.add(r.id);
          responses.push({
            id: r.id,
            status: 424,
            headers: {},
            body: { error: { code: 'FailedDependency', message: 'Failed dependency' } },
          });
          continue;
        }
        const u = new URL(r.url, 'http://emulator');
        const mb = /^\/users\/([^/]+)/.exec(u.pathname)?.[1];
        const fault = this.takeFault(
          r.method,
          u.pathname + u.search,
          mb ? decodeURIComponent(mb).toLowerCase() : null,
          true,
        );
        let answer: { status: number; headers: Record<string, string>; body: unknown };
        if (fault && typeof fault.answer === 'object') answer = this.error(fault.answer);
        else {
          answer = this.handle(r.method, u.pathname, u.searchParams, r.body, innerPrefer || outerPrefer);
          if (fault?.answer === 'store-then-500')
            answer = this.error({ status: 500, code: 'InternalServerError' });
        }
        if (answer.status >= 400) failed.add(r.id);
        this.record(
          r.method,
          u.pathname + u.search,
          mb ? decodeURIComponent(mb).toLowerCase() : null,
          innerPrefer,
          true,
          answer.status,
          r.body,
        );
        responses.push({
          id: r.id,
          status: answer.status,
          headers: answer.headers,
          ...(answer.body === undefined ? {} : { body: answer.body }),
        });
      }
      // Any order (docs/microsoft.md, "$batch"): reversed here, callers must match by id.
      this.send(res, { status: 200, headers: {}, body: { responses: responses.reverse() } });
    } finally {
      for (const m of mailboxes) this.inFlight.set(m, (this.inFlight.get(m) ?? 1) - 1);
    }
  }

  private record(
    method: string,
    path: string,
    mailbox: string | null,
    prefer: string,
    batched: boolean,
    status: number,
    body: unknown,
  ) {
    this.log.push({
      method,
      path: decodeURIComponent(path),
      mailbox,
      prefer,
      batched,
      status,
      at: Date.now(),
      body,
    });
  }
  /** Requests sent as $batch (the outer POSTs). */
  batches = 0;

  private view(e: EmuEvent, prefer: string) {
    const immutable = /IdType="ImmutableId"/i.test(prefer);
    const { deleted: _d, restId: _r, ...rest } = e;
    return {
      ...rest,
      id: immutable ? e.id : e.restId,
      start: toUtc(e.start),
      end: toUtc(e.end),
      originalStartTimeZone: e.start.timeZone,
    };
  }

  /**
   * Drafts and sending them (https://learn.microsoft.com/graph/api/user-post-messages,
   * https://learn.microsoft.com/graph/api/message-send): create a draft (201), list by the extended-property
   * `$filter`, get one, send it (202: the draft moves to Sent Items — its REST id changes, its immutable id stays;
   * sending it again finds no draft: 404).
   */
  private messagesRoute(
    method: string,
    mailbox: string,
    m: RegExpExecArray,
    query: URLSearchParams,
    body: unknown,
    prefer: string,
  ): { status: number; headers: Record<string, string>; body: unknown } {
    const cfg = this.mailboxes.get(mailbox);
    if (cfg?.notEnabled) return this.error({ status: 404, code: 'MailboxNotEnabledForRESTAPI' });
    if (cfg?.accessDenied)
      return this.error({ status: 403, code: 'ErrorAccessDenied', message: 'Access is denied.' });
    const box = this.messages.get(mailbox) ?? new Map<string, EmuMessage>();
    this.messages.set(mailbox, box);
    const immutable = /IdType="ImmutableId"/i.test(prefer);
    const view = (x: EmuMessage) => ({
      id: immutable ? x.id : x.restId,
      isDraft: x.isDraft,
      parentFolderId: x.parentFolder,
      ...x.message,
    });
    const id = m[2] ? decodeURIComponent(m[2]) : null;
    const found = id ? [...box.values()].find((x) => x.id === id || x.restId === id) : undefined;
    const notFound = () =>
      this.error({
        status: 404,
        code: 'ErrorItemNotFound',
        message: 'The specified object was not found in the store.',
      });
    if (!id && method === 'POST') {
      const b = (body ?? {}) as Partial<SentMessage> & {
        singleValueExtendedProperties?: { id: string; value: string }[];
      };
      const { singleValueExtendedProperties, ...message } = b;
      const x: EmuMessage = {
        id: `AAkALg${randomBytes(12).toString('base64url')}`,
        restId: `AAMk${randomBytes(12).toString('base64url')}`,
        isDraft: true,
        parentFolder: 'drafts',
        message: { subject: '', body: { contentType: 'Text', content: '' }, toRecipients: [], ...message },
        singleValueExtendedProperties: singleValueExtendedProperties ?? [],
      };
      box.set(x.id, x);
      return { status: 201, headers: {}, body: view(x) };
    }
    if (!id && method === 'GET') {
      const filter = query.get('$filter');
      const f = filter
        ? /^singleValueExtendedProperties\/Any\(ep: ep\/id eq '([^']+)' and ep\/value eq '((?:[^']|'')+)'\)$/i.exec(
            filter,
          )
        : null;
      if (filter && !f)
        return this.error({ status: 400, code: 'BadRequest', message: `Unsupported filter ${filter}` });
      const list = [...box.values()].filter(
        (x) =>
          !f ||
          x.singleValueExtendedProperties.some(
            (p) => p.id.toLowerCase() === f[1]!.toLowerCase() && p.value === f[2]!.replace(/''/g, "'"),
          ),
      );
      return { status: 200, headers: {}, body: { value: list.map(view) } };
    }
    if (id && !m[3] && method === 'GET')
      return found ? { status: 200, headers: {}, body: view(found) } : notFound();
    if (id && m[3] && method === 'POST') {
      if (!found?.isDraft) return notFound();
      if (!found.message.toRecipients?.length)
        return this.error({
          status: 400,
          code: 'ErrorInvalidRecipients',
          message: 'At least one recipient is not valid.',
        });
      found.isDraft = false;
      found.parentFolder = 'sentitems';
      found.restId = `AAMk${randomBytes(12).toString('base64url')}`;
      this.sentMail.push({ from: mailbox, message: found.message });
      return { status: 202, headers: {}, body: undefined };
    }
    return this.error({ status: 405, code: 'ErrorInvalidRequest', message: 'Unsupported request.' });
  }

  /** One Graph call, as Graph answers it. */
  handle(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    prefer: string,
  ): { status: number; headers: Record<string, string>; body: unknown } {
    const d = /^\/users\/([^/]+)\/calendarView\/delta$/.exec(path);
    if (d && method === 'GET') {
      const cfg = this.mailboxes.get(decodeURIComponent(d[1]!).toLowerCase());
      if (cfg?.notEnabled) return this.error({ status: 404, code: 'MailboxNotEnabledForRESTAPI' });
      if (cfg?.accessDenied) return this.error({ status: 403, code: 'ErrorAccessDenied' });
      return this.delta(decodeURIComponent(d[1]!).toLowerCase(), query, prefer);
    }
    const sm = /^\/users\/([^/]+)\/sendMail$/.exec(path);
    if (sm && method === 'POST') {
      const message = (body as { message?: SentMessage } | undefined)?.message;
      if (!message?.toRecipients?.length)
        return this.error({ status: 400, code: 'ErrorInvalidRecipients', message: 'No recipients.' });
      this.sentMail.push({ from: decodeURIComponent(sm[1]!).toLowerCase(), message });
      return { status: 202, headers: {}, body: undefined };
    }
    const msg = /^\/users\/([^/]+)\/messages(?:\/([^/]+))?(\/send)?$/.exec(path);
    if (msg)
      return this.messagesRoute(method, decodeURIComponent(msg[1]!).toLowerCase(), msg, query, body, prefer);
    const tz = /^\/users\/([^/]+)\/mailboxSettings\/timeZone$/.exec(path);
    if (tz && method === 'GET') {
      const mailbox = decodeURIComponent(tz[1]!).toLowerCase();
      const cfg = this.mailboxes.get(mailbox);
      if (cfg?.notEnabled) return this.error({ status: 404, code: 'MailboxNotEnabledForRESTAPI' });
      if (!cfg?.timeZone)
        return this.error({ status: 403, code: 'ErrorAccessDenied', message: 'Access is denied.' });
      return {
        status: 200,
        headers: {},
        body: {
          '@odata.context': `${this.baseUrl}/$metadata#users('${mailbox}')/mailboxSettings/timeZone`,
          value: cfg.timeZone,
        },
      };
    }
    const cal = /^\/users\/([^/]+)\/calendar$/.exec(path);
    if (cal && method === 'GET') {
      const cfg = this.mailboxes.get(decodeURIComponent(cal[1]!).toLowerCase());
      if (cfg?.notEnabled)
        return this.error({
          status: 404,
          code: 'MailboxNotEnabledForRESTAPI',
          message: 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
        });
      if (cfg?.accessDenied)
        return this.error({ status: 403, code: 'ErrorAccessDenied', message: 'Access is denied.' });
      return { status: 200, headers: {}, body: { id: 'AAMkCalendar', name: 'Calendar', canEdit: true } };
    }
    const m = /^\/users\/([^/]+)\/events(?:\/([^/]+))?$/.exec(path);
    if (!m) return this.error({ status: 400, code: 'BadRequest', message: `Unsupported ${method} ${path}` });
    const mailbox = decodeURIComponent(m[1]!).toLowerCase();
    const cfg = this.mailboxes.get(mailbox);
    if (cfg?.notEnabled)
      return this.error({
        status: 404,
        code: 'MailboxNotEnabledForRESTAPI',
        message: 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
      });
    if (cfg?.accessDenied)
      return this.error({
        status: 403,
        code: 'ErrorAccessDenied',
        message: 'Access to OData is disabled: blocked by tenant configured AppOnly AccessPolicy settings.',
      });
    const events = this.store.get(mailbox) ?? new Map<string, EmuEvent>();
    this.store.set(mailbox, events);
    const id = m[2] ? decodeURIComponent(m[2]) : null;
    const ok = (status: number, b?: unknown) => ({ status, headers: {} as Record<string, string>, body: b });
    const notFound = () =>
      this.error({
        status: 404,
        code: 'ErrorItemNotFound',
        message: 'The specified object was not found in the store.',
      });

    if (method === 'POST' && !id) {
      const b = body as Partial<EmuEvent>;
      const invalid = this.validate(b);
      if (invalid) return invalid;
      const hash = createHash('sha256').update(JSON.stringify(b)).digest('hex');
      if (b.transactionId) {
        const seen = this.transactions.get(`${mailbox}|${b.transactionId}`);
        if (seen) {
          const existing = events.get(seen.eventId);
          if (seen.hash === hash && existing && !existing.deleted)
            return ok(201, this.view(existing, prefer));
          return this.error({
            status: 400,
            code: 'ErrorDuplicateTransactionId',
            message: "Your request can't be completed. A duplicate transaction ID was found.",
          });
        }
      }
      const now = new Date().toISOString();
      const e: EmuEvent = {
        id: `AAkAL${randomBytes(16).toString('base64url')}`,
        restId: `AAMk${randomBytes(12).toString('base64url')}`,
        changeKey: randomBytes(6).toString('base64url'),
        transactionId: b.transactionId ?? null,
        subject: b.subject ?? '',
        body: b.body ?? { contentType: 'text', content: '' },
        start: b.start!,
        end: b.end!,
        isAllDay: b.isAllDay ?? false,
        showAs: b.showAs ?? 'busy',
        categories: b.categories ?? [],
        isReminderOn: this.ignoreReminderOffOnCreate ? true : (b.isReminderOn ?? true),
        reminderMinutesBeforeStart: b.reminderMinutesBeforeStart ?? 15,
        attendees: b.attendees ?? [],
        singleValueExtendedProperties: b.singleValueExtendedProperties ?? [],
        createdDateTime: now,
        lastModifiedDateTime: now,
      };
      e.seq = ++this.seq;
      events.set(e.id, e);
      if (b.transactionId) this.transactions.set(`${mailbox}|${b.transactionId}`, { eventId: e.id, hash });
      return ok(201, this.view(e, prefer));
    }
    if (method === 'GET' && !id) {
      const filter = query.get('$filter');
      let list = [...events.values()].filter((e) => !e.deleted);
      if (filter) {
        const f =
          /^singleValueExtendedProperties\/Any\(ep: ep\/id eq '([^']+)' and ep\/value eq '([^']+)'\)$/.exec(
            filter,
          );
        if (!f)
          return this.error({ status: 400, code: 'BadRequest', message: `Unsupported filter ${filter}` });
        list = list.filter((e) =>
          e.singleValueExtendedProperties.some(
            (p) => p.id.toLowerCase() === f[1]!.toLowerCase() && p.value === f[2],
          ),
        );
      }
      return ok(200, { value: list.map((e) => this.view(e, prefer)) });
    }
    const e = id ? this.find(mailbox, id) : undefined;
    if (method === 'GET') return e ? ok(200, this.view(e, prefer)) : notFound();
    if (method === 'PATCH') {
      if (!e) return notFound();
      const b = body as Partial<EmuEvent>;
      const invalid = this.validate({ ...e, ...b });
      if (invalid) return invalid;
      const { transactionId: _t, singleValueExtendedProperties: _s, ...fields } = b;
      Object.assign(e, fields);
      this.touch(e);
      return ok(200, this.view(e, prefer));
    }
    if (method === 'DELETE') {
      if (!e) return notFound();
      e.deleted = true;
      e.seq = ++this.seq;
      return ok(204);
    }
    return this.error({ status: 405, code: 'ErrorInvalidRequest', message: 'Method not allowed' });
  }

  /** All-day events: midnight to midnight in one zone, else ErrorPropertyValidationFailure (docs-contrib#5453). */
  private validate(b: Partial<EmuEvent>) {
    if (!b.start || !b.end)
      return this.error({ status: 400, code: 'ErrorInvalidRequest', message: 'start and end are required' });
    try {
      instantOf(b.start);
      instantOf(b.end);
    } catch {
      return this.error({
        status: 400,
        code: 'TimeZoneNotSupportedException',
        message: 'A valid TimeZone value must be specified.',
      });
    }
    if (b.isAllDay) {
      const midnight = (t: DateTimeTimeZone) => /T00:00:00(\.0+)?$/.test(t.dateTime);
      if (
        !midnight(b.start) ||
        !midnight(b.end) ||
        b.start.timeZone !== b.end.timeZone ||
        instantOf(b.end) <= instantOf(b.start)
      )
        return this.error({
          status: 400,
          code: 'ErrorPropertyValidationFailure',
          message: 'At least one property failed validation.',
        });
    }
    return null;
  }
}

/** Starts an emulator on a random loopback port. */
export async function startGraphEmulator(): Promise<GraphEmulator> {
  return new GraphEmulator().start();
}
