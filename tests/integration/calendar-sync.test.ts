import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instantOf } from '../emulators/graph/graph-emulator.ts';
import { tokenFor } from '../support/app.ts';
import { createSyncHarness, type SyncHarness } from '../support/calendar-sync.ts';

// Situations of the handbook's calendar-sync cases (../shared/cases/calendar-sync.md), each against the Graph
// emulator with the real worker. Test names start with the situation's number.

let h: SyncHarness;
beforeAll(async () => {
  h = await createSyncHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  h.emu.clearFaults();
  await h.startWorker();
});

describe('calendar sync into the assignee mailbox', () => {
  it('writes a new task as one event in the assignee calendar: no attendees, CRM category, link back, reminder, ImmutableId', async () => {
    const task = await h.createTask('rm1', { title: 'Встреча по кредитной линии' });
    await h.settle();
    const events = h.emu.events(h.mailbox('rm1'));
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({
      subject: 'Встреча по кредитной линии',
      attendees: [],
      categories: ['CRM'],
      isReminderOn: true,
      reminderMinutesBeforeStart: 15,
    });
    expect(e.body.content).toContain(`https://crm.bank.example/?task=${task.id}`);
    expect(e.singleValueExtendedProperties).toEqual([{ id: h.sync.extendedPropertyId, value: task.id }]);
    expect(e.transactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.emu.log.every((r) => r.prefer.includes('IdType="ImmutableId"'))).toBe(true);
    const dto = await h.getTask('rm1', task.id);
    expect(dto.calendarSync).toMatchObject({ state: 'synced', reason: null });
    expect(dto.calendarSync?.syncedAt).toBeTruthy();
  });

  it('a burst of 200 tasks committed in four transactions leaves as ten full $batches, not a trickle', async () => {
    const { enqueueTaskSync } = await import(
      '../../server/src/modules/calendar-sync/calendar-sync.repository.ts'
    );
    // A backlog of reconcile jobs, as after a bulk assignment: the mailbox run must wait for all of them.
    await h.stopWorker();
    const batchesBefore = h.emu.batches;
    const before = h.emu.log.length;
    const ids: string[] = [];
    for (let chunk = 0; chunk < 4; chunk++) {
      await h.tdb.db.transaction().execute(async (trx) => {
        const rows = await trx
          .insertInto('tasks')
          .values(
            Array.from({ length: 50 }, (_, k) => ({
              title: `Burst ${chunk * 50 + k}`,
              type: 'call',
              priority: 'normal' as const,
              status: 'open' as const,
              assignee_id: h.org.users.rm2!,
              author_id: h.org.users.sup!,
              client_id: h.clientId,
              planned_start_at: new Date(
                Date.UTC(2026, 11, 14 + chunk, 7 + (k % 10), 5 * Math.floor(k / 10)),
              ),
              planned_duration_minutes: 30,
            })),
          )
          .returning('id')
          .execute();
        for (const r of rows) {
          await enqueueTaskSync(trx, r.id);
          ids.push(r.id);
        }
      });
    }
    await h.startWorker();
    await h.settle(30_000);
    for (const id of ids) expect(h.emu.eventsOfTask(id)).toHaveLength(1);
    const creates = h.emu.log.slice(before).filter((r) => r.method === 'POST' && /\/events$/.test(r.path));
    expect(creates).toHaveLength(200);
    expect(creates.every((r) => r.batched)).toBe(true);
    expect(h.emu.batches - batchesBefore).toBe(10);
  });
});

const posts = (mailbox?: string) =>
  h.emu.log.filter(
    (r) => r.method === 'POST' && /\/events$/.test(r.path) && (!mailbox || r.mailbox === mailbox),
  );
const lookups = () =>
  h.emu.log.filter((r) => r.method === 'GET' && r.path.includes('singleValueExtendedProperties/Any'));

describe('calendar-sync.md situations', () => {
  it('1. create answered 500 after Graph stored the event: looked up by the task property, exactly one event', async () => {
    h.emu.inject({ method: 'POST', pathIncludes: '/events', answer: 'store-then-500' });
    const task = await h.createTask('rm2', { title: 'Situation 1: 500 after store' });
    await h.settle();
    expect(h.emu.eventsOfTask(task.id)).toHaveLength(1);
    expect(
      posts().filter((p) => (p.body as { subject: string }).subject === 'Situation 1: 500 after store'),
    ).toHaveLength(1);
    expect(lookups().length).toBeGreaterThanOrEqual(1);
    expect((await h.getTask('rm2', task.id)).calendarSync?.state).toBe('synced');
  });

  it('1. create timed out after Graph stored the event: looked up before any new create, exactly one event', async () => {
    await h.stopWorker();
    h.emu.inject({ method: 'POST', pathIncludes: '/events', answer: 'store-then-timeout' });
    const task = await h.createTask('rm2', { title: 'Situation 1: timeout after store' });
    const fast = await createFastTimeoutWorker();
    await h.settle();
    await fast.stop();
    const mine = h.emu.eventsOfTask(task.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.event.transactionId).toBeTruthy();
    expect((await h.getTask('rm2', task.id)).calendarSync?.state).toBe('synced');
  });

  it('2. same task placed back after the user deleted its event: not recreated silently; a reschedule creates it with a new transactionId', async () => {
    const task = await h.createTask('rm1', { title: 'Situation 2' });
    await h.settle();
    const [first] = h.emu.eventsOfTask(task.id);
    h.emu.userDeletes(first!.mailbox, first!.event.id);
    await h.patchTask('rm1', task.id, { title: 'Situation 2, renamed' });
    await h.settle();
    expect(h.emu.eventsOfTask(task.id)).toHaveLength(0);
    expect((await h.getTask('rm1', task.id)).calendarSync).toMatchObject({ state: 'removed_in_outlook' });
    const history = await h.tdb.db
      .selectFrom('task_history')
      .where('task_id', '=', task.id)
      .select('action')
      .execute();
    expect(history.map((r) => r.action)).toContain('removed_from_calendar');
    // An explicit reschedule in the CRM puts it back: a new generation, so a new transactionId (corso#2490).
    await h.patchTask('rm1', task.id, { plannedStartAt: '2026-12-11T08:00:00.000Z' });
    await h.settle();
    const again = h.emu.eventsOfTask(task.id);
    expect(again).toHaveLength(1);
    expect(again[0]!.event.transactionId).not.toBe(first!.event.transactionId);
    expect((await h.getTask('rm1', task.id)).calendarSync?.state).toBe('synced');
  });

  it('2. ErrorDuplicateTransactionId on create: looks the event up instead of looping, ends with one up-to-date event', async () => {
    await h.stopWorker();
    // The create was stored but its answer lost, and the lookup just after missed it (index lag): the retry
    // with the same transactionId and a changed body gets 400 ErrorDuplicateTransactionId.
    h.emu.inject({ method: 'POST', pathIncludes: '/events', answer: 'store-then-500' });
    h.emu.inject({
      method: 'GET',
      pathIncludes: 'singleValueExtendedProperties',
      answer: { status: 200, body: { value: [] } },
    });
    const task = await h.createTask('rm2', { title: 'Situation 2: duplicate transaction' });
    await h.startWorker();
    await waitFor(() =>
      posts().some((p) => (p.body as { subject?: string })?.subject === 'Situation 2: duplicate transaction'),
    );
    await h.patchTask('rm2', task.id, { title: 'Situation 2: duplicate transaction, renamed' });
    await h.settle();
    const mine = h.emu.eventsOfTask(task.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.event.subject).toBe('Situation 2: duplicate transaction, renamed');
    expect((await h.getTask('rm2', task.id)).calendarSync?.state).toBe('synced');
  });

  it('3. mixed results inside one $batch: only failed items retried after the largest inner Retry-After, successes recorded once', async () => {
    await h.stopWorker();
    const tasks = [];
    for (let i = 0; i < 6; i++) tasks.push(await h.createTask('rm1', { title: `Situation 3 #${i}` }));
    h.emu.inject({
      method: 'POST',
      pathIncludes: '/events',
      batched: true,
      answer: { status: 429, retryAfter: 1 },
    });
    h.emu.inject({
      method: 'POST',
      pathIncludes: '/events',
      batched: true,
      answer: { status: 429, retryAfter: 2 },
    });
    h.emu.inject({
      method: 'POST',
      pathIncludes: '/events',
      batched: true,
      answer: { status: 424, code: 'FailedDependency' },
    });
    const before = h.emu.log.length;
    // A wide batching window, so the six task jobs surely land in one mailbox run even on a loaded machine.
    const stop = await h.withWorker({ batchWindowMs: 700 });
    await h.settle();
    await stop();
    const mine = h.emu.log
      .slice(before)
      .filter(
        (r) => r.method === 'POST' && (r.body as { subject?: string })?.subject?.startsWith('Situation 3'),
      );
    for (const t of tasks) expect(h.emu.eventsOfTask(t.id)).toHaveLength(1);
    const firstRound = mine.filter((r) => r.at - mine[0]!.at < 500);
    expect(firstRound).toHaveLength(6);
    expect(firstRound.every((r) => r.batched)).toBe(true);
    expect(firstRound.filter((r) => r.status === 201)).toHaveLength(3);
    // 3 successes were not sent again; the 3 failed ones were, not before the largest Retry-After (2 s).
    const retried = mine.slice(6);
    const succeeded = new Set(
      firstRound.filter((r) => r.status === 201).map((r) => (r.body as { subject: string }).subject),
    );
    expect(retried.every((r) => !succeeded.has((r.body as { subject: string }).subject))).toBe(true);
    expect(Math.min(...retried.map((r) => r.at)) - mine[0]!.at).toBeGreaterThanOrEqual(1900);
    for (const t of tasks) expect((await h.getTask('rm1', t.id)).calendarSync?.state).toBe('synced');
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A worker whose Graph requests time out after 300 ms (the emulator holds the timed-out answer). */
async function createFastTimeoutWorker() {
  const { startCalendarWorker } = await import(
    '../../server/src/modules/calendar-sync/calendar-sync.jobs.ts'
  );
  return startCalendarWorker({
    databaseUrl: h.tdb.url,
    db: h.tdb.db,
    config: { graph: { ...h.graph, timeoutMs: 300 }, calendarSync: h.sync },
    pollIntervalMs: 100,
  });
}

describe('calendar-sync.md situations, continued', () => {
  it('4. 429 MailboxConcurrency: lowers that mailbox concurrency, honours Retry-After, other mailboxes keep flowing', async () => {
    await h.stopWorker();
    h.emu.mailboxes.set(h.mailbox('rm1'), { concurrencyLimit: 2 });
    h.emu.latencyMs = 150;
    try {
      const a = [];
      for (let i = 0; i < 8; i++) a.push(await h.createTask('rm1', { title: `Situation 4 A#${i}` }));
      const b = [
        await h.createTask('rm2', { title: 'Situation 4 B#0' }),
        await h.createTask('rm2', { title: 'Situation 4 B#1' }),
      ];
      const before = h.emu.log.length;
      const stop = await h.withWorker({ batchSize: 1, mailboxConcurrency: 4 });
      await h.settle(9000);
      await stop();
      const log = h.emu.log.slice(before);
      expect(log.some((r) => r.mailbox === h.mailbox('rm1') && r.status === 429)).toBe(true);
      expect(log.some((r) => r.mailbox === h.mailbox('rm2') && r.status === 429)).toBe(false);
      for (const t of [...a, ...b]) expect(h.emu.eventsOfTask(t.id)).toHaveLength(1);
      const state = await h.tdb.db
        .selectFrom('mailbox_sync_state')
        .where('user_id', '=', h.org.users.rm1!)
        .select('max_concurrency')
        .executeTakeFirstOrThrow();
      expect(state.max_concurrency).toBeLessThanOrEqual(2);
      // rm2 is not held back by rm1's throttling: its events were done before rm1's last one.
      const lastAt = (mb: string) =>
        Math.max(...log.filter((r) => r.mailbox === mb && r.status === 201).map((r) => r.at));
      expect(lastAt(h.mailbox('rm2'))).toBeLessThan(lastAt(h.mailbox('rm1')));
    } finally {
      h.emu.mailboxes.delete(h.mailbox('rm1'));
      h.emu.latencyMs = 0;
      await h.tdb.db.deleteFrom('mailbox_sync_state').where('user_id', '=', h.org.users.rm1!).execute();
    }
  });

  it('5. throttling storm (30% of calls 429/503): nothing lost or doubled, state visible meanwhile, backlog drains when Graph recovers', async () => {
    await h.stopWorker();
    h.emu.inject({ answer: { status: 429, retryAfter: 0 }, probability: 0.15 });
    h.emu.inject({ answer: { status: 503 }, probability: 0.15 });
    const tasks = [];
    for (const who of ['rm1', 'rm2', 'sup'])
      for (let i = 0; i < 8; i++) tasks.push(await h.createTask(who, { title: `Situation 5 ${who}#${i}` }));
    await h.startWorker();
    await new Promise((r) => setTimeout(r, 600));
    const during = await Promise.all(tasks.map((t) => h.getTask('rm1', t.id)));
    expect(
      during.every((t) => t.calendarSync && ['pending', 'synced', 'failed'].includes(t.calendarSync.state)),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 900));
    h.emu.clearFaults(); // Graph recovers
    await h.settle(9000);
    for (const t of tasks) {
      const mine = h.emu.eventsOfTask(t.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.event.subject).toBe(t.title);
      expect((await h.getTask('rm1', t.id)).calendarSync?.state).toBe('synced');
    }
  });

  it('7. reassignment from RM A to RM B: the event leaves A calendar and appears in B, with no attendees (no mail)', async () => {
    const task = await h.createTask('sup', { title: 'Situation 7', assigneeId: h.org.users.rm1 });
    await h.settle();
    expect(h.emu.eventsOfTask(task.id).map((e) => e.mailbox)).toEqual([h.mailbox('rm1')]);
    await h.patchTask('sup', task.id, { assigneeId: h.org.users.rm2 });
    await h.settle();
    const now = h.emu.eventsOfTask(task.id);
    expect(now.map((e) => e.mailbox)).toEqual([h.mailbox('rm2')]);
    expect(now[0]!.event.attendees).toEqual([]);
    expect(h.emu.log.some((r) => r.method === 'DELETE' && r.mailbox === h.mailbox('rm1'))).toBe(true);
    expect((await h.getTask('sup', task.id)).calendarSync?.state).toBe('synced');
  });

  it('8. completion flows back: the event and the supervisor view show the task completed', async () => {
    const task = await h.createTask('sup', { title: 'Situation 8', assigneeId: h.org.users.rm1 });
    await h.settle();
    await h.patchTask('rm1', task.id, { status: 'done' });
    await h.settle();
    const [e] = h.emu.eventsOfTask(task.id);
    expect(e!.event.subject).toBe('✔ Situation 8');
    expect(e!.event.categories).toContain('Completed');
    expect(e!.event.showAs).toBe('free');
    expect(e!.event.body.content).toContain('Completed');
    const seenBySupervisor = await h.getTask('sup', task.id);
    expect(seenBySupervisor).toMatchObject({ status: 'done', calendarSync: { state: 'synced' } });
  });

  it('11. time zones: a task at 10:00 Europe/Moscow shows at 10:00 whatever the server time zone', async () => {
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const task = await h.createTask('rm1', {
        title: 'Situation 11 Moscow',
        plannedStartAt: '2026-12-10T07:00:00.000Z',
        plannedDurationMinutes: 60,
      });
      await h.settle();
      const [e] = h.emu.eventsOfTask(task.id);
      expect(e!.event.start).toEqual({ dateTime: '2026-12-10T10:00:00', timeZone: 'Russian Standard Time' });
      expect(e!.event.end).toEqual({ dateTime: '2026-12-10T11:00:00', timeZone: 'Russian Standard Time' });
      expect(instant(e!.event.start)).toBe('2026-12-10T07:00:00.000Z');
    } finally {
      process.env.TZ = tz;
    }
  });

  it('11. time zones: a task across the DST change in Europe/Berlin keeps its end', async () => {
    await h.tdb.db
      .insertInto('mailbox_sync_state')
      .values({ user_id: h.org.users.sup!, time_zone: 'Europe/Berlin' })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ time_zone: 'Europe/Berlin' }))
      .execute();
    // 02:30 CEST on the night summer time ends, for 3 hours: ends 04:30 CET (not 05:30 or 03:30).
    const task = await h.createTask('sup', {
      title: 'Situation 11 Berlin',
      plannedStartAt: '2026-10-25T00:30:00.000Z',
      plannedDurationMinutes: 180,
    });
    await h.settle();
    const [e] = h.emu.eventsOfTask(task.id);
    expect(e!.event.start).toEqual({ dateTime: '2026-10-25T02:30:00', timeZone: 'W. Europe Standard Time' });
    expect(e!.event.end).toEqual({ dateTime: '2026-10-25T04:30:00', timeZone: 'W. Europe Standard Time' });
    expect(instant(e!.event.end)).toBe('2026-10-25T03:30:00.000Z');
  });

  it('11. time zones: an all-day task is sent midnight to next midnight in the mailbox zone', async () => {
    // 01:00 on 15 December in Moscow is still the 14th in UTC: the day is the mailbox's.
    const task = await h.createTask('rm1', {
      title: 'Situation 11 all-day',
      plannedStartAt: '2026-12-14T22:00:00.000Z',
      allDay: true,
    });
    await h.settle();
    const [e] = h.emu.eventsOfTask(task.id);
    expect(e!.event).toMatchObject({
      isAllDay: true,
      start: { dateTime: '2026-12-15T00:00:00', timeZone: 'Russian Standard Time' },
      end: { dateTime: '2026-12-16T00:00:00', timeZone: 'Russian Standard Time' },
    });
    expect((await h.getTask('rm1', task.id)).calendarSync?.state).toBe('synced');
  });

  it("11. time zones: the mailbox's own zone from Graph wins over the branch's, read once a day", async () => {
    // rmEast works in a Moscow branch but set Vladivostok in Outlook (Windows name, as most tenants answer).
    h.emu.mailboxes.set(h.mailbox('rmEast'), { timeZone: 'Vladivostok Standard Time' });
    const settingsReads = () =>
      h.emu.log.filter(
        (r) => r.mailbox === h.mailbox('rmEast') && r.path.endsWith('/mailboxSettings/timeZone'),
      );
    const before = settingsReads().length;
    const timed = await h.createTask('rmEast', {
      title: 'Situation 11 own zone',
      plannedStartAt: '2026-12-10T07:00:00.000Z',
      plannedDurationMinutes: 60,
    });
    await h.settle();
    const [e] = h.emu.eventsOfTask(timed.id);
    expect(e!.event.start).toEqual({
      dateTime: '2026-12-10T17:00:00',
      timeZone: 'Vladivostok Standard Time',
    });
    expect(instant(e!.event.start)).toBe('2026-12-10T07:00:00.000Z');
    // 23:00 UTC on the 14th is already the 15th in Vladivostok: the all-day event is on the mailbox's day.
    const allDay = await h.createTask('rmEast', {
      title: 'Situation 11 own zone all-day',
      plannedStartAt: '2026-12-14T23:00:00.000Z',
      allDay: true,
    });
    await h.settle();
    expect(h.emu.eventsOfTask(allDay.id)[0]!.event.start).toEqual({
      dateTime: '2026-12-15T00:00:00',
      timeZone: 'Vladivostok Standard Time',
    });
    expect(settingsReads().length - before).toBe(1);
  });

  it("11. time zones: without MailboxSettings.Read (403) the branch's zone is used and Graph is not asked again", async () => {
    h.emu.mailboxes.delete(h.mailbox('rmNoSettings'));
    const reads = () =>
      h.emu.log.filter(
        (r) => r.mailbox === h.mailbox('rmNoSettings') && r.path.endsWith('/mailboxSettings/timeZone'),
      );
    const before = reads().length;
    const first = await h.createTask('rmNoSettings', {
      title: 'Situation 11 no settings 1',
      plannedStartAt: '2026-12-11T07:00:00.000Z',
    });
    await h.settle();
    await h.createTask('rmNoSettings', {
      title: 'Situation 11 no settings 2',
      plannedStartAt: '2026-12-11T09:00:00.000Z',
    });
    await h.settle();
    expect(h.emu.eventsOfTask(first.id)[0]!.event.start.timeZone).toBe('Russian Standard Time');
    expect((await h.getTask('rmNoSettings', first.id)).calendarSync?.state).toBe('synced');
    expect(reads().length - before).toBe(1);
  });

  it('12. reminder settings ignored by Graph on create are read back and patched', async () => {
    const restore = await h.withWorker({ reminderMinutes: null });
    h.emu.ignoreReminderOffOnCreate = true;
    try {
      const task = await h.createTask('rm1', { title: 'Situation 12' });
      await h.settle();
      const [e] = h.emu.eventsOfTask(task.id);
      expect(e!.event.isReminderOn).toBe(false);
      expect(
        h.emu.log.some(
          (r) => r.method === 'PATCH' && (r.body as { isReminderOn?: boolean }).isReminderOn === false,
        ),
      ).toBe(true);
    } finally {
      h.emu.ignoreReminderOffOnCreate = false;
      await restore();
      await h.startWorker();
    }
  });

  it('13. mailbox not syncable (MailboxNotEnabledForRESTAPI, ErrorAccessDenied): tasks marked with the reason, retries stop, admins see it, others continue', async () => {
    h.emu.mailboxes.set(h.mailbox('rm3'), { notEnabled: true });
    h.emu.mailboxes.set(h.mailbox('rm4'), { accessDenied: true });
    const t3 = await h.createTask('sup', { title: 'Situation 13 rm3', assigneeId: h.org.users.rm3 });
    const t4 = await h.createTask('sup', { title: 'Situation 13 rm4', assigneeId: h.org.users.rm4 });
    const ok = await h.createTask('sup', { title: 'Situation 13 rm1', assigneeId: h.org.users.rm1 });
    await h.settle();
    expect((await h.getTask('sup', t3.id)).calendarSync).toMatchObject({
      state: 'not_syncable',
      reason: 'MailboxNotEnabledForRESTAPI',
    });
    expect((await h.getTask('sup', t4.id)).calendarSync).toMatchObject({
      state: 'not_syncable',
      reason: 'ErrorAccessDenied',
    });
    expect((await h.getTask('sup', ok.id)).calendarSync?.state).toBe('synced');
    // Retries stop: a further task for rm3 makes no Graph call at all.
    const before = h.emu.log.length;
    const again = await h.createTask('sup', { title: 'Situation 13 rm3 again', assigneeId: h.org.users.rm3 });
    await h.settle();
    expect(h.emu.log.slice(before).filter((r) => r.mailbox === h.mailbox('rm3'))).toEqual([]);
    expect((await h.getTask('sup', again.id)).calendarSync?.state).toBe('not_syncable');
    const adminToken = await tokenFor(h.app, 'admin@bank.example');
    const res = await h.app.inject({
      url: '/api/v1/admin/calendar-sync/mailboxes',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          user: { id: h.org.users.rm3, name: 'RM Three' },
          reason: 'MailboxNotEnabledForRESTAPI',
          tasks: 2,
        }),
        expect.objectContaining({
          user: { id: h.org.users.rm4, name: 'RM Four' },
          reason: 'ErrorAccessDenied',
          tasks: 1,
        }),
      ]),
    );
  });

  it("17. the supervisor's own calendar is not flooded: only the assignee's calendar receives a task", async () => {
    const before = h.emu.log.length;
    const tasks = [
      await h.createTask('sup', { title: 'Situation 17 a', assigneeId: h.org.users.rm1 }),
      await h.createTask('sup', { title: 'Situation 17 b', assigneeId: h.org.users.rm2 }),
    ];
    await h.settle();
    for (const t of tasks)
      expect(h.emu.eventsOfTask(t.id).map((e) => e.mailbox)).not.toContain(h.mailbox('sup'));
    const writes = h.emu.log
      .slice(before)
      .filter((r) => r.method !== 'GET' && r.mailbox === h.mailbox('sup'));
    expect(writes).toEqual([]);
  });

  it('18. event ids survive a move to another calendar folder: ImmutableId on every request, the link still resolves', async () => {
    const task = await h.createTask('rm1', { title: 'Situation 18' });
    await h.settle();
    const [e] = h.emu.eventsOfTask(task.id);
    const [link] = await h.links(task.id);
    expect(link!.event_id).toBe(e!.event.id);
    const oldRestId = e!.event.restId;
    h.emu.userMovesToFolder(h.mailbox('rm1'), e!.event.id);
    expect(e!.event.restId).not.toBe(oldRestId);
    await h.patchTask('rm1', task.id, { title: 'Situation 18, renamed' });
    await h.settle();
    const after = h.emu.eventsOfTask(task.id);
    expect(after).toHaveLength(1);
    expect(after[0]!.event.subject).toBe('Situation 18, renamed');
    expect((await h.getTask('rm1', task.id)).calendarSync?.state).toBe('synced');
    expect(h.emu.log.every((r) => /IdType="ImmutableId"/.test(r.prefer))).toBe(true);
  });
});

function instant(t: { dateTime: string; timeZone: string }) {
  return instantOf(t).toISOString();
}

describe('supervisor Team view', () => {
  it('lists each member with open and overdue tasks (overdue first), effort planned vs done, and calendar problems', async () => {
    const overdue = await h.createTask('sup', {
      title: 'Team: overdue',
      assigneeId: h.org.users.rm2,
      dueAt: '2020-01-10T07:00:00.000Z',
      effortEstimateMinutes: 45,
    });
    const done = await h.createTask('sup', {
      title: 'Team: done',
      assigneeId: h.org.users.rm2,
      effortEstimateMinutes: 30,
    });
    await h.patchTask('rm2', done.id, { status: 'done' });
    await h.settle();
    const supToken = await tokenFor(h.app, 'sup@bank.example');
    const res = await h.app.inject({ url: '/api/v1/team', headers: { authorization: `Bearer ${supToken}` } });
    expect(res.statusCode).toBe(200);
    const members = res.json().members as {
      user: { id: string };
      overdueTasks: number;
      effortPlannedMinutes: number;
      effortDoneMinutes: number;
      calendarNotSyncableReason: string | null;
      tasks: { id: string; calendarSync: unknown }[];
    }[];
    expect(members.map((m) => m.user.id)).toEqual(
      expect.arrayContaining([h.org.users.rm1, h.org.users.rm2, h.org.users.rm3]),
    );
    const rm2 = members.find((m) => m.user.id === h.org.users.rm2)!;
    expect(members[0]!.overdueTasks).toBeGreaterThanOrEqual(1);
    expect(rm2.overdueTasks).toBeGreaterThanOrEqual(1);
    expect(rm2.tasks[0]!.id).toBe(overdue.id);
    expect(rm2.effortPlannedMinutes).toBeGreaterThanOrEqual(45);
    expect(rm2.effortDoneMinutes).toBeGreaterThanOrEqual(30);
    expect(rm2.tasks.map((t) => t.id)).not.toContain(done.id);
    expect(members.find((m) => m.user.id === h.org.users.rm3)!.calendarNotSyncableReason).toBe(
      'MailboxNotEnabledForRESTAPI',
    );
  });
});
