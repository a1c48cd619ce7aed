import type { DemoItemDto } from '@crm/shared';
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

async function openPane(item: DemoItemDto, lang = 'en-US', as = { email: RM1, token: '' }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 320, height: 900 });
  await page.addInitScript(
    (cfg) => {
      window.__officeEmulatorConfig = cfg;
    },
    { item, displayLanguage: lang, theme: 'light', userProfile: { emailAddress: as.email } },
  );
  await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), as.token || token);
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
    // Starts from the payment on his loan with us, shown on the card just above.
    const payments = form.getByRole('textbox', { name: /Payments on other loans/ });
    expect(await payments.inputValue()).toBe('20056.00');
    await form
      .getByText("Includes RUB 20,056.00 a month on the client's loans with us; add loans at other banks")
      .waitFor();
    await payments.fill('5000');
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

    // Her own stage: nothing to nudge; she moves intake on from the pane.
    expect(await row.getByRole('button', { name: 'Nudge' }).count()).toBe(0);
    await row.getByRole('button', { name: 'Move the application' }).click();
    const move = row.getByRole('form', { name: `Move application ${number}` });
    await move.getByRole('combobox', { name: /What happened/ }).waitFor();
    expect(await move.getByRole('option').allInnerTexts()).toEqual([
      'Stage done: pass it on',
      'Declined',
      'Client refused',
    ]);
    await move.getByRole('button', { name: 'Confirm' }).click();
    await credit.getByText('Done: the application is now at Documents.').waitFor();
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
    // On the officer's stage the RM may only record the client's refusal.
    const underwriting = credit.getByRole('listitem').filter({ hasText: 'Андеррайтинг' }).first();
    await underwriting.getByRole('button', { name: 'Продвинуть заявку' }).click();
    await underwriting.getByRole('combobox', { name: /Что произошло/ }).waitFor();
    expect(await underwriting.getByRole('option').allTextContents()).toEqual(['Отказ клиента']);
    await shot(page, 'pane-credit-ru');
    await page.close();
  });

  it('the credit officer holding underwriting sends it back for documents from the pane, saying what is missing', async () => {
    const officer = {
      email: 'credit1@bank.example',
      token: await tokenFor(server.app, 'credit1@bank.example'),
    };
    const page = await openPane(byCase('plain-external-sender'), 'en-US', officer);
    const credit = creditSection(page, SOROKIN);
    const row = credit.getByRole('listitem').filter({ hasText: 'Underwriting' }).first();
    const number = /КЗ-\d{4}-\d{7}/.exec((await row.textContent()) ?? '')![0];
    await row.getByRole('button', { name: 'Move the application' }).click();
    const move = row.getByRole('form', { name: `Move application ${number}` });
    const action = move.getByRole('combobox', { name: /What happened/ });
    await action.waitFor();
    expect(await move.getByRole('option').allInnerTexts()).toEqual([
      'Stage done: pass it on',
      'Send back to Documents',
      'Declined',
      'Client refused',
    ]);
    await action.selectOption({ label: 'Send back to Documents' });
    await move.getByRole('button', { name: 'Confirm' }).click();
    await move.getByText('Required.').waitFor();
    // Escape leaves the form, focus back on its button; open it again to go on.
    await move.getByRole('textbox', { name: /What is missing/ }).press('Escape');
    const openAgain = row.getByRole('button', { name: 'Move the application' });
    await openAgain.waitFor();
    expect(await openAgain.evaluate((el) => el === document.activeElement)).toBe(true);
    await openAgain.click();
    await action.selectOption({ label: 'Send back to Documents' });
    await shot(page, 'pane-credit-stage-return');
    await move.getByRole('textbox', { name: /What is missing/ }).fill('Справка 2-НДФЛ за 6 месяцев');
    await move.getByRole('button', { name: 'Confirm' }).click();
    await credit.getByText('Done: the application is now at Documents.').waitFor();
    const moved = credit.getByRole('listitem').filter({ hasText: `Application ${number}` });
    await moved.getByText('Owner: Смирнова Елена Сергеевна').waitFor();
    // Nothing more for the officer to do on it: the RM holds documents now.
    expect(await moved.getByRole('button', { name: 'Move the application' }).count()).toBe(0);
    await shot(page, 'pane-credit-stage-returned');
    await page.close();
  });

  it('a move refused because someone moved the application meanwhile keeps the user’s choice, never another move', async () => {
    const clientId = (
      await db.db
        .selectFrom('clients')
        .where('display_name', '=', SOROKIN)
        .select('id')
        .executeTakeFirstOrThrow()
    ).id;
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      server.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    const created = (
      await api('POST', '/api/v1/credit-applications', {
        clientId,
        productCode: 'CONS-LOAN',
        amount: { amount: '120000.00', currency: 'RUB' },
        termMonths: 12,
        ratePercent: '15',
        purpose: 'Гонка версий',
        monthlyIncome: '90000',
        existingMonthlyPayments: '0',
      })
    ).json();
    const page = await openPane(byCase('plain-external-sender'));
    const row = creditSection(page, SOROKIN)
      .getByRole('listitem')
      .filter({ hasText: `Application ${created.number}` });
    const open = row.getByRole('button', { name: 'Move the application' });
    await open.click();
    const move = row.getByRole('form', { name: `Move application ${created.number}` });
    const action = move.getByRole('combobox', { name: /What happened/ });
    await action.waitFor();
    // Keyboard users land in the form.
    expect(await action.evaluate((el) => el === document.activeElement)).toBe(true);
    await action.selectOption({ label: 'Declined' });
    await move.getByRole('textbox', { name: /Reason/ }).fill('Самозапрет на кредиты');
    // Meanwhile, in another session, intake is completed.
    expect(
      (await api('POST', `/api/v1/credit-applications/${created.id}/advance`, { version: created.version }))
        .statusCode,
    ).toBe(200);
    await move.getByRole('button', { name: 'Confirm' }).click();
    await move.getByText('Someone changed this record meanwhile: it has been reloaded, try again.').waitFor();
    await row.getByText('Documents').waitFor();
    expect(await action.inputValue()).toBe('declined');
    await move.getByRole('button', { name: 'Confirm' }).click();
    await row.getByText('Done: the application is declined.').waitFor();
    const detail = (await api('GET', `/api/v1/credit-applications/${created.id}`)).json();
    expect(detail).toMatchObject({
      status: 'declined',
      decisionDetails: { reason: 'Самозапрет на кредиты' },
    });
    await page.close();
  });
});
