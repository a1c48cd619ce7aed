import { AppError } from '@crm/shared';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/database.ts';
import type { RequestOrigin } from '../modules/audit/audit.repository.ts';
import { loadPrincipal, type Principal } from '../modules/auth/principal.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer token and loads the principal, else 401/403. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal;
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

/**
 * Bearer-token authentication. Tokens are verified by @fastify/jwt (HS256 dev tokens for now; the Entra ID
 * verifier plugs in here: the rest of the app only sees `request.principal`). Users are looked up on every
 * request so a deactivated user is refused at once.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { db: Db; jwtSecret: string; tokenTtlSeconds: number }) => {
    await app.register(fastifyJwt, {
      secret: opts.jwtSecret,
      sign: { algorithm: 'HS256', expiresIn: opts.tokenTtlSeconds },
      verify: { algorithms: ['HS256'] },
    });
    app.decorateRequest('principal', null as unknown as Principal);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      try {
        await request.jwtVerify();
      } catch {
        throw new AppError(
          'UNAUTHENTICATED',
          'Sign in again: the access token is missing, expired or invalid',
        );
      }
      const principal = await loadPrincipal(opts.db, request.user.sub);
      if (!principal) {
        throw new AppError(
          'FORBIDDEN',
          'Your account is not set up in the CRM or is deactivated: ask an administrator',
        );
      }
      request.principal = principal;
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
