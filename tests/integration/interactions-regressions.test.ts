import { createHash } from 'node:crypto';
import type {
  ClientInteractionsDto,
  InteractionDetailDto,
  InteractionStatusDto,
  LogInteractionResponseDto,
} from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// Inputs a QA review found harmful, each kept as a regression: a Message-ID alone gave another branch's
// email away; one odd email made a client's history fail for good; NUL characters and huge ids gave 500s;
// the MIME path had laxer limits than the item path.

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const clients = {} as Record<'mine' | 'colleague' | 'third' | 'history', string>;
const tokens: Record<string, string> = {};

const SECRET_PDF = Buffer.from('%PDF-1.4\nterm sheet: 7.5% for 5 years\n%%EOF\n');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const wrap = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');

type File = { name: string; content: Buffer; type?: string };

/** A MIME message as Outlook's getAsFileAsync gives it (Base64); `headers` are added verbatim. */
function mime(o: {
  id: string;
  from?: string;
  to?: string;
  subject?: string;
  date?: string;
  body?: string;
  headers?: string;
  files?: File[];
}): string {
  const head = [
    `Message-ID: <${o.id}>`,
    `Date: ${o.date ?? 'Wed, 02 Dec 2026 09:15:00 +0300'}`,
    `From: ${o.from ?? 'Client Three <ceo@client3.example>'}`,
    `To: ${o.to ?? 'RM Other <rm.other@bank.example>'}`,
    `Subject: ${o.subject ?? 'Условия сделки'}`,
    'MIME-Version: 1.0',
    ...(o.headers ? [o.headers] : []),
  ].join('\r\n');
  const text = `Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(Buffer.from(o.body ?? 'Конфиденциально: ставка 7,5% на 5 лет.'))}`;
  if (!o.files?.length) return Buffer.from(`${head}\r\n${text}\r\n`, 'utf8').toString('base64');
  const parts = o.files.map(
    (f) =>
      `--outer\r\nContent-Type: ${f.type ?? 'application/pdf'}\r\nContent-Disposition: attachment; filename="${f.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${wrap(f.content)}`,
  );
  return Buffer.from(
    `${head}\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n--outer\r\n${text}\r\n${parts.join('\r\n')}\r\n--outer--\r\n`,
    'utf8',
  ).toString('base64');
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  // rm1 and rm2 work in Moscow; rmOther ("rm3" of the report) in St Petersburg.
  clients.mine = await createClient(tdb.db, org, { kind: 'individual', name: 'Свой Клиент' });
  clients.colleague = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Клиент Коллеги',
    manager: 'rm2',
  });
  clients.third = await createClient(tdb.db, org, {
    kind: 'legal_entity',
    name: 'ООО Клиент Три',
    manager: 'rmOther',
  });
  clients.history = await createClient(tdb.db, org, { kind: 'individual', name: 'История Писем' });
  app = await buildTestApp(tdb.db);
  for (const [k, email] of Object.entries({
    rm1: 'rm1@bank.example',
    rm2: 'rm2@bank.example',
    rmOther: 'rm.other@bank.example',
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
const linksOf = async (id: string) =>
  (
    await tdb.db
      .selectFrom('interaction_links')
      .where('interaction_id', '=', id)
      .select('client_id')
      .execute()
  )
    .map((l) => l.client_id)
    .sort();
const deniedAudit = (action: string, entityId: string) =>
  tdb.db
    .selectFrom('audit_events')
    .where('action', '=', action)
    .where('result', '=', 'denied')
    .where('entity_id', '=', entityId)
    .select(['actor_id', 'client_ids', 'details'])
    .execute();

describe('a Message-ID alone gives no access to another branch’s email', () => {
  let secretId: string;
  const secret = () =>
    mime({ id: 'secret-001@client3.example', files: [{ name: 'term-sheet.pdf', content: SECRET_PDF }] });

  beforeAll(async () => {
    const res = await log('rmOther', { clientId: clients.third, source: { mime: secret() } });
    expect(res.statusCode, res.body).toBe(201);
    secretId = res.json<LogInteractionResponseDto>().interaction.id;
  });

  it('answers "not logged" to the status and thread checks of a user who sees none of its clients', async () => {
    const status = await get(
      'rm1',
      '/api/v1/interactions/status?internetMessageId=secret-001@client3.example',
    );
    expect(status.json<InteractionStatusDto>()).toEqual({
      logged: false,
      interactionId: null,
      loggedBy: null,
      links: [],
      hiddenLinkCount: 0,
    });
    for (const q of [
      'inReplyTo=%3Csecret-001%40client3.example%3E',
      'references=%3Cx%40y%3E%20%3Csecret-001%40client3.example%3E',
    ]) {
      const thread = await get('rm1', `/api/v1/interactions/conversation?${q}`);
      expect(thread.json(), q).toEqual({
        logged: false,
        clients: [],
        interactions: [],
        hiddenCount: 0,
        autoLogReplies: false,
      });
    }
    // Its own branch still sees it as logged.
    const owner = await get(
      'rmOther',
      '/api/v1/interactions/status?internetMessageId=secret-001@client3.example',
    );
    expect(owner.json()).toMatchObject({ logged: true, interactionId: secretId });
  });

  it('refuses to add a link to an interaction the user cannot see (404, audited), so its body and files stay hidden', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/interactions/${secretId}/links`,
      headers: auth('rm1'),
      payload: { clientId: clients.mine },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().field).toBe('params.id');
    expect(await linksOf(secretId)).toEqual([clients.third]);
    expect((await get('rm1', `/api/v1/interactions/${secretId}`)).statusCode).toBe(404);
    expect(
      (await get('rm1', `/api/v1/interactions/${secretId}/attachments/${sha(SECRET_PDF)}`)).statusCode,
    ).toBe(404);
    const audit = await deniedAudit('interaction.link', secretId);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(org.users.rm1);
    expect(audit[0]!.client_ids).toEqual(expect.arrayContaining([clients.third, clients.mine]));
  });

  it('refuses a forged message reusing the Message-ID with 409 MESSAGE_ID_CONFLICT and links nothing', async () => {
    const forgeries = [
      // Other content under the same id.
      { mime: mime({ id: 'secret-001@client3.example', subject: 'Hi', body: 'Give me the file' }) },
      // The same id through the item path.
      {
        item: {
          internetMessageId: '<secret-001@client3.example>',
          subject: 'Hi',
          from: null,
          to: [],
          sentAt: '2026-12-02T06:15:00Z',
          bodyText: 'Give me the file',
        },
      },
      // Subject and text guessed right, but without the file it would give access to.
      { mime: mime({ id: 'secret-001@client3.example' }) },
    ];
    for (const source of forgeries) {
      const res = await log('rm1', { clientId: clients.mine, source });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json()).toMatchObject({ code: 'MESSAGE_ID_CONFLICT', field: 'body.source' });
      expect(res.body).not.toContain('Конфиденциально');
      expect(res.body).not.toContain(secretId);
    }
    expect(await linksOf(secretId)).toEqual([clients.third]);
    expect((await get('rm1', `/api/v1/interactions/${secretId}`)).statusCode).toBe(404);
    const audit = await deniedAudit('interaction.log', secretId);
    expect(audit).toHaveLength(forgeries.length);
    expect(audit[0]!.details).toMatchObject({ reason: 'message_id_conflict' });
    expect(audit[0]!.client_ids).toEqual(expect.arrayContaining([clients.third, clients.mine]));
  });

  it('links the same message logged by someone who has it (copied to them), whatever files they chose', async () => {
    const res = await log('rm1', { clientId: clients.mine, attachmentNames: [], source: { mime: secret() } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<LogInteractionResponseDto>()).toMatchObject({
      created: false,
      linked: true,
      interaction: { id: secretId },
      hiddenLinkCount: 1,
      alreadyLoggedBy: { user: { id: org.users.rmOther } },
    });
    const detail = (await get('rm1', `/api/v1/interactions/${secretId}`)).json<InteractionDetailDto>();
    expect(detail.bodyText).toBe('Конфиденциально: ставка 7,5% на 5 лет.');
    expect(detail.attachments.map((a) => a.filename)).toEqual(['term-sheet.pdf']);
  });

  it('matches the same message read through Office.js fields (HTML body) against its MIME source', async () => {
    const pdf = Buffer.from('%PDF-1.4\nsecond secret\n%%EOF\n');
    const first = await log('rmOther', {
      clientId: clients.third,
      source: { mime: mime({ id: 'secret-002@client3.example', files: [{ name: 'b.pdf', content: pdf }] }) },
    });
    expect(first.statusCode).toBe(201);
    const item = {
      internetMessageId: '<secret-002@client3.example>',
      subject: 'Условия  сделки',
      from: { name: 'Client Three', address: 'ceo@client3.example' },
      to: [{ name: 'RM Two', address: 'rm2@bank.example' }],
      sentAt: '2026-12-02T06:15:00Z',
      bodyHtml: '<div style="font-family:Calibri">Конфиденциально:<br>ставка <b>7,5%</b> на 5 лет.</div>',
      attachments: [{ name: 'b.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }],
    };
    const res = await log('rm2', { clientId: clients.colleague, source: { item } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ linked: true, interaction: { id: first.json().interaction.id } });
  });

  it('keeps today’s behaviour for a user who already sees one of its clients', async () => {
    // rm1 linked secret-001 to their client above: another version of it now only adds a link.
    const res = await log('rm2', {
      clientId: clients.colleague,
      source: { mime: mime({ id: 'secret-001@client3.example', body: 'Other text' }) },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ linked: true, interaction: { id: secretId } });
    expect((await get('rm2', `/api/v1/interactions/${secretId}`)).json().bodyText).toBe(
      'Конфиденциально: ставка 7,5% на 5 лет.',
    );
  });
});

describe('one email cannot break a client’s history', () => {
  const history = async () => {
    const res = await get('rm1', `/api/v1/clients/${clients.history}/interactions?limit=100`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ClientInteractionsDto>();
  };
  const logMime = async (m: string) => {
    const res = await log('rm1', { clientId: clients.history, source: { mime: m } });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<LogInteractionResponseDto>();
    expect((await get('rm1', `/api/v1/interactions/${body.interaction.id}`)).statusCode).toBe(200);
    expect((await history()).items.map((i) => i.id)).toContain(body.interaction.id);
    return body;
  };

  it('cuts a From display name over 512 characters, with a note', async () => {
    const body = await logMime(
      mime({ id: 'long-name@x.example', from: `"${'Я'.repeat(600)}" <long@x.example>` }),
    );
    expect(body.interaction.from).toEqual({ name: 'Я'.repeat(512), address: 'long@x.example' });
    expect(body.notes).toContainEqual({ field: 'from.name', message: expect.stringContaining('512') });
  });

  it('cuts a subject over 998 characters, an address over 1024, and keeps 500 recipients of a list', async () => {
    const to = Array.from({ length: 501 }, (_v, i) => `r${i}@x.example`).join(', ');
    const body = await logMime(
      mime({
        id: 'long-subject@x.example',
        subject: 's'.repeat(1200),
        from: `<${'a'.repeat(1100)}@x.example>`,
        to,
      }),
    );
    expect(body.interaction.subject).toHaveLength(998);
    expect(body.interaction.from!.address).toHaveLength(1024);
    expect(body.interaction.to).toHaveLength(500);
    expect(body.notes!.map((n) => n.field)).toEqual(
      expect.arrayContaining(['subject', 'from.address', 'to']),
    );
  });

  it('drops a meeting time in year 9999 with a note', async () => {
    const invite = Buffer.from(
      [
        'Message-ID: <far-future@x.example>',
        'Date: Wed, 02 Dec 2026 09:15:00 +0300',
        'From: Client <client@x.example>',
        'To: rm1@bank.example',
        'Subject: Встреча',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=UTF-8',
        '',
        'Встреча',
        '--b',
        'Content-Type: text/calendar; method="REQUEST"; charset="UTF-8"',
        '',
        'BEGIN:VCALENDAR',
        'BEGIN:VEVENT',
        'UID:far-future-1',
        'DTSTART:99991231T230000Z',
        'DTEND:99991231T235900Z',
        'END:VEVENT',
        'END:VCALENDAR',
        '--b--',
        '',
      ].join('\r\n'),
    ).toString('base64');
    const body = await logMime(invite);
    expect(body.interaction).toMatchObject({
      kind: 'meeting',
      meeting: { uid: 'far-future-1', start: null, end: null },
    });
    expect(body.notes!.map((n) => n.field)).toEqual(['meeting.start', 'meeting.end']);
  });

  it('uses the logging time for a Date header in year 9999, with a note', async () => {
    const before = Date.now();
    const body = await logMime(mime({ id: 'far-date@x.example', date: 'Fri, 31 Dec 9999 23:00:00 +0000' }));
    expect(Date.parse(body.interaction.sentAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(body.notes!.map((n) => n.field)).toEqual(['sentAt']);
  });

  it('refuses an item time that is outside 1900-2199 in UTC, naming the field, and stores nothing', async () => {
    const item = {
      kind: 'meeting',
      internetMessageId: '<edge-1900@x.example>',
      subject: 'Edge',
      from: null,
      to: [],
      sentAt: '2026-12-03T09:00:00Z',
      bodyText: 'Edge',
      meeting: { uid: 'edge', start: '2026-12-10T07:00:00Z', end: null },
    };
    for (const [patch, field] of [
      [
        { meeting: { ...item.meeting, start: '1900-01-01T00:00:00+14:00' } },
        'body.source.item.meeting.start',
      ],
      [{ meeting: { ...item.meeting, end: '2199-12-31T23:00:00-05:00' } }, 'body.source.item.meeting.end'],
      [{ sentAt: '1900-01-01T00:00:00+14:00' }, 'body.source.item.sentAt'],
    ] as const) {
      const res = await log('rm1', { clientId: clients.history, source: { item: { ...item, ...patch } } });
      expect(res.statusCode, field).toBe(400);
      expect(res.json().field).toBe(field);
    }
    const stored = await tdb.db
      .selectFrom('interactions')
      .where('internet_message_id', '=', '<edge-1900@x.example>')
      .select('id')
      .execute();
    expect(stored).toEqual([]);
    await history();
  });
});

describe('NUL characters and huge ids in a MIME message', () => {
  const logTo = (source: object) => log('rm1', { clientId: clients.history, source });

  it('removes NUL characters from decoded text (subject, body) and logs the email', async () => {
    const subject = await logTo({ mime: mime({ id: 'nul-subject@x.example', subject: '=?x?B?AAAA?=' }) });
    expect(subject.statusCode, subject.body).toBe(201);
    expect(subject.json().interaction.subject).not.toContain('\u0000');
    const body = await logTo({ mime: mime({ id: 'nul-body@x.example', body: 'До\u0000говор' }) });
    expect(body.statusCode, body.body).toBe(201);
    expect(body.json().interaction.snippet).toBe('Договор');
    expect(body.json().notes).toContainEqual({ field: 'bodyText', message: expect.any(String) });
    expect((await get('rm1', `/api/v1/clients/${clients.history}/interactions?limit=100`)).statusCode).toBe(
      200,
    );
  });

  it('refuses a Message-ID with a NUL or over 998 bytes with 400 naming the source', async () => {
    for (const id of ['nul\u0000id@x.example', `${'x'.repeat(300 * 1024)}@x.example`]) {
      const res = await logTo({ mime: mime({ id }) });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
      expect(res.json()).toMatchObject({
        field: 'body.source.mime',
        message: expect.stringContaining('Message-ID'),
      });
    }
  });

  it('refuses an item id or calendar UID too long in bytes for the index, naming the field', async () => {
    const item = { subject: 'x', from: null, to: [], sentAt: '2026-12-03T09:00:00Z', bodyText: 'x' };
    const id = await logTo({ item: { ...item, internetMessageId: `<${'中'.repeat(990)}@x>` } });
    expect(id.json()).toMatchObject({ statusCode: 400, field: 'body.source.item.internetMessageId' });
    const uid = await logTo({
      item: { ...item, kind: 'meeting', meeting: { uid: '中'.repeat(1000), start: null, end: null } },
    });
    expect(uid.json()).toMatchObject({ statusCode: 400, field: 'body.source.item.meeting.uid' });
  });

  it('refuses a history cursor that the server did not issue with 400 naming it', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const uuid = '0b5b0b5b-0b5b-4b5b-8b5b-0b5b0b5b0b5b';
    for (const cursor of [
      b64('2026-01-01T00:00:00.000000Z|------------------------------------'),
      b64(`1|${uuid}`),
      b64(`2026-02-30T10:00:00.000000Z|${uuid}`),
      b64(`2026-01-01T00:00:00.000000Z\u0000|${uuid}`),
      '%00',
      'a.b',
    ]) {
      const res = await get('rm1', `/api/v1/clients/${clients.history}/interactions?cursor=${cursor}`);
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json().field, cursor).toBe('querystring.cursor');
    }
  });
});

describe('the MIME path has the item path’s limits; files are stored safely', () => {
  it('refuses more than 100 files unless the user chooses some', async () => {
    const files = Array.from({ length: 101 }, (_v, i) => ({
      name: `f${i}.txt`,
      type: 'text/plain',
      content: Buffer.from(`file ${i}`),
    }));
    const m = mime({ id: 'many-files@x.example', files });
    const all = await log('rm1', { clientId: clients.mine, source: { mime: m } });
    expect(all.statusCode).toBe(400);
    expect(all.json()).toMatchObject({ field: 'body.source.mime', message: expect.stringContaining('100') });
    const some = await log('rm1', {
      clientId: clients.mine,
      attachmentNames: ['f1.txt', 'f2.txt'],
      source: { mime: m },
    });
    expect(some.statusCode, some.body).toBe(201);
    expect(some.json().interaction.attachmentCount).toBe(2);
  });

  it('refuses invalid Base64 in an item attachment, naming it', async () => {
    for (const contentBase64 of ['not base64!!', 'AAA=A', 'A']) {
      const res = await log('rm1', {
        clientId: clients.mine,
        source: {
          item: {
            internetMessageId: '<bad-b64@x.example>',
            subject: 'x',
            from: null,
            to: [],
            sentAt: '2026-12-03T09:00:00Z',
            attachments: [
              { name: 'ok.pdf', contentType: 'application/pdf', contentBase64: 'JVBE' },
              { name: 'a.pdf', contentType: 'application/pdf', contentBase64 },
            ],
          },
        },
      });
      expect(res.statusCode, contentBase64).toBe(400);
      expect(res.json().field).toBe('body.source.item.attachments.1.contentBase64');
    }
  });

  it('stores file names without path components, line breaks or bidi controls', async () => {
    const file = (name: string, i: number) => ({
      name,
      contentType: 'application/pdf',
      contentBase64: Buffer.from(`file ${i}`).toString('base64'),
    });
    const names = [
      '../../etc/passwd',
      'C:\\Users\\rm\\отчёт.pdf',
      'a\r\nb.pdf',
      'invoice\u202Efdp.exe',
      '..',
    ];
    const res = await log('rm1', {
      clientId: clients.mine,
      source: {
        item: {
          internetMessageId: '<file-names@x.example>',
          subject: 'files',
          from: null,
          to: [],
          sentAt: '2026-12-03T09:00:00Z',
          attachments: names.map(file),
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const detail = (
      await get('rm1', `/api/v1/interactions/${res.json().interaction.id}`)
    ).json<InteractionDetailDto>();
    expect(detail.attachments.map((a) => a.filename)).toEqual([
      'passwd',
      'отчёт.pdf',
      'ab.pdf',
      'invoicefdp.exe',
      'attachment-5.pdf',
    ]);
    const fromMime = await log('rm1', {
      clientId: clients.mine,
      source: {
        mime: mime({
          id: 'mime-file-name@x.example',
          files: [{ name: '..\\\\..\\\\evil.pdf', content: Buffer.from('%PDF evil') }],
        }),
      },
    });
    expect(fromMime.statusCode, fromMime.body).toBe(201);
    const d2 = (
      await get('rm1', `/api/v1/interactions/${fromMime.json().interaction.id}`)
    ).json<InteractionDetailDto>();
    expect(d2.attachments.map((a) => a.filename)).toEqual(['evil.pdf']);
  });
});
