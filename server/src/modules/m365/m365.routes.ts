import {
  CreateEntraRoleMapping,
  EntraRoleMapping,
  EntraRoleMappingList,
  IdParams,
  M365Health,
  M365Settings,
  M365TestRequest,
  M365TestResult,
  UpdateM365Settings,
} from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { EntraConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { adminOnly } from '../admin/admin-only.ts';
import { getSettings, health, type M365Context, testConnection, updateSettings } from './m365.service.ts';
import { createRoleMapping, deleteRoleMapping, listRoleMappings } from './role-mappings.service.ts';

/**
 * The Microsoft 365 connection on the admin page (admin rights only, 403 otherwise; channel `admin`):
 * - GET /admin/m365, PUT /admin/m365 (whole connection, `version`; secrets only as env var names)
 * - POST /admin/m365/test {mailbox}: token + the mailbox's calendar, the real error on failure
 * - GET /admin/m365/health: queue, sync failures, parked mailboxes, subscriptions
 * - GET/POST /admin/entra-role-mappings, DELETE /admin/entra-role-mappings/:id
 */
export async function m365Routes(
  app: ApiApp,
  opts: { db: Db; m365: M365Context; entra: Pick<EntraConfig, 'roleMapping'> | null },
) {
  const { db, m365 } = opts;
  const { origin, tags } = adminOnly(app);

  app.get('/admin/m365', { schema: { tags, response: { 200: M365Settings } } }, async () =>
    getSettings(db, m365),
  );
  app.put(
    '/admin/m365',
    { schema: { tags, body: UpdateM365Settings, response: { 200: M365Settings } } },
    async (request) => updateSettings(db, m365, request.principal, origin(request), request.body),
  );
  app.post(
    '/admin/m365/test',
    { schema: { tags, body: M365TestRequest, response: { 200: M365TestResult } } },
    async (request) => testConnection(db, m365, request.principal, origin(request), request.body.mailbox),
  );
  app.get('/admin/m365/health', { schema: { tags, response: { 200: M365Health } } }, async () =>
    health(db, m365),
  );

  app.get(
    '/admin/entra-role-mappings',
    { schema: { tags, response: { 200: EntraRoleMappingList } } },
    async () => listRoleMappings(db, opts.entra?.roleMapping ?? []),
  );
  app.post(
    '/admin/entra-role-mappings',
    { schema: { tags, body: CreateEntraRoleMapping, response: { 201: EntraRoleMapping } } },
    async (request, reply) =>
      reply.status(201).send(await createRoleMapping(db, request.principal, origin(request), request.body)),
  );
  app.delete(
    '/admin/entra-role-mappings/:id',
    { schema: { tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deleteRoleMapping(db, request.principal, origin(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
