import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../support/app.ts';
import { createSyncHarness, type SyncHarness } from '../support/calendar-sync.ts';

// calendar-sync.md situation 6: the worker is a real child process (`npm run worker`'s entry), killed with
// SIGKILL while a $batch of creates is in flight, then started again.

let h: SyncHarness;
const children: ChildProcess[] = [];
beforeAll(async () => {
  h = await createSyncHarness();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h.close();
});

function startWorkerProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/worker.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: h.tdb.url,
      CRM_GRAPH_TENANT_ID: h.emu.tenantId,
      CRM_GRAPH_CLIENT_ID: h.emu.clientId,
      CRM_GRAPH_CLIENT_SECRET: h.emu.clientSecret,
      CRM_GRAPH_BASE_URL: h.emu.baseUrl,
      CRM_GRAPH_AUTHORITY_HOST: h.emu.authorityHost,
      // The emulator's TLS certificate (tests/emulators/tls).
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
      CRM_GRAPH_RETRY_BASE_MS: '20',
      CRM_CALENDAR_BATCH_WINDOW_MS: '100',
      // A job locked by a process that died is released after 2 s (production default: 10 minutes).
      CRM_WORKER_STALE_LOCK_SECONDS: '2',
      CRM_PUBLIC_URL: 'https://crm.bank.example',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {});
  children.push(child);
  return child;
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('6. worker killed mid-batch (kill -9, then restart): every task ends with exactly one event with the right content', async () => {
  h.emu.latencyMs = 300;
  const tasks = [];
  for (const who of ['rm1', 'rm2', 'sup'])
    for (let i = 0; i < 12; i++) tasks.push(await h.createTask(who, { title: `Situation 6 ${who}#${i}` }));

  const first = startWorkerProcess();
  // Kill as soon as a $batch of creates has reached Graph, before its answer comes back.
  await waitFor(() => h.emu.batches > 0, 8000, 'the first $batch');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  await new Promise((r) => setTimeout(r, 400)); // the batch the dead worker sent is stored meanwhile
  const storedBeforeRestart = tasks.filter((t) => h.emu.eventsOfTask(t.id).length > 0).length;
  expect(storedBeforeRestart).toBeGreaterThan(0);
  const unrecorded = await h.tdb.db
    .selectFrom('calendar_links')
    .where('event_id', 'is', null)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  expect(Number(unrecorded.n)).toBeGreaterThan(0);

  h.emu.latencyMs = 0;
  const second = startWorkerProcess();
  await waitFor(
    async () => {
      const rows = await h.tdb.db
        .selectFrom('calendar_links')
        .where('state', '<>', 'synced')
        .select('id')
        .execute();
      const all = await h.tdb.db.selectFrom('calendar_links').select('id').execute();
      return all.length === tasks.length && rows.length === 0;
    },
    9000,
    'every task synced after the restart',
  );
  second.kill('SIGTERM');
  for (const t of tasks) {
    const events = h.emu.eventsOfTask(t.id);
    expect(events, t.title).toHaveLength(1);
    expect(events[0]!.event.subject).toBe(t.title);
  }
}, 25_000);
