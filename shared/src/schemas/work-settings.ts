import { type Static, Type } from 'typebox';
import { TaskPriority, TaskType } from './clients.ts';
import { DateTime, Id, NonBlankText } from './common.ts';

// Work settings (admin page section "Work settings"; /api/v1/admin/task-types, /admin/task-priorities,
// /admin/branches/:id/working-hours) and the catalog the pane chooses from (GET /api/v1/task-types).
// Every change carries the `version` the admin saw: a newer save answers 409 VERSION_CONFLICT.

const Version = Type.Integer({ minimum: 1 });
/** Minutes a planned task of the type lasts when it has no duration of its own: 1 minute to 14 days. */
const DurationMinutes = Type.Integer({ minimum: 1, maximum: 20160 });
/** Minutes before the start Outlook reminds: 0 (at the start) to 14 days. */
const ReminderMinutes = Type.Integer({ minimum: 0, maximum: 20160 });
/** An Outlook category name (the mailbox's master list gets it on first use). */
const CalendarCategory = NonBlankText(255);
/** Local wall time `HH:MM` (00:00-23:59). */
export const WallTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
export const GRAPH_IMPORTANCES = ['low', 'normal', 'high'] as const;

/**
 * A task type as the admin edits it. `defaultDurationMinutes` null: no default of its own (the calendar's
 * configured default applies); `defaultReminderMinutes` null: no Outlook reminder. Never deleted: `active`
 * false takes it out of the pane's choice, its existing tasks keep it.
 */
export const TaskTypeSetting = Type.Object({
  code: TaskType,
  nameRu: Type.String(),
  nameEn: Type.String(),
  defaultDurationMinutes: Type.Union([Type.Integer(), Type.Null()]),
  defaultReminderMinutes: Type.Union([Type.Integer(), Type.Null()]),
  calendarCategory: Type.String(),
  active: Type.Boolean(),
  ordinal: Type.Integer(),
  version: Type.Integer(),
  updatedAt: DateTime,
});
export type TaskTypeSettingDto = Static<typeof TaskTypeSetting>;
export const TaskTypeSettings = Type.Object({ items: Type.Array(TaskTypeSetting) });
export type TaskTypeSettingsDto = Static<typeof TaskTypeSettings>;

/** POST /admin/task-types. `code` is permanent (tasks refer to it); ordinal defaults to after the last. */
export const CreateTaskTypeRequest = Type.Object(
  {
    code: TaskType,
    nameRu: NonBlankText(100),
    nameEn: NonBlankText(100),
    defaultDurationMinutes: Type.Optional(Type.Union([DurationMinutes, Type.Null()])),
    defaultReminderMinutes: Type.Optional(Type.Union([ReminderMinutes, Type.Null()])),
    calendarCategory: Type.Optional(CalendarCategory),
    active: Type.Optional(Type.Boolean()),
    ordinal: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { additionalProperties: false },
);
export type CreateTaskTypeRequestDto = Static<typeof CreateTaskTypeRequest>;

/** PATCH /admin/task-types/:code: the fields given change. */
export const UpdateTaskTypeRequest = Type.Object(
  {
    version: Version,
    nameRu: Type.Optional(NonBlankText(100)),
    nameEn: Type.Optional(NonBlankText(100)),
    defaultDurationMinutes: Type.Optional(Type.Union([DurationMinutes, Type.Null()])),
    defaultReminderMinutes: Type.Optional(Type.Union([ReminderMinutes, Type.Null()])),
    calendarCategory: Type.Optional(CalendarCategory),
    active: Type.Optional(Type.Boolean()),
    ordinal: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { additionalProperties: false },
);
export type UpdateTaskTypeRequestDto = Static<typeof UpdateTaskTypeRequest>;
export const TaskTypeCodeParams = Type.Object({ code: TaskType }, { additionalProperties: false });

/** A priority (the four codes are fixed; names, order and the Outlook event importance are settings). */
export const TaskPrioritySetting = Type.Object({
  code: TaskPriority,
  nameRu: Type.String(),
  nameEn: Type.String(),
  ordinal: Type.Integer(),
  graphImportance: Type.Enum(GRAPH_IMPORTANCES),
  version: Type.Integer(),
});
export type TaskPrioritySettingDto = Static<typeof TaskPrioritySetting>;
export const TaskPrioritySettings = Type.Object({ items: Type.Array(TaskPrioritySetting) });
export type TaskPrioritySettingsDto = Static<typeof TaskPrioritySettings>;
/** PATCH /admin/task-priorities/:code. */
export const UpdateTaskPriorityRequest = Type.Object(
  {
    version: Version,
    nameRu: Type.Optional(NonBlankText(100)),
    nameEn: Type.Optional(NonBlankText(100)),
    ordinal: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    graphImportance: Type.Optional(Type.Enum(GRAPH_IMPORTANCES)),
  },
  { additionalProperties: false },
);
export type UpdateTaskPriorityRequestDto = Static<typeof UpdateTaskPriorityRequest>;
export const TaskPriorityCodeParams = Type.Object({ code: TaskPriority }, { additionalProperties: false });

/**
 * A branch's working hours (the credit SLA counts in them): ISO weekdays (1 = Monday ... 7 = Sunday), the
 * working day's local start and end, the branch's IANA time zone. `version` covers the branch and its
 * calendar together (their versions summed: either changing answers 409). Holidays are edited elsewhere.
 */
export const BranchWorkingHours = Type.Object({
  branchId: Id,
  branchCode: Type.String(),
  branchName: Type.String(),
  timeZone: Type.String(),
  workDays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 })),
  dayStart: WallTime,
  dayEnd: WallTime,
  version: Type.Integer(),
});
export type BranchWorkingHoursDto = Static<typeof BranchWorkingHours>;

const WorkDays = Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
  minItems: 1,
  maxItems: 7,
  uniqueItems: true,
});
/** PUT /admin/branches/:id/working-hours: all of it. dayStart < dayEnd; the zone is checked with Intl. */
export const PutWorkingHoursRequest = Type.Object(
  {
    version: Version,
    workDays: WorkDays,
    dayStart: WallTime,
    dayEnd: WallTime,
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type PutWorkingHoursRequestDto = Static<typeof PutWorkingHoursRequest>;
/** PATCH /admin/branches/:id/working-hours: the fields given change. */
export const PatchWorkingHoursRequest = Type.Object(
  {
    version: Version,
    workDays: Type.Optional(WorkDays),
    dayStart: Type.Optional(WallTime),
    dayEnd: Type.Optional(WallTime),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type PatchWorkingHoursRequestDto = Static<typeof PatchWorkingHoursRequest>;

export const WORK_LANGS = ['ru', 'en'] as const;
/** GET /api/v1/task-types: `lang` picks `name` (default ru); both names come along for a language switch. */
export const TaskCatalogQuery = Type.Object(
  { lang: Type.Optional(Type.Enum(WORK_LANGS)) },
  { additionalProperties: false },
);
export type TaskCatalogQueryDto = Static<typeof TaskCatalogQuery>;
const Names = Type.Object({ ru: Type.String(), en: Type.String() });
/**
 * What the pane offers: active task types (in order, with their defaults) and the priorities. Inactive types
 * come by name only, so tasks of a retired type still show it.
 */
export const TaskCatalog = Type.Object({
  taskTypes: Type.Array(
    Type.Object({
      code: TaskType,
      name: Type.String(),
      names: Names,
      defaultDurationMinutes: Type.Union([Type.Integer(), Type.Null()]),
      defaultReminderMinutes: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
  inactiveTaskTypes: Type.Array(Type.Object({ code: TaskType, name: Type.String(), names: Names })),
  priorities: Type.Array(Type.Object({ code: TaskPriority, name: Type.String(), names: Names })),
});
export type TaskCatalogDto = Static<typeof TaskCatalog>;
