import {
  AdminUser,
  AdminUsersPage,
  AdminUsersQuery,
  AppError,
  AuditExportQuery,
  Branch,
  CreateAdminUserRequest,
  CreateBranchRequest,
  CreateRegionRequest,
  CreateTeamRequest,
  DeactivateUserRequest,
  DeactivateUserResult,
  ErrorBody,
  IdParams,
  Organisation,
  ReassignmentRequiredBody,
  Region,
  Team,
  UpdateAdminUserRequest,
  UpdateBranchRequest,
  UpdateRegionRequest,
  UpdateTeamRequest,
} from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { recordAudit } from '../audit/audit.repository.ts';
import { findAdminUser, findAdminUsers, findOrganisation } from './admin.repository.ts';
import { adminOnly } from './admin-only.ts';
import { createUser, deactivateUser, updateUser } from './admin-users.service.ts';
import { exportAuditCsv } from './audit-export.ts';
import {
  createBranch,
  createRegion,
  createTeam,
  updateBranch,
  updateRegion,
  updateTeam,
} from './organisation.service.ts';

/**
 * The admin page's API under /admin (admin rights only: `isAdmin`; anyone else gets 403 before their input is
 * read, and the auth plugin audits it as `access.denied`). Channel `admin` in the audit log.
 * - GET /admin/users, GET /admin/users/:id, POST /admin/users, PATCH /admin/users/:id,
 *   POST /admin/users/:id/deactivate (409 REASSIGNMENT_REQUIRED with counts without `reassignTo`)
 * - GET /admin/organisation; POST/PATCH /admin/regions, /admin/branches, /admin/teams
 * - GET /admin/audit-events.csv (the audit query's filters; audited `audit.export`)
 */
export async function adminRoutes(app: ApiApp, opts: { db: Db }) {
  const { db } = opts;
  const { origin, tags } = adminOnly(app);

  app.get(
    '/admin/users',
    { schema: { tags, querystring: AdminUsersQuery, response: { 200: AdminUsersPage } } },
    async (request) => findAdminUsers(db, request.query),
  );
  app.get(
    '/admin/users/:id',
    { schema: { tags, params: IdParams, response: { 200: AdminUser } } },
    async (request) => {
      const user = await findAdminUser(db, request.params.id);
      if (!user) throw new AppError('NOT_FOUND', 'No such user', 'params.id');
      return user;
    },
  );
  app.post(
    '/admin/users',
    { schema: { tags, body: CreateAdminUserRequest, response: { 201: AdminUser } } },
    async (request, reply) =>
      reply.status(201).send(await createUser(db, request.principal, origin(request), request.body)),
  );
  app.patch(
    '/admin/users/:id',
    { schema: { tags, params: IdParams, body: UpdateAdminUserRequest, response: { 200: AdminUser } } },
    async (request) => updateUser(db, request.principal, origin(request), request.params.id, request.body),
  );
  app.post(
    '/admin/users/:id/deactivate',
    {
      schema: {
        tags,
        params: IdParams,
        body: DeactivateUserRequest,
        response: { 200: DeactivateUserResult, 409: Type.Union([ReassignmentRequiredBody, ErrorBody]) },
      },
    },
    async (request, reply) => {
      const result = await deactivateUser(
        db,
        request.principal,
        origin(request),
        request.params.id,
        request.body,
      );
      if (result.kind === 'done')
        return {
          user: result.user,
          movedTasks: result.movedTasks,
          movedClients: result.movedClients,
          movedReports: result.movedReports,
          movedTeams: result.movedTeams,
          movedStages: result.movedStages,
        };
      return reply.status(409).send({
        statusCode: 409,
        code: 'REASSIGNMENT_REQUIRED' as const,
        message:
          `The user still has ${result.openTasks} open task(s), ${result.managedClients} client(s), ` +
          `${result.directReports} direct report(s), ${result.supervisedTeams} team(s) and ` +
          `${result.openStages} open credit stage(s): name who takes them (reassignTo)`,
        requestId: request.id,
        field: 'body.reassignTo',
        openTasks: result.openTasks,
        managedClients: result.managedClients,
        directReports: result.directReports,
        supervisedTeams: result.supervisedTeams,
        openStages: result.openStages,
      });
    },
  );

  app.get('/admin/organisation', { schema: { tags, response: { 200: Organisation } } }, async () =>
    findOrganisation(db),
  );
  app.post(
    '/admin/regions',
    { schema: { tags, body: CreateRegionRequest, response: { 201: Region } } },
    async (request, reply) =>
      reply.status(201).send(await createRegion(db, request.principal, origin(request), request.body)),
  );
  app.patch(
    '/admin/regions/:id',
    { schema: { tags, params: IdParams, body: UpdateRegionRequest, response: { 200: Region } } },
    async (request) => updateRegion(db, request.principal, origin(request), request.params.id, request.body),
  );
  app.post(
    '/admin/branches',
    { schema: { tags, body: CreateBranchRequest, response: { 201: Branch } } },
    async (request, reply) =>
      reply.status(201).send(await createBranch(db, request.principal, origin(request), request.body)),
  );
  app.patch(
    '/admin/branches/:id',
    { schema: { tags, params: IdParams, body: UpdateBranchRequest, response: { 200: Branch } } },
    async (request) => updateBranch(db, request.principal, origin(request), request.params.id, request.body),
  );
  app.post(
    '/admin/teams',
    { schema: { tags, body: CreateTeamRequest, response: { 201: Team } } },
    async (request, reply) =>
      reply.status(201).send(await createTeam(db, request.principal, origin(request), request.body)),
  );
  app.patch(
    '/admin/teams/:id',
    { schema: { tags, params: IdParams, body: UpdateTeamRequest, response: { 200: Team } } },
    async (request) => updateTeam(db, request.principal, origin(request), request.params.id, request.body),
  );

  app.get(
    '/admin/audit-events.csv',
    {
      schema: {
        tags,
        querystring: AuditExportQuery,
        produces: ['text/csv'],
        response: { 200: Type.Unsafe<string>({ type: 'string', description: 'text/csv, UTF-8 with a BOM' }) },
      },
    },
    async (request, reply) => {
      const { csv, rows, truncated } = await exportAuditCsv(db, request.query);
      await recordAudit(db, request.principal, origin(request), [
        {
          action: 'audit.export',
          result: 'ok',
          clientIds: request.query.clientId ? [request.query.clientId] : [],
          details: { filters: request.query, rows, truncated },
        },
      ]);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${stamp}.csv"`)
        .header('x-export-truncated', String(truncated))
        .send(csv);
    },
  );
}
