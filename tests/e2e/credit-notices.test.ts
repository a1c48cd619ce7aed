import type { DemoItemDto } from '@crm/shared';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { demoInbox, launchPaneBrowser, shot } from '../support/e2e.ts';

// The stage owner's notices in the pane, in Chromium against the real API over a seeded demo bank: an RM
// nudges the credit officer holding a stage from the client's card; the officer's pane shows the unread count
// on the header's Notices button, lists the nudge, opens the client's card from it and the count goes down.

declare global {
  interface Window {
    __officeEmulatorConfig?: unknown;
  }
}

const RM1 = 'rm1@bank.example';
const OFFICER = 'credit1@bank.example';
const SOROKIN = 'Сорокин Илья Петрович';
// The demo bank's credit officer (MSK-01) holds the underwriting stage of the case clients' applications.
const CREDIT_OFFICER = 'Соколова Марина Викторовна';
const MESSAGE = 'Клиент ждёт решения: когда будет андеррайтинг?';

let db: TestDatabase;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchPaneBrowser>>;
const tokens: Record<string, string> = {};
let item: DemoItemDto;

async function openPane(
  email: string,
  opts: { lang?: string; theme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(opts.viewport ?? { width: 320, height: 900 });
  await page.addInitScript(
    (cfg) => {
      window.__officeEmulatorConfig = cfg;
    },
    {
      item,
      displayLanguage: opts.lang ?? 'en-US',
      theme: opts.theme ?? 'light',
      userProfile: { emailAddress: email },
    },
  );
  await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), tokens[email]!);
  await page.goto(`${server.baseUrl}/`);
  return page;
}

const card = (page: Page, name: string) => page.getByRole('article', { name });

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 40 });
  server = await startTestServer(db.db);
  for (const email of [RM1, OFFICER]) tokens[email] = await tokenFor(server.app, email);
  const found = (await demoInbox(server.app, tokens[RM1]!)).find((i) => i.caseId === 'plain-external-sender');
  if (!found) throw new Error('demo inbox has no plain-external-sender item');
  item = found;
  browser = await launchPaneBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.destroy();
});

describe('notices of the credit stage owner', () => {
  it('reach the stage owner: badge count, list, the client card opened from the nudge, count down', async () => {
    // The RM nudges the underwriting stage's owner from Sorokin's card.
    const rm = await openPane(RM1);
    const credit = card(rm, SOROKIN).getByRole('region', { name: 'Credit' });
    await credit.getByText(`Owner: ${CREDIT_OFFICER}`).waitFor();
    await credit.getByRole('button', { name: 'Nudge' }).first().click();
    const form = credit.getByRole('form', { name: 'Nudge' });
    await form.getByRole('textbox', { name: new RegExp(`Message to ${CREDIT_OFFICER}`) }).fill(MESSAGE);
    await form.getByRole('button', { name: 'Send' }).click();
    await credit.getByText('Sent to the stage owner.').waitFor();
    await rm.close();

    // The officer's pane: the header button says how many are unread.
    const page = await openPane(OFFICER);
    const button = page.getByTestId('notices-button');
    await expect.poll(() => button.getAttribute('aria-label')).toBe('Notices, 1 unread');
    await expect.poll(() => button.textContent()).toBe('1');
    await shot(page, 'pane-notices-badge');

    await button.click();
    const list = page.getByRole('region', { name: 'Notices' });
    await list.getByText('1 unread').waitFor();
    const nudge = list.getByRole('button', { name: /^Unread\. Question\. Application .+Сорокин/ });
    await nudge.getByText(MESSAGE).waitFor();
    await nudge.getByText('Underwriting').waitFor();
    await nudge.getByText('From Смирнова Елена', { exact: false }).waitFor();
    await shot(page, 'pane-notices-light');

    // Keyboard: the entry is a button in the tab order; Enter opens the card and marks it read.
    await nudge.focus();
    await page.keyboard.press('Enter');
    const opened = card(page, SOROKIN);
    await opened.getByText('Language').waitFor();
    await page.getByRole('button', { name: 'Back' }).waitFor();
    await expect.poll(() => button.getAttribute('aria-label')).toBe('Notices');
    const row = await db.db
      .selectFrom('credit_notices')
      .where('kind', '=', 'nudge')
      .where('message', '=', MESSAGE)
      .select('read_at')
      .executeTakeFirstOrThrow();
    expect(row.read_at).not.toBeNull();
    await shot(page, 'pane-notices-opened-card');

    // Back in the list the nudge shows as read, and "Mark all read" has nothing left to do.
    await button.click();
    await list.getByText('All read', { exact: true }).waitFor();
    await list.getByRole('button', { name: /^Question\. Application / }).waitFor();
    expect(await list.getByRole('button', { name: 'Mark all read' }).isDisabled()).toBe(true);
    await page.close();
  });

  it('reads in Russian and in the dark theme, also at 200% zoom', async () => {
    // A notice of its own for this look: an SLA warning to the officer on Sorokin's application.
    await db.db
      .insertInto('credit_notices')
      .values({
        user_id: (
          await db.db.selectFrom('users').where('email', '=', OFFICER).select('id').executeTakeFirstOrThrow()
        ).id,
        application_id: (
          await db.db
            .selectFrom('credit_notices')
            .where('message', '=', MESSAGE)
            .select('application_id')
            .executeTakeFirstOrThrow()
        ).application_id,
        kind: 'sla_at_risk',
      })
      .execute();
    const page = await openPane(OFFICER, { lang: 'ru-RU', theme: 'dark' });
    const button = page.getByTestId('notices-button');
    await expect.poll(() => button.getAttribute('aria-label')).toBe('Уведомления, непрочитанных: 1');
    await button.click();
    const list = page.getByRole('region', { name: 'Уведомления' });
    await list.getByText('Срок под угрозой').waitFor();
    await list.getByText('Вопрос').waitFor();
    await shot(page, 'pane-notices-dark-ru');
    await page.close();

    // 200% zoom of a 640 px wide pane: the layout of 320 CSS px, every glyph twice the size.
    const big = await openPane(OFFICER, { theme: 'dark', viewport: { width: 640, height: 800 } });
    await big.evaluate(() => {
      document.body.style.zoom = '2';
    });
    await big.getByTestId('notices-button').click();
    await big.getByRole('region', { name: 'Notices' }).getByText('At risk').waitFor();
    await shot(big, 'pane-notices-dark-zoom');
    await big.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(() => big.getByTestId('notices-button').getAttribute('aria-label')).toBe('Notices');
    await big.close();
  });
});
