import {
  AppError,
  type CreateTaskRequestDto,
  type TaskDto,
  type TaskLinkDto,
  type UpdateTaskRequestDto,
} from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import { loadPrincipal, type Principal, visibleClient } from '../auth/principal.ts';
import { enqueueTaskSync } from '../calendar-sync/calendar-sync.repository.ts';
import { claimIdempotencyKey, saveIdempotentResponse } from '../idempotency/idempotency.repository.ts';
import { usableTaskType } from '../work-settings/work-settings.service.ts';
import { enqueueAssignmentMail } from './assignment-mail.ts';
import { addTaskHistory, findTask } from './tasks.repository.ts';

/**
 * A task on a client goes only to someone who may open that client: otherwise the assignee would hold the
 * client's name and work in their calendar while the card is closed to them.
 * @throws AppError FORBIDDEN naming `body.assigneeId`
 */
async function assertAssigneeSeesClient(db: Db, assigneeId: string, clientId: string): Promise<void> {
  const assignee = await loadPrincipal(db, assigneeId);
  const visible =
    assignee &&
    (await db
      .selectFrom('clients as c')
      .where('c.id', '=', clientId)
      .where(visibleClient(assignee))
      .select('c.id')
      .executeTakeFirst());
  if (!visible) {
    throw new AppError(
      'FORBIDDEN',
      'The assignee cannot open this client: choose someone who serves it',
      'body.assigneeId',
    );
  }
}

/** A task is the principal's to see and change when they are its assignee or author, or supervise the assignee. */
async function canTouchTask(db: Db, p: Principal, taskId: string): Promise<boolean> {
  const row = await db
    .selectFrom('tasks')
    .where('id', '=', taskId)
    .where((eb) => eb.or([eb('assignee_id', 'in', [p.id, ...p.teamIds]), eb('author_id', '=', p.id)]))
    .select('id')
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * One task for its link (calendar event, iCalendar feed): to its assignee or author, or the assignee's
 * supervisor, as for a change. The client's name only when the caller may open that client; the credit stage
 * the task follows, if any. Audited as a read of the client's data (refused: by task id only).
 * @throws AppError NOT_FOUND (no such task, or it is not the principal's)
 */
export async function getTaskLink(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
): Promise<TaskLinkDto> {
  const task = (await canTouchTask(db, p, id)) ? await findTask(db, id) : undefined;
  if (!task) {
    await recordAudit(db, p, origin, [
      { action: 'task.read', result: 'denied', entity: 'task', entityId: id },
    ]);
    throw new AppError('NOT_FOUND', 'No such task, or it is not yours', 'params.id');
  }
  const client = task.clientId
    ? await db
        .selectFrom('clients as c')
        .where('c.id', '=', task.clientId)
        .where(visibleClient(p))
        .select(['c.id', 'c.display_name as displayName'])
        .executeTakeFirst()
    : undefined;
  // The open stage first, else the last one the task followed.
  const stage = await db
    .selectFrom('application_stages as s')
    .innerJoin('credit_applications as a', 'a.id', 's.application_id')
    .where('s.task_id', '=', id)
    .select(['a.id', 'a.number', 's.stage_code', 's.completed_at'])
    .orderBy(sql`s.completed_at is null`, 'desc')
    .orderBy('s.entered_at', 'desc')
    .executeTakeFirst();
  await recordAudit(db, p, origin, [
    {
      action: 'task.read',
      result: 'ok',
      clientIds: client ? [client.id] : [],
      entity: 'task',
      entityId: id,
    },
  ]);
  return {
    task,
    client: client ?? null,
    credit: stage
      ? {
          applicationId: stage.id,
          number: stage.number,
          stage: stage.stage_code as NonNullable<TaskLinkDto['credit']>['stage'],
          completed: stage.completed_at !== null,
        }
      : null,
  };
}

/**
 * Creates a task linked to a visible client (and optionally its deal and the email's internetMessageId).
 * Assignee: the principal, or for a supervisor a member of their team. With an `Idempotency-Key`, a retry
 * with the same key and body returns the first answer (`replayed`) without creating another task.
 * @throws AppError NOT_FOUND (client/deal not visible), FORBIDDEN (assignee outside the team),
 * UNKNOWN_TASK_TYPE (type not configured or deactivated), IDEMPOTENCY_KEY_REUSED / IDEMPOTENCY_IN_PROGRESS
 */
export async function createTask(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  input: CreateTaskRequestDto,
  idempotency?: { key: string; route: string; ttlHours: number },
): Promise<{ task: TaskDto; replayed: boolean }> {
  const assigneeId = input.assigneeId ?? p.id;
  if (assigneeId !== p.id && !(p.role === 'supervisor' && p.teamIds.includes(assigneeId))) {
    throw new AppError('FORBIDDEN', 'You can assign tasks only to yourself or your team', 'body.assigneeId');
  }
  try {
    return await createTaskInTransaction(db, p, origin, input, assigneeId, idempotency);
  } catch (err) {
    // A create on an existing client the user may not see is a refused access: audited outside the
    // rolled-back transaction.
    if (err instanceof AppError && err.field === 'body.clientId') {
      const exists = await db
        .selectFrom('clients')
        .where('id', '=', input.clientId)
        .select('id')
        .executeTakeFirst();
      if (exists)
        await recordAudit(db, p, origin, [
          { action: 'task.create', result: 'denied', clientIds: [input.clientId] },
        ]);
    }
    throw err;
  }
}

function createTaskInTransaction(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  input: CreateTaskRequestDto,
  assigneeId: string,
  idempotency: { key: string; route: string; ttlHours: number } | undefined,
): Promise<{ task: TaskDto; replayed: boolean }> {
  return db.transaction().execute(async (trx) => {
    if (idempotency) {
      const claim = await claimIdempotencyKey(trx, { userId: p.id, body: input, ...idempotency });
      if (claim.kind === 'replay') {
        const task = claim.response as TaskDto;
        await recordAudit(trx, p, origin, [
          {
            action: 'task.create',
            result: 'ok',
            clientIds: task.clientId ? [task.clientId] : [],
            entity: 'task',
            entityId: task.id,
            details: { idempotentReplay: true },
          },
        ]);
        return { task, replayed: true };
      }
    }
    const client = await trx
      .selectFrom('clients as c')
      .where('c.id', '=', input.clientId)
      .where(visibleClient(p))
      .select('c.id')
      .executeTakeFirst();
    if (!client)
      throw new AppError('NOT_FOUND', 'No such client, or it is not visible to you', 'body.clientId');
    const taskType = await usableTaskType(trx, input.type);
    // A planned timed task without its own duration takes its type's default (read now: admin changes apply).
    const plannedDuration =
      input.plannedDurationMinutes !== undefined
        ? input.plannedDurationMinutes
        : input.plannedStartAt && !input.allDay
          ? taskType.defaultDurationMinutes
          : null;
    if (assigneeId !== p.id) await assertAssigneeSeesClient(trx, assigneeId, input.clientId);
    if (input.dealId) {
      const deal = await trx
        .selectFrom('deals')
        .where('id', '=', input.dealId)
        .where('client_id', '=', input.clientId)
        .select('id')
        .executeTakeFirst();
      if (!deal) throw new AppError('NOT_FOUND', 'No such deal for this client', 'body.dealId');
    }
    const { id } = await trx
      .insertInto('tasks')
      .values({
        title: input.title.trim(),
        type: input.type,
        priority: input.priority ?? 'normal',
        status: 'open',
        due_at: input.dueAt ?? null,
        effort_estimate_minutes: input.effortEstimateMinutes ?? null,
        assignee_id: assigneeId,
        author_id: p.id,
        client_id: input.clientId,
        deal_id: input.dealId ?? null,
        internet_message_id: input.internetMessageId ?? null,
        planned_start_at: input.plannedStartAt ?? null,
        planned_duration_minutes: plannedDuration,
        all_day: input.allDay ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await addTaskHistory(trx, {
      taskId: id,
      actorId: p.id,
      action: 'created',
      changes: { status: 'open', assigneeId },
    });
    // Transactional outbox: the calendar job exists if and only if the task does.
    await enqueueTaskSync(trx, id);
    await enqueueAssignmentMail(trx, { taskId: id, assigneeId, actorId: p.id, version: 1, kind: 'assigned' });
    const task = (await findTask(trx, id))!;
    await recordAudit(trx, p, origin, [
      {
        action: 'task.create',
        result: 'ok',
        clientIds: [input.clientId],
        entity: 'task',
        entityId: id,
        details: {
          after: {
            title: task.title,
            type: task.type,
            priority: task.priority,
            status: task.status,
            dueAt: task.dueAt,
            effortEstimateMinutes: task.effortEstimateMinutes,
            assigneeId,
            dealId: task.dealId,
            internetMessageId: task.internetMessageId,
          },
        },
      },
    ]);
    if (idempotency)
      await saveIdempotentResponse(trx, {
        userId: p.id,
        key: idempotency.key,
        statusCode: 201,
        response: task,
      });
    return { task, replayed: false };
  });
}

/**
 * Applies a partial change if `version` matches the stored one (optimistic concurrency), bumping it.
 * @throws AppError NOT_FOUND (no such task or not the principal's), VERSION_CONFLICT (someone saved first),
 * UNKNOWN_TASK_TYPE (a new type that is not configured or deactivated), STAGE_TASK (status or assignee of an
 * open credit stage's task: they move with the stage)
 */
export async function updateTask(
  db: Db,
  p: Principal,
  origin: RequestOrigin,
  id: string,
  input: UpdateTaskRequestDto,
): Promise<TaskDto> {
  if (!(await canTouchTask(db, p, id))) {
    await recordAudit(db, p, origin, [
      { action: 'task.update', result: 'denied', entity: 'task', entityId: id },
    ]);
    throw new AppError('NOT_FOUND', 'No such task, or it is not yours', 'params.id');
  }
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('tasks')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (before.version !== input.version) {
      throw new AppError(
        'VERSION_CONFLICT',
        'Someone changed this task since you opened it: reload and try again',
        'body.version',
      );
    }
    const statusChange = input.status !== undefined && input.status !== before.status;
    const assigneeChange = input.assigneeId !== undefined && input.assigneeId !== before.assignee_id;
    if (statusChange || assigneeChange) {
      // A credit stage's task follows its stage (advance, return, decision, stage owner): closing or handing it
      // over here would leave the stage running with no task (new-user trial: an RM closed an officer's task).
      const stage = await trx
        .selectFrom('application_stages as s')
        .innerJoin('credit_applications as a', 'a.id', 's.application_id')
        .where('s.task_id', '=', id)
        .where('s.completed_at', 'is', null)
        .select(['s.stage_code', 'a.number'])
        .executeTakeFirst();
      if (stage)
        throw new AppError(
          'STAGE_TASK',
          `This task follows stage ${stage.stage_code} of credit application ${stage.number}: it is completed or handed over with the stage`,
          statusChange ? 'body.status' : 'body.assigneeId',
        );
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set: Record<string, unknown> = {};
    const apply = (column: string, field: string, to: unknown, from: unknown) => {
      const fromValue = from instanceof Date ? from.toISOString() : from;
      const toValue = typeof to === 'string' && column === 'due_at' ? new Date(to).toISOString() : to;
      if (toValue !== fromValue) {
        set[column] = to;
        changes[field] = { from: fromValue, to: toValue };
      }
    };
    if (input.title !== undefined) apply('title', 'title', input.title.trim(), before.title);
    if (input.type !== undefined && input.type !== before.type) {
      // A task may keep a type that has since been deactivated; a change must be to an active one.
      await usableTaskType(trx, input.type);
      apply('type', 'type', input.type, before.type);
    }
    if (input.status !== undefined) apply('status', 'status', input.status, before.status);
    if (input.priority !== undefined) apply('priority', 'priority', input.priority, before.priority);
    if (input.dueAt !== undefined) apply('due_at', 'dueAt', input.dueAt, before.due_at);
    if (input.plannedStartAt !== undefined)
      apply(
        'planned_start_at',
        'plannedStartAt',
        input.plannedStartAt === null ? null : new Date(input.plannedStartAt).toISOString(),
        before.planned_start_at,
      );
    if (input.plannedDurationMinutes !== undefined)
      apply(
        'planned_duration_minutes',
        'plannedDurationMinutes',
        input.plannedDurationMinutes,
        before.planned_duration_minutes,
      );
    if (input.allDay !== undefined) apply('all_day', 'allDay', input.allDay, before.all_day);
    if (input.assigneeId !== undefined) {
      if (input.assigneeId !== p.id && !(p.role === 'supervisor' && p.teamIds.includes(input.assigneeId)))
        throw new AppError(
          'FORBIDDEN',
          'You can assign tasks only to yourself or your team',
          'body.assigneeId',
        );
      if (input.assigneeId !== before.assignee_id && before.client_id)
        await assertAssigneeSeesClient(trx, input.assigneeId, before.client_id);
      apply('assignee_id', 'assigneeId', input.assigneeId, before.assignee_id);
    }
    if (input.effortEstimateMinutes !== undefined)
      apply(
        'effort_estimate_minutes',
        'effortEstimateMinutes',
        input.effortEstimateMinutes,
        before.effort_estimate_minutes,
      );
    if (Object.keys(changes).length > 0) {
      if (changes.status) set.completed_at = input.status === 'done' ? sql`now()` : null;
      await trx
        .updateTable('tasks')
        .set({ ...set, version: sql`version + 1`, updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
      await addTaskHistory(trx, { taskId: id, actorId: p.id, action: 'updated', changes });
      await enqueueTaskSync(trx, id);
      if (changes.assigneeId)
        await enqueueAssignmentMail(trx, {
          taskId: id,
          assigneeId: input.assigneeId!,
          actorId: p.id,
          version: before.version + 1,
          kind: 'reassigned',
        });
      await recordAudit(trx, p, origin, [
        {
          action: 'task.update',
          result: 'ok',
          clientIds: before.client_id ? [before.client_id] : [],
          entity: 'task',
          entityId: id,
          details: { fields: Object.keys(changes), changes },
        },
      ]);
    }
    return (await findTask(trx, id))!;
  });
}
