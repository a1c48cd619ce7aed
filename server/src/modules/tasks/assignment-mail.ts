import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { SyncDeps } from '../calendar-sync/calendar-sync.service.ts';
import { graphMailSender, logSender, PermanentSendError } from '../credit/notification-senders.ts';

// Assignment notices: the assignee gets an email when a task is assigned or reassigned to them by someone
// else. Queued in the task's transaction (outbox), keyed per task × assignee × task version, so one
// assignment is one job and one mail; a failed send (429/5xx, no answer) is retried by graphile-worker.

export type AssignmentMailPayload = {
  taskId: string;
  assigneeId: string;
  actorId: string;
  version: number;
  kind: 'assigned' | 'reassigned';
};

/** Outbox: call inside the transaction that assigns the task. No mail when the actor assigns to themself. */
export async function enqueueAssignmentMail(trx: Db, payload: AssignmentMailPayload): Promise<void> {
  if (payload.assigneeId === payload.actorId) return;
  await sql`select graphile_worker.add_job('calendar_assignment_mail', ${JSON.stringify(payload)}::json,
    job_key := ${`assignment-mail:${payload.taskId}:${payload.assigneeId}:${payload.version}`}::text,
    max_attempts := 10)`.execute(trx);
}

type Lang = 'ru' | 'en';

const TEXT: Record<
  Lang,
  {
    subject: Record<AssignmentMailPayload['kind'], (title: string) => string>;
    intro: (actor: string) => string;
    client: string;
    when: string;
    due: string;
    open: string;
    locale: string;
  }
> = {
  ru: {
    subject: {
      assigned: (t) => `Вам назначена задача: ${t}`,
      reassigned: (t) => `Вам передана задача: ${t}`,
    },
    intro: (a) => `${a} назначил(а) вам задачу в CRM.`,
    client: 'Клиент',
    when: 'Запланировано',
    due: 'Срок',
    open: 'Открыть в CRM',
    locale: 'ru-RU',
  },
  en: {
    subject: {
      assigned: (t) => `Task assigned to you: ${t}`,
      reassigned: (t) => `Task reassigned to you: ${t}`,
    },
    intro: (a) => `${a} assigned you a task in the CRM.`,
    client: 'Client',
    when: 'Planned',
    due: 'Due',
    open: 'Open in the CRM',
    locale: 'en-GB',
  },
};

/** Subject and plain-text body in the assignee's language. */
export function assignmentMailText(
  lang: Lang,
  kind: AssignmentMailPayload['kind'],
  t: {
    title: string;
    actorName: string;
    clientName: string | null;
    plannedStartAt: Date | null;
    dueAt: Date | null;
    link: string;
    timeZone: string;
  },
): { subject: string; body: string } {
  const x = TEXT[lang];
  const fmt = (d: Date) =>
    new Intl.DateTimeFormat(x.locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: t.timeZone,
    }).format(d);
  const lines = [
    x.intro(t.actorName),
    '',
    t.title,
    t.clientName ? `${x.client}: ${t.clientName}` : null,
    t.plannedStartAt ? `${x.when}: ${fmt(t.plannedStartAt)}` : null,
    t.dueAt ? `${x.due}: ${fmt(t.dueAt)}` : null,
    '',
    `${x.open}: ${t.link}`,
  ].filter((l): l is string => l !== null);
  return { subject: x.subject[kind](t.title), body: lines.join('\n') };
}

/**
 * Job `calendar_assignment_mail`: sends the notice unless the task moved on (reassigned again, cancelled).
 * SMTP when `CRM_NOTIFY_EMAIL=smtp` (`deps.mail`), else Graph `sendMail` from `CRM_GRAPH_SERVICE_MAILBOX` when
 * Graph is configured, else the log-only adapter. Throws on a transient failure (Graph 429/5xx, SMTP 4xx, no
 * answer: retried); a permanent refusal (Graph 4xx, SMTP 5xx) is logged and not retried.
 */
export async function sendAssignmentMail(
  deps: SyncDeps,
  db: Db,
  payload: AssignmentMailPayload,
): Promise<void> {
  const row = await db
    .selectFrom('tasks as t')
    .innerJoin('users as a', 'a.id', 't.assignee_id')
    .innerJoin('users as actor', (j) => j.on('actor.id', '=', payload.actorId))
    .leftJoin('branches as b', 'b.id', 'a.branch_id')
    .leftJoin('clients as c', 'c.id', 't.client_id')
    .where('t.id', '=', payload.taskId)
    .select([
      't.title',
      't.status',
      't.assignee_id',
      't.planned_start_at',
      't.due_at',
      'a.email',
      'a.language',
      'a.is_active',
      'actor.name as actor_name',
      'b.time_zone',
      'c.display_name',
    ])
    .executeTakeFirst();
  if (!row || row.assignee_id !== payload.assigneeId || row.status === 'cancelled' || !row.is_active) {
    deps.log?.info({ taskId: payload.taskId }, 'assignment mail skipped: the task moved on');
    return;
  }
  // An SMTP relay, when configured, is the bank's explicit choice; else Graph from the service mailbox.
  const mailbox = deps.config.serviceMailbox;
  const sender =
    deps.mail ??
    (deps.graph && mailbox ? graphMailSender(deps.graph, mailbox) : logSender('email', deps.log));
  const text = assignmentMailText(row.language ?? 'ru', payload.kind, {
    title: row.title,
    actorName: row.actor_name,
    clientName: row.display_name,
    plannedStartAt: row.planned_start_at,
    dueAt: row.due_at,
    link: `${deps.config.publicUrl}/?task=${payload.taskId}`,
    timeZone: row.time_zone ?? 'Europe/Moscow',
  });
  try {
    await sender.send({
      idempotencyKey: `assignment-mail:${payload.taskId}:${payload.assigneeId}:${payload.version}`,
      to: row.email,
      subject: text.subject,
      body: text.body,
    });
  } catch (err) {
    if (err instanceof PermanentSendError) {
      deps.log?.warn({ taskId: payload.taskId, err: err.message }, 'assignment mail refused');
      return;
    }
    throw err;
  }
}
