import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { AppError, FIELD_MESSAGE_KEYWORD } from '@crm/shared';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import fastifyEtag from '@fastify/etag';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchema,
  type FastifySchemaCompiler,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { Type } from 'typebox';
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { adminRoutes } from './modules/admin/admin.routes.ts';
import { creditSettingsRoutes } from './modules/admin/credit-settings.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { authConfigRoutes } from './modules/auth/auth-config.routes.ts';
import { devAuthRoutes, meRoutes } from './modules/auth/dev-auth.routes.ts';
import { calendarFeedsRoutes } from './modules/calendar-feeds/calendar-feeds.routes.ts';
import { calendarSyncRoutes } from './modules/calendar-sync/calendar-sync.routes.ts';
import { clientsRoutes } from './modules/clients/clients.routes.ts';
import { creditRoutes } from './modules/credit/credit.routes.ts';
import { devInboxRoutes } from './modules/demo/demo.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { interactionsRoutes } from './modules/interactions/interactions.routes.ts';
import { m365Routes } from './modules/m365/m365.routes.ts';
import type { M365Context } from './modules/m365/m365.service.ts';
import { mailContextRoutes } from './modules/mail-context/mail-context.routes.ts';
import { meSettingsRoutes } from './modules/me-settings/me-settings.routes.ts';
import { prospectsRoutes } from './modules/prospects/prospects.routes.ts';
import { tasksRoutes } from './modules/tasks/tasks.routes.ts';
import { teamRoutes } from './modules/tasks/team.routes.ts';
import { taskCatalogRoutes, workSettingsAdminRoutes } from './modules/work-settings/work-settings.routes.ts';
import { authPlugin } from './plugins/auth.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { refuseNulCharacters } from './plugins/input-guard.ts';

/** The Fastify instance with the TypeBox type provider, as route modules receive it. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type AppOptions = {
  config: Pick<
    Config,
    | 'devAuth'
    | 'jwtSecret'
    | 'tokenTtlSeconds'
    | 'addinDist'
    | 'logLevel'
    | 'entra'
    | 'corsOrigins'
    | 'frameAncestors'
    | 'rateLimit'
    | 'bodyLimitBytes'
    | 'trustProxy'
    | 'idempotencyTtlHours'
    | 'attachmentMaxBytes'
    | 'interactionMaxBytes'
  >;
  db: Db;
  /** Base of links the API hands out (calendar feed URLs); default: the request's own origin. */
  publicUrl?: string;
  /** pino options or false; tests pass false. */
  logger?: boolean | object;
  /**
   * The Microsoft 365 connection's context: the environment whose variables the admin page's settings name
   * (secrets are read from it, never stored) and the CRM_GRAPH_* defaults. Default: empty, Graph off.
   */
  m365?: M365Context;
};

/** One registered route, as collected at registration (the access-matrix test and docs read this). */
export type RouteEntry = { method: string; url: string; public: boolean; schema: Record<string, unknown> };

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on the app, in registration order (HEAD twins of GETs excluded). */
    routeTable: RouteEntry[];
  }
}

const NoQueryString = Type.Object({}, { additionalProperties: false });

/**
 * Content-Security-Policy of everything we serve: the pane (Vite build: module scripts from 'self', Office.js
 * from Microsoft's CDN, Griffel's injected style tags need 'unsafe-inline' styles), the OpenAPI page and the
 * API. Framing only by the configured Outlook origins; the Entra authority is reachable for MSAL.
 */
export function contentSecurityPolicy(config: Pick<Config, 'frameAncestors' | 'entra'>) {
  const authority = config.entra
    ? [...new Set([config.entra.authorityHost, new URL(config.entra.signInAuthority).origin])]
    : [];
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", 'https://appsforoffice.microsoft.com'],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'", ...authority],
      frameSrc: ["'self'", ...authority],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: config.frameAncestors,
    },
  };
}

// Two validators: query strings and path parameters arrive as text and are coerced to their schema's types
// (`?limit=5` is a number); JSON bodies are taken as sent, so `"title": 123` or `"version": "4"` are refused
// rather than silently converted. Unknown properties are refused, never dropped.
// `verbose` keeps the failing schema on each error, so a schema's own wording (`x-message`, e.g. "must be an
// https URL") replaces Ajv's ("must match pattern ...") in the 400's message.
const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false, verbose: true } as const;
const withMessages = (ajv: Ajv) => {
  ajv.addKeyword({ keyword: FIELD_MESSAGE_KEYWORD, schemaType: 'string' });
  return addFormats(ajv);
};
const ajvForBodies = withMessages(new Ajv({ ...ajvOptions, coerceTypes: false }));
const ajvForText = withMessages(new Ajv({ ...ajvOptions, coerceTypes: 'array' }));
const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? ajvForBodies : ajvForText).compile(schema as object);

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
                // A feed URL carries its credential: the token is never logged.
                path: req.url.split('?')[0]!.replace(/\/calendar-feeds\/[^/]+/, '/calendar-feeds/[token]'),
                requestId: req.id,
              }),
            },
          }
        : opts.logger,
    genReqId: () => randomUUID(),
    bodyLimit: opts.config.bodyLimitBytes,
    // A hop count becomes a function: Fastify's types take hops only that way.
    trustProxy:
      typeof opts.config.trustProxy === 'number'
        ? (
            (hops: number) => (_addr: string, i: number) =>
              i < hops
          )(opts.config.trustProxy)
        : opts.config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);

  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    // An API route that declares no query parameters accepts none (unknown properties are refused everywhere).
    if (route.url?.startsWith('/api/') && route.schema && !route.schema.querystring)
      route.schema.querystring = NoQueryString;
    if (route.method === 'HEAD' && route.url && routeTable.some((r) => r.url === route.url)) return;
    for (const method of [route.method].flat())
      routeTable.push({
        method,
        url: route.url,
        public: Boolean(route.config?.public),
        schema: (route.schema ?? {}) as Record<string, unknown>,
      });
  });

  await app.register(errorsPlugin);
  // X-Frame-Options would forbid Outlook to frame the pane: CSP frame-ancestors says who may. COOP same-origin
  // breaks the Office dialog API (error 12006). Outlook loads the add-in's icons cross-origin: CORP allows it.
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: contentSecurityPolicy(opts.config),
    frameguard: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  if (opts.config.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: opts.config.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-none-match'],
      exposedHeaders: ['etag', 'x-request-id', 'retry-after', 'idempotent-replayed'],
      credentials: false,
      maxAge: 600,
    });
  }
  // Rate limits (in-process store: per instance). Per IP on every request, unknown routes (404) included, so
  // URL guessing and token spraying are slowed; per user after authentication. 0 turns a limit off.
  await app.register(fastifyRateLimit, { global: false, cache: 20_000 });
  const limiter = (max: number, key: (r: FastifyRequest) => string) => {
    if (max <= 0) return async () => {};
    const check = app.createRateLimit({ max, timeWindow: 60_000, keyGenerator: key });
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const s = await check(request);
      if (!s.isAllowed && s.isExceeded) {
        reply.header('retry-after', String(s.ttlInSeconds));
        throw new AppError('RATE_LIMITED', `Too many requests: retry in ${s.ttlInSeconds} s`);
      }
    };
  };
  const perIp = limiter(opts.config.rateLimit.perIpPerMinute, (r) => `ip:${r.ip}`);
  const perUser = limiter(opts.config.rateLimit.perUserPerMinute, (r) => `user:${r.principal.id}`);
  app.addHook('onRequest', perIp);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
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
    devAuth: opts.config.devAuth,
    entra: opts.config.entra,
  });

  await app.register(
    async (api: ApiApp) => {
      await api.register(fastifyEtag);
      api.addHook('onRequest', async (request, reply) => {
        if (request.routeOptions.config.public) return;
        await app.authenticate(request);
        await perUser(request, reply);
      });
      api.addHook('preValidation', refuseNulCharacters);
      // Client data must not sit in shared caches or the browser's disk cache.
      api.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'private, no-store');
      });
      await api.register(healthRoutes, { db: opts.db });
      await api.register(authConfigRoutes, { config: opts.config });
      if (opts.config.devAuth) {
        await api.register(devAuthRoutes, { db: opts.db });
        await api.register(devInboxRoutes, { db: opts.db });
      }
      await api.register(meRoutes);
      await api.register(mailContextRoutes, { db: opts.db });
      await api.register(clientsRoutes, { db: opts.db });
      await api.register(tasksRoutes, { db: opts.db, idempotencyTtlHours: opts.config.idempotencyTtlHours });
      await api.register(auditRoutes, { db: opts.db });
      await api.register(adminRoutes, { db: opts.db });
      await api.register(m365Routes, {
        db: opts.db,
        m365: opts.m365 ?? {
          env: {},
          defaults: { graph: null, mailboxConcurrency: 4, serviceMailbox: null },
        },
        entra: opts.config.entra,
      });
      await api.register(workSettingsAdminRoutes, { db: opts.db });
      await api.register(taskCatalogRoutes, { db: opts.db });
      await api.register(creditSettingsRoutes, { db: opts.db });
      await api.register(calendarSyncRoutes, { db: opts.db });
      await api.register(teamRoutes, { db: opts.db });
      await api.register(calendarFeedsRoutes, { db: opts.db, publicUrl: opts.publicUrl });
      await api.register(meSettingsRoutes, { db: opts.db });
      await api.register(interactionsRoutes, {
        db: opts.db,
        attachmentMaxBytes: opts.config.attachmentMaxBytes,
        interactionMaxBytes: opts.config.interactionMaxBytes,
      });
      await api.register(prospectsRoutes, { db: opts.db });
      await api.register(creditRoutes, { db: opts.db });
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
