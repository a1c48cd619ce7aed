import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { launchPaneBrowser, shot } from '../support/e2e.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// The pane's Settings view in Chromium against the real API (Outlook replaced by the Office host emulator):
// create the private calendar link, copy it, subscribe to it (fetch: text/calendar with the user's tasks),
// revoke it (404 afterwards); change the language of one's email notifications. Light and dark screenshots.

declare global {
  interface Window {
    __officeEmulatorConfig?: unknown;
  }
}

const RM1 = 'rm1@bank.example';
let tdb: TestDatabase;
let org: Org;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchPaneBrowser>>;
let token: string;

async function openPane(opts: { lang?: string; theme?: 'light' | 'dark' } = {}): Promise<Page> {
  const page = await context.newPage();
  // Fail at the step that does not happen, well within the test's own timeout.
  page.setDefaultTimeout(8000);
  await page.setViewportSize({ width: 320, height: 900 });
  await page.addInitScript(
    (cfg) => {
      window.__officeEmulatorConfig = cfg;
    },
    {
      item: null,
      displayLanguage: opts.lang ?? 'en-US',
      theme: opts.theme ?? 'light',
      userProfile: { emailAddress: RM1 },
    },
  );
  await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), token);
  await page.goto(`${server.baseUrl}/`);
  return page;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  const clientId = await createClient(tdb.db, org, { kind: 'legal_entity', name: 'ООО Календарь' });
  server = await startTestServer(tdb.db);
  token = await tokenFor(server.app, RM1);
  const task = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: { authorization: `Bearer ${token}` },
    payload: {
      title: 'Встреча по лизингу',
      type: 'meeting',
      clientId,
      plannedStartAt: '2026-12-10T07:00:00.000Z',
      plannedDurationMinutes: 60,
    },
  });
  expect(task.statusCode, task.body).toBe(201);
  browser = await launchPaneBrowser();
  context = browser.context;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tdb?.destroy();
});

describe('pane settings', () => {
  it('creates, copies, subscribes to and revokes the calendar link; sets the notification language', async () => {
    const page = await openPane();
    await page.getByRole('heading', { name: 'Select an email or meeting' }).waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Calendar feed' }).waitFor();
    await page.getByText('You have no calendar link yet.').waitFor();

    await page.getByRole('button', { name: 'Create link' }).click();
    const input = page.getByRole('textbox', { name: 'Your calendar link' });
    await input.waitFor();
    const url = await input.inputValue();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calendar-feeds\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(await input.getAttribute('readonly')).not.toBeNull();
    await page.getByText('Add calendar → From internet').waitFor();
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied.' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    // What a calendar subscribing to the link gets.
    const feed = await fetch(url);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const ics = await feed.text();
    expect(ics).toContain('SUMMARY:Встреча по лизингу');
    await shot(page, 'pane-settings-light');

    // The language of email notifications: explicit save, audited.
    await page.getByRole('radio', { name: 'English' }).check();
    await page.getByText('Changes not saved yet.').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    const user = await tdb.db
      .selectFrom('users')
      .where('id', '=', org.users.rm1!)
      .select('language')
      .executeTakeFirstOrThrow();
    expect(user.language).toBe('en');
    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'user.language.update')
      .where('actor_id', '=', org.users.rm1!)
      .select(['details', 'channel'])
      .execute();
    expect(audit).toEqual([
      {
        channel: 'pane',
        details: { fields: ['language'], changes: { language: { from: null, to: 'en' } } },
      },
    ]);

    // Revoke, with confirmation: the link answers 404 from then on.
    await page.getByRole('button', { name: 'Revoke link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the calendar link?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('The link was revoked.').waitFor();
    await page.getByText('You have no calendar link yet.').waitFor();
    expect((await fetch(url)).status).toBe(404);

    // Back to the client view.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('heading', { name: 'Select an email or meeting' }).waitFor();
    await page.close();
  });

  it('in Russian and the dark theme: an existing link is replaced only on request, with a warning', async () => {
    const page = await openPane({ lang: 'ru-RU', theme: 'dark' });
    await page.getByRole('button', { name: 'Настройки' }).click();
    await page.getByRole('heading', { name: 'Календарь задач' }).waitFor();
    await page.getByRole('button', { name: 'Создать ссылку' }).click();
    const first = await page.getByRole('textbox', { name: 'Ваша ссылка на календарь' }).inputValue();
    // Reopened later: the link cannot be shown again; "Create new link" warns that the old one stops.
    await page.getByRole('button', { name: 'Назад' }).click();
    await page.getByRole('button', { name: 'Настройки' }).click();
    await page.getByText(/^Ссылка действует с /).waitFor();
    await page.getByText('Новая ссылка заменит текущую', { exact: false }).waitFor();
    expect(await page.getByRole('radio', { name: 'English' }).isChecked()).toBe(true);
    await shot(page, 'pane-settings-dark');
    await page.getByRole('button', { name: 'Создать новую ссылку' }).click();
    const second = await page.getByRole('textbox', { name: 'Ваша ссылка на календарь' }).inputValue();
    expect(second).not.toBe(first);
    expect((await fetch(first)).status).toBe(404);
    expect((await fetch(second)).status).toBe(200);
    await shot(page, 'pane-settings-dark-new-link');
    await page.close();
  });
});
