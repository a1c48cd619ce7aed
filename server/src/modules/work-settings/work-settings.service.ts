import {
  AppError,
  type BranchWorkingHoursDto,
  type CreateTaskTypeRequestDto,
  type PatchWorkingHoursRequestDto,
  type TaskPrioritySettingDto,
  type TaskTypeSettingDto,
  type UpdateTaskPriorityRequestDto,
  type UpdateTaskTypeRequestDto,
} from '@crm/shared';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { alreadyExists } from '../admin/admin-users.service.ts';
import { ianaTimeZone } from '../admin/organisation.service.ts';
import { type RequestOrigin, recordAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../auth/principal.ts';
import { findTaskType, findWorkingHours, priorityDto, taskTypeDto } from './work-settings.repository.ts';

// Work settings: task types, priorities, branch working hours. Read at each use (task create, calendar sync,
// SLA), so a change takes effect without a restart. Every change: the version the admin saw (409
// VERSION_CONFLICT otherwise) and an audit event with before/after of the changed fields, in one transaction.

type Actor = Pick<Principal, 'id' | 'role'>;
type Changes = Record<string, { from: unknown; to: unknown }>;

function conflict(what: string): never {
  throw new AppError(
    'VERSION_CONFLICT',
    `Someone changed this ${what} since you opened it: reload and try again`,
    'body.version',
  );
}

/** Changed columns of `next` against `before` (undefined = not given); arrays compared by value. */
function diff(before: Record<string, unknown>, next: Record<string, unknown>): Changes {
  const changes: Changes = {};
  for (const [k, to] of Object.entries(next)) {
    if (to === undefined) continue;
    if (JSON.stringify(before[k]) !== JSON.stringify(to)) changes[k] = { from: before[k], to };
  }
  return changes;
}

const setOf = (changes: Changes) => Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to]));

/**
 * Checks that `code` is a task type a task may be given now: it exists and is active. Returns its default
 * duration (minutes, null = none).
 * @throws AppError UNKNOWN_TASK_TYPE naming `field`
 */
export async function usableTaskType(
  db: Db,
  code: string,
  field = 'body.type',
): Promise<{ defaultDurationMinutes: number | null }> {
  const row = await findTaskType(db, code);
  if (!row?.active)
    throw new AppError(
      'UNKNOWN_TASK_TYPE',
      row ? `The task type ${code} has been deactivated` : `No task type ${code}`,
      field,
    );
  return { defaultDurationMinutes: row.default_duration_minutes };
}

/** @throws AppError ALREADY_EXISTS (code) */
export async function createTaskType(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  input: CreateTaskTypeRequestDto,
): Promise<TaskTypeSettingDto> {
  try {
    return await db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('task_types')
        .select(sql<number>`coalesce(max(ordinal), 0)::int`.as('n'))
        .executeTakeFirstOrThrow();
      const row = await trx
        .insertInto('task_types')
        .values({
          code: input.code,
          name_ru: input.nameRu.trim(),
          name_en: input.nameEn.trim(),
          default_duration_minutes: input.defaultDurationMinutes ?? null,
          default_reminder_minutes: input.defaultReminderMinutes ?? null,
          calendar_category: input.calendarCategory?.trim() ?? 'CRM',
          active: input.active ?? true,
          ordinal: input.ordinal ?? last.n + 10,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const dto = taskTypeDto(row);
      const { version: _v, updatedAt: _u, ...after } = dto;
      await recordAudit(trx, actor, origin, [
        {
          action: 'task_type.create',
          result: 'ok',
          entity: 'task_type',
          entityId: row.code,
          details: { after },
        },
      ]);
      return dto;
    });
  } catch (err) {
    alreadyExists(err, { task_types_pkey: 'body.code' }, 'body.code');
  }
}

/** @throws AppError NOT_FOUND, VERSION_CONFLICT */
export async function updateTaskType(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  code: string,
  input: UpdateTaskTypeRequestDto,
): Promise<TaskTypeSettingDto> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('task_types')
      .selectAll()
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', 'No such task type', 'params.code');
    if (before.version !== input.version) conflict('task type');
    const changes = diff(before, {
      name_ru: input.nameRu?.trim(),
      name_en: input.nameEn?.trim(),
      default_duration_minutes: input.defaultDurationMinutes,
      default_reminder_minutes: input.defaultReminderMinutes,
      calendar_category: input.calendarCategory?.trim(),
      active: input.active,
      ordinal: input.ordinal,
    });
    if (Object.keys(changes).length === 0) return taskTypeDto(before);
    const row = await trx
      .updateTable('task_types')
      .set({ ...setOf(changes), version: sql`version + 1`, updated_at: sql`now()` })
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, origin, [
      {
        action: 'task_type.update',
        result: 'ok',
        entity: 'task_type',
        entityId: code,
        details: { fields: Object.keys(changes), changes },
      },
    ]);
    return taskTypeDto(row);
  });
}

/** @throws AppError NOT_FOUND, VERSION_CONFLICT */
export async function updateTaskPriority(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  code: TaskPrioritySettingDto['code'],
  input: UpdateTaskPriorityRequestDto,
): Promise<TaskPrioritySettingDto> {
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('task_priorities')
      .selectAll()
      .where('code', '=', code)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', 'No such priority', 'params.code');
    if (before.version !== input.version) conflict('priority');
    const changes = diff(before, {
      name_ru: input.nameRu?.trim(),
      name_en: input.nameEn?.trim(),
      ordinal: input.ordinal,
      graph_importance: input.graphImportance,
    });
    if (Object.keys(changes).length === 0) return priorityDto(before);
    const row = await trx
      .updateTable('task_priorities')
      .set({ ...setOf(changes), version: sql`version + 1`, updated_at: sql`now()` })
      .where('code', '=', code)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor, origin, [
      {
        action: 'task_priority.update',
        result: 'ok',
        entity: 'task_priority',
        entityId: code,
        details: { fields: Object.keys(changes), changes },
      },
    ]);
    return priorityDto(row);
  });
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Sets a branch's working days and hours (its `branch_calendars` row, created on first save) and time zone
 * (`branches.time_zone`, which the Organisation section edits too). `version` is the GET's combined one.
 * The credit SLA reads them at each stage entry, so new deadlines follow at once.
 * @throws AppError NOT_FOUND, VERSION_CONFLICT, VALIDATION_FAILED (timeZone, dayEnd)
 */
export async function saveWorkingHours(
  db: Db,
  actor: Actor,
  origin: RequestOrigin,
  branchId: string,
  input: PatchWorkingHoursRequestDto,
): Promise<BranchWorkingHoursDto> {
  const timeZone = input.timeZone === undefined ? undefined : ianaTimeZone(input.timeZone);
  await db.transaction().execute(async (trx) => {
    const branch = await trx
      .selectFrom('branches')
      .select(['id', 'time_zone', 'version'])
      .where('id', '=', branchId)
      .forUpdate()
      .executeTakeFirst();
    if (!branch) throw new AppError('NOT_FOUND', 'No such branch', 'params.id');
    // The calendar row is locked too: two saves of a branch without one yet both create it (on conflict).
    await trx
      .insertInto('branch_calendars')
      .values({ branch_id: branchId, version: 0 })
      .onConflict((oc) => oc.column('branch_id').doNothing())
      .execute();
    const before = (await findWorkingHours(trx, branchId))!;
    const calendar = await trx
      .selectFrom('branch_calendars')
      .select('version')
      .where('branch_id', '=', branchId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (branch.version + calendar.version !== input.version) conflict('branch');
    const workDays = input.workDays && [...input.workDays].sort((a, b) => a - b);
    const dayStart = input.dayStart ?? before.dayStart;
    const dayEnd = input.dayEnd ?? before.dayEnd;
    if (minutesOf(dayStart) >= minutesOf(dayEnd))
      throw new AppError(
        'VALIDATION_FAILED',
        'The working day must end after it starts',
        input.dayEnd !== undefined ? 'body.dayEnd' : 'body.dayStart',
      );
    const changes = diff(before, {
      workDays,
      dayStart: input.dayStart,
      dayEnd: input.dayEnd,
      timeZone,
    });
    // A calendar row created just now holds the defaults the GET showed: nothing changed, no version bump.
    if (Object.keys(changes).length === 0) return;
    if (changes.workDays || changes.dayStart || changes.dayEnd)
      await trx
        .updateTable('branch_calendars')
        .set({
          work_days: workDays ?? before.workDays,
          day_start: dayStart,
          day_end: dayEnd,
          version: sql`version + 1`,
        })
        .where('branch_id', '=', branchId)
        .execute();
    if (changes.timeZone)
      await trx
        .updateTable('branches')
        .set({ time_zone: timeZone!, version: sql`version + 1` })
        .where('id', '=', branchId)
        .execute();
    await recordAudit(trx, actor, origin, [
      {
        action: 'branch.working_hours.update',
        result: 'ok',
        entity: 'branch',
        entityId: branchId,
        details: { fields: Object.keys(changes), changes },
      },
    ]);
  });
  return (await findWorkingHours(db, branchId))!;
}
