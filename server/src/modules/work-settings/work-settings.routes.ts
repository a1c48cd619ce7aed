import {
  AppError,
  BranchWorkingHours,
  CreateTaskTypeRequest,
  IdParams,
  PatchWorkingHoursRequest,
  PutWorkingHoursRequest,
  TaskCatalog,
  TaskCatalogQuery,
  TaskPriorityCodeParams,
  TaskPrioritySetting,
  TaskPrioritySettings,
  TaskTypeCodeParams,
  TaskTypeSetting,
  TaskTypeSettings,
  UpdateTaskPriorityRequest,
  UpdateTaskTypeRequest,
} from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { adminOnly } from '../admin/admin-only.ts';
import {
  findTaskCatalog,
  findTaskPriorities,
  findTaskTypes,
  findWorkingHours,
} from './work-settings.repository.ts';
import {
  createTaskType,
  saveWorkingHours,
  updateTaskPriority,
  updateTaskType,
} from './work-settings.service.ts';

/**
 * The admin page's "Work settings" (admin rights only, 403 before the input is read; channel `admin`):
 * - GET/POST /admin/task-types, PATCH /admin/task-types/:code
 * - GET /admin/task-priorities, PATCH /admin/task-priorities/:code
 * - GET/PUT/PATCH /admin/branches/:id/working-hours
 */
export async function workSettingsAdminRoutes(app: ApiApp, opts: { db: Db }) {
  const { db } = opts;
  const { origin, tags } = adminOnly(app);

  app.get('/admin/task-types', { schema: { tags, response: { 200: TaskTypeSettings } } }, async () => ({
    items: await findTaskTypes(db),
  }));
  app.post(
    '/admin/task-types',
    { schema: { tags, body: CreateTaskTypeRequest, response: { 201: TaskTypeSetting } } },
    async (request, reply) =>
      reply.status(201).send(await createTaskType(db, request.principal, origin(request), request.body)),
  );
  app.patch(
    '/admin/task-types/:code',
    {
      schema: {
        tags,
        params: TaskTypeCodeParams,
        body: UpdateTaskTypeRequest,
        response: { 200: TaskTypeSetting },
      },
    },
    async (request) =>
      updateTaskType(db, request.principal, origin(request), request.params.code, request.body),
  );
  app.get(
    '/admin/task-priorities',
    { schema: { tags, response: { 200: TaskPrioritySettings } } },
    async () => ({ items: await findTaskPriorities(db) }),
  );
  app.patch(
    '/admin/task-priorities/:code',
    {
      schema: {
        tags,
        params: TaskPriorityCodeParams,
        body: UpdateTaskPriorityRequest,
        response: { 200: TaskPrioritySetting },
      },
    },
    async (request) =>
      updateTaskPriority(db, request.principal, origin(request), request.params.code, request.body),
  );
  app.get(
    '/admin/branches/:id/working-hours',
    { schema: { tags, params: IdParams, response: { 200: BranchWorkingHours } } },
    async (request) => {
      const hours = await findWorkingHours(db, request.params.id);
      if (!hours) throw new AppError('NOT_FOUND', 'No such branch', 'params.id');
      return hours;
    },
  );
  app.put(
    '/admin/branches/:id/working-hours',
    {
      schema: { tags, params: IdParams, body: PutWorkingHoursRequest, response: { 200: BranchWorkingHours } },
    },
    async (request) =>
      saveWorkingHours(db, request.principal, origin(request), request.params.id, request.body),
  );
  app.patch(
    '/admin/branches/:id/working-hours',
    {
      schema: {
        tags,
        params: IdParams,
        body: PatchWorkingHoursRequest,
        response: { 200: BranchWorkingHours },
      },
    },
    async (request) =>
      saveWorkingHours(db, request.principal, origin(request), request.params.id, request.body),
  );
}

/** GET /task-types (anyone signed in): what the pane's task form offers, `name` in `lang` (default ru). */
export async function taskCatalogRoutes(app: ApiApp, opts: { db: Db }) {
  app.get(
    '/task-types',
    { schema: { tags: ['tasks'], querystring: TaskCatalogQuery, response: { 200: TaskCatalog } } },
    async (request) => findTaskCatalog(opts.db, request.query.lang ?? 'ru'),
  );
}
