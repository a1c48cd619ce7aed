import {
  ApprovalRoute,
  ApprovalRoutes,
  CreateApprovalRouteRequest,
  CreateHolidayRequest,
  DeactivateApprovalRouteRequest,
  Holiday,
  Holidays,
  HolidaysQuery,
  IdParams,
  NewApprovalRouteVersionRequest,
  NotificationTemplate,
  NotificationTemplates,
  PreviewTemplateRequest,
  PreviewTemplateResult,
  SaveApprovalRouteResult,
  TEMPLATE_PLACEHOLDERS,
  TemplateParams,
  UpdateNotificationTemplateRequest,
} from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { adminOnly } from './admin-only.ts';
import {
  findApprovalRoutes,
  findHolidays,
  findLoanProducts,
  findRegionNames,
  findTemplates,
} from './credit-settings.repository.ts';
import {
  createApprovalRoute,
  createHoliday,
  deactivateApprovalRoute,
  deleteHoliday,
  previewTemplate,
  saveApprovalRouteVersion,
  updateTemplate,
} from './credit-settings.service.ts';

/**
 * Credit settings of the admin page under /admin/credit (admin rights only, 403 before the input is read):
 * - GET /admin/credit/routes (every version, stages, use); POST /admin/credit/routes (version 1);
 *   POST /admin/credit/routes/:id/versions (an edit = a new version); POST /admin/credit/routes/:id/deactivate
 * - GET /admin/credit/holidays?year=&country=&region=; POST /admin/credit/holidays; DELETE /admin/credit/holidays/:id
 * - GET /admin/credit/templates; PATCH /admin/credit/templates/:event/:channel/:lang;
 *   POST /admin/credit/templates/preview (sample data, nothing stored)
 */
export async function creditSettingsRoutes(app: ApiApp, opts: { db: Db }) {
  const { db } = opts;
  const { origin, tags } = adminOnly(app);

  app.get('/admin/credit/routes', { schema: { tags, response: { 200: ApprovalRoutes } } }, async () => {
    const [items, products] = await Promise.all([findApprovalRoutes(db), findLoanProducts(db)]);
    return { items, products };
  });
  app.post(
    '/admin/credit/routes',
    { schema: { tags, body: CreateApprovalRouteRequest, response: { 201: SaveApprovalRouteResult } } },
    async (request, reply) =>
      reply.status(201).send(await createApprovalRoute(db, request.principal, origin(request), request.body)),
  );
  app.post(
    '/admin/credit/routes/:id/versions',
    {
      schema: {
        tags,
        params: IdParams,
        body: NewApprovalRouteVersionRequest,
        response: { 201: SaveApprovalRouteResult },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await saveApprovalRouteVersion(
            db,
            request.principal,
            origin(request),
            request.params.id,
            request.body,
          ),
        ),
  );
  app.post(
    '/admin/credit/routes/:id/deactivate',
    {
      schema: {
        tags,
        params: IdParams,
        body: DeactivateApprovalRouteRequest,
        response: { 200: ApprovalRoute },
      },
    },
    async (request) =>
      deactivateApprovalRoute(
        db,
        request.principal,
        origin(request),
        request.params.id,
        request.body.version,
      ),
  );

  app.get(
    '/admin/credit/holidays',
    { schema: { tags, querystring: HolidaysQuery, response: { 200: Holidays } } },
    async (request) => {
      const [items, regions] = await Promise.all([findHolidays(db, request.query), findRegionNames(db)]);
      return { items, regions };
    },
  );
  app.post(
    '/admin/credit/holidays',
    { schema: { tags, body: CreateHolidayRequest, response: { 201: Holiday } } },
    async (request, reply) =>
      reply.status(201).send(await createHoliday(db, request.principal, origin(request), request.body)),
  );
  app.delete(
    '/admin/credit/holidays/:id',
    { schema: { tags, params: IdParams, response: { 200: Holiday } } },
    async (request) => deleteHoliday(db, request.principal, origin(request), request.params.id),
  );

  app.get(
    '/admin/credit/templates',
    { schema: { tags, response: { 200: NotificationTemplates } } },
    async () => ({
      items: await findTemplates(db),
      placeholders: TEMPLATE_PLACEHOLDERS as Record<string, string[]>,
    }),
  );
  app.patch(
    '/admin/credit/templates/:event/:channel/:lang',
    {
      schema: {
        tags,
        params: TemplateParams,
        body: UpdateNotificationTemplateRequest,
        response: { 200: NotificationTemplate },
      },
    },
    async (request) => updateTemplate(db, request.principal, origin(request), request.params, request.body),
  );
  app.post(
    '/admin/credit/templates/preview',
    { schema: { tags, body: PreviewTemplateRequest, response: { 200: PreviewTemplateResult } } },
    async (request) => previewTemplate(request.body),
  );
}
