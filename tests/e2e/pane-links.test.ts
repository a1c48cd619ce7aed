import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { launchPaneBrowser, OFFICE_CDN, shot } from '../support/e2e.ts';
import { createClient, createCreditApplication, createOrg, type Org } from '../support/fixtures.ts';

// Two links of the pane that lead somewhere without a selected email, in Chromium against the real API:
// a notice opens its client's card with no item selected (the card works, the item's actions say why they
// are not there), and a task link `/?task=<id>` (calendar event, iCalendar feed) opens the task view with its
// client and credit stage; another user's task says it is not yours. Light and dark screenshots.

declare global {
  interface Window {
    __officeEmulatorConfig?: unknown;
  }
}

const OFFICER = 'co@bank.example';
const CLIENT = 'Ссылкин Пётр Иванович';
const TASK = 'Андеррайтинг: проверить доходы';

let tdb: TestDatabase;
let org: Org;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchPaneBrowser>>;
let token: string;
let applicationNumber: string;
let ownTask: string;
let otherTask: string;

/** The pane in the Office host emulator with no item selected, or (`office: false`) a plain browser tab. */
async function openPane(
  url: string,
  opts: { lang?: string; theme?: 'light' | 'dark'; office?: boolean } = {},
): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(8000);
  await page.setViewportSize({ width: opts.office === false ? 900 : 320, height: 900 });
  if (opts.office === false) {
    await page.route(OFFICE_CDN, (route) => route.abort()); // no Office: a plain tab (preview mode)
    await page.emulateMedia({ colorScheme: opts.theme ?? 'light' });
  }
  await page.addInitScript(
    (cfg) => {
      window.__officeEmulatorConfig = cfg;
    },
    {
      item: null,
      displayLanguage: opts.lang ?? 'en-US',
      theme: opts.theme ?? 'light',
      userProfile: { emailAddress: OFFICER },
    },
  );
  await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), token);
  await page.goto(`${server.baseUrl}${url}`);
  return page;
}

async function insertTask(title: string, clientId: string, assigneeKey: string): Promise<string> {
  const { id } = await tdb.db
    .insertInto('tasks')
    .values({
      title,
      type: 'document_check',
      priority: 'high',
      status: 'open',
      assignee_id: org.users[assigneeKey]!,
      author_id: org.users[assigneeKey]!,
      client_id: clientId,
      due_at: new Date(Date.now() + 2 * 86_400_000),
      planned_start_at: new Date(Date.now() + 86_400_000),
      planned_duration_minutes: 45,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    { key: 'co', name: 'Credit Officer', email: OFFICER, role: 'credit_officer', branch: 'msk' },
  ]);
  // rm1's client (MSK) with an application; the officer holds its underwriting stage and that stage's task.
  const clientId = await createClient(tdb.db, org, { kind: 'individual', name: CLIENT });
  const otherClient = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Чужой Клиент Петрович',
    manager: 'rmOther',
  });
  const applicationId = await createCreditApplication(tdb.db, clientId);
  applicationNumber = (
    await tdb.db
      .selectFrom('credit_applications')
      .where('id', '=', applicationId)
      .select('number')
      .executeTakeFirstOrThrow()
  ).number;
  ownTask = await insertTask(TASK, clientId, 'co');
  otherTask = await insertTask('Чужая задача', otherClient, 'rmOther');
  await tdb.db
    .insertInto('application_stages')
    .values({
      application_id: applicationId,
      stage_code: 'underwriting',
      owner_user_id: org.users.co!,
      task_id: ownTask,
      entered_at: new Date(),
    })
    .execute();
  // A nudge from the RM to the officer about the application.
  await tdb.db
    .insertInto('credit_notices')
    .values({
      user_id: org.users.co!,
      application_id: applicationId,
      kind: 'nudge',
      message: 'Клиент ждёт решения',
      author_id: org.users.rm1!,
    })
    .execute();
  server = await startTestServer(tdb.db);
  token = await tokenFor(server.app, OFFICER);
  browser = await launchPaneBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tdb?.destroy();
});

describe('links of the pane', () => {
  it('a notice opens its client card with no email selected: the application shows, item actions do not', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPane('/', { theme });
      await page.getByRole('heading', { name: 'Select an email or meeting' }).waitFor();
      await page.getByTestId('notices-button').click();
      const list = page.getByRole('region', { name: 'Notices' });
      const nudge = list.getByRole('button', { name: new RegExp(`Question\\. .+${CLIENT}`) });
      // Keyboard: the notice is a button in the tab order.
      await nudge.focus();
      await page.keyboard.press('Enter');
      const card = page.getByRole('article', { name: CLIENT });
      await card.getByText(`Application ${applicationNumber}`).first().waitFor();
      await card.getByRole('region', { name: 'Tasks' }).getByText(TASK).waitFor();
      // What needs the selected email is unavailable and says so; the card's own actions are there.
      await page.getByText('No email or meeting is selected', { exact: false }).waitFor();
      await card.getByText('To add a task from an email, select the email or meeting.').waitFor();
      expect(await card.getByRole('button', { name: 'Add task' }).count()).toBe(0);
      expect(await card.getByRole('button', { name: 'Log to client' }).count()).toBe(0);
      await expect.poll(() => page.getByTestId('notices-button').getAttribute('aria-label')).toBe('Notices');
      await shot(page, `pane-links-notice-card-${theme}`);
      // Back returns to the empty pane.
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('heading', { name: 'Select an email or meeting' }).waitFor();
      await page.close();
      // The second round finds the notice read: mark it unread again for the dark one.
      await tdb.db.updateTable('credit_notices').set({ read_at: null }).execute();
    }
  });

  it('?task=<id> opens the task view with its client and credit stage, in a tab and in Outlook', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPane(`/?task=${ownTask}`, { theme, office: false });
      const view = page.getByTestId('task-view');
      await view.getByRole('heading', { name: TASK }).waitFor();
      await view.getByText('Document check').waitFor();
      await view.getByText('Open', { exact: true }).first().waitFor();
      await view.getByText('High', { exact: true }).first().waitFor();
      await view.getByText('Credit Officer').waitFor();
      await view.getByText(`Application ${applicationNumber} · Underwriting`).waitFor();
      await view.getByText('45 min', { exact: false }).waitFor();
      await shot(page, `pane-links-task-${theme}`);
      // Keyboard: Tab reaches the client's button; Enter opens the card (no email: read-only where needed).
      const open = view.getByRole('button', { name: `Open the card of ${CLIENT}` });
      await open.focus();
      await page.keyboard.press('Enter');
      const card = page.getByRole('article', { name: CLIENT });
      await card.getByText(`Application ${applicationNumber}`).first().waitFor();
      await shot(page, `pane-links-task-client-${theme}`);
      await page.getByRole('button', { name: 'Back to the task' }).click();
      await view.getByRole('heading', { name: TASK }).waitFor();
      // Close: the usual pane (the preview's demo inbox), the link dropped from the address.
      await page.getByRole('button', { name: 'Close the task' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.has('task')).toBe(false);
      await page.getByRole('navigation', { name: 'Demo inbox' }).waitFor();
      await page.close();
    }
    // Inside Outlook (the Office host emulator) the link works too, in Russian.
    const ru = await openPane(`/?task=${ownTask}`, { lang: 'ru-RU', theme: 'dark' });
    await ru.getByTestId('task-view').getByRole('heading', { name: TASK }).waitFor();
    await ru.getByText(`Заявка ${applicationNumber} · Андеррайтинг`).waitFor();
    await ru.getByRole('button', { name: `Открыть карточку: ${CLIENT}` }).waitFor();
    await shot(ru, 'pane-links-task-ru-dark');
    await ru.close();
  });

  it("another user's task, or no task in the link, says so", async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await openPane(`/?task=${otherTask}`, { theme, office: false });
      await page.getByText('This task is not yours or no longer exists').waitFor();
      expect(await page.getByText('Чужая задача').count()).toBe(0);
      await shot(page, `pane-links-task-not-found-${theme}`);
      await page.close();
    }
    const empty = await openPane('/?task=', { office: false });
    await empty.getByRole('heading', { name: 'No task in this link' }).waitFor();
    await empty.close();
    // The refusal is audited by task id (whose client it is is not told).
    const denied = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'task.read')
      .where('result', '=', 'denied')
      .where('entity_id', '=', otherTask)
      .select('client_ids')
      .execute();
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]!.client_ids ?? []).toEqual([]);
  });
});
