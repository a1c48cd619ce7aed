import type { TaskDto } from '@crm/shared';
import type { Db } from '../../db/database.ts';
import { taskJson } from '../clients/clients.repository.ts';

/** One task in the API shape, or undefined. */
export async function findTask(db: Db, id: string): Promise<TaskDto | undefined> {
  const row = await db
    .selectFrom('tasks as t')
    .innerJoin('users as ta', 'ta.id', 't.assignee_id')
    .innerJoin('users as tu', 'tu.id', 't.author_id')
    .where('t.id', '=', id)
    .select(taskJson('t').$castTo<TaskDto>().as('task'))
    .executeTakeFirst();
  return row?.task;
}

/** Appends a line to the task's history (who, what changed). */
export async function addTaskHistory(
  db: Db,
  entry: { taskId: string; actorId: string; action: string; changes: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('task_history')
    .values({
      task_id: entry.taskId,
      actor_id: entry.actorId,
      action: entry.action,
      changes: JSON.stringify(entry.changes),
    })
    .execute();
}
