import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign as rsaSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for Entra ID's token-validation surface (what our API reads, nothing more):
//   GET /{tid}/v2.0/.well-known/openid-configuration   OpenID metadata with jwks_uri
//   GET /{tid}/discovery/v2.0/keys                      the JWKS (RS256 keys with kid, x5t)
// It signs tokens with its own RSA keys, rotates them like Entra does (a new key is published next to the
// old ones), and can mint every forgery the validation must refuse. Contract: docs/microsoft.md "Sign-in".

type SigningKey = { kid: string; privateKey: KeyObject; publicKey: KeyObject; published: boolean };
export type Claims = Record<string, unknown>;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

export type EntraEmulator = {
  /** Authority host, e.g. http://127.0.0.1:40123 (CRM_ENTRA_AUTHORITY_HOST). */
  url: string;
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

export async function startEntraEmulator(): Promise<EntraEmulator> {
  const keys: SigningKey[] = [];
  const jwksFetches = new Map<string, number>();
  const failingTenants = new Set<string>();
  let url = '';

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

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let m = /^\/([0-9a-f-]{36})\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (m) {
      const tid = m[1]!;
      if (failingTenants.has(tid)) return send(500, { error: 'temporarily_unavailable' });
      return send(200, {
        issuer: `${url}/${tid}/v2.0`,
        authorization_endpoint: `${url}/${tid}/oauth2/v2.0/authorize`,
        token_endpoint: `${url}/${tid}/oauth2/v2.0/token`,
        jwks_uri: `${url}/${tid}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        subject_types_supported: ['pairwise'],
      });
    }
    m = /^\/([0-9a-f-]{36})\/discovery\/v2\.0\/keys$/.exec(path);
    if (m) {
      jwksFetches.set(m[1]!, (jwksFetches.get(m[1]!) ?? 0) + 1);
      return send(200, {
        keys: keys
          .filter((k) => k.published)
          .map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, x5t: k.kid, use: 'sig' })),
      });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign = (claims: Claims, opts: { kid?: string; header?: Record<string, unknown> } = {}) => {
    const key = keyOf(opts.kid);
    const data = `${b64({ typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid, ...opts.header })}.${b64(claims)}`;
    return `${data}.${rsaSign('RSA-SHA256', Buffer.from(data), key.privateKey).toString('base64url')}`;
  };

  return {
    url,
    jwksFetches,
    failingTenants,
    issuer: (tid) => `${url}/${tid}/v2.0`,
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
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
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
