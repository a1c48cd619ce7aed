import type { CandidatesDto, ClientCardDto, MailContextResponseDto, ProspectCreatedDto } from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

// Unknown senders of a logged email: link the address to an existing client, or create a prospect after a
// duplicate check (exact email and INN block; similar names and the email domain propose candidates).

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const clients = {} as Record<'lebedeva' | 'company' | 'hidden' | 'hiddenCompany', string>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    { key: 'co', name: 'Credit Officer', email: 'co@bank.example', role: 'credit_officer', branch: 'msk' },
  ]);
  clients.lebedeva = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Лебедева Екатерина Андреевна',
    emails: ['e.lebedeva@severstal-trade.example'],
    inn: '500100732259',
  });
  clients.company = await createClient(tdb.db, org, {
    kind: 'legal_entity',
    name: 'ООО Северсталь-Трейд',
    emails: ['office@severstal-trade.example'],
    inn: '7707083893',
  });
  clients.hidden = await createClient(tdb.db, org, {
    kind: 'individual',
    name: 'Орлов Пётр Ильич',
    manager: 'rmOther',
    emails: ['p.orlov@orlov-group.example'],
    inn: '344809916052',
  });
  app = await buildTestApp(tdb.db);
  for (const [k, email] of Object.entries({
    rm1: 'rm1@bank.example',
    rm2: 'rm2@bank.example',
    rmOther: 'rm.other@bank.example',
    co: 'co@bank.example',
  }))
    tokens[k] = await tokenFor(app, email);
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const candidates = async (who: string, q: Record<string, string>) => {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/prospects/candidates?${new URLSearchParams(q)}`,
    headers: auth(who),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<CandidatesDto>();
};
const create = (who: string, payload: object) =>
  app.inject({ method: 'POST', url: '/api/v1/prospects', headers: auth(who), payload });

describe('duplicate check before creating a prospect', () => {
  it('finds an existing client by INN, as an exact (blocking) match', async () => {
    const r = await candidates('rm1', { inn: '500100732259', displayName: 'Someone Else' });
    expect(r.exactMatch).toBe(true);
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0]).toMatchObject({
      client: { id: clients.lebedeva, inn: '500100732259' },
      reasons: ['inn'],
    });
  });

  it('finds an existing client by a near-identical name, with its similarity', async () => {
    for (const displayName of [
      'Лебедева Екатерина',
      'Лебедева Екатерина Андреевнa',
      'Лебедев Екатерина Андреевна',
    ]) {
      const r = await candidates('rm1', { displayName, email: 'katya.l@gmail.com' });
      const hit = r.candidates.find((c) => c.client.id === clients.lebedeva);
      expect(hit, displayName).toBeDefined();
      expect(hit!.reasons).toEqual(['name']);
      expect(hit!.similarity).toBeGreaterThanOrEqual(0.45);
      // A similar name alone does not block a create.
      expect(r.exactMatch).toBe(false);
    }
    const other = await candidates('rm1', { displayName: 'Петрова Мария Ивановна' });
    expect(other.candidates).toEqual([]);
  });

  it('finds an existing client by email, and says the domain’s company', async () => {
    const r = await candidates('rm1', {
      email: 'E.Lebedeva@Severstal-Trade.example',
      displayName: 'Lebedeva Ekaterina',
    });
    expect(r.exactMatch).toBe(true);
    expect(r.candidates[0]).toMatchObject({ client: { id: clients.lebedeva }, reasons: ['email', 'domain'] });
    expect(r.company).toMatchObject({
      domain: 'severstal-trade.example',
      publicMailService: false,
      nameHint: 'severstal-trade',
      clients: [{ id: clients.company, displayName: 'ООО Северсталь-Трейд' }],
    });
    expect(r.parsedName).toEqual({ lastName: 'Lebedeva', firstName: 'Ekaterina', middleName: null });
  });

  it('suggests no company for a public mail service', async () => {
    const r = await candidates('rm1', { email: 'katya@mail.ru' });
    expect(r.company).toEqual({ domain: 'mail.ru', publicMailService: true, nameHint: null, clients: [] });
  });

  it('counts matches among clients the user may not see, without showing them', async () => {
    const r = await candidates('rm1', { inn: '344809916052' });
    expect(r).toMatchObject({ candidates: [], hiddenMatches: 1, exactMatch: true });
    const owner = await candidates('rmOther', { inn: '344809916052' });
    expect(owner.candidates.map((c) => c.client.id)).toEqual([clients.hidden]);
  });

  it('never counts a hidden client by a similar name alone (that would tell who is a client)', async () => {
    for (const displayName of ['Орлов Пётр Ильич', 'Орлов Петр', 'Orlov Petr']) {
      const r = await candidates('rm1', { displayName });
      expect(r, displayName).toMatchObject({ candidates: [], hiddenMatches: 0, exactMatch: false });
    }
    // The exact email of a hidden client still counts: it blocks a create.
    const byEmail = await candidates('rm1', {
      email: 'p.orlov@orlov-group.example',
      displayName: 'Orlov Petr',
    });
    expect(byEmail).toMatchObject({ candidates: [], hiddenMatches: 1, exactMatch: true });
  });

  it('reads a display name with a legal form as a company, not a person', async () => {
    for (const displayName of ['ООО «Ромашка»', 'АО Северный Ветер', 'Acme Trading LLC', '"ПАО Банк"']) {
      const r = await candidates('rm1', { displayName });
      expect(r.parsedName, displayName).toBeNull();
      expect(r.suggestedKind, displayName).toBe('legal_entity');
    }
    const soleProprietor = await candidates('rm1', { displayName: 'ИП Иванов Иван Петрович' });
    expect(soleProprietor).toMatchObject({
      suggestedKind: 'individual',
      parsedName: { lastName: 'Иванов', firstName: 'Иван', middleName: 'Петрович' },
    });
    expect((await candidates('rm1', { displayName: 'Лебедева Екатерина' })).suggestedKind).toBe('individual');
  });

  it('refuses an INN of all zeros', async () => {
    for (const inn of ['0000000000', '000000000000']) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/prospects/candidates?inn=${inn}`,
        headers: auth('rm1'),
      });
      expect(res.json(), inn).toMatchObject({ statusCode: 400, field: 'querystring.inn' });
    }
  });

  it.each([
    ['Lebedeva Ekaterina', '', { lastName: 'Lebedeva', firstName: 'Ekaterina', middleName: null }],
    ['Ekaterina Lebedeva', '', { lastName: 'Lebedeva', firstName: 'Ekaterina', middleName: null }],
    [
      'Лебедева Екатерина Андреевна',
      '',
      { lastName: 'Лебедева', firstName: 'Екатерина', middleName: 'Андреевна' },
    ],
    [
      'Екатерина Андреевна Лебедева',
      '',
      { lastName: 'Лебедева', firstName: 'Екатерина', middleName: 'Андреевна' },
    ],
    ['LEBEDEVA, Ekaterina', '', { lastName: 'Lebedeva', firstName: 'Ekaterina', middleName: null }],
    [
      '"Lebedeva, Ekaterina (Severstal-Trade)"',
      '',
      { lastName: 'Lebedeva', firstName: 'Ekaterina', middleName: null },
    ],
    ['KUZNETSOV Ivan', '', { lastName: 'Kuznetsov', firstName: 'Ivan', middleName: null }],
    ['Anna Smith', 'anna.smith', { lastName: 'Smith', firstName: 'Anna', middleName: null }],
    ['Smith Anna', 'a.smith', { lastName: 'Smith', firstName: 'Anna', middleName: null }],
  ])('reads "%s" as a person’s name', async (displayName, local, expected) => {
    const q: Record<string, string> = { displayName };
    if (local) q.email = `${local}@corp.example`;
    expect((await candidates('rm1', q)).parsedName).toEqual(expected);
  });

  it('asks for something to look for, and refuses a malformed INN or email', async () => {
    for (const [url, field] of [
      ['/api/v1/prospects/candidates', 'querystring'],
      ['/api/v1/prospects/candidates?inn=7707083894', 'querystring.inn'],
      ['/api/v1/prospects/candidates?email=not-an-email', 'querystring.email'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers: auth('rm1') });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().field, url).toBe(field);
    }
  });
});

describe('creating a prospect', () => {
  it('creates a potential individual from the display name, managed by the RM, served by their branch', async () => {
    const res = await create('rm1', {
      kind: 'individual',
      displayName: 'SOKOLOVA, Irina',
      email: 'I.Sokolova@Volga-Agro.example',
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<ProspectCreatedDto>();
    expect(created).toMatchObject({
      client: {
        kind: 'individual',
        displayName: 'Sokolova Irina',
        status: 'potential',
        manager: { id: org.users.rm1 },
      },
      contacts: [{ kind: 'email', value: 'I.Sokolova@Volga-Agro.example' }],
    });
    const card = await app.inject({
      method: 'GET',
      url: `/api/v1/clients/${created.client.id}`,
      headers: auth('rm1'),
    });
    expect(card.json<ClientCardDto>()).toMatchObject({
      status: 'potential',
      individual: { lastName: 'Sokolova', firstName: 'Irina', middleName: null },
      branches: [{ code: 'MSK-01' }],
      contacts: [{ kind: 'email', value: 'I.Sokolova@Volga-Agro.example' }],
    });
    const cp = await tdb.db
      .selectFrom('contact_points')
      .where('client_id', '=', created.client.id)
      .select(['value_normalized', 'is_primary'])
      .execute();
    expect(cp).toEqual([{ value_normalized: 'i.sokolova@volga-agro.example', is_primary: true }]);
    const audit = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'client.create')
      .where('entity_id', '=', created.client.id)
      .select(['actor_id', 'details'])
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      actor_id: org.users.rm1,
      details: { status: 'potential', via: 'prospect' },
    });
  });

  it('refuses an exact duplicate with 409 and the candidates, and creates it once the user confirms', async () => {
    const payload = {
      kind: 'individual',
      displayName: 'Лебедева Катя',
      email: 'e.lebedeva@severstal-trade.example',
    };
    const refused = await create('rm1', payload);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'DUPLICATE_SUSPECTED',
      hiddenMatches: 0,
      candidates: [{ client: { id: clients.lebedeva }, reasons: expect.arrayContaining(['email']) }],
    });
    expect(refused.json().requestId).toBeTruthy();
    const confirmed = await create('rm1', { ...payload, confirmNotDuplicate: true });
    expect(confirmed.statusCode).toBe(201);
  });

  it('refuses a duplicate of a client the user may not see, telling only that one exists', async () => {
    const res = await create('rm1', { kind: 'individual', displayName: 'Орлов Петр', inn: '344809916052' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'INN_EXISTS', candidates: [], hiddenMatches: 1 });
  });

  it('never creates a second client with an INN that exists, even when the user confirms', async () => {
    // Visible: the existing client is shown, with its manager to ask.
    const visible = await create('rm1', {
      kind: 'individual',
      displayName: 'Лебедева Катерина',
      inn: '500100732259',
      confirmNotDuplicate: true,
    });
    expect(visible.statusCode).toBe(409);
    expect(visible.json()).toMatchObject({
      code: 'INN_EXISTS',
      field: 'body.inn',
      hiddenMatches: 0,
      candidates: [
        {
          client: { id: clients.lebedeva, manager: { id: org.users.rm1 } },
          reasons: expect.arrayContaining(['inn']),
        },
      ],
    });
    // Hidden: only that one exists and whom to ask (the user's supervisor), nothing of the client.
    const hidden = await create('rm1', {
      kind: 'individual',
      displayName: 'Орлов Пётр',
      inn: '344809916052',
      email: 'new.orlov@mail.example',
      confirmNotDuplicate: true,
    });
    expect(hidden.statusCode).toBe(409);
    expect(hidden.json()).toMatchObject({
      code: 'INN_EXISTS',
      candidates: [],
      hiddenMatches: 1,
      ask: { id: org.users.sup, name: 'Supervisor One' },
    });
    expect(hidden.json().message).toContain('Supervisor One');
    for (const secret of [clients.hidden, 'Орлов Пётр Ильич', 'RM Other', 'orlov-group'])
      expect(hidden.body).not.toContain(secret);
    const company = await create('rm1', {
      kind: 'legal_entity',
      fullName: 'ООО «Другое Имя»',
      inn: '7707083893',
      confirmNotDuplicate: true,
    });
    expect(company.json()).toMatchObject({ statusCode: 409, code: 'INN_EXISTS' });
    const made = await tdb.db
      .selectFrom('individual_profiles')
      .where('inn', 'in', ['500100732259', '344809916052'])
      .select('client_id')
      .execute();
    expect(made).toHaveLength(2);
    const denied = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'client.create')
      .where('result', '=', 'denied')
      .select('client_ids')
      .execute();
    expect(denied.map((d) => d.client_ids)).toContainEqual([clients.hidden]);
  });

  it('refuses blank or invisible names, naming the field', async () => {
    for (const [payload, field] of [
      [{ kind: 'individual', lastName: '   ', firstName: 'Анна' }, 'body.lastName'],
      [{ kind: 'individual', lastName: 'Петрова', firstName: '\u200b' }, 'body.firstName'],
      [{ kind: 'individual', displayName: '\u200b\u200b' }, 'body.displayName'],
      [{ kind: 'individual', lastName: '\u202e', firstName: '\u2066' }, 'body.lastName'],
      [{ kind: 'legal_entity', fullName: ' \u2060 ', inn: '7736207543' }, 'body.fullName'],
    ] as const) {
      const res = await create('rm1', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().field, JSON.stringify(payload)).toBe(field);
    }
    // Invisible characters around a real name are dropped, a blank middle name is none.
    const ok = await create('rm1', {
      kind: 'individual',
      lastName: '\u200bПетрова ',
      firstName: 'Анна',
      middleName: ' \u200b ',
      email: 'a.petrova@petrova.example',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().client.displayName).toBe('Петрова Анна');
  });

  it('refuses to create a person from a company’s display name, and an INN of all zeros', async () => {
    const company = await create('rm1', { kind: 'individual', displayName: 'ООО «Ромашка»' });
    expect(company.json()).toMatchObject({ statusCode: 400, field: 'body.displayName' });
    for (const [kind, inn] of [
      ['legal_entity', '0000000000'],
      ['individual', '000000000000'],
    ] as const) {
      const res = await create('rm1', { kind, fullName: 'ООО «Ноль»', displayName: 'Нулев Ноль', inn });
      expect(res.json(), inn).toMatchObject({ statusCode: 400, field: 'body.inn' });
    }
  });

  it('creates a company with its INN; refuses one without or with a wrong check digit', async () => {
    const noInn = await create('rm1', { kind: 'legal_entity', fullName: 'ООО «Волга-Агро»' });
    expect(noInn.json()).toMatchObject({ statusCode: 400, field: 'body.inn' });
    const badInn = await create('rm1', {
      kind: 'legal_entity',
      fullName: 'ООО «Волга-Агро»',
      inn: '7707083894',
    });
    expect(badInn.json()).toMatchObject({ statusCode: 400, field: 'body.inn' });
    const ok = await create('rm1', {
      kind: 'legal_entity',
      fullName: 'Общество с ограниченной ответственностью «Волга-Агро»',
      shortName: 'ООО «Волга-Агро»',
      inn: '7736207543',
      email: 'office@volga-agro.example',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().client).toMatchObject({
      kind: 'legal_entity',
      displayName: 'ООО «Волга-Агро»',
      inn: '7736207543',
    });
  });

  it('lets only one of two RMs creating the same person at once succeed', async () => {
    const payload = { kind: 'individual', displayName: 'Зайцев Олег', email: 'o.zaitsev@zaitsev.example' };
    const results = await Promise.all([create('rm1', payload), create('rm2', payload)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('does not let a credit officer create clients', async () => {
    const res = await create('co', { kind: 'individual', displayName: 'Новый Клиент' });
    expect(res.statusCode).toBe(403);
  });
});

describe('linking an unknown sender to an existing client', () => {
  const add = (who: string, clientId: string, value: string) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/clients/${clientId}/contact-points`,
      headers: auth(who),
      payload: { kind: 'email', value },
    });

  it('adds the address once, after which the sender resolves to the client', async () => {
    const first = await add('rm1', clients.company, 'Buh@Severstal-Trade.example');
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      clientId: clients.company,
      kind: 'email',
      value: 'Buh@Severstal-Trade.example',
      created: true,
    });
    const again = await add('rm1', clients.company, 'buh@severstal-trade.example');
    expect(again.statusCode).toBe(200);
    expect(again.json().created).toBe(false);
    const context = await app.inject({
      method: 'POST',
      url: '/api/v1/mail-context',
      headers: auth('rm1'),
      payload: {
        itemType: 'message',
        participants: [
          { role: 'from', displayName: 'Бухгалтерия', emailAddress: 'buh@severstal-trade.example' },
        ],
        userAddresses: ['rm1@bank.example'],
      },
    });
    const resolved = context.json<MailContextResponseDto>().participants[0]!;
    expect(resolved.resolution).toBe('client');
    expect(resolved.clients.map((c) => c.id)).toEqual([clients.company]);
  });

  it('refuses a client the user may not see, and a value that is not an address', async () => {
    expect((await add('rm1', clients.hidden, 'x@orlov-group.example')).statusCode).toBe(404);
    const bad = await add('rm1', clients.company, 'not an email');
    expect(bad.json()).toMatchObject({ statusCode: 400, field: 'body.value' });
  });
});
