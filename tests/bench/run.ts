// npm run bench: load and latency of the pane's main call against a 1,000,000-client bank.
// Database: BENCH_DATABASE_URL (default: a `crm_bench` database on TEST_DATABASE_URL's server, or the local
// PostgreSQL). It is seeded once (`--clients 1000000`) and reused while it holds that many clients.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import pg from 'pg';
import { runCalendarSyncBench } from './calendar-sync-bench.ts';
import { measureItemSwitch } from './item-switch.ts';
import { measureSlaScan } from './sla-scan.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1_000_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const benchUrl =
  process.env.BENCH_DATABASE_URL ??
  (() => {
    const u = new URL(serverUrl);
    u.pathname = '/crm_bench';
    return u.toString();
  })();

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)),
    );
  });
}

async function ensureBank(): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = new URL(benchUrl).pathname.slice(1);
  const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (!exists.rowCount)
    await admin.query(
      `create database "${name}" template template0 encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`,
    );
  await admin.end();
  const c = new pg.Client({ connectionString: benchUrl });
  await c.connect();
  const count = await c
    .query('select count(*)::int as n from clients')
    .then((r) => r.rows[0].n as number)
    .catch(() => 0);
  await c.end();
  if (count >= CLIENTS) {
    console.log(`bank: ${count} clients already in ${name}`);
    return;
  }
  console.log(`bank: seeding ${CLIENTS} clients into ${name} (a few minutes, once)`);
  await run('node', ['--import', 'tsx', 'server/scripts/seed.ts', '--clients', String(CLIENTS)], {
    DATABASE_URL: benchUrl,
  });
}

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn('node', ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: benchUrl,
      PORT: String(port),
      CRM_DEV_AUTH: 'true',
      LOG_LEVEL: 'warn',
      CRM_DB_POOL_MAX: '16',
      // One synthetic user sends tens of thousands of requests: per-user and per-IP limits would answer 429.
      CRM_RATE_LIMIT_PER_IP: '0',
      CRM_RATE_LIMIT_PER_USER: '0',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/version`);
      if (r.ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('server did not start');
}

/** Realistic pane requests: a visible client's email as sender, the RM as recipient, another client in cc. */
async function buildBodies(rmEmail: string): Promise<{ bodies: string[]; senders: string[] }> {
  const c = new pg.Client({ connectionString: benchUrl });
  await c.connect();
  const { rows } = await c.query(
    `select cp.value from contact_points cp join clients cl on cl.id = cp.client_id join users u on u.id = cl.manager_id
     where cp.kind = 'email' and u.email = $1 and cp.is_primary order by cp.value_normalized limit 400`,
    [rmEmail],
  );
  await c.end();
  const emails = rows.map((r) => r.value as string);
  const bodies: string[] = [];
  for (let i = 0; i + 1 < emails.length; i += 2) {
    bodies.push(
      JSON.stringify({
        itemType: 'message',
        participants: [
          { role: 'from', displayName: 'Client', emailAddress: emails[i] },
          { role: 'to', displayName: 'RM', emailAddress: rmEmail },
          { role: 'cc', displayName: 'Client 2', emailAddress: emails[i + 1] },
        ],
        userAddresses: [rmEmail],
      }),
    );
  }
  return { bodies, senders: emails.filter((_, i) => i % 2 === 0) };
}

type Stats = { p50: number; p99: number; rps: number; errors: number; non2xx: number };

async function load(opts: {
  url: string;
  connections: number;
  method?: 'GET' | 'POST';
  token?: string;
  bodies?: string[];
}): Promise<Stats> {
  let n = 0;
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: DURATION,
    method: opts.method ?? 'GET',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    requests: opts.bodies
      ? [
          {
            setupRequest: (req: autocannon.Request) => {
              req.body = opts.bodies![n++ % opts.bodies!.length];
              return req;
            },
          },
        ]
      : undefined,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

function initialJsGzip(): { bytes: number; files: string[] } {
  const dist = path.join(root, 'addin/dist');
  const html = readFileSync(path.join(dist, 'taskpane.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g)]
    .map((m) => m[1]!)
    .filter((src) => src.startsWith('/') && !src.startsWith('//'));
  const bytes = files.reduce(
    (sum, f) => sum + gzipSync(readFileSync(path.join(dist, f)), { level: 9 }).length,
    0,
  );
  return { bytes, files };
}

const fmt = (s: Stats) =>
  `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, ${Math.round(s.rps)} req/s, errors ${s.errors}, non-2xx ${s.non2xx}`;

await ensureBank();
const port = 39000 + Math.floor(Math.random() * 1000);
const server = await startServer(port);
const base = `http://127.0.0.1:${port}`;
try {
  const rmEmail = 'rm1@bank.example';
  const { accessToken } = (await (
    await fetch(`${base}/api/v1/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: rmEmail }),
    })
  ).json()) as { accessToken: string };
  const { bodies, senders } = await buildBodies(rmEmail);
  const check = await fetch(`${base}/api/v1/mail-context`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: bodies[0],
  });
  const sample = (await check.json()) as { participants: { resolution: string }[] };
  console.log(
    `sample mail-context: ${check.status}, resolutions ${sample.participants.map((p) => p.resolution).join(', ')}`,
  );

  // Warm-up so JIT and PostgreSQL caches are in the state an office day finds them.
  await load({
    url: `${base}/api/v1/mail-context`,
    connections: 8,
    method: 'POST',
    token: accessToken,
    bodies,
  }).catch(() => {});
  const one = await load({
    url: `${base}/api/v1/mail-context`,
    connections: 1,
    method: 'POST',
    token: accessToken,
    bodies,
  });
  const many = await load({
    url: `${base}/api/v1/mail-context`,
    connections: 64,
    method: 'POST',
    token: accessToken,
    bodies,
  });
  const trivial = await load({ url: `${base}/api/v1/version`, connections: 64 });
  const js = (() => {
    try {
      return initialJsGzip();
    } catch {
      return { bytes: Number.NaN, files: ['(add-in not built)'] };
    }
  })();
  const ratio = many.rps / trivial.rps;

  console.log('\n== results (2-core machine) ==');
  console.log(`mail-context, 1 connection : ${fmt(one)}   [target p99 <= 3 ms]`);
  console.log(
    `mail-context, 64 conns     : ${fmt(many)}   [target p99 <= 4 x p50: ${(many.p99 / many.p50).toFixed(2)}x]`,
  );
  console.log(`trivial JSON, 64 conns     : ${fmt(trivial)}`);
  console.log(`throughput ratio mail-context / trivial: ${(ratio * 100).toFixed(1)}%   [target >= 10%]`);
  console.log(
    `initial JS: ${(js.bytes / 1024).toFixed(1)} KB gzip (${js.files.join(', ')})   [target <= 250 KB]`,
  );
  const sw = await measureItemSwitch(base, rmEmail, senders);
  console.log(
    `item switch -> painted card: median ${sw.median.toFixed(1)} ms, p95 ${sw.p95.toFixed(1)} ms over ${sw.samples} switches   [target p95 <= 150 ms]`,
  );
} finally {
  server.kill('SIGTERM');
}

// Credit SLA: the at-risk/breach scan over 100,000 open applications (issue: credit applications).
const sla = await measureSlaScan(benchUrl);
console.log(
  `SLA scan over ${sla.applications} open applications: first scan ${sla.firstScan.ms.toFixed(0)} ms ` +
    `(${sla.firstScan.atRisk} at risk, ${sla.firstScan.breached} breached, ${sla.firstScan.escalated} escalated), ` +
    `quiet rescan ${sla.steadyScanMs.toFixed(0)} ms`,
);

// Calendar sync (issue: tasks in Outlook calendars): 2,000 tasks over 50 mailboxes against the Graph emulator
// with 20 ms latency, then 20% rescheduled; the same with 20% of requests answered 429/503. Prints its own lines.
// BENCH_SKIP_CALENDAR=1 leaves it out (the fault run takes about three minutes).
if (process.env.BENCH_SKIP_CALENDAR !== '1') await runCalendarSyncBench();
