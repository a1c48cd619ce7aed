import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { choose, DEMO_ADMIN, launchPaneBrowser, openAdminTab, shot, tab } from '../support/e2e.ts';

// The admin page (addin/admin.html) in Chromium against the real API over a seeded demo bank: the admin signs
// in through the demo picker, creates a branch and a user, assigns a supervisor, deactivates a user with open
// tasks (reassigning them), and finds each change in the audit log; an RM gets the 403 page.

const ADMIN = DEMO_ADMIN;
const SUP1 = 'Кузнецов Андрей Викторович';
const RM1 = 'Смирнова Елена Сергеевна';
const RM2 = 'Попов Дмитрий Олегович';

let db: TestDatabase;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let browser: Awaited<ReturnType<typeof launchPaneBrowser>>;
let context: BrowserContext;

/** Opens admin.html in a new tab (its own sessionStorage: signed out) and signs in as a demo user. */
const signIn = (name: string, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> =>
  openAdminTab(context, server.baseUrl, name, '', opts);

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 30 });
  server = await startTestServer(db.db);
  browser = await launchPaneBrowser({ acceptDownloads: true, office: false });
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.destroy();
});

describe('the admin page', () => {
  let page: Page;
  beforeAll(async () => {
    page = await signIn(ADMIN);
    await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
  });
  afterAll(async () => page?.close());
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `debug-${ctx.task.name.slice(0, 20)}`);
  });

  it('lists users with filters, in the brand theme', async () => {
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('button', { name: `Edit: ${RM1}` }).waitFor();
    await choose(page.getByRole('region', { name: 'Users' }), 'Role', 'Supervisor');
    await users.getByRole('button', { name: `Edit: ${SUP1}` }).waitFor();
    // The list re-renders when the filtered page arrives: wait for it rather than read the old one.
    await expect.poll(() => users.getByRole('button', { name: `Edit: ${RM1}` }).count()).toBe(0);
    await choose(page.getByRole('region', { name: 'Users' }), 'Role', 'Any role');
    await users.getByRole('button', { name: `Edit: ${RM1}` }).waitFor();
    await shot(page, 'admin-users-en-light');
  });

  it('creates a branch, showing the server’s message next to a bad time zone first', async () => {
    await tab(page, 'Organisation').click();
    await page.getByRole('heading', { name: 'Branches' }).waitFor();
    await page.getByRole('button', { name: 'New branch' }).click();
    const form = page.getByRole('region', { name: 'Edit' });
    await form.getByRole('textbox', { name: 'Code' }).fill('KZN-01');
    await form.getByRole('textbox', { name: 'Name' }).fill('Казань, Кремлёвская');
    await form.getByRole('combobox', { name: 'Time zone' }).fill('Mars/Olympus');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('Not an IANA time zone: Mars/Olympus').waitFor();
    await shot(page, 'admin-organisation-validation');
    await form.getByRole('combobox', { name: 'Time zone' }).fill('Europe/Moscow');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('Saved.').waitFor();
    await page
      .getByRole('table', { name: 'Branches' })
      .getByRole('button', { name: 'Edit: KZN-01' })
      .waitFor();
    await shot(page, 'admin-organisation-en-light');
  });

  it('warns before leaving a form with unsaved changes', async () => {
    await page.getByRole('button', { name: 'New team' }).click();
    await page
      .getByRole('region', { name: 'Edit' })
      .getByRole('textbox', { name: 'Name' })
      .fill('Half-typed');
    await tab(page, 'Audit log').click();
    await page.getByRole('dialog', { name: 'Discard unsaved changes?' }).waitFor();
    await page.getByRole('button', { name: 'Keep editing' }).click();
    expect(
      await page.getByRole('region', { name: 'Edit' }).getByRole('textbox', { name: 'Name' }).inputValue(),
    ).toBe('Half-typed');
    await tab(page, 'Users and roles').click();
    await page.getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
  });

  it('creates a user in the new branch and assigns a supervisor', async () => {
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByRole('region', { name: 'New user' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Гарипова Алсу Ринатовна');
    await form.getByRole('textbox', { name: 'Email' }).fill('a.garipova@bank.example');
    await choose(form, 'Branch', /KZN-01/);
    await form.getByRole('button', { name: 'Create' }).click();
    const edit = page.getByRole('region', { name: 'Гарипова Алсу Ринатовна' });
    await edit.getByText('Saved.').waitFor();
    await choose(edit, 'Supervisor', SUP1);
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByText('Saved.').waitFor();
    await page.getByRole('table', { name: 'Users' }).getByRole('cell', { name: SUP1 }).first().waitFor();
    await shot(page, 'admin-user-created');
  });

  it('shows a conflict with "Reload" when someone else saved the user first', async () => {
    const row = page
      .getByRole('table', { name: 'Users' })
      .getByRole('button', { name: 'Edit: Гарипова Алсу Ринатовна' });
    await row.click();
    const edit = page.getByRole('region', { name: 'Гарипова Алсу Ринатовна' });
    // Another admin renames her meanwhile.
    const token = await tokenFor(server.app, 'admin@bank.example');
    const current = await server.app.inject({
      url: '/api/v1/admin/users?q=garipova',
      headers: { authorization: `Bearer ${token}` },
    });
    const user = current.json().items[0];
    const other = await server.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${user.id}`,
      payload: { version: user.version, aliases: ['alsu@bank.example'] },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(other.statusCode).toBe(200);
    await edit.getByRole('textbox', { name: 'Name' }).fill('Гарипова Алсу');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByText('Someone else saved this record first').waitFor();
    await shot(page, 'admin-conflict');
    await edit.getByRole('button', { name: 'Reload' }).click();
    // The form comes back with the other admin's values and the new version: saving works again.
    await expect
      .poll(() => edit.getByRole('textbox', { name: 'Other addresses (aliases)' }).inputValue())
      .toBe('alsu@bank.example');
    await edit.getByRole('textbox', { name: 'Name' }).fill('Гарипова Алсу');
    await page
      .getByRole('region', { name: 'Гарипова Алсу Ринатовна' })
      .getByRole('button', { name: 'Save' })
      .click();
    await page.getByRole('region', { name: 'Гарипова Алсу' }).getByText('Saved.').waitFor();
  });

  it('deactivates a user with open tasks, reassigning them in one step', async () => {
    const rm2 = await db.db
      .selectFrom('users')
      .where('name', '=', RM2)
      .select('id')
      .executeTakeFirstOrThrow();
    const before = await db.db
      .selectFrom('tasks')
      .where('assignee_id', '=', rm2.id)
      .where('status', 'in', ['open', 'in_progress'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(before.n)).toBeGreaterThan(0);
    await page
      .getByRole('table', { name: 'Users' })
      .getByRole('button', { name: `Edit: ${RM2}` })
      .click();
    const edit = page.getByRole('region', { name: RM2 });
    await edit.getByRole('button', { name: 'Deactivate…' }).click();
    const dialog = page.getByRole('dialog', { name: `Deactivate ${RM2}?` });
    await dialog.getByText(`They still have ${before.n} open task(s)`).waitFor();
    expect(await dialog.getByRole('button', { name: 'Deactivate' }).isDisabled()).toBe(true);
    await choose(dialog, 'Reassign to', new RegExp(RM1));
    await shot(page, 'admin-deactivate-dialog');
    await dialog.getByRole('button', { name: 'Deactivate' }).click();
    await edit.getByText(`Deactivated; reassigned: ${before.n} task(s)`).waitFor();
    const after = await db.db
      .selectFrom('tasks')
      .where('assignee_id', '=', rm2.id)
      .where('status', 'in', ['open', 'in_progress'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(0);
  });

  it('shows each change in the audit log and exports it as CSV', async () => {
    await tab(page, 'Audit log').click();
    const table = page.getByRole('table', { name: 'Audit log' });
    for (const action of ['branch.create', 'user.create', 'user.update', 'user.deactivate', 'task.update'])
      await table.getByRole('cell', { name: action, exact: true }).first().waitFor();
    await page.getByRole('textbox', { name: /^Action/ }).fill('user.deactivate');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await table.getByRole('cell', { name: 'user.deactivate', exact: true }).waitFor();
    // The old rows stay until the filtered page arrives: wait for them to go.
    await expect.poll(() => table.getByRole('cell', { name: 'user.create', exact: true }).count()).toBe(0);
    await shot(page, 'admin-audit-en-light');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('user.deactivate');
    expect(csv).not.toContain('user.create');
    const exported = await db.db
      .selectFrom('audit_events')
      .where('action', '=', 'audit.export')
      .selectAll()
      .execute();
    expect(exported).toHaveLength(1);
  });

  it('is keyboard reachable: Tab reaches the section tabs and arrows switch them', async () => {
    // From the first section, so sections added later between others do not move the target.
    await tab(page, 'Users and roles').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Organisation' }).waitFor();
  });
});

describe('the admin page in Russian and dark', () => {
  it('renders the sections in Russian with the dark theme', async () => {
    const page = await signIn(ADMIN, { colorScheme: 'dark' });
    await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
    await page.getByRole('button', { name: 'Русский' }).click();
    await page.getByRole('heading', { name: 'Пользователи и роли' }).waitFor();
    await page
      .getByRole('table', { name: 'Сотрудники' })
      .getByRole('button', { name: `Изменить: ${RM1}` })
      .click();
    await shot(page, 'admin-users-ru-dark');
    await tab(page, 'Структура').click();
    await page.getByRole('heading', { name: 'Отделения' }).waitFor();
    await shot(page, 'admin-organisation-ru-dark');
    // The switches are remembered (new-user trial: a reload went back to the browser's language and theme):
    // here light against the browser's dark preference, and Russian.
    await page.getByRole('switch', { name: 'Тёмная тема' }).uncheck();
    await page.reload();
    await page.getByRole('heading', { name: 'Отделения' }).waitFor();
    expect(await page.getByRole('switch', { name: 'Тёмная тема' }).isChecked()).toBe(false);
    // The browser is shared with the next tests, which expect its own defaults.
    await page.evaluate(() => localStorage.clear());
    await page.close();
  });
});

describe('without admin rights', () => {
  it('shows an RM a clear 403 page, and the API refuses them', async () => {
    const page = await signIn(RM1);
    await page.getByText('Administrators only').waitFor();
    await page.getByText(`${RM1}, this page is for CRM administrators`).waitFor();
    expect(await page.getByRole('tab').count()).toBe(0);
    await shot(page, 'admin-403-rm');
    const status = await page.evaluate(async () => {
      const token = sessionStorage.getItem('crm.accessToken');
      const res = await fetch('/api/v1/admin/users', { headers: { authorization: `Bearer ${token}` } });
      return res.status;
    });
    expect(status).toBe(403);
    await page.close();
  });
});
