import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_KEY_PROPERTY } from '../../server/src/modules/credit/notification-senders.ts';
import { assignmentMailText } from '../../server/src/modules/tasks/assignment-mail.ts';
import { createSyncHarness, type SyncHarness } from '../support/calendar-sync.ts';

// Assignment notices through the outbox: Graph sendMail from the service mailbox (the emulator), once per
// assignment, even when the first send fails with a 5xx and the job is retried; none for self-assignment.

let h: SyncHarness;
beforeAll(async () => {
  h = await createSyncHarness({ serviceMailbox: 'crm-notify@bank.example' });
  await h.tdb.db.updateTable('users').set({ language: 'en' }).where('id', '=', h.org.users.rm2!).execute();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  h.emu.clearFaults();
  h.emu.sentMail.length = 0;
  await h.startWorker();
});

const mailTo = (address: string) =>
  h.emu.sentMail.filter((m) => m.message.toRecipients.some((r) => r.emailAddress.address === address));

describe('assignment notice email', () => {
  it('a supervisor assigns a task: one Russian mail to the assignee from the service mailbox, link back', async () => {
    const task = await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Подготовить договор' });
    await h.settle();
    const mails = mailTo('rm1@bank.example');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.from).toBe('crm-notify@bank.example');
    expect(mails[0]!.message.subject).toBe('Вам назначена задача: Подготовить договор');
    expect(mails[0]!.message.body.content).toContain(`https://crm.bank.example/?task=${task.id}`);
    expect(mails[0]!.message.body.content).toContain('Supervisor One');
    // An edit that does not change the assignee sends nothing more.
    await h.patchTask('sup', task.id, { title: 'Подготовить договор (срочно)' });
    await h.settle();
    expect(h.emu.sentMail).toHaveLength(1);
  });

  it('nothing is sent to an author assigning to themself', async () => {
    await h.createTask('rm1', { title: 'Своя задача' });
    await h.createTask('sup', { title: 'Задача руководителя себе' });
    await h.settle();
    expect(h.emu.sentMail).toHaveLength(0);
  });

  it('reassignment mails the new assignee in their language (English)', async () => {
    const task = await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Visit the plant' });
    await h.settle();
    await h.patchTask('sup', task.id, { assigneeId: h.org.users.rm2 });
    await h.settle();
    expect(mailTo('rm1@bank.example')).toHaveLength(1);
    const toRm2 = mailTo('rm2@bank.example');
    expect(toRm2).toHaveLength(1);
    expect(toRm2[0]!.message.subject).toBe('Task reassigned to you: Visit the plant');
  });

  const subjectOf = (title: string) =>
    mailTo('rm1@bank.example').filter((m) => m.message.subject === `Вам назначена задача: ${title}`);
  const sends = (since: number) =>
    h.emu.log.slice(since).filter((r) => r.method === 'POST' && r.path.endsWith('/send'));

  it('sends as a draft carrying the key, then sends the draft: one message in Sent Items', async () => {
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Черновик и отправка' });
    await h.settle();
    expect(subjectOf('Черновик и отправка')).toHaveLength(1);
    const items = [...(h.emu.messages.get('crm-notify@bank.example')?.values() ?? [])];
    const item = items.find((x) => x.message.subject === 'Вам назначена задача: Черновик и отправка');
    expect(item).toMatchObject({ isDraft: false, parentFolder: 'sentitems' });
    expect(item!.singleValueExtendedProperties[0]!.id).toBe(NOTIFICATION_KEY_PROPERTY);
  });

  it('a 503 on send: the job is retried and exactly one mail arrives', async () => {
    h.emu.inject({
      method: 'POST',
      pathIncludes: '/send',
      answer: { status: 503, code: 'ServiceUnavailable' },
    });
    const since = h.emu.log.length;
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'После сбоя' });
    await h.settle(20_000);
    expect(sends(since).map((r) => r.status)).toEqual([503, 202]);
    expect(subjectOf('После сбоя')).toHaveLength(1);
  });

  it('sent, but the answer was lost (timeout after Graph sent it): the retry finds it in Sent Items and sends nothing', async () => {
    h.emu.inject({ method: 'POST', pathIncludes: '/send', answer: 'store-then-timeout' });
    const since = h.emu.log.length;
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Ответ потерян' });
    await h.settle(30_000);
    expect(sends(since)).toHaveLength(1);
    expect(subjectOf('Ответ потерян')).toHaveLength(1);
    const lookups = h.emu.log.slice(since).filter((r) => r.method === 'GET' && r.path.includes('/messages?'));
    expect(lookups.length, 'the retry looked the key up').toBeGreaterThanOrEqual(2);
  });

  it('the draft was stored but its answer lost: the retry sends that draft, no second draft', async () => {
    h.emu.inject({
      method: 'POST',
      pathIncludes: 'crm-notify%40bank.example/messages',
      answer: 'store-then-500',
    });
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'Черновик без ответа' });
    await h.settle(30_000);
    expect(subjectOf('Черновик без ответа')).toHaveLength(1);
    const drafts = [...(h.emu.messages.get('crm-notify@bank.example')?.values() ?? [])].filter(
      (x) => x.message.subject === 'Вам назначена задача: Черновик без ответа',
    );
    expect(drafts).toHaveLength(1);
  });

  it('templates: Russian by default, English on request', () => {
    const t = {
      title: 'T',
      actorName: 'A',
      clientName: 'C',
      plannedStartAt: new Date('2026-12-10T07:00:00Z'),
      dueAt: null,
      link: 'https://crm/?task=1',
      timeZone: 'Europe/Moscow',
    };
    expect(assignmentMailText('ru', 'assigned', t).body).toContain('Клиент: C');
    expect(assignmentMailText('en', 'assigned', t).body).toContain('Client: C');
  });
});
