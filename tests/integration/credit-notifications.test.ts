import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { sendClientNotification } from '../../server/src/modules/credit/client-notifications.ts';
import { type CreditWorker, startCreditWorker } from '../../server/src/modules/credit/credit.jobs.ts';
import {
  httpSmsSender,
  logSender,
  type Senders,
} from '../../server/src/modules/credit/notification-senders.ts';
import { DEFAULT_ROUTES, insertRoutes } from '../../server/src/modules/demo/seed-credit.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// The client notification outbox under a failing SMS gateway: a local HTTP gateway that first answers 503,
// then accepts a message but answers too late (the sender times out: an ambiguous outcome), then recovers.
// The gateway, like real ones, deduplicates on Idempotency-Key. Expected: one SMS delivered, sent state and
// the client's history recorded once.

type Received = { key: string; to: string; text: string };

class FakeGateway {
  received: Received[] = [];
  delivered = new Map<string, string>();
  /** What the next requests do, in order; afterwards every request is handled normally. */
  script: ('fail' | 'accept-late' | 'reject')[] = [];
  server: Server;
  url = '';
  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }
  private async handle(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    for await (const chunk of req) body += chunk;
    const key = String(req.headers['idempotency-key']);
    const msg = JSON.parse(body) as { to: string; text: string };
    this.received.push({ key, to: msg.to, text: msg.text });
    const step = this.script.shift();
    if (step === 'fail') {
      res.writeHead(503).end('{"error":"busy"}');
      return;
    }
    if (step === 'reject') {
      res.writeHead(400).end('{"error":"bad number"}');
      return;
    }
    if (!this.delivered.has(key)) this.delivered.set(key, `sms-${this.delivered.size + 1}`);
    const answer = () =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: this.delivered.get(key) }));
    if (step === 'accept-late') setTimeout(answer, 600);
    else answer();
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let clientId: string;
let token: string;
const gateway = new FakeGateway();
let worker: CreditWorker;
let senders: Senders;
let nudger: ReturnType<typeof setInterval>;

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  await tdb.db
    .insertInto('products')
    .values({ code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' })
    .execute();
  await insertRoutes(tdb.db, DEFAULT_ROUTES, () => crypto.randomUUID());
  clientId = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Уведомляев Олег Петрович',
    emails: ['oleg@client.example'],
    phones: ['+79031112233'],
  });
  await gateway.start();
  app = await buildTestApp(tdb.db);
  token = await tokenFor(app, 'rm1@bank.example');
  // The sender gives up after 200 ms: the gateway's late answer (600 ms) is a timeout.
  senders = {
    email: logSender('email'),
    sms: httpSmsSender({ url: gateway.url, token: 'gw-token', sender: 'BANK' }, 200),
  };
  worker = await startCreditWorker({
    databaseUrl: tdb.url,
    db: tdb.db,
    config: {
      graph: null,
      credit: { email: { kind: 'log' }, sms: { kind: 'log' }, timeoutMs: 200 },
      calendarSync: { mailboxConcurrency: 1 } as never,
    },
    senders,
    cron: false,
    pollIntervalMs: 100,
  });
  // graphile-worker backs off exp(attempts) seconds between retries: bring retries forward to keep the test short.
  nudger = setInterval(() => {
    void sql`update graphile_worker._private_jobs set run_at = now()
      where locked_at is null and attempts > 0 and run_at > now()`
      .execute(tdb.db)
      .catch(() => {});
  }, 150);
});
afterAll(async () => {
  clearInterval(nudger);
  await worker?.stop();
  await app?.close();
  await gateway.close();
  await tdb?.destroy();
});

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) {
      const jobs =
        await sql`select task_identifier, attempts, last_error, run_at, locked_at from graphile_worker.jobs`.execute(
          tdb.db,
        );
      const rows = await tdb.db.selectFrom('client_notifications').selectAll().execute();
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify({ jobs: jobs.rows, rows, gateway: gateway.received })}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('client notification outbox', () => {
  it('retries a failed and an unanswered SMS with the same key: delivered once, recorded once on the history', async () => {
    gateway.script = ['fail', 'accept-late'];
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/credit-applications',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        clientId,
        productCode: 'CONS-LOAN',
        amount: { amount: '120000.00', currency: 'RUB' },
        termMonths: 12,
        ratePercent: '18',
        purpose: 'Покупка мебели',
        monthlyIncome: '90000',
        existingMonthlyPayments: '0',
      },
    });
    expect(res.statusCode).toBe(201);
    const applicationId = res.json().id as string;
    const rows = await waitFor('both messages sent', async () => {
      const r = await tdb.db
        .selectFrom('client_notifications')
        .where('application_id', '=', applicationId)
        .selectAll()
        .orderBy('channel')
        .execute();
      return r.length === 2 && r.every((n) => n.status === 'sent') && r;
    });
    const sms = rows.find((n) => n.channel === 'sms')!;
    const smsCalls = gateway.received.filter((r) => r.key === sms.idempotency_key);
    expect(smsCalls.length).toBe(3);
    expect(gateway.delivered.size).toBe(1);
    expect(sms).toMatchObject({
      status: 'sent',
      attempts: 3,
      last_error: null,
      provider_message_id: 'sms-1',
      recipient: '+79031112233',
    });
    expect(smsCalls[0]!.text).toContain('принята');

    // Running the job again (a duplicate job, a replay) sends nothing more.
    expect(await sendClientNotification(tdb.db, senders, sms.id)).toBe('already_sent');
    expect(gateway.received.filter((r) => r.key === sms.idempotency_key)).toHaveLength(3);

    const history = await app.inject({
      url: `/api/v1/clients/${clientId}/interactions?limit=10`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(history.statusCode).toBe(200);
    const items = history.json().items as { subject: string; direction: string }[];
    expect(items).toHaveLength(2);
    expect(items.every((i) => i.direction === 'out')).toBe(true);
    expect(items.map((i) => i.subject).sort()).toEqual([
      expect.stringMatching(/^SMS: Заявка КЗ-\d{4}-\d{7} принята/),
      expect.stringMatching(/^Заявка КЗ-\d{4}-\d{7} принята$/),
    ]);
  });

  it('stops retrying a message the gateway refuses outright, keeping the reason', async () => {
    gateway.script = ['reject'];
    const { rows } = await sql<{ id: string }>`
      insert into client_notifications (idempotency_key, client_id, event, channel, lang, recipient, body)
      values ('manual:reject', ${clientId}, 'submitted', 'sms', 'ru', '+70000000000', 'Тест') returning id`.execute(
      tdb.db,
    );
    expect(await sendClientNotification(tdb.db, senders, rows[0]!.id)).toBe('failed_permanently');
    const row = await tdb.db
      .selectFrom('client_notifications')
      .where('id', '=', rows[0]!.id)
      .select(['status', 'last_error', 'attempts'])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'failed', last_error: 'SMS gateway answered 400', attempts: 1 });
  });
});
