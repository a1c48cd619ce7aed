import {
  AddContactPointRequest,
  Candidates,
  CandidatesQuery,
  ContactPointAdded,
  CreateProspectRequest,
  DuplicateSuspectedBody,
  IdParams,
  ProspectCreated,
} from '@crm/shared';
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
        response: { 201: ProspectCreated, 409: DuplicateSuspectedBody },
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
