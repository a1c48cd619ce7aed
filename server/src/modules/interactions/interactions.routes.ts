import {
  AddInteractionLinkRequest,
  ClientInteractions,
  ClientInteractionsQuery,
  ConversationQuery,
  ConversationStatus,
  IdParams,
  InteractionAttachmentParams,
  InteractionDetail,
  InteractionLinkParams,
  InteractionStatus,
  InteractionStatusQuery,
  LogInteractionRequest,
  LogInteractionResponse,
} from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import {
  addInteractionLink,
  clientHistory,
  conversationStatus,
  downloadAttachment,
  getInteraction,
  type InteractionLimits,
  interactionStatus,
  logInteraction,
  unlinkInteraction,
} from './interactions.service.ts';

const SAFE_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/** `attachment; filename="ascii"; filename*=UTF-8''...` (RFC 6266 / 5987): non-ASCII names survive. */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Interactions: log an email or meeting to a client (POST /interactions), add one's link to an interaction
 * already logged, status by Internet Message-ID, thread status, a client's history, one interaction, an
 * attachment, and removing a link (privileged).
 */
export async function interactionsRoutes(app: ApiApp, opts: { db: Db } & InteractionLimits) {
  const limits: InteractionLimits = {
    attachmentMaxBytes: opts.attachmentMaxBytes,
    interactionMaxBytes: opts.interactionMaxBytes,
  };
  app.post(
    '/interactions',
    {
      // Files arrive Base64 in JSON, and a MIME source Base64-encodes them once more: 4/3 * 4/3 < 2.
      bodyLimit: opts.interactionMaxBytes * 2 + 1024 * 1024,
      schema: {
        tags: ['interactions'],
        body: LogInteractionRequest,
        response: { 200: LogInteractionResponse, 201: LogInteractionResponse },
      },
    },
    async (request, reply) => {
      const result = await logInteraction(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.body,
        limits,
      );
      return reply.status(result.created ? 201 : 200).send(result);
    },
  );
  app.post(
    '/interactions/:id/links',
    {
      schema: {
        tags: ['interactions'],
        params: IdParams,
        body: AddInteractionLinkRequest,
        response: { 200: LogInteractionResponse, 201: LogInteractionResponse },
      },
    },
    async (request, reply) => {
      const result = await addInteractionLink(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.params.id,
        request.body,
      );
      return reply.status(result.linked ? 201 : 200).send(result);
    },
  );
  app.get(
    '/interactions/status',
    {
      schema: {
        tags: ['interactions'],
        querystring: InteractionStatusQuery,
        response: { 200: InteractionStatus },
      },
    },
    async (request) =>
      interactionStatus(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.query.internetMessageId,
      ),
  );
  app.get(
    '/interactions/conversation',
    {
      schema: {
        tags: ['interactions'],
        querystring: ConversationQuery,
        response: { 200: ConversationStatus },
      },
    },
    async (request) =>
      conversationStatus(opts.db, request.principal, originOf(request, 'pane'), request.query),
  );
  app.get(
    '/interactions/:id',
    { schema: { tags: ['interactions'], params: IdParams, response: { 200: InteractionDetail } } },
    async (request) =>
      getInteraction(opts.db, request.principal, originOf(request, 'pane'), request.params.id),
  );
  app.get(
    '/interactions/:id/attachments/:sha256',
    {
      schema: {
        tags: ['interactions'],
        params: InteractionAttachmentParams,
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The file, as stored' }),
        },
      },
    },
    async (request, reply) => {
      const file = await downloadAttachment(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.params.id,
        request.params.sha256,
      );
      // Never rendered by the browser as a page of ours: a download, sandboxed, type not sniffed.
      return reply
        .header(
          'content-type',
          SAFE_TYPE.test(file.contentType) ? file.contentType : 'application/octet-stream',
        )
        .header('content-disposition', contentDisposition(file.filename))
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('x-content-type-options', 'nosniff')
        .send(file.content);
    },
  );
  app.delete(
    '/interactions/:id/links/:clientId',
    { schema: { tags: ['interactions'], params: InteractionLinkParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await unlinkInteraction(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.params.id,
        request.params.clientId,
      );
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/clients/:id/interactions',
    {
      schema: {
        tags: ['interactions'],
        params: IdParams,
        querystring: ClientInteractionsQuery,
        response: { 200: ClientInteractions },
      },
    },
    async (request) =>
      clientHistory(opts.db, request.principal, originOf(request, 'pane'), request.params.id, request.query),
  );
}
