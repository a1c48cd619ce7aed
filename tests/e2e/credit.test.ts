import type { ClientCardDto, DemoItemDto } from '@crm/shared';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { demoInbox, launchPaneBrowser, shot } from '../support/e2e.ts';

// The credit block of the pane in Chromium against the real API over a seeded demo bank (setup as in
// pane.test.ts): stage owner and SLA countdown, exposure and DPD buckets, a nudge to the stage owner, a new
// application with validation, and the stage moving as the owner acts.

declare global {
  interface Window {
    __officeEmulatorConfig?: unknown;
    __officeEmulator: {
      selectItem(item: DemoItemDto | null, options?: { silent?: boolean }): void;
      handlerCount(): number;
    };
  }
}

const RM1 = 'rm1@bank.example';
const SOROKIN = 'Сорокин Илья Петрович';
// The demo bank's credit officer (MSK-01) holds the underwriting stage of the case clients' applications.
const CREDIT_OFFICER = 'Соколова Марина Викторовна';

let db: TestDatabase;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchPaneBrowser>>;
let token: string;
let inbox: DemoItemDto[];

const byCase = (caseId: string): DemoItemDto => {
  const item = inbox.find((i) => i.caseId === caseId);
  if (!item) throw new Error(`demo inbox has no item for case ${caseId}`);
  return item;
};

async function openPane(item: DemoItemDto, lang = 'en-US'): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 320, height: 900 });
  await page.addInitScript(
    (cfg) => {
      window.__officeEmulatorConfig = cfg;
    },
    { item, displayLanguage: lang, theme: 'light', userProfile: { emailAddress: RM1 } },
  );
  await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), token);
  await page.goto(`${server.baseUrl}/`);
  return page;
}

const card = (page: Page, name: string) => page.getByRole('article', { name });
const creditSection = (page: Page, name: string, title = 'Credit') =>
  card(page, name).getByRole('region', { name: title });

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 40 });
  server = await startTestServer(db.db);
  token = await tokenFor(server.app, RM1);
  inbox = await demoInbox(server.app, token);
  browser = await launchPaneBrowser();
  context = browser.context;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.destroy();
});

describe('credit status in the pane', () => {
  it('shows the stage owner, an overdue countdown, exposure and DPD buckets, and nudges the owner', async () => {
    const page = await openPane(byCase('plain-external-sender'));
    const credit = creditSection(page, SOROKIN);
    await credit.getByText(`Owner: ${CREDIT_OFFICER}`).waitFor();
    await credit
      .getByText(/^overdue by /)
      .first()
      .waitFor();
    await credit.getByRole('region', { name: 'Exposure' }).getByText('Exposure').waitFor();
    await credit
      .getByText(/^(1-30|31-60|61-90|90\+): 1$/)
      .first()
      .waitFor();

    await credit.getByRole('button', { name: 'Nudge' }).first().click();
    const form = credit.getByRole('form', { name: 'Nudge' });
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByText('Required.').waitFor();
    await form
      .getByRole('textbox', { name: new RegExp(`Message to ${CREDIT_OFFICER}`) })
      .fill('Клиент ждёт решения, когда будет андеррайтинг?');
    await form.getByRole('button', { name: 'Send' }).click();
    await credit.getByText('Sent to the stage owner.').waitFor();
    const nudges = await db.db
      .selectFrom('credit_notices as n')
      .innerJoin('users as u', 'u.id', 'n.user_id')
      .where('n.kind', '=', 'nudge')
      .select(['u.name', 'n.message'])
      .execute();
    expect(nudges).toEqual([
      { name: CREDIT_OFFICER, message: 'Клиент ждёт решения, когда будет андеррайтинг?' },
    ]);
    await shot(page, 'pane-credit-nudge');
    await page.close();
  });

  it('starts an application from the pane with validation shown, then shows it moving as its owner acts', async () => {
    const page = await openPane(byCase('plain-external-sender'));
    const credit = creditSection(page, SOROKIN);
    await credit.getByRole('button', { name: 'New application' }).click();
    const form = credit.getByRole('form', { name: 'New credit application' });
    await form.getByRole('button', { name: 'Submit' }).click();
    await form.getByText('Enter an amount, e.g. 300000 or 300000.50.').waitFor();
    await form.getByText('Enter a monthly income above zero.').waitFor();
    await form.getByText('A rate such as 14.9.').waitFor();

    await form.getByRole('textbox', { name: /Amount, RUB/ }).fill('300 000');
    await form.getByRole('textbox', { name: /Rate, % a year/ }).fill('12');
    await form.getByRole('textbox', { name: /Purpose/ }).fill('Ремонт квартиры');
    await form.getByRole('textbox', { name: /Monthly income, RUB/ }).fill('60000');
    await form.getByRole('textbox', { name: /Payments on other loans/ }).fill('5000');
    await form.getByRole('button', { name: 'Submit' }).click();
    const done = credit.getByText(/^Application КЗ-\d{4}-\d{7} submitted\./);
    await done.waitFor();
    const message = (await done.textContent()) ?? '';
    expect(message).toContain('Debt burden (PDN) 52.76%: above 50%');
    expect(message).toContain('Cooling-off after signing: 48 h.');
    const number = /КЗ-\d{4}-\d{7}/.exec(message)![0];
    const row = credit.getByRole('listitem').filter({ hasText: `Application ${number}` });
    await row.getByText('Intake').waitFor();
    await row.getByText('Owner: Смирнова Елена Сергеевна').waitFor();
    await row.getByText(/ left$/).waitFor();
    await shot(page, 'pane-credit-new-application');

    // The owner (rm1 herself) moves intake on; the pane shows documents on its next load.
    const cardRes = await server.app.inject({
      url: `/api/v1/clients/${await clientId(SOROKIN)}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const app = (cardRes.json() as ClientCardDto).credit.applications.find((a) => a.number === number)!;
    const detail = await server.app.inject({
      url: `/api/v1/credit-applications/${app.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const moved = await server.app.inject({
      method: 'POST',
      url: `/api/v1/credit-applications/${app.id}/advance`,
      headers: { authorization: `Bearer ${token}` },
      payload: { version: detail.json().version },
    });
    expect(moved.statusCode).toBe(200);
    await page.reload();
    await creditSection(page, SOROKIN)
      .getByRole('listitem')
      .filter({ hasText: `Application ${number}` })
      .getByText('Documents')
      .waitFor();
    // Its task is in the Tasks list as the stage's: no "Done" of its own (the stage moving on closes it).
    const tasks = card(page, SOROKIN).getByRole('region', { name: 'Tasks' });
    await tasks.getByRole('button', { name: /^Show all/ }).click();
    await tasks.getByText(`Documents stage of application ${number}: done when the stage moves on`).waitFor();
    await tasks.getByText(`Кредитная заявка ${number}: проверка документов`).waitFor();
    expect(
      await tasks
        .getByRole('button', { name: `Mark “Кредитная заявка ${number}: проверка документов” done` })
        .count(),
    ).toBe(0);
    expect(await tasks.getByRole('button', { name: /^Mark “.+” done$/ }).count()).toBeGreaterThan(0);
    await page.close();
  });

  it('speaks Russian: the form and its messages', async () => {
    const page = await openPane(byCase('plain-external-sender'), 'ru-RU');
    const credit = creditSection(page, SOROKIN, 'Кредиты');
    await credit.getByRole('button', { name: 'Новая заявка' }).click();
    const form = credit.getByRole('form', { name: 'Новая кредитная заявка' });
    await form.getByRole('button', { name: 'Подать заявку' }).click();
    await form.getByText('Введите сумму, например 300000 или 300000,50.').waitFor();
    // The longer Russian labels and messages wrap inside the pane: nothing sticks out sideways.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    await credit.getByText(`Исполнитель: ${CREDIT_OFFICER}`).first().waitFor();
    // The seeded application's underwriting task, as the stage's.
    await card(page, SOROKIN)
      .getByRole('region', { name: 'Задачи' })
      .getByText(/^Этап «Андеррайтинг» заявки КЗ-\d{4}-\d{7}: закроется, когда этап перейдёт дальше$/)
      .waitFor();
    await shot(page, 'pane-credit-ru');
    await page.close();
  });
});

async function clientId(name: string): Promise<string> {
  const row = await db.db
    .selectFrom('clients')
    .where('display_name', '=', name)
    .select('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
