import {
  AddContactPointRequest,
  Candidates,
  CandidatesQuery,
  ContactPointAdded,
  CreateProspectRequest,
  DuplicateSuspectedBody,
  IdParams,
  InnExistsBody,
  ProspectCreated,
} from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { addContactPoint, createProspect, findCandidates } from './prospects.service.ts';

/**
 * Unknown senders: the duplicate check (GET /prospects/candidates), create a prospect (POST /prospects),
 * link the address to an existing client (POST /clients/:id/contact-points).
 */
export async function prospectsRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/prospects/candidates',
    { schema: { tags: ['prospects'], querystring: CandidatesQuery, response: { 200: Candidates } } },
    async (request) => findCandidates(opts.db, request.principal, originOf(request, 'pane'), request.query),
  );
  app.post(
    '/prospects',
    {
      schema: {
        tags: ['prospects'],
        body: CreateProspectRequest,
        response: { 201: ProspectCreated, 409: Type.Union([DuplicateSuspectedBody, InnExistsBody]) },
      },
    },
    async (request, reply) => {
      const result = await createProspect(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.body,
      );
      if (result.kind === 'created') return reply.status(201).send(result.body);
      if (result.kind === 'inn_exists') {
        const ask = result.ask
          ? `ask your supervisor, ${result.ask.name}, for access to it`
          : 'ask an administrator for access to it';
        return reply.status(409).send({
          statusCode: 409,
          code: 'INN_EXISTS' as const,
          message:
            result.candidates.length > 0
              ? 'A client with this INN exists (one INN is one taxpayer): no new client is created. Link the sender to it, or ask its manager'
              : `A client with this INN exists among clients you cannot see (one INN is one taxpayer): no new client is created; ${ask}`,
          requestId: request.id,
          field: 'body.inn' as const,
          candidates: result.candidates,
          hiddenMatches: result.hiddenMatches,
          ask: result.ask,
        });
      }
      return reply.status(409).send({
        statusCode: 409,
        code: 'DUPLICATE_SUSPECTED' as const,
        message:
          'A client with this email or INN exists: link the sender to it, or confirm this is someone else (confirmNotDuplicate)',
        requestId: request.id,
        candidates: result.candidates,
        hiddenMatches: result.hiddenMatches,
      });
    },
  );
  app.post(
    '/clients/:id/contact-points',
    {
      schema: {
        tags: ['prospects'],
        params: IdParams,
        body: AddContactPointRequest,
        response: { 200: ContactPointAdded, 201: ContactPointAdded },
      },
    },
    async (request, reply) => {
      const result = await addContactPoint(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.params.id,
        request.body,
      );
      return reply.status(result.created ? 201 : 200).send(result);
    },
  );
}
