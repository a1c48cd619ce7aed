import { createHash } from 'node:crypto';
import { findWindows } from 'windows-iana';
import type { CalendarSyncConfig } from '../../config.ts';

/** The task as the event is built from it. Times are instants; the zone is the assignee's mailbox zone (IANA). */
export type TaskForEvent = {
  id: string;
  title: string;
  status: 'open' | 'in_progress' | 'done' | 'cancelled';
  plannedStartAt: Date | null;
  plannedDurationMinutes: number | null;
  allDay: boolean;
  dueAt: Date | null;
  effortEstimateMinutes: number | null;
  clientName: string | null;
  /**
   * The task type's calendar settings (admin's work settings): Outlook category and reminder minutes (null = no
   * reminder). Absent: the configured `category`/`reminderMinutes`.
   */
  typeSettings?: { category: string; reminderMinutes: number | null } | null;
  /** Graph `importance` of the task's priority (work settings); absent: not written. */
  importance?: 'low' | 'normal' | 'high' | null;
};

/** Outlook category of the task's event: its type's, else the configured one. */
export function eventCategory(task: Pick<TaskForEvent, 'typeSettings'>, config: CalendarSyncConfig): string {
  return task.typeSettings?.category ?? config.category;
}

/**
 * Reminder minutes before the event's start: its type's (null = none), else the configured ones. The
 * configuration's `off` (null) turns reminders off for every type: an operator's switch above the admin's.
 */
export function eventReminderMinutes(
  task: Pick<TaskForEvent, 'typeSettings'>,
  config: CalendarSyncConfig,
): number | null {
  if (config.reminderMinutes === null) return null;
  return task.typeSettings ? task.typeSettings.reminderMinutes : config.reminderMinutes;
}

/** Wall-clock time of `instant` in `timeZone`, as Graph's `dateTime` wants it: `YYYY-MM-DDTHH:mm:ss`, no offset. */
export function wallTime(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Windows zone name for an IANA zone (what Outlook itself writes); the IANA name when Windows has none. */
export function graphTimeZone(iana: string): string {
  return findWindows(iana)[0] ?? iana;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** When the task shows in the calendar: its planned start, else its due time; null = no event. */
export function eventStart(task: Pick<TaskForEvent, 'plannedStartAt' | 'dueAt'>): Date | null {
  return task.plannedStartAt ?? task.dueAt;
}

/** start|duration|allDay: a CRM reschedule changes it (placing a task back whose event the user deleted). */
export function scheduleKey(task: TaskForEvent, defaultDuration: number): string | null {
  const start = eventStart(task);
  if (!start) return null;
  return `${start.toISOString()}|${task.plannedDurationMinutes ?? task.effortEstimateMinutes ?? defaultDuration}|${task.allDay}`;
}

/** transactionId of the create for (task, mailbox user, generation): stable across retries, new per generation. */
export function transactionIdFor(taskId: string, userId: string, generation: number): string {
  const h = createHash('sha256').update(`${taskId}|${userId}|${generation}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STATUS_TEXT: Record<TaskForEvent['status'], string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Completed',
  cancelled: 'Cancelled',
};

/**
 * The event's writable fields (same for create and PATCH): no attendees (no invitations are sent), the
 * category and reminder of the task's type, the priority's importance, the link back, start/end in the mailbox's zone. Timed events: end = start + duration
 * computed on the instant, then written as wall time, so a span across a DST change keeps its real length
 * (microsoft-graph-docs#21810). All-day: midnight to midnight in one zone, or Graph answers
 * ErrorPropertyValidationFailure (microsoft-graph-docs-contrib#5453). A completed task stays in the calendar,
 * marked completed in subject and body and shown as free.
 */
export function eventFields(task: TaskForEvent, timeZone: string, config: CalendarSyncConfig) {
  const start = eventStart(task)!;
  const duration = task.plannedDurationMinutes ?? task.effortEstimateMinutes ?? config.defaultDurationMinutes;
  const tz = graphTimeZone(timeZone);
  let times: { start: { dateTime: string; timeZone: string }; end: { dateTime: string; timeZone: string } };
  if (task.allDay) {
    const day = wallTime(start, timeZone).slice(0, 10);
    const days = Math.max(1, Math.ceil(duration / 1440));
    times = {
      start: { dateTime: `${day}T00:00:00`, timeZone: tz },
      end: { dateTime: `${addDays(day, days)}T00:00:00`, timeZone: tz },
    };
  } else {
    times = {
      start: { dateTime: wallTime(start, timeZone), timeZone: tz },
      end: { dateTime: wallTime(new Date(start.getTime() + duration * 60_000), timeZone), timeZone: tz },
    };
  }
  const done = task.status === 'done';
  const category = eventCategory(task, config);
  const reminderMinutes = eventReminderMinutes(task, config);
  const link = `${config.publicUrl}/?task=${encodeURIComponent(task.id)}`;
  return {
    subject: `${done ? '✔ ' : ''}${task.title}`,
    body: {
      contentType: 'html',
      content:
        `<p>${escapeHtml(task.title)}${task.clientName ? ` — ${escapeHtml(task.clientName)}` : ''}</p>` +
        `<p>Status: ${STATUS_TEXT[task.status]}</p>` +
        `<p><a href="${escapeHtml(link)}">Open the task in the CRM</a></p>`,
    },
    ...times,
    isAllDay: task.allDay,
    showAs: done ? 'free' : 'busy',
    categories: done ? [category, 'Completed'] : [category],
    isReminderOn: reminderMinutes !== null && !done,
    ...(reminderMinutes !== null ? { reminderMinutesBeforeStart: reminderMinutes } : {}),
    ...(task.importance ? { importance: task.importance } : {}),
    attendees: [],
  };
}

/** The create body: the fields plus `transactionId` and the extended property carrying the task id. */
export function createEventBody(
  task: TaskForEvent,
  timeZone: string,
  config: CalendarSyncConfig,
  transactionId: string,
) {
  return {
    ...eventFields(task, timeZone, config),
    transactionId,
    singleValueExtendedProperties: [{ id: config.extendedPropertyId, value: task.id }],
  };
}

/** `GET /users/{id}/events` filtered on the task id property (on /events, never /calendarView: msgraph-sdk-dotnet#2375). */
export function lookupUrl(mailbox: string, taskId: string, config: CalendarSyncConfig): string {
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${config.extendedPropertyId}' and ep/value eq '${taskId}')`;
  return `/users/${encodeURIComponent(mailbox)}/events?$filter=${encodeURIComponent(filter)}&$select=id,changeKey,transactionId,lastModifiedDateTime`;
}
