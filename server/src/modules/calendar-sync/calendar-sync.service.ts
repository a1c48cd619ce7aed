import { sql } from 'kysely';
import { findIana } from 'windows-iana';
import type { CalendarSyncConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { MessageSender } from '../credit/notification-senders.ts';
import {
  createEventBody,
  eventFields,
  eventStart,
  lookupUrl,
  scheduleKey,
  type TaskForEvent,
  transactionIdFor,
} from './calendar-event.mapper.ts';
import { enqueueDelta, enqueueSubscribe, pullDelta } from './calendar-inbound.service.ts';
import {
  enqueueMailboxSync,
  findMailbox,
  findMailboxWork,
  type LinkRow,
  type MailboxInfo,
  markCreatesAttempted,
  markMailboxNotSyncable,
  recordSynced,
  saveMailboxConcurrency,
  saveMailboxTimeZone,
  updateLink,
  type WorkItem,
} from './calendar-sync.repository.ts';
import {
  type GraphClient,
  type GraphRequest,
  type GraphResponse,
  GraphTransportError,
  graphErrorCode,
  graphErrorMessage,
} from './graph.client.ts';

export type SyncDeps = {
  db: Db;
  graph: GraphClient | null;
  config: CalendarSyncConfig;
  log?: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
  /** Sends assignment notices when set (the SMTP relay of `CRM_NOTIFY_EMAIL=smtp`); else Graph or the log. */
  mail?: MessageSender | null;
};

/** Graph errors that mean "this mailbox cannot be reached by the app": park it, tell the admin, stop retrying. */
const NOT_SYNCABLE_CODES = new Set([
  'MailboxNotEnabledForRESTAPI',
  'ErrorAccessDenied',
  'MailboxNotEnabledForRESTApi',
]);

/**
 * Job `calendar_sync_task`: decides, under the task's row lock, which events the task should have (one in its
 * assignee's mailbox while it has a time and is not cancelled) and marks the links that need Graph calls, then
 * asks the affected mailboxes for a run. Reads the task's current state: the payload holds its id only.
 */
export async function reconcileTask(deps: SyncDeps, taskId: string): Promise<void> {
  if (!deps.graph) return; // Graph not configured: no calendars to keep in step.
  const defaultDuration = deps.config.defaultDurationMinutes;
  await deps.db.transaction().execute(async (trx) => {
    const t = await trx
      .selectFrom('tasks')
      .where('id', '=', taskId)
      .select([
        'id',
        'title',
        'status',
        'planned_start_at',
        'planned_duration_minutes',
        'all_day',
        'due_at',
        'effort_estimate_minutes',
        'assignee_id',
        'version',
      ])
      .forUpdate()
      .executeTakeFirst();
    if (!t) return;
    const task: TaskForEvent = {
      id: t.id,
      title: t.title,
      status: t.status,
      plannedStartAt: t.planned_start_at,
      plannedDurationMinutes: t.planned_duration_minutes,
      allDay: t.all_day,
      dueAt: t.due_at,
      effortEstimateMinutes: t.effort_estimate_minutes,
      clientName: null,
    };
    const links = (await trx
      .selectFrom('calendar_links')
      .where('task_id', '=', taskId)
      .selectAll()
      .orderBy('generation')
      .execute()) as unknown as LinkRow[];
    const want = eventStart(task) !== null && task.status !== 'cancelled';
    const key = scheduleKey(task, defaultDuration);
    const affected = new Set<string>();
    const live = links.filter((l) => l.state !== 'deleted');
    const current = want ? live.filter((l) => l.user_id === t.assignee_id).at(-1) : undefined;

    for (const l of live) {
      if (l === current) continue;
      // Events of former assignees (reassignment) or of a task no longer in the calendar: delete them.
      if (l.state === 'removed_in_outlook' || l.state === 'not_syncable') continue;
      if (l.event_id || l.create_attempted_at) {
        if (l.op !== 'delete' || !l.needs_sync) {
          await updateLink(trx, l.id, { state: 'pending', needs_sync: true });
          await trx.updateTable('calendar_links').set({ op: 'delete' }).where('id', '=', l.id).execute();
          affected.add(l.user_id);
        }
      } else {
        await updateLink(trx, l.id, { state: 'deleted', needs_sync: false });
      }
    }

    if (want) {
      const mailbox = await trx
        .selectFrom('mailbox_sync_state')
        .where('user_id', '=', t.assignee_id)
        .select(['state', 'reason'])
        .executeTakeFirst();
      const placeBack = current?.state === 'removed_in_outlook' && current.schedule_key !== key;
      if (!current || placeBack) {
        // A new generation, so a new transactionId: reusing one for a different event is refused (corso#2490).
        const generation = (links.at(-1)?.generation ?? 0) + 1;
        const parked = mailbox?.state === 'not_syncable';
        await trx
          .insertInto('calendar_links')
          .values({
            task_id: taskId,
            user_id: t.assignee_id,
            generation,
            transaction_id: transactionIdFor(taskId, t.assignee_id, generation),
            state: parked ? 'not_syncable' : 'pending',
            needs_sync: !parked,
            last_error: parked ? (mailbox?.reason ?? null) : null,
          })
          .execute();
        if (placeBack) await updateLink(trx, current!.id, { state: 'deleted', needs_sync: false });
        if (!parked) affected.add(t.assignee_id);
      } else if (current.state === 'removed_in_outlook' || current.state === 'not_syncable') {
        // The user deleted the event: keep the task, do not recreate it (EspoCRM/Dynamics delete handling).
      } else if (
        current.op === 'delete' ||
        current.synced_version !== t.version ||
        current.state === 'failed'
      ) {
        await trx
          .updateTable('calendar_links')
          .set({ op: 'upsert', needs_sync: true, state: 'pending', updated_at: sql`now()` })
          .where('id', '=', current.id)
          .execute();
        affected.add(t.assignee_id);
      }
    }
    for (const userId of affected) await enqueueMailboxSync(trx, userId, deps.config.batchWindowMs);
  });
}

type Kind = 'lookup' | 'create' | 'patch' | 'delete';

/** Longest a mailbox run waits for the reconciles of its burst (reconcilesInFlight). */
const BURST_MAX_WAIT_MS = 2000;

/** Backoff without Retry-After doubles at most this many times: 16 x `retryBaseMs` (16 s by default). */
const MAX_BACKOFF_DOUBLINGS = 4;
type Outcome = { transient: boolean; retryAfterMs: number | null; error?: string };

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Thrown when a run ends with work left (throttling, outages): graphile-worker retries the job with backoff. */
export class SyncIncompleteError extends Error {}

/**
 * Sends requests for one mailbox: alone when one, else `$batch` chunks of at most `batchSize`, one batch at a
 * time (single requests in parallel under the mailbox's concurrency limit). An outer failure (transport, 429, 5xx) applies to every
 * request in the chunk. Returns one answer per request id, or a GraphTransportError.
 */
async function sendAll(
  graph: GraphClient,
  mailbox: string,
  reqs: GraphRequest[],
  batchSize: number,
): Promise<Map<string, GraphResponse | GraphTransportError>> {
  const out = new Map<string, GraphResponse | GraphTransportError>();
  const chunks: GraphRequest[][] = [];
  for (let i = 0; i < reqs.length; i += batchSize) chunks.push(reqs.slice(i, i + batchSize));
  const run = async (chunk: GraphRequest[]) => {
    try {
      if (chunk.length === 1) {
        out.set(chunk[0]!.id, await graph.send(mailbox, chunk[0]!));
        return;
      }
      const { outer, inner } = await graph.batch(mailbox, chunk);
      for (const r of chunk) {
        const answer = inner.get(r.id);
        // Outer failure, or an inner answer missing: treat as that status for the whole chunk (ambiguous for creates).
        out.set(r.id, answer ?? (outer.status === 200 ? new GraphTransportError('no inner answer') : outer));
      }
    } catch (err) {
      const e = err instanceof GraphTransportError ? err : new GraphTransportError((err as Error).message);
      for (const r of chunk) out.set(r.id, e);
    }
  };
  // Inner requests of a $batch already run concurrently against the mailbox's ~4-request limit: one batch at a
  // time per mailbox; single requests run in parallel under the limiter.
  if (batchSize > 1 && chunks.length > 1) for (const chunk of chunks) await run(chunk);
  else await Promise.all(chunks.map(run));
  return out;
}

/**
 * Job `calendar_sync_mailbox`: does the Graph calls one mailbox's links need, in rounds. Each round: look up
 * events whose create may have happened (sent before, answer unknown), then create/patch/delete the rest in
 * batches. Failed items only are retried in the next round, after the largest Retry-After seen (or exponential
 * backoff); successes are recorded once. Work left after `maxRounds` leaves the links `failed` with the reason
 * and throws, so the job is retried later.
 */
export async function syncMailbox(deps: SyncDeps, userId: string): Promise<void> {
  const { db, graph, config } = deps;
  if (!graph) return;
  const found = await findMailbox(db, userId);
  if (!found) return;
  if (found.state === 'not_syncable') {
    await markMailboxNotSyncable(db, userId, found.reason ?? 'not syncable');
    return;
  }
  if (found.maxConcurrency) graph.limiter.setLimit(found.mailbox, found.maxConcurrency);
  if (await reconcilesInFlight(db, userId)) {
    // A new keyed job (the running one lets go of its key), so this worker slot goes to the reconciles.
    return enqueueMailboxSync(db, userId, config.batchWindowMs);
  }
  const mb: MailboxInfo = { ...found, timeZone: await mailboxTimeZone(deps, found) };
  // Outlook changes first when this run will PATCH events: a user's move made before it is applied (or
  // overridden, by the rule) rather than silently overwritten. Creates and deletes cannot lose a user's edit.
  if ((await hasPendingPatches(db, userId)) && (await hasDeltaLink(db, userId)))
    await pullDelta(deps, userId);
  let lastError = '';
  // A run stays well inside the stale-lock lease, so a live run is never taken for a dead one.
  const deadline = Date.now() + (config.staleLockSeconds * 1000) / 2;
  for (let round = 0; round < config.maxRounds && Date.now() < deadline; round++) {
    const items = await findMailboxWork(db, userId, 500);
    if (items.length === 0) return afterMailboxRun(deps, userId);
    let wait = 0;
    let transient = false;
    const onOutcome = (o: Outcome | 'parked') => {
      if (o === 'parked') return;
      if (o.transient) {
        transient = true;
        if (o.retryAfterMs !== null) wait = Math.max(wait, o.retryAfterMs);
        if (o.error) lastError = o.error;
      }
    };

    // 1. Creates that may have happened: find the event by the task id property before anything else.
    const toLookUp = items.filter((i) => !i.link.event_id && i.link.create_attempted_at);
    const looked = new Set<string>();
    if (toLookUp.length > 0) {
      const answers = await sendAll(
        graph,
        mb.mailbox,
        toLookUp.map((i) => ({
          id: i.link.id,
          method: 'GET',
          url: lookupUrl(mb.mailbox, i.task.id, config),
        })),
        config.batchSize,
      );
      for (const item of toLookUp) {
        const o = await handle(deps, mb, item, 'lookup', answers.get(item.link.id)!);
        if (o === 'parked') return;
        if (!o.transient && !o.error) looked.add(item.link.id);
        onOutcome(o);
      }
    }

    // 2. Create / patch / delete.
    const work: { item: WorkItem; kind: Kind; req: GraphRequest }[] = [];
    for (const item of items) {
      const { link, task } = item;
      if (!link.needs_sync) continue;
      const base = `/users/${encodeURIComponent(mb.mailbox)}/events`;
      if (!link.event_id && link.create_attempted_at && !looked.has(link.id)) continue; // lookup pending
      if (link.op === 'delete') {
        if (link.event_id)
          work.push({
            item,
            kind: 'delete',
            req: { id: link.id, method: 'DELETE', url: `${base}/${encodeURIComponent(link.event_id)}` },
          });
        else await updateLink(db, link.id, { state: 'deleted', needs_sync: false }); // never created
      } else if (eventStart(task) === null) {
        await updateLink(db, link.id, { state: 'deleted', needs_sync: false });
      } else if (link.event_id) {
        work.push({
          item,
          kind: 'patch',
          req: {
            id: link.id,
            method: 'PATCH',
            url: `${base}/${encodeURIComponent(link.event_id)}`,
            body: eventFields(task, mb.timeZone, config),
          },
        });
      } else {
        work.push({
          item,
          kind: 'create',
          req: {
            id: link.id,
            method: 'POST',
            url: base,
            body: createEventBody(task, mb.timeZone, config, link.transaction_id),
          },
        });
      }
    }
    // Persisted before sending: a crash or an ambiguous answer leads to a lookup, never a blind second create.
    await markCreatesAttempted(
      db,
      work.filter((w) => w.kind === 'create').map((w) => w.item.link.id),
    );
    const answers = await sendAll(
      graph,
      mb.mailbox,
      work.map((w) => w.req),
      config.batchSize,
    );
    for (const w of work) {
      const o = await handle(deps, mb, w.item, w.kind, answers.get(w.req.id)!);
      if (o === 'parked') return;
      onOutcome(o);
    }
    if (transient) {
      // Capped: with 20 % of requests refused, a few items fail five rounds running; an uncapped 2^round
      // would park the whole mailbox for minutes behind them (measured: 240 s to drain 2,000 tasks).
      const backoff =
        config.retryBaseMs * 2 ** Math.min(round, MAX_BACKOFF_DOUBLINGS) * (0.5 + Math.random() / 2);
      await sleep(Math.min(Math.max(wait, backoff), Math.max(0, deadline - Date.now())));
    }
  }
  const left = await findMailboxWork(db, userId, 500);
  if (left.length === 0) return afterMailboxRun(deps, userId);
  await db
    .updateTable('calendar_links')
    .set({ state: 'failed', last_error: lastError || 'Graph did not answer in time', updated_at: sql`now()` })
    .where('id', '=', sql<string>`any(${left.map((l) => l.link.id)}::uuid[])`)
    .execute();
  throw new SyncIncompleteError(`${left.length} calendar change(s) left for mailbox ${userId}: ${lastError}`);
}

/** How often the mailbox's own zone is read again (users travel and change it in Outlook). */
const TIME_ZONE_MAX_AGE_MS = 24 * 3_600_000;

/**
 * The zone events are written in: the mailbox's own (`GET /users/{id}/mailboxSettings/timeZone`, Windows or
 * IANA name as the tenant is set up: learn.microsoft.com/graph/api/user-get-mailboxsettings), read at most once
 * a day; the branch's until known. Needs MailboxSettings.Read: without it Graph answers 403 and the branch's
 * zone stays (asked again a day later). No answer or 429/5xx: the zone we had, asked again next run.
 */
async function mailboxTimeZone(deps: SyncDeps, mb: MailboxInfo): Promise<string> {
  const { db, graph } = deps;
  if (!graph || (mb.timeZoneReadAt && Date.now() - mb.timeZoneReadAt.getTime() < TIME_ZONE_MAX_AGE_MS))
    return mb.timeZone;
  let answer: GraphResponse;
  try {
    answer = await graph.send(mb.mailbox, {
      id: 'tz',
      method: 'GET',
      url: `/users/${encodeURIComponent(mb.mailbox)}/mailboxSettings/timeZone`,
    });
  } catch (e) {
    if (e instanceof GraphTransportError) return mb.timeZone;
    throw e;
  }
  if (answer.status === 429 || answer.status >= 500) return mb.timeZone;
  const value = answer.status === 200 ? (answer.body as { value?: unknown } | null)?.value : null;
  const iana = typeof value === 'string' ? ianaZone(value) : null;
  await saveMailboxTimeZone(db, mb.userId, iana);
  return iana ?? mb.timeZone;
}

/** IANA name of a zone Graph gave (IANA already, or Windows like `Russian Standard Time`); null if unknown. */
export function ianaZone(name: string): string | null {
  const candidates = [name, ...findIana(name)];
  for (const c of candidates) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: c });
      return c;
    } catch {
      // not a zone this runtime knows: try the next
    }
  }
  return null;
}

/**
 * True while reconcile jobs of tasks assigned to this user are still queued or running (not ones waiting to
 * retry after a failure) and the oldest pending
 * change of the mailbox is younger than BURST_MAX_WAIT_MS. Mailbox runs already come after queued reconciles
 * (job priority), but the last reconciles of a burst may still be running when a worker slot frees up: sending
 * then would split the burst into a partial `$batch` and a straggler.
 */
async function reconcilesInFlight(db: Db, userId: string): Promise<boolean> {
  const row = await sql<{ wait: boolean }>`select
      exists (select 1 from graphile_worker.jobs j join tasks t on t.id = substr(j.key, 6)::uuid
        where j.task_identifier = 'calendar_sync_task' and j.key like 'task:%'
          and (j.attempts = 0 or j.locked_at is not null) and t.assignee_id = ${userId})
      and coalesce((select min(updated_at) from calendar_links where user_id = ${userId} and needs_sync)
        > clock_timestamp() - make_interval(secs => ${BURST_MAX_WAIT_MS / 1000}::float8), true) as wait`.execute(
    db,
  );
  return row.rows[0]?.wait ?? false;
}

async function hasPendingPatches(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('calendar_links')
    .where('user_id', '=', userId)
    .where('needs_sync', '=', true)
    .where('op', '=', 'upsert')
    .where('event_id', 'is not', null)
    .select('id')
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}

async function hasDeltaLink(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('calendar_delta_state')
    .where('user_id', '=', userId)
    .where('delta_link', 'is not', null)
    .select('user_id')
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * After a run, the way back from the calendar: a subscription when a notification URL is configured (its job
 * also starts delta), else delta polling alone.
 */
async function afterMailboxRun(deps: SyncDeps, userId: string): Promise<void> {
  const { db, config } = deps;
  if (config.notificationUrl) {
    const sub = await db
      .selectFrom('graph_subscriptions')
      .where('user_id', '=', userId)
      .where('state', '=', 'active')
      .select('id')
      .executeTakeFirst();
    if (!sub) await enqueueSubscribe(db, userId);
  } else {
    const st = await db
      .selectFrom('calendar_delta_state')
      .where('user_id', '=', userId)
      .select('user_id')
      .executeTakeFirst();
    if (!st) await enqueueDelta(db, userId);
  }
}

/** Applies one answer to its link. 'parked': the mailbox cannot be synced; the run stops. */
async function handle(
  deps: SyncDeps,
  mb: MailboxInfo,
  item: WorkItem,
  kind: Kind,
  answer: GraphResponse | GraphTransportError,
): Promise<Outcome | 'parked'> {
  const { db, graph, config } = deps;
  const { link, task } = item;
  if (answer instanceof GraphTransportError) {
    // No answer: for a create, the lookup of the next round decides (create_attempted_at is set).
    return { transient: true, retryAfterMs: null, error: answer.message };
  }
  const code = graphErrorCode(answer.body);
  if (code && NOT_SYNCABLE_CODES.has(code)) {
    await markMailboxNotSyncable(db, mb.userId, code);
    deps.log?.warn({ userId: mb.userId, code }, 'mailbox not syncable: retries stopped');
    return 'parked';
  }
  if (
    // 401: Graph refused the token (expired early, revoked); the client drops it and the retry gets a new one.
    answer.status === 401 ||
    answer.status === 429 ||
    answer.status === 503 ||
    answer.status === 504 ||
    answer.status === 502 ||
    answer.status === 500 ||
    answer.status === 424 ||
    answer.status === 412
  ) {
    if (code === 'MailboxConcurrency') {
      const n = graph!.limiter.lower(mb.mailbox);
      await saveMailboxConcurrency(db, mb.userId, n);
    }
    await db
      .updateTable('calendar_links')
      .set({ last_error: graphErrorMessage(answer), updated_at: sql`now()` })
      .where('id', '=', link.id)
      .execute();
    return { transient: true, retryAfterMs: answer.retryAfterMs, error: graphErrorMessage(answer) };
  }
  const body = (answer.body ?? {}) as {
    id?: string;
    changeKey?: string;
    lastModifiedDateTime?: string;
    isReminderOn?: boolean;
    value?: { id: string; changeKey?: string; transactionId?: string; lastModifiedDateTime?: string }[];
  };
  const key = scheduleKey(task, config.defaultDurationMinutes);
  switch (kind) {
    case 'lookup': {
      if (answer.status !== 200) break;
      const found = (body.value ?? []).find((e) => e.transactionId === link.transaction_id);
      if (found) {
        link.event_id = found.id;
        // The create did happen: link it; synced_version null makes the next round PATCH the current state.
        await recordSynced(db, link.id, {
          eventId: found.id,
          changeKey: found.changeKey ?? null,
          version: null,
          scheduleKey: key,
          eventModifiedAt: found.lastModifiedDateTime ?? null,
        });
      } else if (link.last_error?.includes('ErrorDuplicateTransactionId')) {
        // Graph remembers the transactionId but the event is gone: the user deleted it. Do not recreate.
        await markRemovedInOutlook(db, link);
        link.needs_sync = false;
      } else {
        await updateLink(db, link.id, { create_attempted_at: null });
      }
      return { transient: false, retryAfterMs: null };
    }
    case 'create': {
      if (answer.status === 201 || answer.status === 200) {
        // isReminderOn has been ignored on create (microsoft-graph-docs-contrib#6912): read back, patch if so.
        const wantReminder = config.reminderMinutes !== null && task.status !== 'done';
        const reminderIgnored = body.isReminderOn !== undefined && body.isReminderOn !== wantReminder;
        await recordSynced(db, link.id, {
          eventId: body.id!,
          changeKey: body.changeKey ?? null,
          version: reminderIgnored ? null : task.version,
          scheduleKey: key,
          eventModifiedAt: body.lastModifiedDateTime ?? null,
        });
        return { transient: reminderIgnored, retryAfterMs: 0 };
      }
      if (code === 'ErrorDuplicateTransactionId') {
        // Look up, do not loop: the next round finds the event by its property (create_attempted_at is set).
        await updateLink(db, link.id, { last_error: graphErrorMessage(answer) });
        return { transient: true, retryAfterMs: 0 };
      }
      break;
    }
    case 'patch': {
      if (answer.status === 200) {
        await recordSynced(db, link.id, {
          eventId: body.id ?? link.event_id!,
          changeKey: body.changeKey ?? null,
          version: task.version,
          scheduleKey: key,
          eventModifiedAt: body.lastModifiedDateTime ?? null,
        });
        return { transient: false, retryAfterMs: null };
      }
      if (answer.status === 404) {
        // The user deleted the event: keep the task, mark it, do not silently recreate.
        await markRemovedInOutlook(db, link);
        return { transient: false, retryAfterMs: null };
      }
      break;
    }
    case 'delete': {
      if (answer.status === 204 || answer.status === 200 || answer.status === 404) {
        await updateLink(db, link.id, { state: 'deleted', needs_sync: false, last_error: null });
        return { transient: false, retryAfterMs: null };
      }
      break;
    }
  }
  // Anything else is a refusal that retrying will not change: failed with the reason until the task changes.
  await updateLink(db, link.id, {
    state: 'failed',
    needs_sync: false,
    last_error: graphErrorMessage(answer),
  });
  return { transient: false, retryAfterMs: null, error: graphErrorMessage(answer) };
}

/** The user deleted the event in Outlook: the task stays, marked, and is not recreated; history says so. */
export async function markRemovedInOutlook(db: Db, link: LinkRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await updateLink(trx, link.id, {
      state: 'removed_in_outlook',
      needs_sync: false,
      last_error: 'The event was deleted in Outlook',
    });
    await trx
      .insertInto('task_history')
      .values({
        task_id: link.task_id,
        actor_id: link.user_id,
        action: 'removed_from_calendar',
        changes: JSON.stringify({ source: 'outlook', eventId: link.event_id }),
      })
      .execute();
  });
}
