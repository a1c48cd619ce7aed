import { readFileSync } from 'node:fs';
import type { DemoItemDto } from '@crm/shared';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { seedDemoBank } from '../../server/src/modules/demo/seed.ts';
import { startTestServer, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { launchPaneBrowser, shot } from '../support/e2e.ts';

// Logging emails and meetings to clients' history from the task pane, and turning unknown senders into
// clients: Chromium against the real API over a seeded demo bank, Outlook replaced by the Office host
// emulator (tests/emulators/office/office.js), which serves the item's body, attachments and MIME source.

/** The emulator's test controls this file uses (pane.test.ts types the window for its own). */
type Emulated = { __officeEmulator: { maxConcurrentItemCalls(): number; itemCalls(): string[] } };

const RM1 = { email: 'rm1@bank.example', name: 'Смирнова Елена Сергеевна' };
const RM2 = { email: 'rm2@bank.example', name: 'Попов Дмитрий Олегович' };
const SUP1 = { email: 'sup1@bank.example', name: 'Кузнецов Андрей Викторович' };

// Case clients of the demo bank (server/src/modules/demo/demo-data.ts), all served by rm1's and rm2's branch.
const SOROKIN = {
  name: 'Сорокин Илья Петрович',
  from: { displayName: 'Ilya Sorokin', emailAddress: 'i.sorokin@severstal-trade.example' },
};
const PETROV = {
  name: 'Петров Иван Андреевич',
  address: { displayName: 'Ivan Petrov', emailAddress: 'ivan.petrov@example-holding.ru' },
};
const BELOVA = {
  name: 'Белова Анна Викторовна',
  address: { displayName: 'Anna Belova', emailAddress: 'belova@agro-south.example' },
};
const URAL_METALL = 'АО «Урал-Металл»';

let db: TestDatabase;
let server: { app: ApiApp; baseUrl: string; close: () => Promise<void> };
const browsers: Awaited<ReturnType<typeof launchPaneBrowser>>[] = [];
let context: BrowserContext;
const tokens: Record<string, string> = {};

/** A fresh browser profile (nothing shared with another: a second RM on another machine). */
async function newBrowser(): Promise<BrowserContext> {
  const browser = await launchPaneBrowser({ acceptDownloads: true });
  browsers.push(browser);
  return browser.context;
}

type PaneOptions = {
  item: DemoItemDto | null;
  user?: { email: string };
  /** Office's Mailbox requirement set: '1.14' offers getAsFileAsync. */
  mailboxVersion?: string;
  lang?: string;
  theme?: 'light' | 'dark';
  in?: BrowserContext;
};

async function openPane(opts: PaneOptions): Promise<Page> {
  const user = opts.user ?? RM1;
  const page = await (opts.in ?? context).newPage();
  await page.setViewportSize({ width: 320, height: 900 });
  await page.addInitScript(
    (cfg) => {
      (window as unknown as { __officeEmulatorConfig: unknown }).__officeEmulatorConfig = cfg;
    },
    {
      item: opts.item,
      displayLanguage: opts.lang ?? 'en-US',
      theme: opts.theme ?? 'light',
      userProfile: { emailAddress: user.email },
      mailboxVersion: opts.mailboxVersion ?? '1.13',
    },
  );
  await page.addInitScript((t) => sessionStorage.setItem('crm.accessToken', t), tokens[user.email]!);
  await page.goto(`${server.baseUrl}/`);
  return page;
}

const card = (page: Page, name: string) => page.getByRole('article', { name });
const itemCalls = (page: Page) =>
  page.evaluate(() => (window as unknown as Emulated).__officeEmulator.itemCalls());

let n = 0;
/** A message item the way the demo inbox and the emulator shape it. */
function message(partial: Partial<DemoItemDto> & Pick<DemoItemDto, 'subject' | 'from'>): DemoItemDto {
  n++;
  return {
    id: `log-${n}`,
    itemType: 'message',
    internetMessageId: `<log-${n}-${Date.now()}@severstal-trade.example>`,
    conversationId: `conv-log-${n}`,
    dateTimeCreated: new Date(Date.now() - n * 60_000).toISOString(),
    to: [{ displayName: 'RM One', emailAddress: RM1.email }],
    cc: [],
    organizer: null,
    requiredAttendees: [],
    optionalAttendees: [],
    bodyPreview: '',
    caseId: null,
    ...partial,
  };
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const DOCX = Buffer.from('PK\u0003\u0004 not really a docx, but bytes all the same');
const wrap = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

// An Outlook reply: the new text, then Outlook's quoted history (#divRplyFwdMsg), which must not be kept.
const NEW_TEXT = 'Согласен с условиями, подписанную выписку прилагаю.';
const QUOTED_TEXT = 'Прошу подтвердить лимит 5 млн.';
const replyHtml = `<html><body><p>${NEW_TEXT}</p><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>От:</b> RM One<br><b>Отправлено:</b> 1 декабря</div><p>${QUOTED_TEXT}</p></body></html>`;

function mimeOf(item: DemoItemDto): string {
  return Buffer.from(
    `Message-ID: ${item.internetMessageId}
Date: ${new Date(item.dateTimeCreated).toUTCString()}
From: "${item.from?.displayName}" <${item.from?.emailAddress}>
To: RM One <${RM1.email}>
Cc: ${item.cc.map((c) => `"${c.displayName}" <${c.emailAddress}>`).join(', ')}
Subject: =?UTF-8?B?${Buffer.from(item.subject).toString('base64')}?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/html; charset=UTF-8

${replyHtml}
--outer
Content-Type: application/pdf
Content-Disposition: attachment; filename*=UTF-8''%D0%B2%D1%8B%D0%BF%D0%B8%D1%81%D0%BA%D0%B0.pdf
Content-Transfer-Encoding: base64

${wrap(PDF)}
--outer
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document
Content-Disposition: attachment; filename="contract.docx"
Content-Transfer-Encoding: base64

${wrap(DOCX)}
--outer--
`.replace(/\r?\n/g, '\r\n'),
  ).toString('base64');
}

const interactionRow = (internetMessageId: string) =>
  db.db
    .selectFrom('interactions')
    .select(['id', 'kind', 'body_text', 'quoted_history_stripped'])
    .where('internet_message_id', '=', internetMessageId)
    .executeTakeFirst();

async function linksOf(interactionId: string) {
  return db.db
    .selectFrom('interaction_links')
    .innerJoin('clients', 'clients.id', 'interaction_links.client_id')
    .innerJoin('users', 'users.id', 'interaction_links.linked_by')
    .select(['clients.display_name as client', 'users.email as by', 'interaction_links.deal_id'])
    .where('interaction_id', '=', interactionId)
    .orderBy('linked_at')
    .execute();
}

async function filesOf(interactionId: string) {
  const rows = await db.db
    .selectFrom('interaction_attachments')
    .select(['filename', 'inline'])
    .where('interaction_id', '=', interactionId)
    .orderBy('ordinal')
    .execute();
  return rows.filter((r) => !r.inline).map((r) => r.filename);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemoBank(db.db, { clients: 40 });
  server = await startTestServer(db.db);
  for (const u of [RM1, RM2, SUP1]) tokens[u.email] = await tokenFor(server.app, u.email);
  context = await newBrowser();
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.close();
  await db?.destroy();
});

describe('logging an email to a client', () => {
  // Sorokin writes, Petrov in copy: both are clients rm1 and rm2 see.
  const mimeItem = message({
    subject: 'RE: Кредитный лимит',
    from: SOROKIN.from,
    cc: [PETROV.address],
    attachments: [
      {
        id: 'att-pdf',
        name: 'выписка.pdf',
        size: PDF.length,
        contentType: 'application/pdf',
        isInline: false,
      },
      {
        id: 'att-docx',
        name: 'contract.docx',
        size: DOCX.length,
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        isInline: false,
      },
      {
        id: 'att-scan',
        name: 'scan.tif',
        size: 30 * 1024 * 1024,
        contentType: 'image/tiff',
        isInline: false,
      },
    ],
  });
  mimeItem.mime = mimeOf(mimeItem);

  it('logs a message from its MIME source (Mailbox 1.14) with only the attachment the RM chose', async () => {
    const page = await openPane({ item: mimeItem, mailboxVersion: '1.14' });
    const sorokin = card(page, SOROKIN.name);
    await sorokin.getByRole('button', { name: 'Log to client' }).click();
    const form = sorokin.getByRole('form', { name: 'Log to client' });
    expect(await form.getByRole('combobox', { name: 'Client' }).inputValue()).not.toBe('');
    expect(await form.getByRole('combobox', { name: 'Client' }).locator('option:checked').textContent()).toBe(
      SOROKIN.name,
    );
    // Nothing is chosen for the RM; the oversize file cannot be.
    const pdf = form.getByRole('checkbox', { name: /выписка\.pdf/ });
    expect(await pdf.isChecked()).toBe(false);
    const scan = form.getByRole('checkbox', { name: /scan\.tif · 30 MB/ });
    expect(await scan.isDisabled()).toBe(true);
    await form.getByText('over the 25 MB limit').waitFor();
    await pdf.check();
    await shot(page, 'log-form-en-light');
    await form.getByRole('button', { name: 'Log', exact: true }).click();

    await sorokin.getByText(`Logged to ${SOROKIN.name}.`).waitFor();
    await sorokin.getByText('In this client’s history').waitFor();
    await page.getByText(new RegExp(`^Logged by ${RM1.name} at `)).waitFor();
    expect(await itemCalls(page)).toEqual(['getAsFileAsync']);

    const row = await interactionRow(mimeItem.internetMessageId);
    expect(row).toBeDefined();
    expect(await linksOf(row!.id)).toEqual([{ client: SOROKIN.name, by: RM1.email, deal_id: null }]);
    expect(await filesOf(row!.id)).toEqual(['выписка.pdf']);
    await page.close();
  });

  it('shows "logged by" after a reload, and the history entry with only the new part of the body', async () => {
    const page = await openPane({ item: mimeItem, mailboxVersion: '1.14' });
    await page.getByText(new RegExp(`^Logged by ${RM1.name} at `)).waitFor();
    const sorokin = card(page, SOROKIN.name);
    await sorokin.getByText('In this client’s history').waitFor();
    expect(
      await card(page, PETROV.name).getByRole('button', { name: 'Add to this client’s history' }).count(),
    ).toBe(1);

    const history = sorokin.getByRole('region', { name: 'History' });
    await history.getByRole('button', { name: `Show “${mimeItem.subject}”` }).click();
    const body = history.getByRole('document', { name: mimeItem.subject });
    await body.getByText(NEW_TEXT).waitFor();
    expect(await body.textContent()).not.toContain(QUOTED_TEXT); // quoted history is not repeated
    await history.getByText('Quoted earlier messages are not repeated.').waitFor();

    const download = history.getByRole('button', { name: 'Download выписка.pdf' });
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    expect(file.suggestedFilename()).toBe('выписка.pdf');
    expect(readFileSync(await file.path())).toEqual(PDF);
    expect(await history.getByText('contract.docx').count()).toBe(0);
    // Removing from the history is for supervisors and admins only.
    expect(await history.getByRole('button', { name: 'Remove from history' }).count()).toBe(0);
    await shot(page, 'log-history-en-light');
    await page.close();
  });

  it('lets a second RM in another browser add their link without reading or uploading the email again', async () => {
    const other = await newBrowser();
    const page = await openPane({ item: mimeItem, user: RM2, mailboxVersion: '1.14', in: other });
    const posted: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && posted.push(new URL(r.url()).pathname));
    await page.getByText(new RegExp(`^Logged by ${RM1.name} at `)).waitFor();
    await card(page, SOROKIN.name).getByText('In this client’s history').waitFor();

    const petrov = card(page, PETROV.name);
    await petrov.getByRole('button', { name: 'Add to this client’s history' }).click();
    const form = petrov.getByRole('form', { name: 'Log to client' });
    expect(await form.getByRole('checkbox').count()).toBe(0); // the files are already stored
    await form.getByRole('button', { name: 'Add to this client’s history' }).click();
    await petrov.getByText(`Added to the history of ${PETROV.name}.`).waitFor();
    await petrov.getByText('In this client’s history').waitFor();
    await shot(page, 'log-second-rm');

    expect(await itemCalls(page)).toEqual([]);
    expect(posted.filter((p) => p.startsWith('/api/v1/interactions'))).toEqual([
      expect.stringMatching(/^\/api\/v1\/interactions\/[0-9a-f-]+\/links$/),
    ]);
    const rows = await db.db
      .selectFrom('interactions')
      .select('id')
      .where('internet_message_id', '=', mimeItem.internetMessageId)
      .execute();
    expect(rows).toHaveLength(1);
    expect(await linksOf(rows[0]!.id)).toEqual([
      { client: SOROKIN.name, by: RM1.email, deal_id: null },
      { client: PETROV.name, by: RM2.email, deal_id: null },
    ]);
    await page.close();
  });

  it('offers "Log this reply too" for a later message of a logged thread and never logs it by itself', async () => {
    const reply = message({
      subject: 'RE: RE: Кредитный лимит',
      from: SOROKIN.from,
      conversationId: mimeItem.conversationId,
      bodyHtml: '<html><body><p>И ещё один вопрос по графику платежей.</p></body></html>',
    });
    const page = await openPane({ item: reply });
    const sorokin = card(page, SOROKIN.name);
    await sorokin.getByText('Earlier messages of this conversation are in this client’s history.').waitFor();
    const offer = sorokin.getByRole('button', { name: 'Log this reply too' });
    await offer.waitFor();
    expect(await interactionRow(reply.internetMessageId)).toBeUndefined();
    await shot(page, 'log-reply-offer');

    await offer.click();
    await sorokin
      .getByRole('form', { name: 'Log to client' })
      .getByRole('button', { name: 'Log', exact: true })
      .click();
    await sorokin.getByText(`Logged to ${SOROKIN.name}.`).waitFor();
    const row = await interactionRow(reply.internetMessageId);
    expect(row?.body_text).toContain('И ещё один вопрос');
    await page.close();
  });

  it('reads body and attachments one by one when getAsFileAsync is missing, at most 3 Office calls at a time', async () => {
    const files = ['a.pdf', 'b.pdf', 'c.pdf', 'd.pdf'].map((name, i) => {
      const content = Buffer.concat([PDF, Buffer.from(`% file ${i}\n`)]);
      return {
        id: `att-${i}`,
        name,
        size: content.length,
        contentType: 'application/pdf',
        isInline: false,
        contentBase64: content.toString('base64'),
      };
    });
    const item = message({
      subject: 'Документы по ипотеке',
      from: BELOVA.address,
      bodyHtml: replyHtml,
      attachments: files,
    });
    const page = await openPane({ item }); // Mailbox 1.13
    const belova = card(page, BELOVA.name);
    await belova.getByRole('button', { name: 'Log to client' }).click();
    const form = belova.getByRole('form', { name: 'Log to client' });
    for (const f of files)
      await form.getByRole('checkbox', { name: new RegExp(f.name.replace('.', '\\.')) }).check();
    await form.getByRole('button', { name: 'Log', exact: true }).click();
    await belova.getByText(`Logged to ${BELOVA.name}.`).waitFor();

    const calls = await itemCalls(page);
    expect(calls).not.toContain('getAsFileAsync');
    expect(calls.filter((c) => c.startsWith('body.getAsync')).sort()).toEqual([
      'body.getAsync(html)',
      'body.getAsync(text)',
    ]);
    expect(calls.filter((c) => c === 'getAttachmentContentAsync')).toHaveLength(4);
    const peak = await page.evaluate(() =>
      (window as unknown as Emulated).__officeEmulator.maxConcurrentItemCalls(),
    );
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);

    const row = await interactionRow(item.internetMessageId);
    expect(row?.body_text).toContain(NEW_TEXT);
    expect(row?.body_text).not.toContain(QUOTED_TEXT);
    expect(row?.quoted_history_stripped).toBe(true);
    expect(await filesOf(row!.id)).toEqual(files.map((f) => f.name));

    const history = belova.getByRole('region', { name: 'History' });
    await history.getByRole('button', { name: `Show “${item.subject}”` }).click();
    await history.getByRole('document', { name: item.subject }).getByText(NEW_TEXT).waitFor();
    for (const f of files) await history.getByRole('button', { name: `Download ${f.name}` }).waitFor();
    await page.close();
  });

  it('logs a meeting, which has no internetMessageId, under one id for every attendee', async () => {
    const meeting: DemoItemDto = {
      ...message({ subject: 'Встреча по залогу', from: null }),
      itemType: 'appointment',
      internetMessageId: '',
      to: [],
      organizer: { displayName: 'RM One', emailAddress: RM1.email },
      requiredAttendees: [BELOVA.address, SOROKIN.from],
      start: '2026-12-10T07:00:00.000Z',
      end: '2026-12-10T08:00:00.000Z',
      location: 'Переговорная 3',
      bodyHtml: '<html><body><p>Обсуждаем оценку залога.</p></body></html>',
    };
    const page = await openPane({ item: meeting, mailboxVersion: '1.14' });
    const belova = card(page, BELOVA.name);
    await belova.getByRole('button', { name: 'Log to client' }).click();
    await belova
      .getByRole('form', { name: 'Log to client' })
      .getByRole('button', { name: 'Log', exact: true })
      .click();
    await belova.getByText(`Logged to ${BELOVA.name}.`).waitFor();
    expect(await itemCalls(page)).not.toContain('getAsFileAsync'); // messages only
    await shot(page, 'log-meeting');
    await page.close();

    const row = await db.db
      .selectFrom('interactions')
      .select(['kind', 'internet_message_id', 'meeting_start', 'meeting_location'])
      .where('subject', '=', meeting.subject)
      .executeTakeFirstOrThrow();
    expect(row.kind).toBe('meeting');
    expect(row.internet_message_id).toMatch(/^<ical-uid:outlook-[0-9a-f]{40}>$/);
    expect(new Date(row.meeting_start as unknown as string).toISOString()).toBe(meeting.start);
    expect(row.meeting_location).toBe('Переговорная 3');

    // Another attendee's copy (rm2's calendar) is the same meeting.
    const other = await openPane({ item: meeting, user: RM2, in: await newBrowser() });
    await other.getByText(new RegExp(`^Logged by ${RM1.name} at `)).waitFor();
    await card(other, BELOVA.name).getByText('In this client’s history').waitFor();
    await other.close();
  });

  it('lets a supervisor remove an entry from a client’s history after confirming', async () => {
    const page = await openPane({ item: mimeItem, user: SUP1, mailboxVersion: '1.14' });
    const petrov = card(page, PETROV.name);
    const history = petrov.getByRole('region', { name: 'History' });
    await history.getByRole('button', { name: `Show “${mimeItem.subject}”` }).click();
    await history.getByRole('button', { name: 'Remove from history' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove from this client’s history?' });
    await dialog.waitFor();
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await shot(page, 'log-unlink-confirm');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await dialog.waitFor({ state: 'detached' });
    await petrov.getByRole('button', { name: 'Add to this client’s history' }).waitFor();
    const row = await interactionRow(mimeItem.internetMessageId);
    expect((await linksOf(row!.id)).map((l) => l.client)).toEqual([SOROKIN.name]);
    await page.close();
  });

  it('reveals nothing of a message another branch logged for a client this RM cannot see', async () => {
    const rm3 = await tokenFor(server.app, 'rm3@bank.example');
    const hidden = await db.db
      .selectFrom('clients')
      .select('id')
      .where('display_name', '=', 'Закрытый Клиент Частный')
      .executeTakeFirstOrThrow();
    const item = message({ subject: 'Копия: условия по вкладу', from: SOROKIN.from });
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/interactions',
      headers: { authorization: `Bearer ${rm3}` },
      payload: {
        clientId: hidden.id,
        source: {
          item: {
            internetMessageId: item.internetMessageId,
            subject: item.subject,
            sentAt: item.dateTimeCreated,
            from: { name: SOROKIN.from.displayName, address: SOROKIN.from.emailAddress },
            to: [{ name: 'RM One', address: RM1.email }],
            bodyText: 'Условия по вкладу во вложении.',
          },
        },
      },
    });
    expect(res.statusCode).toBe(201);
    const page = await openPane({ item });
    // Knowing a Message-ID must not open another branch's logged email: the pane offers a fresh log.
    await card(page, SOROKIN.name).getByRole('button', { name: 'Log to client' }).waitFor();
    expect(await page.getByText(/^Logged by/).count()).toBe(0);
    expect(await page.getByText(/can’t see/).count()).toBe(0);
    expect(await page.getByText('Закрытый').count()).toBe(0);
    expect(
      await card(page, SOROKIN.name).getByRole('button', { name: 'Add to this client’s history' }).count(),
    ).toBe(0);
    await shot(page, 'log-hidden-links');
    await page.close();
  });

  for (const lang of ['ru-RU', 'en-US']) {
    for (const theme of ['light', 'dark'] as const) {
      it(`renders the logged state and history in ${lang}, ${theme} theme`, async () => {
        const page = await openPane({ item: mimeItem, mailboxVersion: '1.14', lang, theme });
        const sorokin = card(page, SOROKIN.name);
        await sorokin.getByRole('region', { name: lang === 'ru-RU' ? 'История' : 'History' }).waitFor();
        await page.getByText(lang === 'ru-RU' ? /^Сохранено: / : /^Logged by /).waitFor();
        await card(page, PETROV.name)
          .getByRole('button', {
            name: lang === 'ru-RU' ? 'Добавить в историю этого клиента' : 'Add to this client’s history',
          })
          .click();
        await shot(page, `log-${lang.slice(0, 2)}-${theme}`);
        await page.close();
      });
    }
  }
});

describe('unknown senders', () => {
  it('links an unknown sender to an existing client found by INN and shows its card', async () => {
    const ural = await db.db
      .selectFrom('clients')
      .innerJoin('legal_entity_profiles', 'legal_entity_profiles.client_id', 'clients.id')
      .select(['clients.id', 'legal_entity_profiles.inn'])
      .where('clients.display_name', '=', URAL_METALL)
      .executeTakeFirstOrThrow();
    const address = 'treasury@ural-metall-group.example';
    const item = message({
      subject: 'Казначейство: реквизиты',
      from: { displayName: 'Казначейство', emailAddress: address },
    });
    const page = await openPane({ item });
    await page.getByRole('heading', { name: 'Not a client' }).waitFor();
    await page.getByRole('searchbox').fill(ural.inn);
    const link = page.getByRole('button', { name: `Link this address to ${URAL_METALL}` });
    await link.waitFor();
    await shot(page, 'unknown-link-by-inn');
    await link.click();
    await card(page, URAL_METALL).waitFor();
    expect(await page.getByRole('heading', { name: 'Not a client' }).count()).toBe(0);
    const cp = await db.db
      .selectFrom('contact_points')
      .select('client_id')
      .where('value_normalized', '=', address)
      .execute();
    expect(cp).toEqual([{ client_id: ural.id }]);
    await page.close();
  });

  it('creates a prospect after the duplicate check showed a near-identical existing client first', async () => {
    // rm2 already has "Лебедева Екатерина Андреевна" (no email): a similar name, not the same address.
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/prospects',
      headers: { authorization: `Bearer ${tokens[RM2.email]}` },
      payload: { kind: 'individual', lastName: 'Лебедева', firstName: 'Екатерина', middleName: 'Андреевна' },
    });
    expect(res.statusCode).toBe(201);
    const item = message({
      subject: 'Хочу открыть вклад',
      from: { displayName: 'Лебедева Екатерина', emailAddress: 'e.lebedeva@new-prospect.example' },
    });
    const page = await openPane({ item });
    await page.getByRole('button', { name: 'Create prospect' }).click();
    const form = page.getByRole('form', { name: 'New prospect' });
    const matches = form.getByRole('region', { name: 'Possibly already a client' });
    await matches.getByText('Лебедева Екатерина Андреевна').waitFor();
    await matches.getByText(/similar name/).waitFor();
    // Prefilled from the display name.
    expect(await form.getByRole('textbox', { name: 'Last name' }).inputValue()).toBe('Лебедева');
    expect(await form.getByRole('textbox', { name: 'First name' }).inputValue()).toBe('Екатерина');
    await shot(page, 'prospect-candidates');
    await form.getByRole('button', { name: 'Create' }).click();
    await card(page, 'Лебедева Екатерина').waitFor();
    await card(page, 'Лебедева Екатерина').getByText('Prospect', { exact: true }).waitFor();
    await shot(page, 'prospect-created');
    await page.close();
  });

  it('refuses a second client with an existing INN and points to the existing one (no “new client anyway”)', async () => {
    const ural = await db.db
      .selectFrom('legal_entity_profiles')
      .innerJoin('clients', 'clients.id', 'legal_entity_profiles.client_id')
      .select('legal_entity_profiles.inn')
      .where('clients.display_name', '=', URAL_METALL)
      .executeTakeFirstOrThrow();
    const item = message({
      subject: 'Заявка на расчётный счёт',
      from: { displayName: 'ООО Ромашка', emailAddress: 'info@romashka-new.example' },
    });
    const page = await openPane({ item });
    await page.getByRole('button', { name: 'Create prospect' }).click();
    const form = page.getByRole('form', { name: 'New prospect' });
    await form.getByRole('radio', { name: 'Company' }).check();
    await form.getByRole('textbox', { name: 'Company name' }).fill('ООО «Ромашка»');
    await form.getByRole('textbox', { name: 'INN' }).fill(ural.inn);
    await form.getByRole('button', { name: 'Create' }).click();
    await form
      .getByText('A client with this INN already exists (one INN is one taxpayer)', { exact: false })
      .waitFor();
    await form.getByRole('region', { name: 'Possibly already a client' }).getByText(URAL_METALL).waitFor();
    await form.getByText(/same INN/).waitFor();
    await shot(page, 'prospect-duplicate');
    expect(await form.getByRole('button', { name: 'It’s a new client anyway' }).count()).toBe(0);
    const created = await db.db
      .selectFrom('clients')
      .select('id')
      .where('display_name', 'like', '%Ромашка%')
      .execute();
    expect(created).toEqual([]);
    await page.close();
  });
});
