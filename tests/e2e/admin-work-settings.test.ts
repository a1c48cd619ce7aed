import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  type AdminTabOptions,
  ARTIFACTS,
  DEMO_ADMIN,
  demoInbox,
  launchBrowser,
  launchPaneBrowser,
  openAdminContext,
  openAdminTab,
  shot,
  tab,
} from '../support/e2e.ts';

// The admin page's "Work settings" section in Chromium against the real API over a seeded demo bank: the
// admin creates the task type "Встреча в офисе"/"Office meeting", sees a version conflict, changes a branch's
// working hours and zone, and finds both changes in the audit log; screenshots light, dark and at 200 %.

const ADMIN = DEMO_ADMIN;

let db: TestDatabase;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let browser: Awaited<ReturnType<typeof launchPaneBrowser>>;
let context: BrowserContext;

/** Opens admin.html#work in a new tab (its own sessionStorage: signed out) and signs in as the demo admin. */
const signIn = (opts: AdminTabOptions = {}) => openAdminTab(context, server.baseUrl, ADMIN, '#work', opts);

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 30 });
  server = await startTestServer(db.db);
  browser = await launchPaneBrowser({ office: false });
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.destroy();
});

describe('work settings', () => {
  let page: Page;
  beforeAll(async () => {
    page = await signIn();
    await page.getByRole('heading', { name: 'Work settings' }).waitFor();
  });
  afterAll(async () => page?.close());
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `debug-work-${ctx.task.name.slice(0, 20)}`);
  });

  it('creates the task type “Office meeting”, showing the field message for a bad code first', async () => {
    const types = page.getByRole('table', { name: 'Task types' });
    await types.getByRole('button', { name: 'Edit: Встреча / Meeting' }).waitFor();
    await page.getByRole('button', { name: 'New task type' }).click();
    const form = page.getByRole('region', { name: 'Edit' });
    await form.getByRole('textbox', { name: 'Code' }).fill('Office meeting');
    await form.getByRole('textbox', { name: 'Name in Russian' }).fill('Встреча в офисе');
    await form.getByRole('textbox', { name: 'Name in English' }).fill('Office meeting');
    await form.getByRole('textbox', { name: /^Default duration/ }).fill('45');
    await form.getByRole('textbox', { name: /^Reminder/ }).fill('abc');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('Whole minutes from 0 to 20160, or empty.').waitFor();
    await form.getByRole('textbox', { name: /^Reminder/ }).fill('30');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('2 to 40 characters: a lower-case Latin letter first').waitFor();
    await shot(page, 'admin-work-validation');
    // A taken code: the server's 409 is shown next to the field.
    await form.getByRole('textbox', { name: 'Code' }).fill('meeting');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('Another record has this value (body.code)').waitFor();
    await form.getByRole('textbox', { name: 'Code' }).fill('office_meeting');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('Saved.').waitFor();
    await types.getByRole('button', { name: 'Edit: Встреча в офисе / Office meeting' }).waitFor();
    const row = await db.db
      .selectFrom('task_types')
      .selectAll()
      .where('code', '=', 'office_meeting')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name_ru: 'Встреча в офисе',
      default_duration_minutes: 45,
      default_reminder_minutes: 30,
      calendar_category: 'CRM',
      active: true,
    });
  });

  it('shows a visible conflict when someone else saved the type first', async () => {
    const form = page.getByRole('region', { name: 'Edit' });
    await form.getByRole('textbox', { name: 'Outlook calendar category' }).fill('Офис');
    // Someone else's save in the meantime.
    await db.db
      .updateTable('task_types')
      .set({ name_en: 'Office visit', version: 2 })
      .where('code', '=', 'office_meeting')
      .execute();
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Someone else saved this record first').waitFor();
    await form.getByRole('button', { name: 'Reload' }).click();
    await form
      .getByRole('textbox', { name: 'Name in English' })
      .and(page.locator('[value="Office visit"]'))
      .waitFor();
    await form.getByRole('textbox', { name: 'Outlook calendar category' }).fill('Офис');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Saved.').waitFor();
    await shot(page, 'admin-work-en-light');
  });

  it('changes a branch’s working days, hours and time zone', async () => {
    const block = page.getByRole('region', { name: 'Working hours and time zone' });
    await block.getByRole('combobox', { name: 'Branch' }).click();
    await page.getByRole('option', { name: /^EKB-01/ }).click();
    await block.getByRole('heading', { name: /^EKB-01/ }).waitFor();
    await block.getByRole('checkbox', { name: 'Sat' }).check();
    await block.getByLabel('Day starts').fill('08:30');
    await block.getByLabel('Day ends').fill('07:00');
    await block.getByRole('button', { name: 'Save' }).click();
    await block.getByText('The day must end after it starts.').waitFor();
    await block.getByLabel('Day ends').fill('17:30');
    await block.getByRole('combobox', { name: 'Time zone' }).fill('Mars/Olympus');
    await block.getByRole('button', { name: 'Save' }).click();
    await block.getByText('Not an IANA time zone: Mars/Olympus').waitFor();
    await block.getByRole('combobox', { name: 'Time zone' }).fill('Asia/Yekaterinburg');
    await block.getByRole('button', { name: 'Save' }).click();
    await block.getByText('Saved.').waitFor();
    const saved = await db.db
      .selectFrom('branches as b')
      .innerJoin('branch_calendars as bc', 'bc.branch_id', 'b.id')
      .where('b.code', '=', 'EKB-01')
      .select(['bc.work_days', 'bc.day_start', 'bc.day_end', 'b.time_zone'])
      .executeTakeFirstOrThrow();
    expect(saved).toEqual({
      work_days: [1, 2, 3, 4, 5, 6],
      day_start: '08:30:00',
      day_end: '17:30:00',
      time_zone: 'Asia/Yekaterinburg',
    });
  });

  it('warns before leaving unsaved changes', async () => {
    const block = page.getByRole('region', { name: 'Working hours and time zone' });
    await block.getByRole('checkbox', { name: 'Sun' }).check();
    await tab(page, 'Audit log').click();
    await page.getByText('Discard unsaved changes?').waitFor();
    await page.getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  });

  it('shows both changes in the audit log', async () => {
    const table = page.getByRole('table', { name: 'Audit log' });
    for (const action of ['task_type.create', 'task_type.update', 'branch.working_hours.update'])
      await table.getByRole('cell', { name: action, exact: true }).first().waitFor();
    await shot(page, 'admin-work-audit');
  });
});

describe('work settings in Russian, dark, and at 200 %', () => {
  it('renders in Russian with the dark theme', async () => {
    const page = await signIn({ colorScheme: 'dark' });
    await page.getByRole('heading', { name: 'Work settings' }).waitFor();
    await page.getByRole('button', { name: 'Русский' }).click();
    await page.getByRole('heading', { name: 'Рабочие настройки' }).waitFor();
    await page
      .getByRole('table', { name: 'Приоритеты' })
      .getByRole('button', { name: 'Изменить: Срочный / Urgent' })
      .click();
    await page.getByRole('region', { name: 'Изменить' }).getByText('Важность в Outlook').waitFor();
    await page
      .getByRole('region', { name: 'Рабочее время и часовой пояс' })
      .getByRole('heading')
      .last()
      .waitFor();
    await shot(page, 'admin-work-ru-dark');
    await page.close();
  });

  it('stays usable at 200 % zoom (640×400 CSS px at device scale 2)', async () => {
    const browser = await launchBrowser();
    try {
      const page = await openAdminContext(browser, server.baseUrl, ADMIN, '#work', {
        deviceScaleFactor: 2,
        viewport: { width: 640, height: 400 },
      });
      await page.getByRole('heading', { name: 'Work settings' }).waitFor();
      await page.getByRole('table', { name: 'Task types' }).waitFor();
      // Nothing sideways: wide tables scroll inside their own box, the page is no wider than the viewport.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      await shot(page, 'admin-work-zoom-200');
    } finally {
      await browser.close();
    }
  });
});

describe('the pane takes the new type at once', () => {
  it('offers “Office visit” in Add task, prefills its default duration, and creates the task with it', async () => {
    const rm1 = 'rm1@bank.example';
    const token = await tokenFor(server.app, rm1);
    const item = (await demoInbox(server.app, token)).find((i) => i.caseId === 'plain-external-sender')!;
    const pane = await launchPaneBrowser();
    try {
      const page = await pane.context.newPage();
      page.setDefaultTimeout(8_000);
      await page.setViewportSize({ width: 320, height: 900 });
      await page.addInitScript(
        (cfg) => {
          (window as unknown as { __officeEmulatorConfig: unknown }).__officeEmulatorConfig = cfg;
        },
        { item, displayLanguage: 'en-US', theme: 'light', userProfile: { emailAddress: rm1 } },
      );
      await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), token);
      await page.goto(`${server.baseUrl}/`);
      const card = page.getByRole('article', { name: 'Сорокин Илья Петрович' });
      await card.getByRole('button', { name: 'Add task' }).click();
      const type = card.getByRole('combobox', { name: 'Type' });
      await type.locator('option', { hasText: 'Office visit' }).waitFor({ state: 'attached' });
      await type.selectOption('office_meeting');
      expect(await card.getByRole('textbox', { name: 'Duration' }).inputValue()).toBe('45');
      await card.getByRole('textbox', { name: 'Title' }).fill('Встреча в офисе по лимиту');
      await card.getByRole('form', { name: 'Add task' }).screenshot({
        path: path.join(ARTIFACTS, 'admin-work-pane-form.png'),
      });
      await card.getByRole('button', { name: 'Create task' }).click();
      await page.getByText('Task created and linked to this email.').waitFor();
      // The card lists three tasks at first: open every list so the new one shows wherever it sorts.
      for (const more of await card.getByRole('button', { name: /^Show all/ }).all()) await more.click();
      await card
        .getByRole('listitem')
        .filter({ hasText: 'Встреча в офисе по лимиту' })
        .getByText('Office visit ·')
        .waitFor();
      await shot(page, 'admin-work-pane-task');
      const task = await db.db
        .selectFrom('tasks')
        .select(['type', 'planned_duration_minutes'])
        .where('title', '=', 'Встреча в офисе по лимиту')
        .executeTakeFirstOrThrow();
      expect(task).toEqual({ type: 'office_meeting', planned_duration_minutes: 45 });
    } finally {
      await pane.close();
    }
  });
});
