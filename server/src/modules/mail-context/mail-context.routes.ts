import { MailContextRequest, MailContextResponse } from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { resolveMailContext } from './mail-context.service.ts';

/** POST /mail-context: who each participant of the open item is to the bank (one round trip). */
export async function mailContextRoutes(app: ApiApp, opts: { db: Db }) {
  app.post(
    '/mail-context',
    { schema: { tags: ['pane'], body: MailContextRequest, response: { 200: MailContextResponse } } },
    async (request) =>
      resolveMailContext(opts.db, request.principal, originOf(request, 'pane'), request.body),
  );
}
