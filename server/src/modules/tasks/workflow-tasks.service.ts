import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { enqueueTaskSync, enqueueTaskSyncs } from '../calendar-sync/calendar-sync.repository.ts';
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
  const [id] = await createWorkflowTasks(trx, actor, origin, [input]);
  return id!;
}

/**
 * {@link createWorkflowTask} for many tasks of one actor at once (the demo seed gives every open stage its
 * owner's task): one insert and one audit statement; `ids` (same length as `inputs`) fixes the tasks' ids
 * when given (the seed's are deterministic). Returns the ids in the order of `inputs`.
 */
export async function createWorkflowTasks(
  trx: Db,
  actor: Actor,
  origin: RequestOrigin,
  inputs: WorkflowTaskInput[],
  ids?: string[],
): Promise<string[]> {
  if (inputs.length === 0) return [];
  const rows = await trx
    .insertInto('tasks')
    .values(
      inputs.map((input, i) => ({
        ...(ids ? { id: ids[i] } : {}),
        title: input.title,
        type: input.type,
        priority: input.priority ?? 'normal',
        status: 'open' as const,
        due_at: input.dueAt,
        assignee_id: input.assigneeId,
        author_id: actor.id,
        client_id: input.clientId,
      })),
    )
    .returning('id')
    .execute();
  // Postgres returns a multi-row VALUES insert in input order; ids given by the caller are checked anyway.
  const created = rows.map((r) => r.id);
  if (ids && created.some((id, i) => id !== ids[i])) throw new Error('createWorkflowTasks: ids out of order');
  // One statement each for history and outbox: the demo seed creates 100,000 of these on a large bank.
  await trx
    .insertInto('task_history')
    .values(
      inputs.map((input, i) => ({
        task_id: created[i]!,
        actor_id: actor.id,
        action: 'created',
        changes: JSON.stringify({ status: 'open', assigneeId: input.assigneeId, source: input.source }),
      })),
    )
    .execute();
  await enqueueTaskSyncs(trx, created);
  await recordAudit(
    trx,
    actor,
    origin,
    inputs.map((input, i) => ({
      action: 'task.create',
      result: 'ok' as const,
      clientIds: [input.clientId],
      entity: 'task',
      entityId: created[i]!,
      details: { workflow: input.source, after: { assigneeId: input.assigneeId, type: input.type } },
    })),
  );
  return created;
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
