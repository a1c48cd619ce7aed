import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { enqueueTaskSync } from '../calendar-sync/calendar-sync.repository.ts';
import { addTaskHistory } from './tasks.repository.ts';

// Tasks a workflow assigns on its own rules (a credit application's stage owner), not a user's choice: the
// workflow has already decided who works on what, so the "yourself or your team" rule of POST /tasks does not
// apply. Each call runs inside the caller's transaction, writes task history, queues the calendar sync
// (the task reaches the assignee's Outlook calendar) and audits, like the user-facing task service.

type Actor = Pick<Principal, 'id' | 'role'>;

export type WorkflowTaskInput = {
  title: string;
  type: 'call' | 'meeting' | 'document_check' | 'visit' | 'follow_up' | 'email';
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  assigneeId: string;
  clientId: string;
  dueAt: Date | null;
  /** What the task is for, kept in history and audit (e.g. `{creditApplicationId, stage}`). */
  source: Record<string, unknown>;
};

/** Creates an open task for the workflow's assignee; returns its id. */
export async function createWorkflowTask(
  trx: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: WorkflowTaskInput,
): Promise<string> {
  const { id } = await trx
    .insertInto('tasks')
    .values({
      title: input.title,
      type: input.type,
      priority: input.priority ?? 'normal',
      status: 'open',
      due_at: input.dueAt,
      assignee_id: input.assigneeId,
      author_id: actor.id,
      client_id: input.clientId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await addTaskHistory(trx, {
    taskId: id,
    actorId: actor.id,
    action: 'created',
    changes: { status: 'open', assigneeId: input.assigneeId, source: input.source },
  });
  await enqueueTaskSync(trx, id);
  await recordAudit(trx, actor, origin, [
    {
      action: 'task.create',
      result: 'ok',
      clientIds: [input.clientId],
      entity: 'task',
      entityId: id,
      details: { workflow: input.source, after: { assigneeId: input.assigneeId, type: input.type } },
    },
  ]);
  return id;
}

/**
 * Changes an open workflow task: another assignee (reassignment moves the calendar event), done or
 * cancelled (the event is marked or removed). A task already done or cancelled is left alone.
 */
export async function updateWorkflowTask(
  trx: Db,
  actor: Actor,
  origin: RequestOrigin,
  taskId: string,
  change: { assigneeId?: string; status?: 'done' | 'cancelled' },
  source: Record<string, unknown>,
): Promise<void> {
  const before = await trx
    .selectFrom('tasks')
    .select(['assignee_id', 'status', 'client_id'])
    .where('id', '=', taskId)
    .forUpdate()
    .executeTakeFirst();
  if (!before || before.status === 'done' || before.status === 'cancelled') return;
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (change.assigneeId && change.assigneeId !== before.assignee_id)
    changes.assigneeId = { from: before.assignee_id, to: change.assigneeId };
  if (change.status) changes.status = { from: before.status, to: change.status };
  if (Object.keys(changes).length === 0) return;
  await trx
    .updateTable('tasks')
    .set({
      ...(change.assigneeId ? { assignee_id: change.assigneeId } : {}),
      ...(change.status
        ? { status: change.status, completed_at: change.status === 'done' ? sql`now()` : null }
        : {}),
      version: sql`version + 1`,
      updated_at: sql`now()`,
    })
    .where('id', '=', taskId)
    .execute();
  await addTaskHistory(trx, {
    taskId,
    actorId: actor.id,
    action: 'updated',
    changes: { ...changes, source },
  });
  await enqueueTaskSync(trx, taskId);
  await recordAudit(trx, actor, origin, [
    {
      action: 'task.update',
      result: 'ok',
      clientIds: before.client_id ? [before.client_id] : [],
      entity: 'task',
      entityId: taskId,
      details: { workflow: source, fields: Object.keys(changes), changes },
    },
  ]);
}
