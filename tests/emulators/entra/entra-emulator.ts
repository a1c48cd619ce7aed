import { execFileSync } from 'node:child_process';
import {
  createHash,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign as rsaSign,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// A local stand-in for Entra ID: what our API reads to validate tokens, and what MSAL in the pane talks to.
//   GET  /{tenant}/v2.0/.well-known/openid-configuration   OpenID metadata (tenant: a tid, organizations, common)
//   GET  /{tid}/discovery/v2.0/keys                         the JWKS (RS256 keys with kid, x5t)
//   GET  /{tenant}/oauth2/v2.0/authorize                    auth code + PKCE for a registered SPA: the configured
//                                                           user is already signed in (SSO), so it redirects back
//                                                           at once with a code (or an error, as Entra does)
//   POST /{tenant}/oauth2/v2.0/token                        redeems the code (PKCE S256 checked): access + ID token
//   POST /emulator/broker/token                             what an Outlook host does for nested app auth: a token
//                                                           for the registered SPA + user, for a named API scope
// It signs tokens with its own RSA keys, rotates them like Entra does (a new key is published next to the
// old ones), and can mint every forgery the validation must refuse. Contract: docs/microsoft.md "Sign-in".
// With `https: true` it also listens on https (a throwaway self-signed certificate; browsers are told to
// accept it): MSAL refuses an http authority. Tokens then name the https address as issuer (`publicUrl`);
// the API may keep reading metadata and keys over http (CRM_ENTRA_METADATA_URL).

type SigningKey = { kid: string; privateKey: KeyObject; publicKey: KeyObject; published: boolean };
export type Claims = Record<string, unknown>;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** The add-in's app registration and the API it asks for, as the emulator knows them. */
export type EmulatedApp = {
  /** The SPA's client id (CRM_ENTRA_SPA_CLIENT_ID). */
  clientId: string;
  /** Registered SPA redirect URIs, exact match (e.g. `http://127.0.0.1:3000/auth-dialog.html`). */
  redirectUris: string[];
  /** The API's App ID URI: requested scopes are `{appIdUri}/{scope}`. */
  appIdUri: string;
  /** `aud` of the API's v2 access tokens (its client id). */
  audience: string;
  /** Delegated scopes the API exposes, default ['access_as_user']. */
  scopes?: string[];
};

/** The user signed in to this emulated Entra (their browser session): who the authorize endpoint answers for. */
export type EmulatedUser = { tid: string; oid: string; name: string; username: string };

export type EntraEmulator = {
  /** Authority host over http, e.g. http://127.0.0.1:40123 (what the API reads metadata and keys from). */
  url: string;
  /** The address tokens name as issuer host: the https listener when started with `https`, else `url`. */
  publicUrl: string;
  /** The app registration the authorize/token/broker endpoints serve (null: none registered). */
  app: EmulatedApp | null;
  /** The signed-in user (null: nobody — authorize answers `login_required`, the broker `interaction_required`). */
  user: EmulatedUser | null;
  /** Every authorize, token and broker request, for assertions (parameters, never tokens). */
  requests: { endpoint: 'authorize' | 'token' | 'broker'; params: Record<string, string> }[];
  /** How many times each tenant's JWKS was fetched. */
  jwksFetches: Map<string, number>;
  /** The v2 issuer of a tenant: `{url}/{tid}/v2.0`. */
  issuer: (tid: string) => string;
  /** kid of the key tokens are signed with by default (the newest published one). */
  currentKid: () => string;
  /** Makes a new key; published (rotation) unless `publish: false` (a key nobody can know). Returns its kid. */
  addKey: (opts?: { publish?: boolean }) => string;
  /** Publishes a key made earlier with `publish: false`. */
  publish: (kid: string) => void;
  /** SPKI PEM of a published key: what an attacker has, for the HS256 alg-confusion forgery. */
  publicKeyPem: (kid?: string) => string;
  /** Signs `claims` with RS256 and the given (or current) key; `header` adds or overrides header fields. */
  sign: (claims: Claims, opts?: { kid?: string; header?: Record<string, unknown> }) => string;
  /** HS256 "signed" with a public key as the HMAC secret (alg confusion). */
  signHs256WithPublicKey: (claims: Claims, kid?: string) => string;
  /** `alg: none`, no signature. */
  unsigned: (claims: Claims) => string;
  /** Tenants whose metadata answers 500 (an outage). */
  failingTenants: Set<string>;
  close: () => Promise<void>;
};

const GUID_PATH = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TENANT_PATH = `(${GUID_PATH}|organizations|common)`;

/** A self-signed certificate for 127.0.0.1, made with the system's openssl, valid for a day. */
function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'entra-emulator-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type PendingCode = {
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce: string | null;
  codeChallenge: string;
  user: EmulatedUser;
  expiresAt: number;
};

export async function startEntraEmulator(opts: { https?: boolean } = {}): Promise<EntraEmulator> {
  const keys: SigningKey[] = [];
  const jwksFetches = new Map<string, number>();
  const failingTenants = new Set<string>();
  const codes = new Map<string, PendingCode>();
  let url = '';
  let publicUrl = '';

  const addKey = (opts: { publish?: boolean } = {}) => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID().replaceAll('-', '').slice(0, 27);
    keys.push({ kid, privateKey, publicKey, published: opts.publish ?? true });
    return kid;
  };
  const keyOf = (kid?: string) => {
    const k = kid ? keys.find((x) => x.kid === kid) : [...keys].reverse().find((x) => x.published);
    if (!k) throw new Error(`no key ${kid}`);
    return k;
  };
  addKey();

  const state: Pick<EntraEmulator, 'app' | 'user' | 'requests'> = { app: null, user: null, requests: [] };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestUrl = new URL(req.url ?? '/', 'http://emulator');
    const path = requestUrl.pathname;
    // Endpoints are named on the address the caller used (the API over http, a browser over https).
    const origin = `${'encrypted' in req.socket ? 'https' : 'http'}://${req.headers.host}`;
    // Entra answers SPAs cross-origin (MSAL in the pane fetches metadata and redeems codes).
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-max-age': '600',
      });
      return res.end();
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    let m = new RegExp(`^/${TENANT_PATH}/v2\\.0/\\.well-known/openid-configuration$`).exec(path);
    if (m) {
      const tenant = m[1]!;
      if (failingTenants.has(tenant)) return send(500, { error: 'temporarily_unavailable' });
      // As Entra: a tenant's own issuer; `{tenantid}` for the multi-tenant authorities.
      const issuerTenant = /^[0-9a-f-]{36}$/.test(tenant) ? tenant : '{tenantid}';
      return send(200, {
        issuer: `${publicUrl}/${issuerTenant}/v2.0`,
        authorization_endpoint: `${origin}/${tenant}/oauth2/v2.0/authorize`,
        token_endpoint: `${origin}/${tenant}/oauth2/v2.0/token`,
        end_session_endpoint: `${origin}/${tenant}/oauth2/v2.0/logout`,
        jwks_uri: `${origin}/${tenant}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        code_challenge_methods_supported: ['plain', 'S256'],
        subject_types_supported: ['pairwise'],
        tenant_region_scope: 'EU',
      });
    }
    m = new RegExp(`^/${TENANT_PATH}/discovery/v2\\.0/keys$`).exec(path);
    if (m) {
      jwksFetches.set(m[1]!, (jwksFetches.get(m[1]!) ?? 0) + 1);
      return send(200, {
        keys: keys
          .filter((k) => k.published)
          .map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, x5t: k.kid, use: 'sig' })),
      });
    }
    m = new RegExp(`^/${TENANT_PATH}/oauth2/v2\\.0/authorize$`).exec(path);
    if (m && req.method === 'GET') return authorize(requestUrl.searchParams, res);
    m = new RegExp(`^/${TENANT_PATH}/oauth2/v2\\.0/token$`).exec(path);
    if (m && req.method === 'POST') return send(...redeem(new URLSearchParams(await readBody(req))));
    if (path === '/emulator/broker/token' && req.method === 'POST') {
      let params: Record<string, string> = {};
      try {
        params = JSON.parse(await readBody(req));
      } catch {}
      return send(...broker(params));
    }
    send(404, { error: 'not_found' });
  };

  const resourceScopes = (app: EmulatedApp) =>
    (app.scopes ?? ['access_as_user']).map((s) => `${app.appIdUri.replace(/\/+$/, '')}/${s}`);

  /** Tokens for `user` and the registered app, the way Entra's v2 endpoint issues them. */
  const tokensFor = (app: EmulatedApp, user: EmulatedUser, granted: string[], nonce: string | null) => {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = sign(
      accessTokenClaims(
        { issuer },
        {
          tid: user.tid,
          oid: user.oid,
          audience: app.audience,
          scope: granted.map((g) => g.slice(g.lastIndexOf('/') + 1)).join(' '),
          name: user.name,
          username: user.username,
        },
        { azp: app.clientId },
      ),
    );
    const idToken = sign({
      aud: app.clientId,
      iss: issuer(user.tid),
      iat: now,
      nbf: now,
      exp: now + 3600,
      name: user.name,
      oid: user.oid,
      preferred_username: user.username,
      sub: createHash('sha256').update(`${user.oid}|${app.clientId}`).digest('base64url'),
      tid: user.tid,
      ver: '2.0',
      ...(nonce ? { nonce } : {}),
    });
    const clientInfo = Buffer.from(JSON.stringify({ uid: user.oid, utid: user.tid })).toString('base64url');
    return { accessToken, idToken, clientInfo, expiresIn: 3600 };
  };

  /** The requested resource scopes this app may have; an error when none of ours is named. */
  const grant = (
    app: EmulatedApp,
    scope: string,
  ): string[] | { error: string; error_description: string } => {
    const requested = scope.split(/\s+/).filter(Boolean);
    const ours = resourceScopes(app);
    const unknown = requested.filter(
      (r) => !ours.includes(r) && !['openid', 'profile', 'email', 'offline_access'].includes(r),
    );
    if (unknown.length > 0)
      return { error: 'invalid_scope', error_description: `AADSTS70011: unknown scope ${unknown.join(' ')}` };
    const granted = requested.filter((r) => ours.includes(r));
    // Asking only for openid/profile crashed Outlook on Mac and mobile (office-js#5001): name the API.
    if (granted.length === 0)
      return { error: 'invalid_request', error_description: 'No resource scope: name the API scope' };
    return granted;
  };

  const authorize = (q: URLSearchParams, res: ServerResponse) => {
    const params = Object.fromEntries(q);
    state.requests.push({ endpoint: 'authorize', params });
    const app = state.app;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!app || q.get('client_id') !== app.clientId || !app.redirectUris.includes(redirectUri)) {
      // Entra shows its own error page then: it never redirects to an unregistered address.
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('AADSTS50011: the redirect URI does not match the application');
    }
    const fragment = (q.get('response_mode') ?? 'fragment') === 'fragment';
    const back = (answer: Record<string, string>) => {
      const a = new URLSearchParams({ ...answer, ...(q.has('state') ? { state: q.get('state')! } : {}) });
      res.writeHead(302, {
        location: `${redirectUri}${fragment ? '#' : '?'}${a}`,
        'cache-control': 'no-store',
      });
      res.end();
    };
    if (
      q.get('response_type') !== 'code' ||
      q.get('code_challenge_method') !== 'S256' ||
      !q.get('code_challenge')
    )
      return back({ error: 'invalid_request', error_description: 'AADSTS9002325: PKCE (S256) is required' });
    const granted = grant(app, q.get('scope') ?? '');
    if (!Array.isArray(granted)) return back(granted);
    if (!state.user)
      return back({ error: 'login_required', error_description: 'AADSTS50058: no user is signed in' });
    const code = randomBytes(24).toString('base64url');
    codes.set(code, {
      clientId: app.clientId,
      redirectUri,
      scope: granted.join(' '),
      nonce: q.get('nonce'),
      codeChallenge: q.get('code_challenge')!,
      user: state.user,
      expiresAt: Date.now() + 5 * 60_000,
    });
    const clientInfo = Buffer.from(JSON.stringify({ uid: state.user.oid, utid: state.user.tid })).toString(
      'base64url',
    );
    back({ code, client_info: clientInfo, session_state: randomUUID() });
  };

  const redeem = (f: URLSearchParams): [number, unknown] => {
    const params = Object.fromEntries(f);
    state.requests.push({ endpoint: 'token', params: { ...params, code: params.code ? '(code)' : '' } });
    const pending = codes.get(f.get('code') ?? '');
    const app = state.app;
    const invalid = (description: string): [number, unknown] => [
      400,
      { error: 'invalid_grant', error_description: description },
    ];
    if (f.get('grant_type') !== 'authorization_code' || !pending || !app)
      return invalid('AADSTS70008: the code is unknown, used or expired');
    codes.delete(f.get('code')!); // a code redeems once
    if (pending.expiresAt < Date.now()) return invalid('AADSTS70008: the code has expired');
    if (f.get('client_id') !== pending.clientId || f.get('redirect_uri') !== pending.redirectUri)
      return invalid('AADSTS50148: client id or redirect URI differ from the authorize request');
    const verifier = f.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge)
      return invalid('AADSTS501481: the code verifier does not match the code challenge');
    const t = tokensFor(app, pending.user, pending.scope.split(' '), pending.nonce);
    return [
      200,
      {
        token_type: 'Bearer',
        scope: pending.scope,
        expires_in: t.expiresIn,
        ext_expires_in: t.expiresIn,
        access_token: t.accessToken,
        refresh_token: randomBytes(32).toString('base64url'),
        id_token: t.idToken,
        client_info: t.clientInfo,
      },
    ];
  };

  // Nested app auth: Outlook asks Entra for the nested app with its own session; the emulated host (office.js
  // emulator) asks here. Answers in the bridge's TokenResponse + AccountInfo shapes (msal-browser src/naa).
  const broker = (p: Record<string, string>): [number, unknown] => {
    state.requests.push({ endpoint: 'broker', params: { clientId: p.clientId ?? '', scope: p.scope ?? '' } });
    const app = state.app;
    if (!app || p.clientId !== app.clientId)
      return [400, { error: 'unauthorized_client', error_description: 'AADSTS700016: unknown client' }];
    const granted = grant(app, p.scope ?? '');
    if (!Array.isArray(granted)) return [400, granted];
    if (!state.user) return [400, { error: 'interaction_required', error_description: 'no user signed in' }];
    const t = tokensFor(app, state.user, granted, null);
    const host = new URL(publicUrl).host;
    return [
      200,
      {
        token: {
          access_token: t.accessToken,
          expires_in: t.expiresIn,
          id_token: t.idToken,
          properties: null,
          scope: granted.join(' '),
          authority: `${publicUrl}/${state.user.tid}`,
        },
        account: {
          homeAccountId: `${state.user.oid}.${state.user.tid}`,
          environment: host,
          tenantId: state.user.tid,
          username: state.user.username,
          localAccountId: state.user.oid,
          name: state.user.name,
        },
      },
    ];
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: String(err) }));
    });
  };
  const server: Server = createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  publicUrl = url;
  let tls: Server | null = null;
  if (opts.https) {
    tls = createHttpsServer(selfSignedCertificate(), onRequest);
    await new Promise<void>((resolve) => tls!.listen(0, '127.0.0.1', resolve));
    publicUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  }
  const issuer = (tid: string) => `${publicUrl}/${tid}/v2.0`;

  const sign = (claims: Claims, opts: { kid?: string; header?: Record<string, unknown> } = {}) => {
    const key = keyOf(opts.kid);
    const data = `${b64({ typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid, ...opts.header })}.${b64(claims)}`;
    return `${data}.${rsaSign('RSA-SHA256', Buffer.from(data), key.privateKey).toString('base64url')}`;
  };

  const close = (srv: Server | null) =>
    new Promise<void>((resolve, reject) => {
      if (!srv) return resolve();
      srv.closeAllConnections();
      srv.close((e) => (e ? reject(e) : resolve()));
    });

  const emulator: EntraEmulator = {
    url,
    publicUrl,
    get app() {
      return state.app;
    },
    set app(v) {
      state.app = v;
    },
    get user() {
      return state.user;
    },
    set user(v) {
      state.user = v;
    },
    requests: state.requests,
    jwksFetches,
    failingTenants,
    issuer,
    currentKid: () => keyOf().kid,
    addKey,
    publish: (kid) => {
      keyOf(kid).published = true;
    },
    publicKeyPem: (kid) => keyOf(kid).publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    sign,
    signHs256WithPublicKey: (claims, kid) => {
      const key = keyOf(kid);
      const pem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const data = `${b64({ typ: 'JWT', alg: 'HS256', kid: key.kid })}.${b64(claims)}`;
      return `${data}.${createHmac('sha256', pem).update(data).digest('base64url')}`;
    },
    unsigned: (claims) => `${b64({ typ: 'JWT', alg: 'none' })}.${b64(claims)}.`,
    close: async () => {
      await Promise.all([close(server), close(tls)]);
    },
  };
  return emulator;
}

/** Claims of a valid v2 delegated access token for our API, as Entra ID issues them. */
export function accessTokenClaims(
  emulator: Pick<EntraEmulator, 'issuer'>,
  t: { tid: string; oid: string; audience: string; scope?: string; name?: string; username?: string },
  extra: Claims = {},
): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: t.audience,
    iss: emulator.issuer(t.tid),
    iat: now - 5,
    nbf: now - 5,
    exp: now + 3600,
    aio: 'emulated',
    azp: '11111111-2222-3333-4444-555555555555',
    azpacr: '0',
    name: t.name ?? 'Emulated User',
    oid: t.oid,
    preferred_username: t.username ?? 'user@bank.example',
    rh: 'emulated',
    scp: t.scope ?? 'access_as_user',
    sub: randomUUID(),
    tid: t.tid,
    uti: randomUUID().replaceAll('-', '').slice(0, 22),
    ver: '2.0',
    ...extra,
  };
}
