import type { TeamViewDto } from '@crm/shared';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { launchPaneBrowser, OFFICE_CDN, shot } from '../support/e2e.ts';

// The supervisor's "Team" tab, calendar sync badges and "Add to my calendar", in Chromium against the real API
// over the seeded demo bank, Outlook replaced by the Office host emulator (setup as in pane.test.ts).

type Emulated = {
  __officeEmulatorConfig?: unknown;
  __officeEmulator: {
    appointmentFormsOpened(): { subject: string; start: string; end: string; body: string }[];
  };
};

const SUP = 'sup1@bank.example';

let db: TestDatabase;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchPaneBrowser>>;
let supToken: string;
let rmToken: string;
let team: TeamViewDto;

async function openPane(opts: { token: string; lang?: string; office?: boolean }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 360, height: 1000 });
  if (opts.office === false) await page.route(OFFICE_CDN, (route) => route.abort());
  await page.addInitScript(
    (cfg) => {
      (window as unknown as Emulated).__officeEmulatorConfig = cfg;
    },
    { item: null, displayLanguage: opts.lang ?? 'en-US', theme: 'light', userProfile: { emailAddress: SUP } },
  );
  await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), opts.token);
  await page.goto(`${server.baseUrl}/`);
  return page;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 40 });
  server = await startTestServer(db.db);
  supToken = await tokenFor(server.app, SUP);
  rmToken = await tokenFor(server.app, 'rm1@bank.example');
  const first = await server.app.inject({
    url: '/api/v1/team',
    headers: { authorization: `Bearer ${supToken}` },
  });
  expect(first.statusCode).toBe(200);
  const member = (first.json() as TeamViewDto).members.find((m) => m.tasks.length >= 2)!;
  // Two of the member's tasks have calendar events: one synced, one that Graph refused.
  const [a, b] = member.tasks;
  await db.db
    .insertInto('calendar_links')
    .values([
      {
        task_id: a!.id,
        user_id: member.user.id,
        generation: 1,
        transaction_id: 'e2e-1',
        state: 'synced',
        needs_sync: false,
        synced_at: new Date(),
      },
      {
        task_id: b!.id,
        user_id: member.user.id,
        generation: 1,
        transaction_id: 'e2e-2',
        state: 'failed',
        needs_sync: false,
        last_error: '400 ErrorInvalidRequest',
      },
    ])
    .execute();
  const again = await server.app.inject({
    url: '/api/v1/team',
    headers: { authorization: `Bearer ${supToken}` },
  });
  team = again.json() as TeamViewDto;
  browser = await launchPaneBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.destroy();
});

describe('Team view for supervisors', () => {
  it('shows Client | Team tabs; Team lists open tasks per member, overdue first, effort, sync badges with tooltips', async () => {
    const page = await openPane({ token: supToken });
    await page.getByRole('tab', { name: 'Team' }).click();
    const member = team.members.find((m) => m.tasks.some((t) => t.calendarSync?.state === 'failed'))!;
    const section = page.getByRole('region', { name: member.user.name });
    await section.waitFor();
    // Members in the API's order (most overdue first); each task row in the API's order (overdue first).
    const names = await page.locator('section[aria-label] h3').allInnerTexts();
    expect(names.slice(0, team.members.length)).toEqual(team.members.map((m) => m.user.name));
    const rowIds = await section
      .locator('[data-task-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
    expect(rowIds).toEqual(member.tasks.map((t) => t.id));
    await expect(section.getByText(`${member.openTasks} open`).isVisible()).resolves.toBe(true);
    await expect(section.getByText(/^Effort: .* planned · .* done \(30 days\)$/).isVisible()).resolves.toBe(
      true,
    );
    if (member.overdueTasks > 0)
      await expect(section.getByText('Overdue').first().isVisible()).resolves.toBe(true);
    // Sync badges, with their tooltip.
    await expect(section.locator('[data-calendar-sync="synced"]').textContent()).resolves.toBe('In calendar');
    const failed = section.locator('[data-calendar-sync="failed"]');
    expect(await failed.textContent()).toBe('Sync failed');
    await failed.focus();
    await page.getByRole('tooltip').filter({ hasText: '400 ErrorInvalidRequest' }).waitFor();
    await shot(page, 'team-en');

    // "Add to my calendar" opens Outlook's new-appointment form with the task.
    const task = member.tasks[0]!;
    await section
      .locator(`[data-task-id="${task.id}"]`)
      .getByRole('button', { name: `Add “${task.title}” to my calendar` })
      .click();
    const forms = await page.evaluate(() =>
      (window as unknown as Emulated).__officeEmulator.appointmentFormsOpened(),
    );
    expect(forms).toHaveLength(1);
    expect(forms[0]!.subject).toBe(task.title);
    expect(Date.parse(forms[0]!.start)).toBe(Date.parse((task.plannedStartAt ?? task.dueAt)!));
    expect(forms[0]!.body).toContain(`?task=${task.id}`);

    // Back to the client tab: the pane is still there.
    await page.getByRole('tab', { name: 'Client' }).click();
    await page.getByRole('heading', { name: 'Select an email or meeting' }).waitFor();
    await page.close();
  });

  it('speaks Russian in a Russian Outlook', async () => {
    const page = await openPane({ token: supToken, lang: 'ru-RU' });
    await page.getByRole('tab', { name: 'Команда' }).click();
    await page.locator('[data-calendar-sync="failed"]').first().waitFor();
    expect(await page.locator('[data-calendar-sync="failed"]').first().textContent()).toBe(
      'Ошибка синхронизации',
    );
    await page.close();
  });

  it('an RM has no Team tab', async () => {
    const page = await openPane({ token: rmToken });
    await page.getByRole('heading', { name: 'Select an email or meeting' }).waitFor();
    expect(await page.getByRole('tab').count()).toBe(0);
    await page.close();
  });

  it('preview mode: the Team tab works, but there is no "Add to my calendar" (no Outlook)', async () => {
    const page = await openPane({ token: supToken, office: false });
    await page.getByRole('tab', { name: 'Team' }).first().click();
    await page.locator('[data-calendar-sync="synced"]').first().waitFor();
    expect(await page.getByRole('button', { name: /to my calendar$/ }).count()).toBe(0);
    await page.close();
  });
});
