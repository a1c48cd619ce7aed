import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ApiApp, buildApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { type GraphEmulator, startGraphEmulator } from '../emulators/graph/graph-emulator.ts';
import { testConfig } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { choose, DEMO_ADMIN, launchBrowser, openAdminContext, shot } from '../support/e2e.ts';

// The admin page's Microsoft 365 section in Chromium against the real API and the Graph emulator: the admin
// connects Microsoft 365 (the secret only as an environment variable name, shown as "set"), tests the
// connection (ok, then the mailbox's real Graph error), reads the sync health, maps an Entra app role to a CRM
// role, and finds the changes in the audit log. Screenshots in light, dark and at 200% zoom.

const ADMIN = DEMO_ADMIN;
const SECRET_ENV = 'CRM_M365_SECRET_E2E';

let db: TestDatabase;
let app: ApiApp;
let baseUrl: string;
let emu: GraphEmulator;
let browser: Browser;

/** A fresh browser context (signed out) on admin.html#m365, signed in as the demo admin. */
const openM365 = (options: BrowserContextOptions = {}): Promise<Page> =>
  openAdminContext(browser, baseUrl, ADMIN, '#m365', options);

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 30 });
  emu = await startGraphEmulator();
  emu.mailboxes.set('onprem@bank.example', { notEnabled: true });
  app = await buildApp({
    db: db.db,
    logger: false,
    config: testConfig(),
    m365: {
      env: { [SECRET_ENV]: emu.clientSecret, CRM_M365_ALLOWED_HOSTS: '127.0.0.1' },
      defaults: { graph: null, mailboxConcurrency: 4, serviceMailbox: null },
    },
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  // Health has something to show: a parked mailbox and a subscription about to expire.
  const rm = await db.db
    .selectFrom('users')
    .where('role', '=', 'relationship_manager')
    .select(['id', 'email'])
    .orderBy('email')
    .executeTakeFirstOrThrow();
  await db.db
    .insertInto('mailbox_sync_state')
    .values({ user_id: rm.id, state: 'not_syncable', reason: '404 MailboxNotEnabledForRESTAPI' })
    .execute();
  await db.db
    .insertInto('graph_subscriptions')
    .values({
      id: 'e2e-sub',
      user_id: rm.id,
      resource: `/users/${rm.email}/events`,
      client_state: 'x',
      expires_at: new Date(Date.now() + 3 * 3600_000),
    })
    .execute();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await emu?.close();
  await db?.destroy();
});

describe('Microsoft 365 on the admin page', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openM365();
    await page.getByRole('heading', { name: 'Microsoft 365', level: 2 }).waitFor();
  });
  afterAll(async () => page?.context().close());
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(page, `debug-m365-${ctx.task.name.slice(0, 20)}`);
  });

  it('connects Microsoft 365: a bad URL is refused at its field, then the saved secret reference shows "set"', async () => {
    const form = page.getByRole('region', { name: 'Connection' });
    await form.getByText('Microsoft 365 is not connected').waitFor();
    await form.getByRole('textbox', { name: 'Tenant id' }).fill(emu.tenantId);
    await form.getByRole('textbox', { name: 'Application (client) id' }).fill(emu.clientId);
    await form.getByRole('textbox', { name: 'Environment variable with the client secret' }).fill(SECRET_ENV);
    await form.getByRole('textbox', { name: 'Graph base URL' }).fill('https://graph.example.com/v1.0');
    await form.getByRole('textbox', { name: 'Sign-in authority' }).fill(emu.authorityHost);
    await form.getByRole('textbox', { name: 'Service mailbox for notifications' }).fill('crm@bank.example');
    await choose(form, 'Parallel requests per mailbox', '2');
    await form.getByRole('button', { name: 'Save' }).click();
    await form
      .getByText(
        "Not a Microsoft cloud host: the server's operator can allow others with CRM_M365_ALLOWED_HOSTS",
      )
      .waitFor();
    await form.getByRole('textbox', { name: 'Graph base URL' }).fill(emu.baseUrl);
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Saved.').waitFor();
    await form.getByText('In effect: these saved settings').waitFor();
    await form.getByText(`${SECRET_ENV} on the server: set (the value is never shown)`).waitFor();
    expect(await page.content()).not.toContain(emu.clientSecret);
  });

  it('tests the connection: ok, then the real Graph error of a mailbox that cannot be read', async () => {
    const form = page.getByRole('region', { name: 'Connection' });
    const mailbox = form.getByRole('textbox', { name: 'Mailbox to read' });
    await mailbox.fill('rm1@bank.example');
    await form.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('m365-test-result');
    await result.getByText('Connection works').waitFor();
    await mailbox.fill('onprem@bank.example');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await result.getByText('Connection failed · Microsoft Graph').waitFor();
    await result.getByText(/404 MailboxNotEnabledForRESTAPI/).waitFor();
    await shot(page, 'admin-m365-en-light');
  });

  it('shows the sync health and refreshes it', async () => {
    const health = page.getByRole('region', { name: 'Sync health' });
    await health.getByText('1 active · 0 expired · 1 expiring within 12 h').waitFor();
    await health
      .getByRole('table', { name: 'Mailboxes that cannot be synced' })
      .getByText('404 MailboxNotEnabledForRESTAPI')
      .waitFor();
    await health.getByRole('table', { name: 'Change subscriptions' }).getByText('Expiring soon').waitFor();
    await health.getByRole('button', { name: 'Refresh' }).click();
    await health.getByText(/Checked /).waitFor();
  });

  it('maps an Entra app role to a CRM role, refusing a group that is not an object id', async () => {
    const mappings = page.getByRole('region', { name: 'Entra roles and groups → CRM roles' });
    await mappings.getByText('No mappings saved.').waitFor();
    await choose(mappings, 'Kind', 'Group');
    await mappings.getByRole('textbox', { name: 'App role value or group object id' }).fill('Sales');
    await mappings.getByRole('button', { name: 'Add' }).click();
    await mappings.getByText('A group is named by its object id (GUID)').waitFor();
    await choose(mappings, 'Kind', 'App role');
    await mappings.getByRole('textbox', { name: 'App role value or group object id' }).fill('CRM.Supervisor');
    await choose(mappings, 'CRM role', 'Supervisor');
    await mappings.getByRole('button', { name: 'Add' }).click();
    const table = mappings.getByRole('table', { name: 'Entra roles and groups → CRM roles' });
    await table.getByText('CRM.Supervisor').waitFor();
    await table.getByRole('button', { name: 'Remove the mapping of CRM.Supervisor' }).waitFor();
    await shot(page, 'admin-m365-mappings');
  });

  it('finds the changes in the audit log', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: 'Audit log' });
    for (const action of ['m365_connection.create', 'm365_connection.test', 'entra_role_mapping.create'])
      await table.getByRole('cell', { name: action, exact: true }).first().waitFor();
    const rows = await db.db
      .selectFrom('audit_events')
      .where('action', 'like', 'm365_connection.%')
      .select('details')
      .execute();
    expect(JSON.stringify(rows)).not.toContain(emu.clientSecret);
  });
});

describe('Microsoft 365 section, other looks', () => {
  it('in the dark theme, in Russian, and at 200% zoom', async () => {
    const dark = await openM365({ colorScheme: 'dark' });
    await dark.getByRole('button', { name: 'Русский' }).click();
    await dark.getByText('Действуют: эти сохранённые настройки').waitFor();
    await dark.getByText('задан', { exact: true }).waitFor();
    await shot(dark, 'admin-m365-ru-dark');
    await dark.context().close();

    const zoomed = await openM365({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await zoomed
      .getByRole('region', { name: 'Connection' })
      .getByText('In effect: these saved settings')
      .waitFor();
    // Every control stays reachable by keyboard: tab from the tenant id to Save.
    await zoomed.getByRole('textbox', { name: 'Tenant id' }).focus();
    for (let i = 0; i < 30; i++) {
      const name = await zoomed.evaluate(() => document.activeElement?.textContent ?? '');
      if (name === 'Save') break;
      await zoomed.keyboard.press('Tab');
    }
    expect(await zoomed.evaluate(() => document.activeElement?.textContent)).toBe('Save');
    await shot(zoomed, 'admin-m365-zoom200');
    await zoomed.context().close();
  });
});
