import { type Static, Type } from 'typebox';
import { CREDIT_STAGES, Task, TaskPriority, TaskStatus, TaskType } from './clients.ts';
import { DateTime, Id, NonBlankText, UserRef } from './common.ts';

/** When the task is planned: an event in the assignee's Outlook calendar (calendar sync). */
const Planning = {
  plannedStartAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
  plannedDurationMinutes: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 20160 }), Type.Null()]),
  ),
  allDay: Type.Optional(Type.Boolean()),
};

/** POST /api/v1/tasks: a task from the pane, linked to the client and, optionally, the email. */
export const CreateTaskRequest = Type.Object(
  {
    title: NonBlankText(255),
    type: TaskType,
    priority: Type.Optional(TaskPriority),
    dueAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
    effortEstimateMinutes: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 100000 }), Type.Null()]),
    ),
    clientId: Id,
    dealId: Type.Optional(Type.Union([Id, Type.Null()])),
    assigneeId: Type.Optional(Id),
    internetMessageId: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()])),
    ...Planning,
  },
  { additionalProperties: false },
);
export type CreateTaskRequestDto = Static<typeof CreateTaskRequest>;

/** PATCH /api/v1/tasks/:id: partial change; `version` must equal the stored one, else 409 VERSION_CONFLICT. */
export const UpdateTaskRequest = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    title: Type.Optional(NonBlankText(255)),
    /** Another active task type (keeping a deactivated one is allowed). */
    type: Type.Optional(TaskType),
    status: Type.Optional(TaskStatus),
    priority: Type.Optional(TaskPriority),
    dueAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
    effortEstimateMinutes: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 100000 }), Type.Null()]),
    ),
    /** Reassignment: yourself, or for a supervisor a member of their team. */
    assigneeId: Type.Optional(Id),
    ...Planning,
  },
  { additionalProperties: false },
);
export type UpdateTaskRequestDto = Static<typeof UpdateTaskRequest>;

/** GET /api/v1/team: a supervisor's team (an RM: themself), member by member, most overdue first. */
export const TeamView = Type.Object({
  members: Type.Array(
    Type.Object({
      user: UserRef,
      openTasks: Type.Integer(),
      overdueTasks: Type.Integer(),
      /** Estimates of open tasks, and of tasks completed in the last 30 days (minutes). */
      effortPlannedMinutes: Type.Integer(),
      effortDoneMinutes: Type.Integer(),
      /** Whether this member's Outlook calendar can be written: a reason when it cannot. */
      calendarNotSyncableReason: Type.Union([Type.String(), Type.Null()]),
      /** Open tasks, overdue first, then by due/planned time (at most 20). */
      tasks: Type.Array(Task),
    }),
  ),
});
export type TeamViewDto = Static<typeof TeamView>;

/**
 * GET /api/v1/tasks/:id: one task opened from its link (calendar event, iCalendar feed), with its client's name
 * (null when the caller may not open that client) and the credit stage it follows, if any.
 */
export const TaskLink = Type.Object({
  task: Task,
  client: Type.Union([Type.Object({ id: Id, displayName: Type.String() }), Type.Null()]),
  credit: Type.Union([
    Type.Object({
      applicationId: Id,
      number: Type.String(),
      stage: Type.Enum(CREDIT_STAGES),
      /** The stage is over (the task stays as a record of it). */
      completed: Type.Boolean(),
    }),
    Type.Null(),
  ]),
});
export type TaskLinkDto = Static<typeof TaskLink>;
