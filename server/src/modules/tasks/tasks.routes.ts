import { CreateTaskRequest, Id, Task, UpdateTaskRequest } from '@crm/shared';
import { Type } from 'typebox';
import type { ApiApp } from '../../app.ts';
import type { Db } from '../../db/database.ts';
import { originOf } from '../../plugins/auth.ts';
import { createTask, updateTask } from './tasks.service.ts';

/** POST /tasks (from the pane) and PATCH /tasks/:id (complete, reschedule; stale version -> 409). */
export async function tasksRoutes(app: ApiApp, opts: { db: Db }) {
  app.post(
    '/tasks',
    { schema: { tags: ['tasks'], body: CreateTaskRequest, response: { 201: Task } } },
    async (request, reply) => {
      const task = await createTask(opts.db, request.principal, originOf(request, 'pane'), request.body);
      return reply.status(201).send(task);
    },
  );
  app.patch(
    '/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        params: Type.Object({ id: Id }),
        body: UpdateTaskRequest,
        response: { 200: Task },
      },
    },
    async (request) =>
      updateTask(opts.db, request.principal, originOf(request, 'pane'), request.params.id, request.body),
  );
}
