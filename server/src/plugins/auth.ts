import { AppError } from '@crm/shared';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { decodeProtectedHeader } from 'jose';
import type { EntraConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { type RequestOrigin, recordAudit, recordAuditOnce } from '../modules/audit/audit.repository.ts';
import { principalForEntraIdentity } from '../modules/auth/entra-sign-in.service.ts';
import { EntraTokenVerifier } from '../modules/auth/entra-token.ts';
import { loadPrincipal, type Principal } from '../modules/auth/principal.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer token and loads the principal, else 401/403. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal;
    /** The Entra identity a request signed in with (tid, oid), kept for the audit of a refused sign-in. */
    signInAttempt: { tid: string; oid: string } | null;
  }
  interface FastifyContextConfig {
    /** Routes marked public skip authentication (health, dev sign-in). */
    public?: boolean;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string };
    user: { sub: string };
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `iss` of the dev sign-in's HS256 tokens: they are told apart from Entra ID's RS256 ones by alg and issuer. */
export const DEV_TOKEN_ISSUER = 'crm-dev-sign-in';

/** Where a request came from, for the audit trail. */
export function originOf(request: FastifyRequest, channel = 'api'): RequestOrigin {
  const ua = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    channel,
    requestId: request.id,
  };
}

function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1] ?? null;
}

export type AuthOptions = {
  db: Db;
  jwtSecret: string;
  tokenTtlSeconds: number;
  /** Accept the dev sign-in's HS256 tokens (CRM_DEV_AUTH). */
  devAuth: boolean;
  /** Accept Entra ID RS256 access tokens; null: off. */
  entra: EntraConfig | null;
};

/**
 * Bearer-token authentication. Two verifiers, chosen by the token header's `alg` and never crossed:
 * HS256 → the dev sign-in's tokens (@fastify/jwt, HS256 pinned, our issuer), only with CRM_DEV_AUTH;
 * RS256 → Entra ID access tokens (jose, RS256 pinned, keys from the tenant's JWKS), only when configured.
 * Anything else (alg none, an HS256 token "signed" with a public key while dev sign-in is off...) is 401.
 * Users are looked up on every request so a deactivated user is refused at once. Every 403 answer of the
 * app is written to the audit log here (`access.denied`), whichever route or hook refused.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: AuthOptions) => {
    await app.register(fastifyJwt, {
      secret: opts.jwtSecret,
      sign: { algorithm: 'HS256', expiresIn: opts.tokenTtlSeconds, iss: DEV_TOKEN_ISSUER },
      // fast-jwt checks allowedIss only when iss is present: require it (and exp, sub) too.
      verify: { algorithms: ['HS256'], allowedIss: DEV_TOKEN_ISSUER, requiredClaims: ['iss', 'exp', 'sub'] },
    });
    const entra = opts.entra ? new EntraTokenVerifier(opts.entra) : null;
    // Token ids already audited as a sign-in by this process (the database check covers other instances).
    const signedIn = new Set<string>();

    app.decorateRequest('principal', null as unknown as Principal);
    app.decorateRequest('signInAttempt', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (!token) throw new AppError('UNAUTHENTICATED', 'Sign in: the request carries no access token');
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw new AppError('TOKEN_INVALID', 'The access token is malformed');
      }
      let principal: Principal | null;
      if (alg === 'HS256' && opts.devAuth) {
        try {
          await request.jwtVerify();
        } catch (err) {
          const expired = /EXPIRED/.test(String((err as { code?: string }).code));
          throw new AppError(
            expired ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID',
            expired ? 'The access token has expired: sign in again' : 'The access token is invalid',
          );
        }
        // Our own tokens carry a user id; anything else in `sub` (a number, an array) is not one of ours.
        const sub: unknown = request.user.sub;
        if (typeof sub !== 'string' || !UUID_RE.test(sub)) {
          throw new AppError('TOKEN_INVALID', 'The access token is invalid');
        }
        principal = await loadPrincipal(opts.db, sub);
      } else if (alg === 'RS256' && entra && opts.entra) {
        const identity = await entra.verify(token);
        request.signInAttempt = { tid: identity.tid, oid: identity.oid };
        const origin = originOf(request, 'sign-in');
        principal = await principalForEntraIdentity(opts.db, opts.entra, identity, origin);
        if (identity.tokenId && !signedIn.has(identity.tokenId)) {
          if (signedIn.size >= 10_000) signedIn.clear();
          signedIn.add(identity.tokenId);
          await recordAuditOnce(opts.db, principal, origin, {
            action: 'auth.sign_in',
            result: 'ok',
            entity: 'token',
            entityId: identity.tokenId,
            details: { method: 'entra', tenantId: identity.tid },
          });
        }
      } else {
        throw new AppError('TOKEN_INVALID', 'This kind of access token is not accepted here');
      }
      if (!principal) {
        throw new AppError(
          'FORBIDDEN',
          'Your account is not set up in the CRM or is deactivated: ask an administrator',
        );
      }
      request.principal = principal;
    });

    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode !== 403) return payload;
      let code: unknown = null;
      try {
        code = JSON.parse(String(payload)).code;
      } catch {}
      try {
        await recordAudit(opts.db, request.principal ?? null, originOf(request), [
          {
            action: 'access.denied',
            result: 'denied',
            details: {
              method: request.method,
              route: request.routeOptions.url ?? null,
              code,
              ...(request.signInAttempt ?? {}),
            },
          },
        ]);
      } catch (err) {
        request.log.error({ err }, 'could not audit a refused request');
      }
      return payload;
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
