import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  ClientInteractionsDto,
  InteractionDetailDto,
  InteractionStatusDto,
  LogInteractionResponseDto,
} from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, repoRoot, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// Logging emails and meetings to a client's history through the real app and database: once per message
// whoever logs it, the logged state known to every browser, only the new part of a reply, files stored once.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const clients = {} as Record<'lebedeva' | 'company' | 'foreign', string>;
const tokens: Record<string, string> = {};

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const wrap = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

/** An Outlook-style HTML reply from the client with quoted history, an inline logo and a PDF. */
function replyMime(
  opts: { id: string; pdf?: Buffer; from?: string; subject?: string; conversationTopic?: string } = {
    id: '',
  },
) {
  const from = opts.from ?? '"Lebedeva, Ekaterina" <E.Lebedeva@severstal-trade.example>';
  return Buffer.from(
    `Message-ID: <${opts.id}>
Date: Wed, 02 Dec 2026 09:15:00 +0300
From: ${from}
To: RM One <rm1@bank.example>
Subject: ${opts.subject ?? 'RE: Кредитный лимит'}
In-Reply-To: <rm-question-1@bank.example>
References: <rm-question-1@bank.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: text/html; charset=UTF-8

<html><body><p>Согласна с условиями. <img src="cid:logo@st"></p><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>От:</b> RM One<br><b>Отправлено:</b> 1 декабря</div><p>Прошу подтвердить лимит 5 млн.</p></body></html>
--rel
Content-Type: image/png
Content-ID: <logo@st>
Content-Disposition: inline; filename="logo.png"
Content-Transfer-Encoding: base64

${wrap(PNG)}
--rel--
--outer
Content-Type: application/pdf
Content-Disposition: attachment; filename="выписка.pdf"
Content-Transfer-Encoding: base64

${wrap(opts.pdf ?? PDF)}
--outer--
`.replace(/\r?\n/g, '\r\n'),
  ).toString('base64');
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  clients.lebedeva = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Лебедева Екатерина Андреевна',
    emails: ['e.lebedeva@severstal-trade.example'],
  });
  clients.company = await createClient(tdb.db, org, {
    kind: 'legal_entity',
    name: 'ООО Северсталь-Трейд',
    manager: 'rm2',
    emails: ['office@severstal-trade.example'],
  });
  clients.foreign = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Чужой Клиент',
    manager: 'rmOther',
  });
  app = await buildTestApp(tdb.db);
  for (const [k, email] of Object.entries({
    rm1: 'rm1@bank.example',
    rm2: 'rm2@bank.example',
    sup: 'sup@bank.example',
    rmOther: 'rm.other@bank.example',
    admin: 'admin@bank.example',
  }))
    tokens[k] = await tokenFor(app, email);
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const log = (who: string, payload: object) =>
  app.inject({ method: 'POST', url: '/api/v1/interactions', headers: auth(who), payload });
const get = (who: string, url: string) => app.inject({ method: 'GET', url, headers: auth(who) });
const count = async (table: 'interactions' | 'interaction_links' | 'blobs' | 'interaction_attachments') =>
  Number(
    (
      await tdb.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('logging an email', () => {
  it('stores the new part of a reply, its participants and files, and shows it in the client’s history', async () => {
    const res = await log('rm1', {
      clientId: clients.lebedeva,
      conversationId: 'AAQkAGI2-conv-1',
      source: { mime: replyMime({ id: 'reply-1@severstal-trade.example' }) },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<LogInteractionResponseDto>();
    expect(body).toMatchObject({
      created: true,
      linked: true,
      hiddenLinkCount: 0,
      interaction: {
        internetMessageId: '<reply-1@severstal-trade.example>',
        conversationId: 'AAQkAGI2-conv-1',
        kind: 'message',
        direction: 'in',
        subject: 'RE: Кредитный лимит',
        from: { name: 'Lebedeva, Ekaterina', address: 'e.lebedeva@severstal-trade.example' },
        to: [{ name: 'RM One', address: 'rm1@bank.example' }],
        snippet: 'Согласна с условиями.',
        attachmentCount: 1,
        createdBy: { id: org.users.rm1, name: 'RM One' },
      },
      links: [
        {
          clientId: clients.lebedeva,
          clientName: 'Лебедева Екатерина Андреевна',
          linkedBy: { id: org.users.rm1 },
        },
      ],
    });
    expect(body.alreadyLoggedBy).toBeUndefined();
    expect(new Date(body.interaction.sentAt).toISOString()).toBe('2026-12-02T06:15:00.000Z');

    const detail = (
      await get('rm1', `/api/v1/interactions/${body.interaction.id}`)
    ).json<InteractionDetailDto>();
    expect(detail.bodyText).toBe('Согласна с условиями.');
    expect(detail.bodyHtml).toBe('<p>Согласна с условиями. <img src="cid:logo@st" /></p>');
    expect(detail.quotedHistoryStripped).toBe(true);
    expect(detail.inReplyTo).toBe('<rm-question-1@bank.example>');
    expect(detail.attachments).toEqual([
      {
        sha256: sha(PNG),
        filename: 'logo.png',
        contentType: 'image/png',
        size: PNG.length,
        contentId: 'logo@st',
        inline: true,
      },
      {
        sha256: sha(PDF),
        filename: 'выписка.pdf',
        contentType: 'application/pdf',
        size: PDF.length,
        contentId: null,
        inline: false,
      },
    ]);

    const file = await get('rm1', `/api/v1/interactions/${body.interaction.id}/attachments/${sha(PDF)}`);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(PDF)).toBe(true);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="_______.pdf"; filename*=UTF-8''${encodeURIComponent('выписка.pdf')}`,
    );
    expect(file.headers['content-security-policy']).toBe("default-src 'none'; sandbox");

    const history = (
      await get('rm1', `/api/v1/clients/${clients.lebedeva}/interactions`)
    ).json<ClientInteractionsDto>();
    expect(history.items.map((i) => i.id)).toEqual([body.interaction.id]);
    expect(history.items[0]!.link).toMatchObject({
      linkedBy: { id: org.users.rm1 },
      dealId: null,
      taskId: null,
    });

    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'interaction.log')
      .where('entity_id', '=', body.interaction.id)
      .selectAll()
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: org.users.rm1, result: 'ok', client_ids: [clients.lebedeva] });
    expect(audit[0]!.details).toMatchObject({ created: true, linked: true, source: 'mime', attachments: 2 });
  });

  it('logs one interaction and a link each when two RMs log the same message at once', async () => {
    const mime = replyMime({ id: 'concurrent-1@severstal-trade.example' });
    const [a, b] = await Promise.all([
      log('rm1', { clientId: clients.lebedeva, source: { mime } }),
      log('rm2', { clientId: clients.company, source: { mime } }),
    ]);
    expect([a!.statusCode, b!.statusCode].sort()).toEqual([200, 201]);
    const first = [a!, b!].find((r) => r.statusCode === 201)!.json<LogInteractionResponseDto>();
    const second = [a!, b!].find((r) => r.statusCode === 200)!.json<LogInteractionResponseDto>();
    expect(second.interaction.id).toBe(first.interaction.id);
    expect(second).toMatchObject({ created: false, linked: true });
    expect(second.alreadyLoggedBy).toEqual({
      user: first.interaction.createdBy,
      at: first.interaction.createdAt,
    });
    const rows = await tdb.db
      .selectFrom('interactions')
      .where('internet_message_id', '=', '<concurrent-1@severstal-trade.example>')
      .select('id')
      .execute();
    expect(rows).toHaveLength(1);
    const links = await tdb.db
      .selectFrom('interaction_links')
      .where('interaction_id', '=', rows[0]!.id)
      .select(['client_id', 'linked_by'])
      .orderBy('linked_by')
      .execute();
    expect(links.map((l) => l.client_id).sort()).toEqual([clients.lebedeva, clients.company].sort());
    // The attachments were stored once, by whoever created the interaction.
    expect(
      await tdb.db
        .selectFrom('interaction_attachments')
        .where('interaction_id', '=', rows[0]!.id)
        .select('ordinal')
        .execute(),
    ).toHaveLength(2);
  });

  it('keeps one interaction and one link when five users log the same message to the same client at once', async () => {
    const mime = replyMime({ id: 'concurrent-2@severstal-trade.example' });
    const results = await Promise.all(
      ['rm1', 'rm2', 'sup', 'rm1', 'rm2'].map((who) =>
        log(who, { clientId: clients.lebedeva, source: { mime } }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(results.filter((r) => r.json().linked)).toHaveLength(1);
    const ids = new Set(results.map((r) => r.json().interaction.id));
    expect(ids.size).toBe(1);
    const links = await tdb.db
      .selectFrom('interaction_links')
      .where('interaction_id', '=', [...ids][0]!)
      .select('client_id')
      .execute();
    expect(links).toHaveLength(1);
  });

  it('shows the message as logged in another browser, with who logged it; a user who sees none of its clients learns nothing', async () => {
    const logged = (
      await log('rm1', {
        clientId: clients.lebedeva,
        source: { mime: replyMime({ id: 'status-1@severstal-trade.example' }) },
      })
    ).json<LogInteractionResponseDto>();
    const otherBrowser = await tokenFor(app, 'rm2@bank.example');
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/interactions/status?internetMessageId=${encodeURIComponent(' <status-1@severstal-trade.example>')}`,
      headers: { authorization: `Bearer ${otherBrowser}` },
    });
    expect(res.json<InteractionStatusDto>()).toMatchObject({
      logged: true,
      interactionId: logged.interaction.id,
      loggedBy: { user: { id: org.users.rm1, name: 'RM One' } },
      links: [{ clientId: clients.lebedeva }],
      hiddenLinkCount: 0,
    });
    const stranger = (
      await get('rmOther', '/api/v1/interactions/status?internetMessageId=status-1@severstal-trade.example')
    ).json<InteractionStatusDto>();
    // A Message-ID is no proof of having the message: to them it is not logged (no id, no author, no count).
    expect(stranger).toEqual({
      logged: false,
      interactionId: null,
      loggedBy: null,
      links: [],
      hiddenLinkCount: 0,
    });
    expect((await get('rmOther', `/api/v1/interactions/${logged.interaction.id}`)).statusCode).toBe(404);
    const unknown = (
      await get('rm1', '/api/v1/interactions/status?internetMessageId=<never@x.example>')
    ).json();
    expect(unknown).toEqual({
      logged: false,
      interactionId: null,
      loggedBy: null,
      links: [],
      hiddenLinkCount: 0,
    });
  });

  it('lets a second RM add their link to a logged message without sending it again', async () => {
    const logged = (
      await log('rm1', {
        clientId: clients.lebedeva,
        source: { mime: replyMime({ id: 'addlink-1@severstal-trade.example' }) },
      })
    ).json<LogInteractionResponseDto>();
    const add = () =>
      app.inject({
        method: 'POST',
        url: `/api/v1/interactions/${logged.interaction.id}/links`,
        headers: auth('rm2'),
        payload: { clientId: clients.company },
      });
    const first = await add();
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ linked: true, alreadyLoggedBy: { user: { id: org.users.rm1 } } });
    expect(first.json().links.map((l: { clientId: string }) => l.clientId)).toEqual([
      clients.lebedeva,
      clients.company,
    ]);
    expect((await add()).statusCode).toBe(200);
    const foreign = await app.inject({
      method: 'POST',
      url: `/api/v1/interactions/${logged.interaction.id}/links`,
      headers: auth('rm2'),
      payload: { clientId: clients.foreign },
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('stores a file attached to many emails once', async () => {
    const pdf = Buffer.from('%PDF-1.4\nshared statement\n%%EOF\n');
    for (const id of ['dedupe-1@x.example', 'dedupe-2@x.example'])
      expect(
        (await log('rm1', { clientId: clients.lebedeva, source: { mime: replyMime({ id, pdf }) } }))
          .statusCode,
      ).toBe(201);
    const blobs = await tdb.db.selectFrom('blobs').where('sha256', '=', sha(pdf)).select('size').execute();
    expect(blobs).toEqual([{ size: pdf.length }]);
    const uses = await tdb.db
      .selectFrom('interaction_attachments')
      .where('sha256', '=', sha(pdf))
      .select('ordinal')
      .execute();
    expect(uses).toHaveLength(2);
  });

  it('keeps only the files the user chose, and the inline images the kept body shows', async () => {
    const res = await log('rm1', {
      clientId: clients.lebedeva,
      source: { mime: replyMime({ id: 'chosen-1@x.example' }) },
      attachmentNames: [],
    });
    const detail = (
      await get('rm1', `/api/v1/interactions/${res.json().interaction.id}`)
    ).json<InteractionDetailDto>();
    expect(detail.attachments.map((a) => a.filename)).toEqual(['logo.png']);
  });

  it('logs an item read through Office.js, and a later MIME log of the same message finds it', async () => {
    const res = await log('rm1', {
      clientId: clients.lebedeva,
      source: {
        item: {
          internetMessageId: '<item-1@severstal-trade.example>',
          subject: 'Вопрос по вкладу',
          from: { name: 'Лебедева Екатерина', address: 'E.Lebedeva@Severstal-Trade.example' },
          to: [{ name: 'RM One', address: 'rm1@bank.example' }],
          cc: [],
          sentAt: '2026-12-03T08:00:00Z',
          bodyHtml:
            '<div>Какая ставка по вкладу?</div><div class="gmail_quote">On Mon, RM wrote:<blockquote class="gmail_quote">old</blockquote></div>',
          attachments: [
            { name: 'анкета.pdf', contentType: 'application/pdf', contentBase64: PDF.toString('base64') },
          ],
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const detail = (
      await get('rm1', `/api/v1/interactions/${res.json().interaction.id}`)
    ).json<InteractionDetailDto>();
    expect(detail).toMatchObject({
      bodyText: 'Какая ставка по вкладу?',
      bodyHtml: '<div>Какая ставка по вкладу?</div>',
      from: { address: 'e.lebedeva@severstal-trade.example' },
      attachments: [{ filename: 'анкета.pdf', sha256: sha(PDF), inline: false }],
    });
    const again = await log('rm2', {
      clientId: clients.lebedeva,
      source: { mime: replyMime({ id: 'item-1@severstal-trade.example' }) },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: false, linked: false, interaction: { id: detail.id } });
  });

  it('logs a meeting request as a meeting with its time in UTC', async () => {
    const mime = readFileSync(
      path.join(repoRoot, 'tests/fixtures/eml/meeting-invite-windows-tzid.eml'),
    ).toString('base64');
    const res = await log('rm1', { clientId: clients.lebedeva, source: { mime } });
    expect(res.statusCode, res.body).toBe(201);
    const m = res.json<LogInteractionResponseDto>().interaction;
    expect(m.kind).toBe('meeting');
    expect(m.meeting).toMatchObject({ uid: '36138BFC6A7B03EFC2258776003DB5C5', timeZone: 'FLE' });
    expect(new Date(m.meeting!.start!).toISOString()).toBe('2021-10-26T06:00:00.000Z');
    expect(new Date(m.meeting!.end!).toISOString()).toBe('2021-10-26T07:00:00.000Z');
  });

  it('logs a calendar item without a Message-ID once, keyed by its iCalendar UID', async () => {
    const appointment = {
      kind: 'meeting',
      subject: 'Встреча по лимиту',
      from: { name: 'RM One', address: 'rm1@bank.example' },
      to: [{ name: 'Лебедева Екатерина', address: 'e.lebedeva@severstal-trade.example' }],
      sentAt: '2026-12-03T09:00:00Z',
      bodyText: 'Обсудить лимит.',
      meeting: {
        uid: '040000008200E00074C5B7101A82E008',
        start: '2026-12-10T07:00:00Z',
        end: '2026-12-10T08:00:00Z',
        location: 'Офис на Тверской',
        timeZone: 'Russian Standard Time',
      },
    };
    const first = await log('rm1', { clientId: clients.lebedeva, source: { item: appointment } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().interaction).toMatchObject({
      kind: 'meeting',
      direction: 'out',
      internetMessageId: '<ical-uid:040000008200E00074C5B7101A82E008>',
      meeting: { location: 'Офис на Тверской', timeZone: 'Russian Standard Time' },
    });
    const second = await log('rm2', { clientId: clients.company, source: { item: appointment } });
    expect(second.statusCode).toBe(200);
    expect(second.json().interaction.id).toBe(first.json().interaction.id);
  });

  it('notes an S/MIME signature, keeps the signed content and does not store the signature', async () => {
    const mime = Buffer.from(
      `Message-ID: <signed-2@x.example>
From: e.lebedeva@severstal-trade.example
To: rm1@bank.example
Subject: Signed
MIME-Version: 1.0
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"

--s
Content-Type: text/plain; charset=UTF-8

Подписано.
--s
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Transfer-Encoding: base64

MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIB
--s--
`.replace(/\r?\n/g, '\r\n'),
    ).toString('base64');
    const res = (
      await log('rm1', { clientId: clients.lebedeva, source: { mime } })
    ).json<LogInteractionResponseDto>();
    expect(res.interaction).toMatchObject({
      signatureNote: 'smime-signed',
      snippet: 'Подписано.',
      attachmentCount: 0,
    });
  });

  it('marks an email from a bank user as outgoing', async () => {
    const res = await log('rm1', {
      clientId: clients.lebedeva,
      source: {
        item: {
          internetMessageId: '<out-1@bank.example>',
          subject: 'Предложение',
          from: { name: 'RM One', address: 'RM1@bank.example' },
          to: [{ name: 'Лебедева', address: 'e.lebedeva@severstal-trade.example' }],
          sentAt: '2026-12-03T09:00:00Z',
          bodyText: 'Направляю предложение.',
        },
      },
    });
    expect(res.json().interaction.direction).toBe('out');
  });

  it('links a deal or task only of the same client', async () => {
    const task = await tdb.db
      .insertInto('tasks')
      .values({
        title: 'Перезвонить',
        type: 'call',
        priority: 'normal',
        status: 'open',
        assignee_id: org.users.rm2!,
        author_id: org.users.rm2!,
        client_id: clients.company,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const mime = replyMime({ id: 'task-1@x.example' });
    const wrong = await log('rm1', { clientId: clients.lebedeva, taskId: task.id, source: { mime } });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().field).toBe('body.taskId');
    const right = await log('rm2', { clientId: clients.company, taskId: task.id, source: { mime } });
    expect(right.statusCode).toBe(201);
    expect(right.json().links[0].taskId).toBe(task.id);
  });

  it('names the field of a bad request and stores nothing', async () => {
    const before = await count('interactions');
    const item = {
      internetMessageId: '<bad-1@x.example>',
      subject: 'x',
      from: null,
      to: [],
      sentAt: '2026-12-03T09:00:00Z',
    };
    for (const [payload, field] of [
      [{ clientId: clients.lebedeva, source: {} }, 'body.source'],
      [{ clientId: clients.lebedeva, source: { item, mime: 'AAAA' } }, 'body.source'],
      [{ clientId: clients.lebedeva, source: { mime: '%%%' } }, 'body.source.mime'],
      [
        {
          clientId: clients.lebedeva,
          source: { mime: Buffer.from('Subject: no id\r\n\r\nhi').toString('base64') },
        },
        'body.source.mime',
      ],
      [
        { clientId: clients.lebedeva, source: { item: { ...item, internetMessageId: undefined } } },
        'body.source.item.internetMessageId',
      ],
      [
        { clientId: clients.lebedeva, source: { item: { ...item, sentAt: 'yesterday' } } },
        'body.source.item.sentAt',
      ],
      [{ clientId: clients.foreign, source: { item } }, 'body.clientId'],
    ] as const) {
      const res = await log('rm1', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(field === 'body.clientId' ? 404 : 400);
      expect(res.json().field, JSON.stringify(payload)).toBe(field);
    }
    expect(await count('interactions')).toBe(before);
    // The refused log on a client the user may not see is audited.
    const denied = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'interaction.log')
      .where('result', '=', 'denied')
      .select('client_ids')
      .execute();
    expect(denied.map((d) => d.client_ids)).toContainEqual([clients.foreign]);
  });
});

describe('size limits', () => {
  let small: ApiApp;
  beforeAll(async () => {
    small = await buildTestApp(tdb.db, { attachmentMaxBytes: 2048, interactionMaxBytes: 3072 });
  });
  afterAll(async () => small?.close());

  const withFiles = (id: string, sizes: number[]) => ({
    clientId: clients.lebedeva,
    source: {
      item: {
        internetMessageId: `<${id}>`,
        subject: 'files',
        from: null,
        to: [],
        sentAt: '2026-12-03T09:00:00Z',
        bodyText: 'files',
        attachments: sizes.map((n, i) => ({
          name: `f${i}.bin`,
          contentType: 'application/octet-stream',
          contentBase64: Buffer.alloc(n, i + 1).toString('base64'),
        })),
      },
    },
  });
  const post = (payload: object) =>
    small.inject({ method: 'POST', url: '/api/v1/interactions', headers: auth('rm1'), payload });

  it('refuses a file over the attachment limit with 413 naming it', async () => {
    const res = await post(withFiles('big-1@x.example', [100, 4000]));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'body.source.item.attachments.1' });
  });

  it('says the exact sizes when a file is one byte over the limit', async () => {
    const res = await post(withFiles('one-over@x.example', [2049]));
    expect(res.statusCode).toBe(413);
    // Rounded to MiB both would read "0 MiB": the user must see why 2049 bytes is too much.
    expect(res.json().message).toContain('2049 bytes');
    expect(res.json().message).toContain('2048 bytes');
  });

  it('refuses files over the per-interaction total, and a request over the route’s body limit', async () => {
    const total = await post(withFiles('big-2@x.example', [2000, 2000]));
    expect(total.statusCode).toBe(413);
    expect(total.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', field: 'body.source.item.attachments' });
    const huge = await post(withFiles('big-3@x.example', [2000, 2000, 2000, 2000]));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('PAYLOAD_TOO_LARGE');
    const stored = await tdb.db
      .selectFrom('interactions')
      .where('internet_message_id', 'like', '<big-%')
      .select('id')
      .execute();
    expect(stored).toEqual([]);
  });

  it('accepts files within the limits', async () => {
    expect((await post(withFiles('fits-1@x.example', [2000, 1000]))).statusCode).toBe(201);
  });
});

describe('threads', () => {
  it('offers a reply in a logged thread for logging, without logging it', async () => {
    await log('rm1', {
      clientId: clients.lebedeva,
      conversationId: 'AAQkAGI2-thread-9',
      source: { mime: replyMime({ id: 'thread-9a@x.example' }) },
    });
    const before = await count('interactions');
    const byConversation = (
      await get('rm2', '/api/v1/interactions/conversation?conversationId=AAQkAGI2-thread-9')
    ).json();
    expect(byConversation).toMatchObject({
      logged: true,
      clients: [{ id: clients.lebedeva, displayName: 'Лебедева Екатерина Андреевна' }],
      hiddenCount: 0,
      autoLogReplies: false,
    });
    const byHeaders = (
      await get(
        'rm1',
        `/api/v1/interactions/conversation?references=${encodeURIComponent('<x@y> <thread-9a@x.example>')}`,
      )
    ).json();
    expect(byHeaders.interactions.map((i: { subject: string }) => i.subject)).toEqual([
      'RE: Кредитный лимит',
    ]);
    const stranger = (
      await get('rmOther', '/api/v1/interactions/conversation?conversationId=AAQkAGI2-thread-9')
    ).json();
    // Messages linked only to clients they may not see are not even counted.
    expect(stranger).toEqual({
      logged: false,
      clients: [],
      interactions: [],
      hiddenCount: 0,
      autoLogReplies: false,
    });
    expect(await count('interactions')).toBe(before);
  });
});

describe('history and removal', () => {
  it('pages a client’s history newest first', async () => {
    const client = await createClient(tdb.db, org, { kind: 'individual', name: 'История Клиент' });
    for (const day of [1, 3, 2])
      await log('rm1', {
        clientId: client,
        source: {
          item: {
            internetMessageId: `<history-${day}@x.example>`,
            subject: `day ${day}`,
            from: null,
            to: [],
            sentAt: `2026-11-0${day}T10:00:00Z`,
            bodyText: `day ${day}`,
          },
        },
      });
    const page1 = (
      await get('rm1', `/api/v1/clients/${client}/interactions?limit=2`)
    ).json<ClientInteractionsDto>();
    expect(page1.items.map((i) => i.subject)).toEqual(['day 3', 'day 2']);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = (
      await get('rm1', `/api/v1/clients/${client}/interactions?limit=2&cursor=${page1.nextCursor}`)
    ).json<ClientInteractionsDto>();
    expect(page2.items.map((i) => i.subject)).toEqual(['day 1']);
    expect(page2.nextCursor).toBeNull();
    expect((await get('rm1', `/api/v1/clients/${client}/interactions?cursor=bogus`)).statusCode).toBe(400);
    expect((await get('rmOther', `/api/v1/clients/${client}/interactions`)).statusCode).toBe(404);
  });

  it('lets only a supervisor or an admin delete a link; the last link takes the interaction and its files', async () => {
    const pdf = Buffer.from('%PDF-1.4\nto be deleted\n%%EOF\n');
    const logged = (
      await log('rm1', {
        clientId: clients.lebedeva,
        source: { mime: replyMime({ id: 'delete-1@x.example', pdf }) },
      })
    ).json<LogInteractionResponseDto>();
    const id = logged.interaction.id;
    await app.inject({
      method: 'POST',
      url: `/api/v1/interactions/${id}/links`,
      headers: auth('rm2'),
      payload: { clientId: clients.company },
    });
    const del = (who: string, clientId: string) =>
      app.inject({
        method: 'DELETE',
        url: `/api/v1/interactions/${id}/links/${clientId}`,
        headers: auth(who),
      });

    const byRm = await del('rm1', clients.lebedeva);
    expect(byRm.statusCode).toBe(403);
    expect(byRm.json().code).toBe('FORBIDDEN');

    expect((await del('sup', clients.lebedeva)).statusCode).toBe(204);
    expect((await del('sup', clients.lebedeva)).statusCode).toBe(404);
    // The company (served by the same branch) still has its link: the interaction stays, with that link only.
    expect(
      (await get('rm2', `/api/v1/interactions/${id}`))
        .json()
        .links.map((l: { clientId: string }) => l.clientId),
    ).toEqual([clients.company]);

    expect((await del('admin', clients.company)).statusCode).toBe(204);
    expect(await tdb.db.selectFrom('interactions').where('id', '=', id).select('id').execute()).toEqual([]);
    expect(await tdb.db.selectFrom('blobs').where('sha256', '=', sha(pdf)).select('size').execute()).toEqual(
      [],
    );
    // The shared logo is still used by other interactions: kept.
    expect(
      await tdb.db.selectFrom('blobs').where('sha256', '=', sha(PNG)).select('size').execute(),
    ).toHaveLength(1);

    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'interaction.unlink')
      .where('entity_id', '=', id)
      .orderBy('id')
      .select(['actor_id', 'client_ids', 'details'])
      .execute();
    expect(audit).toEqual([
      {
        actor_id: org.users.sup,
        client_ids: [clients.lebedeva],
        details: { interactionDeleted: false, internetMessageId: '<delete-1@x.example>' },
      },
      {
        actor_id: org.users.admin,
        client_ids: [clients.company],
        details: { interactionDeleted: true, internetMessageId: '<delete-1@x.example>' },
      },
    ]);
  });
});
