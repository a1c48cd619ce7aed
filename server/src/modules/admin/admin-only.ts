import { AppError } from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import { originOf } from '../../plugins/auth.ts';
import { isAdmin } from '../auth/principal.ts';

/**
 * Makes every route of the calling plugin admin-only (`isAdmin`; anyone else gets 403 before their input is
 * read, and the auth plugin audits it as `access.denied`). Returns what the admin routes share: `origin` for
 * the audit log (channel `admin`) and the OpenAPI `tags`.
 */
export function adminOnly(app: ApiApp) {
  app.addHook('onRequest', async (request) => {
    if (!isAdmin(request.principal)) throw new AppError('FORBIDDEN', 'Only CRM administrators may do this');
  });
  return {
    origin: (request: Parameters<typeof originOf>[0]) => originOf(request, 'admin'),
    tags: ['admin'],
  };
}
