import { AppError, ClientCard, ClientSearchQuery, ClientSearchResult, IdParams } from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { getClientCard, searchClientsFor } from './clients.service.ts';

/** GET /clients?q= (name, INN, email or phone) and GET /clients/:id (the full card). */
export async function clientsRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/clients',
    { schema: { tags: ['clients'], querystring: ClientSearchQuery, response: { 200: ClientSearchResult } } },
    async (request) =>
      searchClientsFor(
        opts.db,
        request.principal,
        originOf(request),
        request.query.q,
        request.query.limit ?? 20,
      ),
  );
  app.get(
    '/clients/:id',
    { schema: { tags: ['clients'], params: IdParams, response: { 200: ClientCard } } },
    async (request) => {
      const card = await getClientCard(opts.db, request.principal, originOf(request), request.params.id);
      if (!card) throw new AppError('NOT_FOUND', 'No such client, or it is not visible to you', 'params.id');
      return card;
    },
  );
}
