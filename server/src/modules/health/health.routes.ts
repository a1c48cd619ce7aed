import { ErrorBody } from '@crm/shared';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';

/** GET /api/v1/health: 200 when the database answers, else 503 UNAVAILABLE. */
export async function healthRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok') }),
          503: ErrorBody,
        },
      },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(opts.db);
      } catch (err) {
        reply.log.error({ err }, 'database health check failed');
        return reply.status(503).send({
          statusCode: 503,
          code: 'UNAVAILABLE',
          message: 'Database unavailable',
          requestId: reply.request.id,
        });
      }
      return { status: 'ok' as const, database: 'ok' as const };
    },
  );

  // No database, no auth: what a load balancer probes, and the benchmark's baseline of a trivial JSON route.
  app.get(
    '/version',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        response: { 200: Type.Object({ name: Type.String(), api: Type.String() }) },
      },
    },
    async () => ({ name: 'bank-crm-outlook', api: 'v1' }),
  );
}
