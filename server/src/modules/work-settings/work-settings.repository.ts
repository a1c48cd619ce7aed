import type {
  BranchWorkingHoursDto,
  TaskCatalogDto,
  TaskPrioritySettingDto,
  TaskTypeSettingDto,
} from '@crm/shared';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { TaskPrioritiesTable, TaskTypesTable } from '../../db/types.ts';

// Queries of the work settings. Repositories take `db` or a transaction; services open transactions.

/** Monday-Friday 09:00-18:00: what a branch without a `branch_calendars` row works (working-calendar.repository). */
export const DEFAULT_WORKING_HOURS = { workDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '18:00' };

/** A `task_types` row in the API shape. */
export function taskTypeDto(r: Selectable<TaskTypesTable>): TaskTypeSettingDto {
  return {
    code: r.code,
    nameRu: r.name_ru,
    nameEn: r.name_en,
    defaultDurationMinutes: r.default_duration_minutes,
    defaultReminderMinutes: r.default_reminder_minutes,
    calendarCategory: r.calendar_category,
    active: r.active,
    ordinal: r.ordinal,
    version: r.version,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** All task types, active and not, in the admin's order (ordinal, then code). */
export async function findTaskTypes(db: Db): Promise<TaskTypeSettingDto[]> {
  const rows = await db.selectFrom('task_types').selectAll().orderBy('ordinal').orderBy('code').execute();
  return rows.map(taskTypeDto);
}

/** One task type row, or undefined. */
export async function findTaskType(db: Db, code: string) {
  return db.selectFrom('task_types').selectAll().where('code', '=', code).executeTakeFirst();
}

/** A `task_priorities` row in the API shape. */
export function priorityDto(r: Selectable<TaskPrioritiesTable>): TaskPrioritySettingDto {
  return {
    code: r.code,
    nameRu: r.name_ru,
    nameEn: r.name_en,
    ordinal: r.ordinal,
    graphImportance: r.graph_importance,
    version: r.version,
  };
}

/** The four priorities in the admin's order. */
export async function findTaskPriorities(db: Db): Promise<TaskPrioritySettingDto[]> {
  const rows = await db
    .selectFrom('task_priorities')
    .selectAll()
    .orderBy('ordinal')
    .orderBy('code')
    .execute();
  return rows.map(priorityDto);
}

/** The pane's catalog: active types with their defaults, inactive ones by name, priorities; `name` in `lang`. */
export async function findTaskCatalog(db: Db, lang: 'ru' | 'en'): Promise<TaskCatalogDto> {
  const [types, priorities] = await Promise.all([findTaskTypes(db), findTaskPriorities(db)]);
  const named = (x: { nameRu: string; nameEn: string }) => ({
    name: lang === 'en' ? x.nameEn : x.nameRu,
    names: { ru: x.nameRu, en: x.nameEn },
  });
  return {
    taskTypes: types
      .filter((x) => x.active)
      .map((x) => ({
        code: x.code,
        ...named(x),
        defaultDurationMinutes: x.defaultDurationMinutes,
        defaultReminderMinutes: x.defaultReminderMinutes,
      })),
    inactiveTaskTypes: types.filter((x) => !x.active).map((x) => ({ code: x.code, ...named(x) })),
    priorities: priorities.map((x) => ({ code: x.code, ...named(x) })),
  };
}

/** A branch's working hours (defaults when it has no calendar row), or undefined for no such branch. */
export async function findWorkingHours(db: Db, branchId: string): Promise<BranchWorkingHoursDto | undefined> {
  const r = await db
    .selectFrom('branches as b')
    .leftJoin('branch_calendars as bc', 'bc.branch_id', 'b.id')
    .where('b.id', '=', branchId)
    .select([
      'b.id',
      'b.code',
      'b.name',
      'b.time_zone',
      'b.version as branch_version',
      'bc.work_days',
      sql<string | null>`to_char(bc.day_start, 'HH24:MI')`.as('day_start'),
      sql<string | null>`to_char(bc.day_end, 'HH24:MI')`.as('day_end'),
      'bc.version as calendar_version',
    ])
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    branchId: r.id,
    branchCode: r.code,
    branchName: r.name,
    timeZone: r.time_zone,
    workDays: [...(r.work_days ?? DEFAULT_WORKING_HOURS.workDays)].sort((a, b) => a - b),
    dayStart: r.day_start ?? DEFAULT_WORKING_HOURS.dayStart,
    dayEnd: r.day_end ?? DEFAULT_WORKING_HOURS.dayEnd,
    // Both only ever grow, so their sum changes whenever either does: one concurrency token for the form.
    version: r.branch_version + (r.calendar_version ?? 0),
  };
}
