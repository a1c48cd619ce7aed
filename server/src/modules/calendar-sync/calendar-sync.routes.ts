import { AppError, NotSyncableMailboxes, type NotSyncableMailboxesDto } from '@crm/shared';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { isAdmin } from '../auth/principal.ts';
import {
  type GraphNotification,
  notificationKicker,
  receiveNotifications,
} from './calendar-inbound.service.ts';

const NotificationQuery = Type.Object(
  { validationToken: Type.Optional(Type.String({ maxLength: 2048 })) },
  { additionalProperties: false },
);
/** Graph's notification collection; items are checked in code (subscription id + clientState). */
const NotificationCollection = Type.Object(
  {
    value: Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 1000 }),
    validationTokens: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

/**
 * POST /graph/notifications (public: Graph calls it) — change and lifecycle notifications. With
 * `?validationToken=` it is Graph's validation handshake: the URL-decoded token back as text/plain, at once.
 * Otherwise the notifications whose clientState matches their subscription are persisted and 202 answers
 * (Graph wants a 2xx within 3 s); the others are ignored and logged.
 * GET /admin/calendar-sync/mailboxes — admins only: mailboxes parked as not syncable, with the reason.
 */
export async function calendarSyncRoutes(app: ApiApp, opts: { db: Db }) {
  const kick = notificationKicker(opts.db, (err) =>
    app.log.warn({ err: err.message }, 'queueing notification processing failed'),
  );
  app.post(
    '/graph/notifications',
    {
      config: { public: true },
      schema: {
        tags: ['calendar-sync'],
        querystring: NotificationQuery,
        body: NotificationCollection,
        response: { 200: Type.String(), 202: Type.Null() },
      },
      // Before body parsing: the handshake has an empty text/plain body.
      onRequest: async (request, reply) => {
        const token = (request.query as { validationToken?: unknown }).validationToken;
        if (typeof token === 'string') return reply.code(200).type('text/plain; charset=utf-8').send(token);
      },
    },
    async (request, reply) => {
      const result = await receiveNotifications(opts.db, request.body.value as GraphNotification[]);
      if (result.accepted > 0) kick();
      if (result.ignored > 0)
        request.log.warn(result, 'graph notifications ignored: unknown subscription or wrong clientState');
      return reply.code(202).send(null);
    },
  );

  app.get(
    '/admin/calendar-sync/mailboxes',
    { schema: { tags: ['calendar-sync'], response: { 200: NotSyncableMailboxes } } },
    async (request): Promise<NotSyncableMailboxesDto> => {
      if (!isAdmin(request.principal))
        throw new AppError('FORBIDDEN', 'Only CRM administrators may see calendar sync problems');
      const rows = await opts.db
        .selectFrom('mailbox_sync_state as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .where('m.state', '=', 'not_syncable')
        .select([
          'u.id',
          'u.name',
          'm.reason',
          'm.updated_at',
          sql<number>`(select count(*)::int from calendar_links l where l.user_id = m.user_id and l.state = 'not_syncable')`.as(
            'tasks',
          ),
        ])
        .orderBy('u.name')
        .execute();
      return {
        items: rows.map((r) => ({
          user: { id: r.id, name: r.name },
          reason: r.reason,
          since: (r.updated_at as unknown as Date).toISOString(),
          tasks: r.tasks,
        })),
      };
    },
  );
}
