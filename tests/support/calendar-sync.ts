import type { TaskDto } from '@crm/shared';
import { sql } from 'kysely';
import type { ApiApp } from '../../server/src/app.ts';
import {
  type CalendarSyncConfig,
  DEFAULT_EXTENDED_PROPERTY_ID,
  type GraphConfig,
} from '../../server/src/config.ts';
import {
  type CalendarWorker,
  startCalendarWorker,
} from '../../server/src/modules/calendar-sync/calendar-sync.jobs.ts';
import { type GraphEmulator, startGraphEmulator } from '../emulators/graph/graph-emulator.ts';
import { buildTestApp, tokenFor } from './app.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { createClient, createOrg, type Org } from './fixtures.ts';

// Calendar sync tests: a migrated database, the app, the Graph emulator and a real graphile-worker runner
// (started and stopped by the test, so a test can queue work first and let the worker find it).

export type SyncHarness = {
  tdb: TestDatabase;
  app: ApiApp;
  org: Org;
  emu: GraphEmulator;
  clientId: string;
  graph: GraphConfig;
  sync: CalendarSyncConfig;
  mailbox: (userKey: string) => string;
  startWorker: () => Promise<void>;
  stopWorker: () => Promise<void>;
  /** Replaces the worker by one with other settings until the returned function is called. */
  withWorker: (
    sync: Partial<CalendarSyncConfig>,
    graph?: Partial<GraphConfig>,
  ) => Promise<() => Promise<void>>;
  createTask: (who: string, extra?: Record<string, unknown>) => Promise<TaskDto>;
  patchTask: (who: string, id: string, change: Record<string, unknown>) => Promise<TaskDto>;
  getTask: (who: string, id: string) => Promise<TaskDto>;
  /** Waits until no job is left (queued, running or waiting to retry). */
  settle: (timeoutMs?: number) => Promise<void>;
  links: (taskId: string) => Promise<
    {
      user_id: string;
      state: string;
      event_id: string | null;
      generation: number;
      transaction_id: string;
      last_error: string | null;
    }[]
  >;
  close: () => Promise<void>;
};

const EMAILS: Record<string, string> = {
  sup: 'sup@bank.example',
  rm1: 'rm1@bank.example',
  rm2: 'rm2@bank.example',
  rmOther: 'rm.other@bank.example',
  rm3: 'rm3@bank.example',
  rm4: 'rm4@bank.example',
  rmEast: 'rm.east@bank.example',
  rmNoSettings: 'rm.nosettings@bank.example',
};

/** `webhook`: the app listens on a loopback port and subscriptions point Graph's notifications at it. */
export async function createSyncHarness(
  overrides: Partial<CalendarSyncConfig> = {},
  graphOverrides: Partial<GraphConfig> = {},
  opts: { webhook?: boolean } = {},
): Promise<SyncHarness> {
  const tdb = await createTestDatabase();
  const org = await createOrg(tdb.db, [
    { key: 'rm3', name: 'RM Three', email: 'rm3@bank.example', branch: 'msk', supervisor: 'sup' },
    { key: 'rm4', name: 'RM Four', email: 'rm4@bank.example', branch: 'msk', supervisor: 'sup' },
    { key: 'rmEast', name: 'RM East', email: 'rm.east@bank.example', branch: 'msk', supervisor: 'sup' },
    {
      key: 'rmNoSettings',
      name: 'RM No Settings',
      email: 'rm.nosettings@bank.example',
      branch: 'msk',
      supervisor: 'sup',
    },
  ]);
  const clientId = await createClient(tdb.db, org, {
    kind: 'legal_entity',
    name: 'ООО Северсталь-Трейд',
    manager: 'rm1',
  });
  const emu = await startGraphEmulator();
  const graph: GraphConfig = {
    baseUrl: emu.baseUrl,
    tenantId: emu.tenantId,
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    authorityHost: emu.authorityHost,
    scope: 'https://graph.microsoft.com/.default',
    timeoutMs: 2000,
    ...graphOverrides,
  };
  const sync: CalendarSyncConfig = {
    worker: 'off',
    workerConcurrency: 8,
    staleLockSeconds: 600,
    mailboxConcurrency: 4,
    batchSize: 20,
    batchWindowMs: 150,
    retryBaseMs: 20,
    maxRounds: 6,
    category: 'CRM',
    reminderMinutes: 15,
    defaultDurationMinutes: 30,
    publicUrl: 'https://crm.bank.example',
    extendedPropertyId: DEFAULT_EXTENDED_PROPERTY_ID,
    notificationUrl: null,
    subscriptionLifetimeMinutes: 4230,
    pollSeconds: 300,
    ...overrides,
  };
  const app = await buildTestApp(tdb.db);
  if (opts.webhook) {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    sync.notificationUrl = `${address}/api/v1/graph/notifications`;
  }
  const tokens: Record<string, string> = {};
  for (const [k, email] of Object.entries(EMAILS)) tokens[k] = await tokenFor(app, email);
  let worker: CalendarWorker | null = null;
  const call = async (method: 'POST' | 'PATCH' | 'GET', url: string, who: string, payload?: object) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[who]}` },
      payload,
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<TaskDto>();
  };
  const h: SyncHarness = {
    tdb,
    app,
    org,
    emu,
    clientId,
    graph,
    sync,
    mailbox: (k) => EMAILS[k]!,
    startWorker: async () => {
      worker ??= await startCalendarWorker({
        databaseUrl: tdb.url,
        db: tdb.db,
        config: { graph, calendarSync: sync },
        pollIntervalMs: 100,
      });
    },
    stopWorker: async () => {
      await worker?.stop();
      worker = null;
    },
    withWorker: async (syncOverrides, graphOverrides = {}) => {
      await worker?.stop();
      worker = null;
      const w = await startCalendarWorker({
        databaseUrl: tdb.url,
        db: tdb.db,
        config: { graph: { ...graph, ...graphOverrides }, calendarSync: { ...sync, ...syncOverrides } },
        pollIntervalMs: 100,
      });
      return () => w.stop();
    },
    createTask: (who, extra = {}) =>
      call('POST', '/api/v1/tasks', who, {
        title: 'Позвонить по продлению лимита',
        type: 'call',
        clientId,
        plannedStartAt: '2026-12-10T07:00:00.000Z',
        plannedDurationMinutes: 30,
        ...extra,
      }),
    patchTask: async (who, id, change) => {
      const row = await tdb.db
        .selectFrom('tasks')
        .where('id', '=', id)
        .select('version')
        .executeTakeFirstOrThrow();
      return call('PATCH', `/api/v1/tasks/${id}`, who, { version: row.version, ...change });
    },
    getTask: async (_who, id) => {
      const { findTask } = await import('../../server/src/modules/tasks/tasks.repository.ts');
      return (await findTask(tdb.db, id))!;
    },
    settle: async (timeoutMs = 8000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        // The recurring delta poll (calendar_poll) always has its next run queued: not work left.
        const { rows } = await sql<{
          task_identifier: string;
          last_error: string | null;
        }>`select task_identifier,
          last_error from graphile_worker.jobs where task_identifier <> 'calendar_poll'`.execute(tdb.db);
        // Stored notifications not yet handed to a job (the webhook starts processing ~100 ms later) count too.
        const waiting = await tdb.db
          .selectFrom('graph_notifications')
          .where('processed_at', 'is', null)
          .select('id')
          .limit(1)
          .execute();
        if (rows.length === 0 && waiting.length === 0) return;
        if (Date.now() > until)
          throw new Error(`calendar jobs not settled after ${timeoutMs} ms: ${JSON.stringify(rows)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    links: (taskId) =>
      tdb.db
        .selectFrom('calendar_links')
        .where('task_id', '=', taskId)
        .select(['user_id', 'state', 'event_id', 'generation', 'transaction_id', 'last_error'])
        .orderBy('generation')
        .execute(),
    close: async () => {
      await worker?.stop();
      await app.close();
      await emu.close();
      await tdb.destroy();
    },
  };
  return h;
}
