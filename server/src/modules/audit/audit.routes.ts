import { AppError, AuditEventsPage, AuditEventsQuery } from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { isAdmin } from '../auth/principal.ts';
import { findAuditEvents, recordAudit } from './audit.repository.ts';

/**
 * GET /audit-events?clientId=&userId=&from=&to=&action=&limit=&cursor= — admins only (others get 403, which
 * is itself audited). Every query is audited with its filters, so reading the trail leaves a trace too.
 */
export async function auditRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/audit-events',
    { schema: { tags: ['audit'], querystring: AuditEventsQuery, response: { 200: AuditEventsPage } } },
    async (request) => {
      const p = request.principal;
      if (!isAdmin(p)) throw new AppError('FORBIDDEN', 'Only CRM administrators may read the audit log');
      const page = await findAuditEvents(opts.db, request.query);
      await recordAudit(opts.db, p, originOf(request, 'admin'), [
        {
          action: 'audit.query',
          result: 'ok',
          clientIds: request.query.clientId ? [request.query.clientId] : [],
          details: { filters: request.query, returned: page.items.length },
        },
      ]);
      return page;
    },
  );
}
