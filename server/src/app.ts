import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import fastifyCompress from '@fastify/compress';
import fastifyEtag from '@fastify/etag';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { devAuthRoutes, meRoutes } from './modules/auth/dev-auth.routes.ts';
import { clientsRoutes } from './modules/clients/clients.routes.ts';
import { devInboxRoutes } from './modules/demo/demo.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { mailContextRoutes } from './modules/mail-context/mail-context.routes.ts';
import { tasksRoutes } from './modules/tasks/tasks.routes.ts';
import { authPlugin } from './plugins/auth.ts';
import { errorsPlugin } from './plugins/errors.ts';

/** The Fastify instance with the TypeBox type provider, as route modules receive it. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type AppOptions = {
  config: Pick<Config, 'devAuth' | 'jwtSecret' | 'tokenTtlSeconds' | 'addinDist' | 'logLevel'>;
  db: Db;
  /** pino options or false; tests pass false. */
  logger?: boolean | object;
};

/**
 * Builds the whole HTTP app (API under /api/v1, OpenAPI at /docs, the built add-in at /) without
 * listening, so tests drive it with `app.inject()`. Reads no environment: everything comes in `opts`.
 */
export async function buildApp(opts: AppOptions): Promise<ApiApp> {
  const app = Fastify({
    logger:
      opts.logger === undefined
        ? {
            level: opts.config.logLevel,
            // Query strings can hold names, INNs and emails: log the path only; never log headers (tokens).
            serializers: {
              req: (req: { method: string; url: string; id: string }) => ({
                method: req.method,
                path: req.url.split('?')[0],
                requestId: req.id,
              }),
            },
          }
        : opts.logger,
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(errorsPlugin);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Bank CRM for Outlook API', version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyCompress, { global: true, threshold: 2048 });
  await app.register(authPlugin, {
    db: opts.db,
    jwtSecret: opts.config.jwtSecret,
    tokenTtlSeconds: opts.config.tokenTtlSeconds,
  });

  await app.register(
    async (api: ApiApp) => {
      await api.register(fastifyEtag);
      api.addHook('onRequest', async (request) => {
        if (!request.routeOptions.config.public) await app.authenticate(request);
      });
      // Client data must not sit in shared caches or the browser's disk cache.
      api.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'private, no-store');
      });
      await api.register(healthRoutes, { db: opts.db });
      if (opts.config.devAuth) {
        await api.register(devAuthRoutes, { db: opts.db });
        await api.register(devInboxRoutes, { db: opts.db });
      }
      await api.register(meRoutes);
      await api.register(mailContextRoutes, { db: opts.db });
      await api.register(clientsRoutes, { db: opts.db });
      await api.register(tasksRoutes, { db: opts.db });
    },
    { prefix: '/api/v1' },
  );

  if (existsSync(opts.config.addinDist)) {
    await app.register(fastifyStatic, {
      root: opts.config.addinDist,
      index: ['taskpane.html'],
      wildcard: false,
    });
  } else {
    app.log.warn(`add-in not built (${opts.config.addinDist} missing): run npm run build`);
  }
  return app;
}
