import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSyncHarness, type SyncHarness } from '../support/calendar-sync.ts';

// Back from the calendar (calendar-sync.md situations 9, 10, 14, 15, 16): the app listens on a loopback port,
// the emulator validates subscriptions against it and posts change and lifecycle notifications to it.

let h: SyncHarness;
beforeAll(async () => {
  h = await createSyncHarness({}, {}, { webhook: true });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  h.emu.clearFaults();
  await h.startWorker();
});

/** Waits for the emulator's notification POSTs so far to be answered, then for the jobs they caused. */
async function deliveredAndSettled(count: number) {
  const until = Date.now() + 5000;
  while (h.emu.deliveries.length < count) {
    if (Date.now() > until) throw new Error('notification not delivered');
    await new Promise((r) => setTimeout(r, 20));
  }
  await h.settle();
}

async function syncedTask(who: string, title: string, extra: Record<string, unknown> = {}) {
  const task = await h.createTask(who, { title, ...extra });
  await h.settle();
  const [e] = h.emu.eventsOfTask(task.id);
  return { task, event: e!.event, mailbox: e!.mailbox };
}

const history = (taskId: string) =>
  h.tdb.db
    .selectFrom('task_history')
    .where('task_id', '=', taskId)
    .select(['action', 'actor_id', 'changes'])
    .orderBy('id')
    .execute();

describe('back from the calendar', () => {
  it('answers the validation handshake with the URL-decoded token as text/plain', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/graph/notifications?validationToken=Validation%3A%20Testing%20client%20%26%20more',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toBe('Validation: Testing client & more');
  });

  it('9. user moves the event in Outlook: the task planned time follows, history records who moved it and that it came from Outlook', async () => {
    const { task, event, mailbox } = await syncedTask('rm1', 'Situation 9 move');
    expect([...h.emu.subscriptions.values()].some((s) => s.mailbox === mailbox)).toBe(true);
    const sent = h.emu.deliveries.length;
    const writesBefore = h.emu.log.filter((r) => r.method === 'PATCH').length;
    h.emu.userMoves(
      mailbox,
      event.id,
      { dateTime: '2026-12-10T12:00:00', timeZone: 'Russian Standard Time' },
      { dateTime: '2026-12-10T13:30:00', timeZone: 'Russian Standard Time' },
    );
    await deliveredAndSettled(sent + 1);
    const now = await h.getTask('rm1', task.id);
    expect(now.plannedStartAt && new Date(now.plannedStartAt).toISOString()).toBe('2026-12-10T09:00:00.000Z');
    expect(now.plannedDurationMinutes).toBe(90);
    expect(now.calendarSync?.state).toBe('synced');
    const last = (await history(task.id)).at(-1)!;
    expect(last).toMatchObject({
      action: 'updated_from_outlook',
      actor_id: h.org.users.rm1,
      changes: { source: 'outlook' },
    });
    // The move is not written back over the user's change.
    expect(h.emu.log.filter((r) => r.method === 'PATCH').length).toBe(writesBefore);
  });

  it('9. user deletes the event in Outlook: the task is kept, marked removed from calendar, and not recreated', async () => {
    const { task, event, mailbox } = await syncedTask('rm1', 'Situation 9 delete');
    const sent = h.emu.deliveries.length;
    h.emu.userDeletes(mailbox, event.id);
    await deliveredAndSettled(sent + 1);
    expect((await h.getTask('rm1', task.id)).calendarSync).toMatchObject({ state: 'removed_in_outlook' });
    expect((await history(task.id)).map((r) => r.action)).toContain('removed_from_calendar');
    await h.patchTask('rm1', task.id, { title: 'Situation 9 delete, renamed' });
    await h.settle();
    expect(h.emu.eventsOfTask(task.id)).toHaveLength(0);
    expect(await h.getTask('rm1', task.id)).toMatchObject({
      title: 'Situation 9 delete, renamed',
      calendarSync: { state: 'removed_in_outlook' },
    });
  });

  it('10. edited on both sides, Outlook later: the later change wins and the CRM change it overrode is in the history', async () => {
    const { task, event, mailbox } = await syncedTask('rm1', 'Situation 10 outlook later');
    await h.stopWorker();
    await h.patchTask('rm1', task.id, {
      plannedStartAt: '2026-12-10T05:00:00.000Z',
      title: 'Situation 10 outlook later, renamed',
    });
    await new Promise((r) => setTimeout(r, 30));
    const sent = h.emu.deliveries.length;
    h.emu.userMoves(
      mailbox,
      event.id,
      { dateTime: '2026-12-10T15:00:00', timeZone: 'Russian Standard Time' },
      { dateTime: '2026-12-10T15:30:00', timeZone: 'Russian Standard Time' },
    );
    await h.startWorker();
    await deliveredAndSettled(sent + 1);
    const now = await h.getTask('rm1', task.id);
    expect(new Date(now.plannedStartAt!).toISOString()).toBe('2026-12-10T12:00:00.000Z');
    const [e] = h.emu.eventsOfTask(task.id);
    expect(e!.event.subject).toBe('Situation 10 outlook later, renamed'); // the CRM's other change still goes out
    const entry = (await history(task.id)).find((r) => r.action === 'updated_from_outlook');
    expect(entry?.changes).toMatchObject({ overridden: { source: 'crm', rule: 'later change wins' } });
  });

  it('10. edited on both sides, CRM later: the CRM change wins, the Outlook move is recorded in the history', async () => {
    const { task, event, mailbox } = await syncedTask('rm1', 'Situation 10 crm later');
    await h.stopWorker();
    const sent = h.emu.deliveries.length;
    h.emu.userMoves(
      mailbox,
      event.id,
      { dateTime: '2026-12-10T15:00:00', timeZone: 'Russian Standard Time' },
      { dateTime: '2026-12-10T15:30:00', timeZone: 'Russian Standard Time' },
    );
    await new Promise((r) => setTimeout(r, 30));
    await h.patchTask('rm1', task.id, { plannedStartAt: '2026-12-10T05:00:00.000Z' });
    await h.startWorker();
    await deliveredAndSettled(sent + 1);
    const now = await h.getTask('rm1', task.id);
    expect(new Date(now.plannedStartAt!).toISOString()).toBe('2026-12-10T05:00:00.000Z');
    const [e] = h.emu.eventsOfTask(task.id);
    expect(e!.event.start).toEqual({ dateTime: '2026-12-10T08:00:00', timeZone: 'Russian Standard Time' });
    const lost = (await history(task.id)).find((r) => r.action === 'calendar_change_overridden');
    expect(lost?.changes).toMatchObject({
      source: 'outlook',
      rule: 'later change wins',
      lost: { plannedStartAt: '2026-12-10T12:00:00.000Z' },
    });
    expect(now.calendarSync?.state).toBe('synced');
  });

  it('14. subscription validation times out: retried with backoff, delta polling meanwhile; missed, subscriptionRemoved and reauthorizationRequired each handled', async () => {
    h.emu.failSubscriptionValidations = 1;
    const { task, mailbox } = await syncedTask('rm2', 'Situation 14');
    await h.settle(9000);
    const creates = h.emu.log.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === '/subscriptions' &&
        (r.body as { resource: string }).resource.includes(mailbox),
    );
    expect(creates.map((r) => r.status)).toEqual([400, 201]);
    // Delta was started before the first subscription attempt, so nothing was missed meanwhile.
    const firstDelta = h.emu.log.find((r) => r.path.includes('/calendarView/delta') && r.mailbox === mailbox);
    expect(firstDelta!.at).toBeLessThan(creates[0]!.at);
    const sub = [...h.emu.subscriptions.values()].find((s) => s.mailbox === mailbox)!;

    let before = h.emu.log.length;
    expect(await h.emu.sendLifecycle(sub.id, 'missed')).toBe(202);
    await h.settle();
    expect(
      h.emu.log.slice(before).some((r) => r.path.includes('/calendarView/delta') && r.mailbox === mailbox),
    ).toBe(true);

    before = h.emu.log.length;
    expect(await h.emu.sendLifecycle(sub.id, 'reauthorizationRequired')).toBe(202);
    await h.settle();
    expect(
      h.emu.log
        .slice(before)
        .some((r) => r.method === 'PATCH' && r.path === `/subscriptions/${sub.id}` && r.status === 200),
    ).toBe(true);

    before = h.emu.log.length;
    expect(await h.emu.sendLifecycle(sub.id, 'subscriptionRemoved')).toBe(202);
    await h.settle();
    const recreated = [...h.emu.subscriptions.values()].find((s) => s.mailbox === mailbox);
    expect(recreated).toBeDefined();
    expect(recreated!.id).not.toBe(sub.id);
    expect(
      h.emu.log.slice(before).some((r) => r.path.includes('/calendarView/delta') && r.mailbox === mailbox),
    ).toBe(true);
    expect(h.emu.eventsOfTask(task.id)).toHaveLength(1);
  }, 15_000);

  it('15. delta token expired (410 syncStateNotFound): full resync of the window, changes applied, no duplicates', async () => {
    const { task, event, mailbox } = await syncedTask('rm1', 'Situation 15');
    const countBefore = h.emu.events(mailbox).length;
    h.emu.expireDeltaTokens();
    const sent = h.emu.deliveries.length;
    const before = h.emu.log.length;
    h.emu.userMoves(
      mailbox,
      event.id,
      { dateTime: '2026-12-12T09:00:00', timeZone: 'Russian Standard Time' },
      { dateTime: '2026-12-12T09:30:00', timeZone: 'Russian Standard Time' },
    );
    await deliveredAndSettled(sent + 1);
    const deltas = h.emu.log
      .slice(before)
      .filter((r) => r.path.includes('/calendarView/delta') && r.mailbox === mailbox);
    expect(deltas[0]!.status).toBe(410);
    expect(deltas.some((r) => r.status === 200 && r.path.includes('startDateTime'))).toBe(true);
    expect(new Date((await h.getTask('rm1', task.id)).plannedStartAt!).toISOString()).toBe(
      '2026-12-12T06:00:00.000Z',
    );
    expect(h.emu.events(mailbox)).toHaveLength(countBefore);
    expect(h.emu.eventsOfTask(task.id)).toHaveLength(1);
    const st = await h.tdb.db
      .selectFrom('calendar_delta_state')
      .where('user_id', '=', h.org.users.rm1!)
      .select('delta_link')
      .executeTakeFirstOrThrow();
    expect(st.delta_link).toContain('$deltatoken=');
  });

  it('16. notification flood: 1,000 in a burst each answered within 3 s, processing catches up, a wrong clientState is ignored', async () => {
    await syncedTask('rm1', 'Situation 16');
    const sub = [...h.emu.subscriptions.values()].find((s) => s.mailbox === h.mailbox('rm1'))!;
    const url = sub.notificationUrl;
    const before = Number(
      (await sql<{ n: number }>`select count(*)::int as n from graph_notifications`.execute(h.tdb.db))
        .rows[0]!.n,
    );
    const one = (clientState: string) => ({
      subscriptionId: sub.id,
      clientState,
      changeType: 'updated',
      resource: `Users/${sub.mailbox}/Events/x`,
      tenantId: h.emu.tenantId,
    });
    // Graph delivers notifications in collections: 200 POSTs of 5, 50 at a time, plus one with a wrong clientState.
    const timings: { status: number; ms: number }[] = [];
    const post = async (clientState: string, n: number) => {
      const t0 = Date.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: Array.from({ length: n }, () => one(clientState)) }),
      });
      await res.text();
      timings.push({ status: res.status, ms: Date.now() - t0 });
    };
    const queue: [string, number][] = Array.from({ length: 200 }, () => [sub.clientState, 5]);
    queue.splice(100, 0, ['not-the-client-state', 1]);
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let c = queue.shift(); c !== undefined; c = queue.shift()) await post(c[0], c[1]);
      }),
    );
    expect(timings).toHaveLength(201);
    expect(timings.every((t) => t.status === 202)).toBe(true);
    expect(Math.max(...timings.map((t) => t.ms))).toBeLessThan(3000);
    await h.settle();
    const rows = await sql<{
      n: number;
      open: number;
    }>`select count(*)::int as n, count(*) filter (where processed_at is null)::int as open
      from graph_notifications`.execute(h.tdb.db);
    expect(rows.rows[0]!.n - before).toBe(1000); // the wrong clientState was not kept
    expect(rows.rows[0]!.open).toBe(0);
  });
});
