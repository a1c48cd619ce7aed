import { AppError } from '@crm/shared';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { EntraConfig } from '../../config.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who a verified Entra ID access token speaks for. Users are keyed by `tid` + `oid`, never by email/UPN. */
export type EntraIdentity = {
  tid: string;
  oid: string;
  /** `name` claim, for provisioning only. */
  name: string | null;
  /** `preferred_username` (v2) or `upn` (v1): a display hint, never a key. */
  username: string | null;
  /** App role values (`roles`) and group ids (`groups`): what CRM_ENTRA_ROLE_MAPPING matches. */
  roles: string[];
  groups: string[];
  /** `uti` (Entra's token id) or `jti`: one sign-in audit event per token. */
  tokenId: string | null;
};

const refuse = (code: ConstructorParameters<typeof AppError>[0], message: string) =>
  new AppError(code, message);

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Validates Entra ID access tokens for our API (docs/microsoft.md, "Sign-in"): RS256 only, key by `kid` from
 * the tenant's OpenID metadata `jwks_uri` (refetched on an unknown `kid`, at most once per cooldown), `exp`
 * and `nbf` within the clock skew, `aud` one of ours, `iss` exactly the template with the token's `tid`,
 * `tid` onboarded, `scp` containing our scope. Graph tokens (a `nonce` header) and ID tokens are refused.
 * Every refusal is an AppError with a 401 code of its own; a metadata/JWKS outage is 503 UNAVAILABLE.
 * Tokens are never logged or put into messages.
 */
export class EntraTokenVerifier {
  private readonly keySets = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(
    private readonly config: EntraConfig,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async verify(token: string): Promise<EntraIdentity> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw refuse('TOKEN_INVALID', 'The access token is malformed');
    }
    // Pinned: a token naming another algorithm (none, HS256 "signed" with our public key...) never reaches a key.
    if (header.alg !== 'RS256') throw refuse('TOKEN_INVALID', 'The token algorithm is not accepted');
    // Graph's own tokens carry a nonce in the header and cannot be validated by anyone but Graph.
    if ('nonce' in header)
      throw refuse('TOKEN_INVALID', 'This is a Microsoft Graph token: request a token for the CRM API scope');
    if (typeof header.kid !== 'string' || header.kid === '')
      throw refuse('TOKEN_INVALID', 'The token names no signing key');
    const tid = typeof unverified.tid === 'string' ? unverified.tid.toLowerCase() : '';
    if (!GUID.test(tid)) throw refuse('TOKEN_INVALID', 'The token has no tenant id');
    // Checked before any key is fetched: we only ever ask the metadata of onboarded tenants.
    if (!this.config.tenants.includes(tid))
      throw refuse('TENANT_NOT_ONBOARDED', 'Your organisation is not onboarded to this CRM');

    const keys = await this.keySetFor(tid);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['RS256'],
        issuer: this.issuersFor(tid),
        audience: this.config.audiences,
        clockTolerance: this.config.clockSkewSeconds,
        requiredClaims: ['exp', 'nbf', 'iss', 'aud', 'tid', 'oid'],
      }));
    } catch (err) {
      throw mapJoseError(err);
    }
    // An ID token (maybe with our client id as aud, when pane and API share a registration) is not an access token.
    if (payload.scp === undefined && ('nonce' in payload || 'at_hash' in payload || 'c_hash' in payload))
      throw refuse('TOKEN_INVALID', 'An ID token was sent: send an access token for the CRM API scope');
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(this.config.scope))
      throw refuse('SCOPE_MISSING', `The token lacks the delegated scope ${this.config.scope}`);
    const oid = typeof payload.oid === 'string' ? payload.oid.toLowerCase() : '';
    if (!GUID.test(oid)) throw refuse('TOKEN_INVALID', 'The token has no user object id');
    const username = payload.preferred_username ?? payload.upn ?? payload.unique_name;
    const tokenId = payload.uti ?? payload.jti;
    return {
      tid,
      oid,
      name: typeof payload.name === 'string' ? payload.name : null,
      username: typeof username === 'string' ? username : null,
      roles: strings(payload.roles),
      groups: strings(payload.groups),
      tokenId: typeof tokenId === 'string' ? tokenId.slice(0, 128) : null,
    };
  }

  private issuersFor(tid: string): string[] {
    const v2 = this.config.issuerTemplate.replaceAll('{tid}', tid);
    return this.config.acceptV1 ? [v2, this.config.v1IssuerTemplate.replaceAll('{tid}', tid)] : [v2];
  }

  /** The tenant's key set, from its OpenID metadata `jwks_uri`; a failed discovery is retried next time. */
  private keySetFor(tid: string): Promise<JWTVerifyGetKey> {
    let keys = this.keySets.get(tid);
    if (!keys) {
      keys = this.discover(tid);
      this.keySets.set(tid, keys);
      keys.catch(() => this.keySets.delete(tid));
    }
    return keys;
  }

  private async discover(tid: string): Promise<JWTVerifyGetKey> {
    const url = this.config.metadataUrlTemplate.replaceAll('{tid}', tid);
    let jwksUri: unknown;
    try {
      const res = await this.fetchImpl(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      jwksUri = ((await res.json()) as { jwks_uri?: unknown }).jwks_uri;
    } catch {
      throw new AppError('UNAVAILABLE', 'The sign-in service cannot be reached: try again shortly');
    }
    if (typeof jwksUri !== 'string' || !/^https:\/\/|^http:\/\/(127\.|localhost[:/]|\[::1\])/.test(jwksUri))
      throw new AppError('UNAVAILABLE', 'The sign-in service gave no usable key set');
    return createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: this.config.jwksCooldownSeconds * 1000,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 5000,
    });
  }
}

function mapJoseError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; claim?: string; reason?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return refuse('TOKEN_EXPIRED', 'The access token has expired: sign in again');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.reason === 'missing') return refuse('TOKEN_INVALID', `The token lacks the "${e.claim}" claim`);
      if (e.claim === 'nbf') return refuse('TOKEN_NOT_YET_VALID', 'The access token is not valid yet');
      if (e.claim === 'aud') return refuse('TOKEN_AUDIENCE_INVALID', 'The access token is not for this API');
      if (e.claim === 'iss')
        return refuse('TOKEN_ISSUER_INVALID', 'The access token was not issued by the expected authority');
      return refuse('TOKEN_INVALID', 'The access token is invalid');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return refuse('TOKEN_INVALID', 'The token was signed with an unknown key');
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JOSE_GENERIC': // the key set answered non-200 or not JSON
      return new AppError('UNAVAILABLE', 'The sign-in service cannot be reached: try again shortly');
    default:
      // Key set fetch failures surface as plain errors (network) from jose.
      if (e.code === undefined && err instanceof TypeError)
        return new AppError('UNAVAILABLE', 'The sign-in service cannot be reached: try again shortly');
      return refuse('TOKEN_INVALID', 'The access token is invalid');
  }
}
