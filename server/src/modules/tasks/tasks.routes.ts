import { CreateTaskRequest, IdParams, Task, TaskLink, UpdateTaskRequest } from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { createTask, getTaskLink, updateTask } from './tasks.service.ts';

/** `Idempotency-Key` (optional): a retried POST with the same key and body replays the first answer. */
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' }),
  ),
});

/**
 * POST /tasks (from the pane), GET /tasks/:id (a task opened from its calendar link) and PATCH /tasks/:id
 * (complete, reschedule; stale version -> 409).
 */
export async function tasksRoutes(app: ApiApp, opts: { db: Db; idempotencyTtlHours: number }) {
  app.post(
    '/tasks',
    {
      schema: {
        tags: ['tasks'],
        headers: IdempotencyHeaders,
        body: CreateTaskRequest,
        response: { 201: Task },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const { task, replayed } = await createTask(
        opts.db,
        request.principal,
        originOf(request, 'pane'),
        request.body,
        key ? { key, route: 'POST /api/v1/tasks', ttlHours: opts.idempotencyTtlHours } : undefined,
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(task);
    },
  );
  app.get(
    '/tasks/:id',
    { schema: { tags: ['tasks'], params: IdParams, response: { 200: TaskLink } } },
    async (request) => getTaskLink(opts.db, request.principal, originOf(request), request.params.id),
  );
  app.patch(
    '/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        params: IdParams,
        body: UpdateTaskRequest,
        response: { 200: Task },
      },
    },
    async (request) =>
      updateTask(opts.db, request.principal, originOf(request, 'pane'), request.params.id, request.body),
  );
}
