import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

  it('a 503 on sendMail: the job is retried and exactly one mail arrives', async () => {
    h.emu.inject({
      method: 'POST',
      pathIncludes: '/sendMail',
      answer: { status: 503, code: 'ServiceUnavailable' },
    });
    await h.createTask('sup', { assigneeId: h.org.users.rm1, title: 'После сбоя' });
    await h.settle(20_000);
    const sends = h.emu.log.filter((r) => r.method === 'POST' && r.path.endsWith('/sendMail'));
    expect(sends.filter((r) => r.status === 503)).toHaveLength(1);
    expect(mailTo('rm1@bank.example').filter((m) => m.message.subject.includes('После сбоя'))).toHaveLength(
      1,
    );
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
