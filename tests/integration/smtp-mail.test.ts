import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type SmtpConfig } from '../../server/src/config.ts';
import {
  type CalendarWorker,
  startCalendarWorker,
} from '../../server/src/modules/calendar-sync/calendar-sync.jobs.ts';
import { type CreditWorker, startCreditWorker } from '../../server/src/modules/credit/credit.jobs.ts';
import { PermanentSendError } from '../../server/src/modules/credit/notification-senders.ts';
import { messageIdFor, smtpMailSender } from '../../server/src/modules/credit/smtp-sender.ts';
import { DEFAULT_ROUTES, insertRoutes } from '../../server/src/modules/demo/seed-credit.ts';
import { type SmtpEmulator, startSmtpEmulator } from '../emulators/smtp/smtp-emulator.ts';
import { tokenFor } from '../support/app.ts';
import { createSyncHarness, type SyncHarness } from '../support/calendar-sync.ts';
import { createClient } from '../support/fixtures.ts';

// Mail through an SMTP relay (CRM_NOTIFY_EMAIL=smtp): assignment notices and client credit notifications
// leave through the same outbox jobs and the same sender, against a real SMTP server (the emulator) with AUTH.
// Every log line of both workers is captured to prove the relay's credentials never reach the logs.

let h: SyncHarness;
let smtp: SmtpEmulator;
let smtpConfig: SmtpConfig;
let calendar: CalendarWorker;
let credit: CreditWorker;
let nudger: ReturnType<typeof setInterval>;
const logs: { level: string; obj: object; msg: string }[] = [];
const log = {
  info: (obj: object, msg: string) => void logs.push({ level: 'info', obj, msg }),
  warn: (obj: object, msg: string) => void logs.push({ level: 'warn', obj, msg }),
  error: (obj: object, msg: string) => void logs.push({ level: 'error', obj, msg }),
};

beforeAll(async () => {
  h = await createSyncHarness();
  await h.tdb.db.updateTable('users').set({ language: 'en' }).where('id', '=', h.org.users.rm2!).execute();
  await h.tdb.db
    .insertInto('products')
    .values({ code: 'CONS-LOAN', name: 'Потребительский кредит', kind: 'loan', status: 'active' })
    .execute();
  await insertRoutes(h.tdb.db, DEFAULT_ROUTES, () => crypto.randomUUID());
  smtp = await startSmtpEmulator();
  smtpConfig = { url: smtp.url, from: 'Bank CRM <crm-notify@bank.example>', timeoutMs: 2000 };
  const creditConfig = {
    email: { kind: 'smtp' as const, smtp: smtpConfig },
    sms: { kind: 'log' as const },
    timeoutMs: 2000,
  };
  calendar = await startCalendarWorker({
    databaseUrl: h.tdb.url,
    db: h.tdb.db,
    config: { graph: null, calendarSync: h.sync, credit: creditConfig },
    log,
    pollIntervalMs: 100,
  });
  credit = await startCreditWorker({
    databaseUrl: h.tdb.url,
    db: h.tdb.db,
    config: { graph: null, credit: creditConfig, calendarSync: { mailboxConcurrency: 1 } as never },
    log,
    cron: false,
    pollIntervalMs: 100,
  });
  // graphile-worker backs off exp(attempts) seconds: bring retries forward to keep the tests short.
  nudger = setInterval(() => {
    void sql`update graphile_worker._private_jobs set run_at = now()
      where locked_at is null and attempts > 0 and run_at > now()`
      .execute(h.tdb.db)
      .catch(() => {});
  }, 150);
});
afterAll(async () => {
  clearInterval(nudger);
  await calendar?.stop();
  await credit?.stop();
  await smtp?.close();
  await h?.close();
});
beforeEach(() => {
  smtp.clearFaults();
});

const mailsTo = (address: string, subject: string) =>
  smtp.received.filter((m) => m.to.includes(address) && m.subject.includes(subject));

describe('assignment notices by SMTP', () => {
  it('arrives from CRM_SMTP_FROM in the assignee’s language with a Message-ID derived from the outbox key', async () => {
    const ru = await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Подписать договор' });
    const en = await h.createTask('sup', { assigneeId: h.org.users.rm2, title: 'Visit the plant' });
    await h.settle();
    const [toRm1] = mailsTo('rm1@bank.example', 'Подписать договор');
    expect(toRm1).toMatchObject({ subject: 'Вам назначена задача: Подписать договор' });
    expect(toRm1!.text).toContain(`https://crm.bank.example/?task=${ru.id}`);
    expect(toRm1!.text).toContain('Supervisor One назначил(а) вам задачу');
    const [toRm2] = mailsTo('rm2@bank.example', 'Visit the plant');
    expect(toRm2).toMatchObject({
      subject: 'Task assigned to you: Visit the plant',
      from: 'crm-notify@bank.example',
    });
    expect(toRm2!.text).toContain('Supervisor One assigned you a task in the CRM.');
    const key = `assignment-mail:${en.id}:${h.org.users.rm2}:${en.version}`;
    expect(toRm2!.messageId).toBe(messageIdFor(key, smtpConfig.from));
    expect(toRm2!.messageId).toMatch(/^<[0-9a-f]{40}\.crm@bank\.example>$/);
    expect(toRm2!.headers['x-crm-notification']).toBe(key);
  });

  it('a 451 is retried and the mail is delivered once', async () => {
    smtp.inject({ kind: 'reply-once', code: 451 });
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'После отказа 451' });
    await h.settle(20_000);
    expect(smtp.attempts.filter((a) => a.status === 451)).toHaveLength(1);
    expect(mailsTo('rm1@bank.example', 'После отказа 451')).toHaveLength(1);
  });

  it('a lost reply after the relay took the mail: resent with the same Message-ID, so it dedups to one', async () => {
    smtp.inject({ kind: 'drop-once', afterAccept: true });
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Ответ потерялся' });
    await h.settle(20_000);
    const copies = mailsTo('rm1@bank.example', 'Ответ потерялся');
    expect(copies).toHaveLength(2);
    expect(copies[0]!.messageId).toBe(copies[1]!.messageId);
    expect(smtp.delivered().filter((m) => m.subject.includes('Ответ потерялся'))).toHaveLength(1);
  });

  it('a 550 for the mailbox is final: logged as refused, not retried', async () => {
    smtp.inject({ kind: 'reject-recipient', address: 'rm3@bank.example', code: 550 });
    const task = await h.createTask('sup', { assigneeId: h.org.users.rm3, title: 'Ящик недоступен' });
    await h.settle(20_000);
    expect(smtp.attempts.filter((a) => a.stage === 'rcpt' && a.to.includes('rm3@bank.example'))).toHaveLength(
      1,
    );
    expect(mailsTo('rm3@bank.example', 'Ящик недоступен')).toHaveLength(0);
    expect(logs).toContainEqual({
      level: 'warn',
      obj: { taskId: task.id, err: 'SMTP answered 550 (EENVELOPE)' },
      msg: 'assignment mail refused',
    });
  });
});

describe('client credit notifications by SMTP', () => {
  const apply = async (clientId: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/credit-applications',
      headers: { authorization: `Bearer ${await tokenFor(h.app, 'rm1@bank.example')}` },
      payload: {
        clientId,
        productCode: 'CONS-LOAN',
        amount: { amount: '250000.00', currency: 'RUB' },
        termMonths: 24,
        ratePercent: '17.5',
        purpose: 'Ремонт',
        monthlyIncome: '120000',
        existingMonthlyPayments: '0',
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  };

  it('the email is sent through the relay and recorded on the client’s history', async () => {
    const clientId = await createClient(h.tdb.db, h.org, {
      kind: 'individual',
      name: 'Почтовая Анна Сергеевна',
      emails: ['anna@client.example'],
      manager: 'rm1',
    });
    const applicationId = await apply(clientId);
    await h.settle(20_000);
    const row = await h.tdb.db
      .selectFrom('client_notifications')
      .where('application_id', '=', applicationId)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel: 'email', status: 'sent', recipient: 'anna@client.example' });
    const [mail] = smtp.received.filter((m) => m.to.includes('anna@client.example'));
    expect(mail!.subject).toMatch(/^Заявка КЗ-\d{4}-\d{7} принята$/);
    expect(row.provider_message_id).toBe(mail!.messageId);
    expect(mail!.messageId).toBe(messageIdFor(row.idempotency_key, smtpConfig.from));
    const history = await h.app.inject({
      url: `/api/v1/clients/${clientId}/interactions?limit=10`,
      headers: { authorization: `Bearer ${await tokenFor(h.app, 'rm1@bank.example')}` },
    });
    const items = history.json<{ items: { subject: string; direction: string }[] }>().items;
    expect(items).toEqual([expect.objectContaining({ direction: 'out', subject: mail!.subject })]);
  });

  it('a 550 marks the message failed with the reply code, without retrying', async () => {
    smtp.inject({ kind: 'reject-recipient', address: 'gone@client.example', code: 550 });
    const clientId = await createClient(h.tdb.db, h.org, {
      kind: 'individual',
      name: 'Ушедший Пётр Ильич',
      emails: ['gone@client.example'],
      manager: 'rm1',
    });
    const applicationId = await apply(clientId);
    await h.settle(20_000);
    const row = await h.tdb.db
      .selectFrom('client_notifications')
      .where('application_id', '=', applicationId)
      .select(['status', 'attempts', 'last_error'])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'failed', attempts: 1, last_error: 'SMTP answered 550 (EENVELOPE)' });
  });
});

describe('the relay’s credentials', () => {
  it('never appear in the logs, in send errors or in configuration errors', async () => {
    // Refused credentials are a configuration fault: retried (not the message's fault), message without secrets.
    const wrong = smtpMailSender({ ...smtpConfig, url: smtp.url.replace(/:[^:@]+@/, ':Wr0ng-pa55word@') });
    const err = await wrong
      .send({ idempotencyKey: 'k', to: 'x@bank.example', subject: 's', body: 'b' })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(PermanentSendError);
    expect((err as Error).message).toBe('SMTP answered 535 (EAUTH)');
    // An unreachable relay: transient too.
    const closed = smtpMailSender({ ...smtpConfig, url: 'smtp://u:p4ss@127.0.0.1:1', timeoutMs: 500 });
    const down = await closed
      .send({ idempotencyKey: 'k', to: 'x@bank.example', subject: 's', body: 'b' })
      .catch((e: Error) => e);
    expect((down as Error).message).toMatch(/^SMTP relay not reachable or no answer \(E[A-Z]+\)$/);

    const everything = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(0);
    expect(everything).not.toContain(smtp.password);
    expect(everything).not.toContain(encodeURIComponent(smtp.password));
    expect(everything).not.toContain(smtp.url);

    const base = { CRM_NOTIFY_EMAIL: 'smtp', CRM_SMTP_FROM: 'crm@bank.example' };
    const bad = (() => {
      try {
        loadConfig({ ...base, CRM_SMTP_URL: 'smtp://user:S3cret pass@@' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad!.message).not.toContain('S3cret');
    expect(() => loadConfig({ ...base, CRM_SMTP_URL: 'http://relay.bank.example' })).toThrow(/smtp:\/\//);
    expect(() =>
      loadConfig({ ...base, CRM_SMTP_URL: 'smtp://relay.bank.example', CRM_SMTP_FROM: '' }),
    ).toThrow(/CRM_SMTP_FROM/);
    const ok = loadConfig({
      ...base,
      CRM_SMTP_URL: 'smtps://relay-user:Kq7%40vT2m-x9Lw@relay.bank.example',
      CRM_SMTP_TIMEOUT_MS: '5000',
    });
    expect(ok.credit.email).toEqual({
      kind: 'smtp',
      smtp: {
        url: 'smtps://relay-user:Kq7%40vT2m-x9Lw@relay.bank.example',
        from: 'crm@bank.example',
        timeoutMs: 5000,
      },
    });
  });
});
