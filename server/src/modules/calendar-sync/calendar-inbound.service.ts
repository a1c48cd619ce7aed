import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { eventStart, scheduleKey, type TaskForEvent } from './calendar-event.mapper.ts';
import { enqueueMailboxSync, findMailbox, type LinkRow } from './calendar-sync.repository.ts';
import { markRemovedInOutlook, type SyncDeps } from './calendar-sync.service.ts';
import {
  type GraphResponse,
  GraphTransportError,
  graphErrorCode,
  graphErrorMessage,
} from './graph.client.ts';

// Changes made in Outlook: change notifications (persisted by the webhook, processed here), calendarView delta
// as the safety net and after any gap, subscriptions and their renewal. Inbound processing shares the mailbox's
// job queue with outbound sync, so the two never interleave for one mailbox.

/** A change notification or lifecycle event as Graph posts it (the fields we use). */
export type GraphNotification = {
  subscriptionId?: string;
  clientState?: string;
  changeType?: string;
  resource?: string;
  lifecycleEvent?: string;
};

/**
 * Keeps the notifications whose subscription we know and whose `clientState` matches, in one insert. Returns
 * how many were kept and ignored. Fast by design: the webhook must answer within 3 s or Graph retries and
 * throttles (docs/microsoft.md). Processing is started by {@link notificationKicker} and, whatever happens to
 * this process, by the recurring poll: the stored row is what makes a notification safe, not the job.
 */
export async function receiveNotifications(
  db: Db,
  items: GraphNotification[],
): Promise<{ accepted: number; ignored: number }> {
  const ids = [
    ...new Set(items.map((n) => n.subscriptionId).filter((x): x is string => typeof x === 'string')),
  ];
  if (ids.length === 0) return { accepted: 0, ignored: items.length };
  const subs = await db
    .selectFrom('graph_subscriptions')
    .where('id', '=', sql<string>`any(${ids}::text[])`)
    .select(['id', 'client_state'])
    .execute();
  const clientStates = new Map(subs.map((s) => [s.id, s.client_state]));
  const kept = items.filter(
    (n) =>
      n.subscriptionId && n.clientState !== undefined && clientStates.get(n.subscriptionId) === n.clientState,
  );
  if (kept.length > 0)
    await db
      .insertInto('graph_notifications')
      .values(
        kept.map((n) => ({
          subscription_id: n.subscriptionId ?? null,
          change_type: n.changeType ?? null,
          lifecycle_event: n.lifecycleEvent ?? null,
          resource: n.resource ?? null,
          payload: JSON.stringify(n),
        })),
      )
      .execute();
  return { accepted: kept.length, ignored: items.length - kept.length };
}

/**
 * Starts `calendar_notifications` at most once per `delayMs` per process, outside the request: 1,000
 * notifications in a burst become one job, and no request waits on the job row's lock.
 */
export function notificationKicker(db: Db, onError: (err: Error) => void, delayMs = 100): () => void {
  let timer: NodeJS.Timeout | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      sql`select graphile_worker.add_job('calendar_notifications', '{}'::json, job_key := 'calendar_notifications',
        job_key_mode := 'preserve_run_at')`
        .execute(db)
        .catch(onError);
    }, delayMs);
    timer.unref();
  };
}

export async function enqueueDelta(db: Db, userId: string): Promise<void> {
  await sql`select graphile_worker.add_job('calendar_delta', json_build_object('userId', ${userId}::text),
    queue_name := ${`calendar:${userId}`}::text, run_at := now() + interval '100 milliseconds',
    job_key := ${`delta:${userId}`}::text, job_key_mode := 'preserve_run_at', max_attempts := 25)`.execute(
    db,
  );
}

export async function enqueueSubscribe(db: Db, userId: string): Promise<void> {
  await sql`select graphile_worker.add_job('calendar_subscribe', json_build_object('userId', ${userId}::text),
    job_key := ${`subscribe:${userId}`}::text, job_key_mode := 'preserve_run_at', max_attempts := 25)`.execute(
    db,
  );
}

/**
 * Job `calendar_notifications`: turns persisted notifications into work. A change means "pull the mailbox's
 * delta" (a burst of 1,000 notifications becomes one delta per mailbox); lifecycle events: `missed` → delta,
 * `subscriptionRemoved` → recreate the subscription and pull delta, `reauthorizationRequired` → renew.
 */
export async function processNotifications(deps: SyncDeps): Promise<void> {
  const { db } = deps;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('graph_notifications as n')
        .leftJoin('graph_subscriptions as s', 's.id', 'n.subscription_id')
        .where('n.processed_at', 'is', null)
        .select(['n.id', 'n.lifecycle_event', 's.user_id', 's.id as sub_id'])
        .orderBy('n.id')
        .limit(2000)
        .forUpdate('n')
        .skipLocked()
        .execute();
      if (rows.length === 0) return true;
      const delta = new Set<string>();
      const subscribe = new Set<string>();
      for (const r of rows) {
        if (!r.user_id) continue;
        if (r.lifecycle_event === 'subscriptionRemoved') {
          await trx
            .updateTable('graph_subscriptions')
            .set({ state: 'removed' })
            .where('id', '=', r.sub_id!)
            .execute();
          subscribe.add(r.user_id);
          delta.add(r.user_id);
        } else if (r.lifecycle_event === 'reauthorizationRequired') {
          await trx
            .updateTable('graph_subscriptions')
            .set({ state: 'reauthorize' })
            .where('id', '=', r.sub_id!)
            .execute();
          subscribe.add(r.user_id);
        } else delta.add(r.user_id); // a change, or `missed`
      }
      for (const u of delta) await enqueueDelta(trx, u);
      for (const u of subscribe) await enqueueSubscribe(trx, u);
      await trx
        .updateTable('graph_notifications')
        .set({ processed_at: sql`now()` })
        .where('id', '=', sql<string>`any(${rows.map((r) => r.id)}::bigint[])`)
        .execute();
      return rows.length < 2000;
    });
    if (done) return;
  }
}

/**
 * Job `calendar_subscribe`: makes sure the mailbox has a live subscription on `/users/{id}/events`, renewing it
 * ahead of expiry (at half its lifetime) or creating it. Creation fails intermittently with "validation request
 * timed out" (msgraph-sdk-dotnet#2805): the job throws and graphile-worker retries with backoff, while delta
 * polling (started here first) keeps changes flowing.
 */
export async function ensureSubscription(deps: SyncDeps, userId: string): Promise<void> {
  const { db, graph, config } = deps;
  if (!graph) return;
  const mb = await findMailbox(db, userId);
  if (!mb || mb.state === 'not_syncable') return;
  const hasDelta = await db
    .selectFrom('calendar_delta_state')
    .where('user_id', '=', userId)
    .select('user_id')
    .executeTakeFirst();
  if (!hasDelta) await pullDelta(deps, userId);
  const lifetimeMs = config.subscriptionLifetimeMinutes * 60_000;
  const expiration = new Date(Date.now() + lifetimeMs).toISOString();
  const sub = await db
    .selectFrom('graph_subscriptions')
    .where('user_id', '=', userId)
    .where('state', '<>', 'removed')
    .selectAll()
    .orderBy('expires_at', 'desc')
    .executeTakeFirst();
  if (sub && sub.state === 'active' && new Date(sub.expires_at).getTime() > Date.now() + lifetimeMs / 2)
    return;
  if (sub) {
    const r = await graph.send('subscriptions', {
      id: '1',
      method: 'PATCH',
      url: `/subscriptions/${encodeURIComponent(sub.id)}`,
      body: { expirationDateTime: expiration },
    });
    if (r.status === 200) {
      await db
        .updateTable('graph_subscriptions')
        .set({ expires_at: expiration, state: 'active', updated_at: sql`now()` })
        .where('id', '=', sub.id)
        .execute();
      return;
    }
    if (r.status !== 404) throw new Error(`renewing subscription ${sub.id}: ${graphErrorMessage(r)}`);
    await db.updateTable('graph_subscriptions').set({ state: 'removed' }).where('id', '=', sub.id).execute();
  }
  const clientState = randomBytes(24).toString('base64url');
  const r = await graph.send('subscriptions', {
    id: '1',
    method: 'POST',
    url: '/subscriptions',
    body: {
      changeType: 'created,updated,deleted',
      notificationUrl: config.notificationUrl,
      lifecycleNotificationUrl: config.notificationUrl,
      resource: `/users/${mb.mailbox}/events`,
      expirationDateTime: expiration,
      clientState,
    },
  });
  if (r.status !== 201) throw new Error(`creating a subscription for ${userId}: ${graphErrorMessage(r)}`);
  const created = r.body as { id: string; expirationDateTime?: string };
  await db
    .insertInto('graph_subscriptions')
    .values({
      id: created.id,
      user_id: userId,
      resource: `/users/${mb.mailbox}/events`,
      client_state: clientState,
      expires_at: created.expirationDateTime ?? expiration,
    })
    .execute();
}

type DeltaEvent = {
  id: string;
  changeKey?: string;
  lastModifiedDateTime?: string;
  isAllDay?: boolean;
  start?: { dateTime: string; timeZone: string };
  end?: { dateTime: string; timeZone: string };
  '@removed'?: { reason: string };
};

/** Delta answers carry times in UTC (no `Prefer: outlook.timezone`): `2026-12-10T07:00:00.0000000`. */
function utcInstant(t: { dateTime: string; timeZone: string }): Date {
  if (t.timeZone !== 'UTC') throw new Error(`expected UTC from Graph, got ${t.timeZone}`);
  return new Date(`${t.dateTime.slice(0, 23)}Z`);
}

/** A GET retried on 429/5xx/no answer, after Retry-After or exponential backoff, up to `maxRounds` tries. */
async function getWithRetry(deps: SyncDeps, mailbox: string, url: string): Promise<GraphResponse> {
  const { graph, config } = deps;
  for (let attempt = 1; ; attempt++) {
    let r: GraphResponse | null = null;
    try {
      r = await graph!.getAbsolute(mailbox, url);
    } catch (err) {
      if (!(err instanceof GraphTransportError) || attempt >= config.maxRounds) throw err;
    }
    if (r && !(r.status === 429 || r.status >= 500)) return r;
    if (r && attempt >= config.maxRounds) return r;
    const backoff = config.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
    await new Promise((res) => setTimeout(res, Math.max(r?.retryAfterMs ?? 0, backoff)));
  }
}

/**
 * Job `calendar_delta` (and the first step of each outbound run): pulls `calendarView/delta` for the mailbox's
 * window from the stored deltaLink, following nextLinks, and applies what users changed. `410` or
 * `syncStateNotFound`: the deltaLink is dropped and the window read in full; reading never creates events, so a
 * full resync cannot duplicate anything.
 */
export async function pullDelta(deps: SyncDeps, userId: string): Promise<void> {
  const { db, graph } = deps;
  if (!graph) return;
  const mb = await findMailbox(db, userId);
  if (!mb || mb.state === 'not_syncable') return;
  let state = await db
    .selectFrom('calendar_delta_state')
    .where('user_id', '=', userId)
    .selectAll()
    .executeTakeFirst();
  if (!state) {
    const start = new Date(Date.now() - 30 * 86_400_000);
    const end = new Date(Date.now() + 730 * 86_400_000);
    await db
      .insertInto('calendar_delta_state')
      .values({ user_id: userId, window_start: start, window_end: end })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    state = await db
      .selectFrom('calendar_delta_state')
      .where('user_id', '=', userId)
      .selectAll()
      .executeTakeFirstOrThrow();
  }
  const initial = `${graph.baseUrl}/users/${encodeURIComponent(mb.mailbox)}/calendarView/delta?startDateTime=${new Date(state.window_start).toISOString()}&endDateTime=${new Date(state.window_end).toISOString()}`;
  let url = state.delta_link ?? initial;
  let restarted = false;
  for (let page = 0; page < 1000; page++) {
    const r = await getWithRetry(deps, mb.mailbox, url);
    const code = graphErrorCode(r.body);
    if ((r.status === 410 || code === 'syncStateNotFound' || code === 'SyncStateNotFound') && !restarted) {
      restarted = true;
      url = initial;
      await db
        .updateTable('calendar_delta_state')
        .set({ delta_link: null })
        .where('user_id', '=', userId)
        .execute();
      continue;
    }
    if (r.status !== 200) throw new GraphTransportError(`delta for ${userId}: ${graphErrorMessage(r)}`);
    const body = r.body as { value?: DeltaEvent[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
    for (const ev of body.value ?? []) await applyOutlookChange(deps, userId, ev);
    if (body['@odata.nextLink']) url = body['@odata.nextLink'];
    else {
      await db
        .updateTable('calendar_delta_state')
        .set({ delta_link: body['@odata.deltaLink'] ?? null, updated_at: sql`now()` })
        .where('user_id', '=', userId)
        .execute();
      return;
    }
  }
}

/**
 * One event as Outlook has it now. Ours (same changeKey as our last write): nothing to do. Deleted: the task is
 * kept and marked removed from the calendar. Moved: the task's planned time follows, recorded in its history as
 * coming from Outlook — unless the CRM changed the task later than Outlook changed the event and that change is
 * not in the calendar yet. The rule is "the later change wins"; the losing change is written to task_history.
 */
async function applyOutlookChange(deps: SyncDeps, userId: string, ev: DeltaEvent): Promise<void> {
  const { db, config } = deps;
  const link = (await db
    .selectFrom('calendar_links')
    .where('user_id', '=', userId)
    .where('event_id', '=', ev.id)
    .where('op', '=', 'upsert')
    .where('state', 'in', ['synced', 'pending', 'failed'])
    .selectAll()
    .executeTakeFirst()) as unknown as (LinkRow & { change_key: string | null }) | undefined;
  if (!link) return; // not a CRM event, or one we are deleting
  if (ev['@removed']) {
    await markRemovedInOutlook(db, link);
    return;
  }
  if (ev.changeKey && ev.changeKey === link.change_key) return;
  if (!ev.start || !ev.end) return;
  const start = utcInstant(ev.start);
  const minutes = Math.round((utcInstant(ev.end).getTime() - start.getTime()) / 60_000);
  const outlookAt = ev.lastModifiedDateTime ? new Date(ev.lastModifiedDateTime) : new Date();
  await db.transaction().execute(async (trx) => {
    const t = await trx
      .selectFrom('tasks')
      .where('id', '=', link.task_id)
      .selectAll()
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
    const crmStart = eventStart(task);
    const crmMinutes =
      t.planned_duration_minutes ?? t.effort_estimate_minutes ?? config.defaultDurationMinutes;
    const seen = { change_key: ev.changeKey ?? null, event_modified_at: outlookAt };
    const sameTime = crmStart?.getTime() === start.getTime() && crmMinutes === minutes;
    if (sameTime || t.all_day) {
      await trx.updateTable('calendar_links').set(seen).where('id', '=', link.id).execute();
      return;
    }
    const crmUnsynced = link.synced_version !== t.version;
    const outlookChange = {
      plannedStartAt: start.toISOString(),
      plannedDurationMinutes: minutes,
      outlookModifiedAt: outlookAt.toISOString(),
    };
    if (crmUnsynced && new Date(t.updated_at as unknown as Date).getTime() > outlookAt.getTime()) {
      // The CRM's change is later: it wins and is written to the event; Outlook's move is recorded, not applied.
      await trx
        .insertInto('task_history')
        .values({
          task_id: t.id,
          actor_id: userId,
          action: 'calendar_change_overridden',
          changes: JSON.stringify({ source: 'outlook', rule: 'later change wins', lost: outlookChange }),
        })
        .execute();
      await trx
        .updateTable('calendar_links')
        .set({ ...seen, needs_sync: true, state: 'pending' })
        .where('id', '=', link.id)
        .execute();
      await enqueueMailboxSync(trx, userId, config.batchWindowMs);
      return;
    }
    const changes: Record<string, unknown> = {
      source: 'outlook',
      plannedStartAt: { from: crmStart?.toISOString() ?? null, to: start.toISOString() },
      plannedDurationMinutes: { from: crmMinutes, to: minutes },
    };
    // The CRM changed the time too, earlier and not yet in the calendar: it loses, and the history says so.
    if (crmUnsynced && link.schedule_key !== scheduleKey(task, config.defaultDurationMinutes))
      changes.overridden = {
        source: 'crm',
        rule: 'later change wins',
        at: new Date(t.updated_at as unknown as Date).toISOString(),
      };
    const updated = await trx
      .updateTable('tasks')
      .set({
        planned_start_at: start,
        planned_duration_minutes: minutes,
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', t.id)
      .returning('version')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('task_history')
      .values({
        task_id: t.id,
        actor_id: userId,
        action: 'updated_from_outlook',
        changes: JSON.stringify(changes),
      })
      .execute();
    const newKey = scheduleKey(
      { ...task, plannedStartAt: start, plannedDurationMinutes: minutes },
      config.defaultDurationMinutes,
    );
    // The event already shows this time: synced at the new version unless other CRM changes wait to be written.
    await trx
      .updateTable('calendar_links')
      .set({
        ...seen,
        schedule_key: newKey,
        synced_version: crmUnsynced ? link.synced_version : updated.version,
      })
      .where('id', '=', link.id)
      .execute();
    if (crmUnsynced) await enqueueMailboxSync(trx, userId, config.batchWindowMs);
  });
}

/**
 * Job `calendar_poll`, recurring every `pollSeconds`: the safety net. Processes stored notifications left over,
 * pulls delta for every mailbox that has a delta state, renews subscriptions due for renewal, then schedules
 * itself again.
 */
export async function poll(deps: SyncDeps): Promise<void> {
  const { db, config } = deps;
  await processNotifications(deps);
  const mailboxes = await db.selectFrom('calendar_delta_state').select('user_id').execute();
  for (const m of mailboxes) await enqueueDelta(db, m.user_id);
  const due = await db
    .selectFrom('graph_subscriptions')
    .where('state', '<>', 'removed')
    .where(
      sql<boolean>`expires_at < now() + make_interval(mins => ${config.subscriptionLifetimeMinutes / 2})`,
    )
    .select('user_id')
    .execute();
  for (const s of due) await enqueueSubscribe(db, s.user_id);
  await schedulePoll(db, config.pollSeconds);
}

export async function schedulePoll(db: Db, seconds: number): Promise<void> {
  await sql`select graphile_worker.add_job('calendar_poll', '{}'::json,
    run_at := now() + make_interval(secs => ${seconds}), job_key := 'calendar_poll', job_key_mode := 'preserve_run_at')`.execute(
    db,
  );
}
