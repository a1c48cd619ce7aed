import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { startTestServer } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ARTIFACTS, DEMO_ADMIN, launchBrowser, openAdminContext, shot } from '../support/e2e.ts';

// The admin page's credit settings in Chromium against the real API over a seeded demo bank: the admin changes
// the SLA of a stage (a new route version, the running applications stay on the old one), adds a holiday,
// edits a client message template with a preview, and finds the three changes in the audit log. Screenshots
// in light, dark and at 200% zoom (640x400 CSS pixels at device scale 2).

const ADMIN = DEMO_ADMIN;
const ROUTE = 'Потребительский кредит';

let db: TestDatabase;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let browser: Browser;

/** A fresh browser context (signed out) on admin.html, signed in as a demo user, on the credit section. */
const openCredit = (options: BrowserContextOptions = {}): Promise<Page> =>
  openAdminContext(browser, server.baseUrl, ADMIN, '#credit', options);

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 30 });
  server = await startTestServer(db.db);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.destroy();
});

describe('credit settings on the admin page', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openCredit();
    await page.getByRole('heading', { name: 'Credit settings' }).waitFor();
  });
  afterAll(async () => page?.context().close());
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `debug-credit-${ctx.task.name.slice(0, 20)}`);
  });

  it('changes the SLA of a stage: a new version, running applications stay on the old one', async () => {
    const open = await db.db
      .selectFrom('credit_applications as a')
      .innerJoin('approval_routes as r', 'r.id', 'a.route_id')
      .where('r.name', '=', ROUTE)
      .where('a.status', '=', 'in_progress')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const routes = page.getByRole('table', { name: 'Approval routes' });
    await routes.getByRole('button', { name: `Edit: ${ROUTE} v1` }).click();
    const editor = page.getByRole('region', { name: ROUTE });
    await editor.getByText(/Saving creates version 2/).waitFor();

    // Reorder with the keyboard, then back: the list follows and the return targets stay earlier stages.
    const stage3 = editor.getByRole('listitem', { name: 'Stage 3' });
    await stage3.getByText('Stage 3: Scoring').waitFor();
    await stage3.getByRole('button', { name: 'Move stage 3 down' }).focus();
    await page.keyboard.press('Enter');
    await editor.getByRole('listitem', { name: 'Stage 4' }).getByText('Stage 4: Scoring').waitFor();
    await editor
      .getByRole('listitem', { name: 'Stage 4' })
      .getByRole('button', { name: 'Move stage 4 up' })
      .focus();
    await page.keyboard.press('Enter');
    await stage3.getByText('Stage 3: Scoring').waitFor();

    // A bad SLA shows the server's message at the field; then the change is saved as version 2.
    const sla = editor
      .getByRole('listitem', { name: 'Stage 1' })
      .getByRole('spinbutton', { name: /SLA, working hours/ });
    await sla.fill('0');
    await editor.getByRole('button', { name: 'Save as new version' }).click();
    await editor.getByText(/must be >= 1/).waitFor();
    await sla.fill('6');
    await editor.getByRole('button', { name: 'Save as new version' }).click();
    await page
      .getByRole('status')
      .getByText(`Version 2 saved; ${Number(open.n)} application(s) stay on version 1.`)
      .waitFor();
    await page
      .getByRole('region', { name: ROUTE })
      .getByText(/Saving creates version 3/)
      .waitFor();
    await shot(page, 'admin-credit-routes-en-light');

    const versions = await db.db
      .selectFrom('approval_routes')
      .where('name', '=', ROUTE)
      .select(['version', 'active'])
      .orderBy('version')
      .execute();
    expect(versions).toEqual([
      { version: 1, active: false },
      { version: 2, active: true },
    ]);
    await page.getByRole('button', { name: '← All routes' }).click();
    await routes.getByRole('button', { name: `Edit: ${ROUTE} v2` }).waitFor();
    await shot(page, 'admin-credit-route-list-en-light');
    await page.getByRole('switch', { name: 'Show earlier versions' }).click();
    await routes.getByRole('button', { name: `Edit: ${ROUTE} v1` }).click();
    await page.getByText('An earlier version: read only.', { exact: false }).waitFor();
    await page.getByRole('button', { name: '← All routes' }).click();
  });

  it('adds a holiday to the production calendar', async () => {
    await page.getByRole('tab', { name: 'Production calendar' }).click();
    const form = page.getByRole('region', { name: 'Add day' });
    await form.getByLabel('Date').fill('2026-12-30');
    await form.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'Short day' }).click();
    await form.getByRole('textbox', { name: 'Name' }).fill('Предпраздничный день');
    await form.getByRole('button', { name: 'Add day' }).click();
    await page.getByRole('status').getByText('Day added.').waitFor();
    const table = page.getByRole('table', { name: 'Production calendar 2026' });
    await table.getByRole('row', { name: /2026-12-30.*Short day/ }).waitFor();
    // The same day again: the server's message at the date.
    await form.getByLabel('Date').fill('2026-12-30');
    await form.getByRole('textbox', { name: 'Name' }).fill('Снова');
    await form.getByRole('button', { name: 'Add day' }).click();
    await form.getByText(/This day is already in the calendar/).waitFor();
    await form.getByLabel('Date').fill('');
    await form.getByRole('textbox', { name: 'Name' }).fill('');
    await shot(page, 'admin-credit-holidays-en-light');
  });

  it('edits a client message template with a preview; unknown placeholders are refused', async () => {
    await page.getByRole('tab', { name: 'Client messages' }).click();
    const editor = page.getByRole('region', { name: 'Text' });
    await editor.getByRole('heading', { name: 'Application received · Email · Russian' }).waitFor();
    const body = editor.getByRole('textbox', { name: /^Text/ });
    await body.fill('Здравствуйте, {{clientName}}! Заявка {{number}} принята: {{oops}}');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.getByText(/Unknown placeholder \{\{oops\}\}/).waitFor();
    await body.fill(
      'Здравствуйте, {{clientName}}! Заявка {{number}} на {{amount}} принята, ответим в течение дня.',
    );
    await editor.getByRole('button', { name: 'Preview' }).click();
    await editor
      .getByRole('region', { name: 'With sample data' })
      .getByText(/Здравствуйте, Иванов Иван Иванович! Заявка КЗ-2026-5000123 на 300\s000,00\s₽ принята/)
      .waitFor();
    await editor.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Template saved: the next message uses it.').waitFor();
    await shot(page, 'admin-credit-templates-en-light');
    const saved = await db.db
      .selectFrom('notification_templates')
      .where('event', '=', 'submitted')
      .where('channel', '=', 'email')
      .where('lang', '=', 'ru')
      .select(['body', 'version'])
      .executeTakeFirstOrThrow();
    expect(saved).toEqual({
      body: 'Здравствуйте, {{clientName}}! Заявка {{number}} на {{amount}} принята, ответим в течение дня.',
      version: 2,
    });
  });

  it('shows the three changes in the audit log', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: 'Audit log' });
    for (const action of ['approval_route.version', 'holiday.create', 'notification_template.update'])
      await table.getByRole('cell', { name: action, exact: true }).first().waitFor();
    await shot(page, 'admin-credit-audit-en-light');
  });
});

describe('credit settings in Russian, dark, at 200% zoom', () => {
  it('renders the route editor in Russian with the dark theme', async () => {
    const page = await openCredit({ colorScheme: 'dark' });
    await page.getByRole('heading', { name: 'Credit settings' }).waitFor();
    await page.getByRole('button', { name: 'Русский' }).click();
    await page.getByRole('heading', { name: 'Кредитные настройки' }).waitFor();
    await page
      .getByRole('table', { name: 'Маршруты согласования' })
      .getByRole('button', { name: `Изменить: ${ROUTE} в2` })
      .click();
    await page.getByText(/При сохранении появится версия 3/).waitFor();
    await shot(page, 'admin-credit-routes-ru-dark');
    await page.getByRole('tab', { name: 'Производственный календарь' }).click();
    await page.getByRole('cell', { name: '2026-12-30', exact: true }).waitFor();
    await shot(page, 'admin-credit-holidays-ru-dark');
    await page.getByRole('tab', { name: 'Сообщения клиентам' }).click();
    await page.getByRole('button', { name: 'Предпросмотр' }).waitFor();
    await shot(page, 'admin-credit-templates-ru-dark');
    await page.context().close();
  });

  it('stays usable at 200% zoom (640x400 at device scale 2)', async () => {
    const page = await openCredit({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await page.getByRole('heading', { name: 'Credit settings' }).waitFor();
    await page
      .getByRole('table', { name: 'Approval routes' })
      .getByRole('button', { name: `Edit: ${ROUTE} v2` })
      .click();
    const save = page.getByRole('button', { name: 'Save as new version' });
    await save.scrollIntoViewIfNeeded();
    expect(await save.isVisible()).toBe(true);
    await shot(page, 'admin-credit-routes-zoom200-full');
    // What the admin sees at 200%: the editor's first fields, then the first stage.
    await page.getByRole('spinbutton', { name: 'Priority' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-credit-routes-zoom200.png') });
    await page.getByRole('listitem', { name: 'Stage 1' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-credit-routes-zoom200-stage.png') });
    await page.context().close();
  });
});
