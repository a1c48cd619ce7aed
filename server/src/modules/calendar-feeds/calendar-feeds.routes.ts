import { AppError } from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { createFeedToken, findFeedOwner, renderFeed, revokeFeedToken } from './calendar-feeds.service.ts';

const FeedUrl = Type.Object({ url: Type.String() }, { additionalProperties: false });
/** POST without a body (or `{}`). */
const NoBody = Type.Object({}, { additionalProperties: false });
const FeedParams = Type.Object({ token: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/**
 * POST /me/calendar-feed — a new private feed URL (any previous one stops working); DELETE revokes it.
 * GET /calendar-feeds/:token.ics (public: the token is the credential) — the user's open tasks as iCalendar;
 * 404 for an unknown or revoked token. The token never reaches the logs: the route's URL is redacted.
 */
export async function calendarFeedsRoutes(app: ApiApp, opts: { db: Db; publicUrl?: string }) {
  const baseOf = (request: { protocol: string; host: string }) =>
    opts.publicUrl ?? `${request.protocol}://${request.host}`;
  app.post(
    '/me/calendar-feed',
    {
      schema: { tags: ['calendar-feeds'], body: NoBody, response: { 201: FeedUrl } },
      // A bodiless POST is the usual call: validated as `{}`.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const token = await createFeedToken(opts.db, request.principal, originOf(request, 'pane'));
      return reply.status(201).send({ url: `${baseOf(request)}/api/v1/calendar-feeds/${token}.ics` });
    },
  );
  app.delete(
    '/me/calendar-feed',
    { schema: { tags: ['calendar-feeds'], response: { 204: Type.Null() } } },
    async (request, reply) => {
      await revokeFeedToken(opts.db, request.principal, originOf(request, 'pane'));
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/calendar-feeds/:token.ics',
    {
      config: { public: true },
      logLevel: 'warn',
      schema: {
        tags: ['calendar-feeds'],
        params: FeedParams,
        response: { 200: Type.String({ description: 'text/calendar (RFC 5545)' }) },
      },
    },
    async (request, reply) => {
      const userId = await findFeedOwner(opts.db, request.params.token);
      if (!userId) throw new AppError('NOT_FOUND', 'No such calendar feed');
      const base = baseOf(request);
      const body = await renderFeed(opts.db, userId, { publicUrl: base, host: new URL(base).hostname });
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'inline; filename="crm-tasks.ics"')
        .send(body);
    },
  );
}
