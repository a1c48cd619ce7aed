import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createCreditApplication, createOrg, type Org } from '../support/fixtures.ts';
import { type AdminMatrixFixtures, adminRules, createAdminMatrixFixtures } from './admin-access-rules.ts';
import {
  type CalendarMatrixFixtures,
  calendarRules,
  createCalendarMatrixFixtures,
} from './calendar-access-rules.ts';
import { type CreditMatrixFixtures, createCreditMatrixFixtures, creditRules } from './credit-access-rules.ts';
import {
  type CreditNoticesMatrixFixtures,
  createCreditNoticesMatrixFixtures,
  creditNoticesRules,
} from './credit-notices-access-rules.ts';
import {
  type CreditSettingsMatrixFixtures,
  createCreditSettingsMatrixFixtures,
  creditSettingsRules,
} from './credit-settings-access-rules.ts';
import {
  createInteractionMatrixFixtures,
  type InteractionMatrixFixtures,
  interactionRules,
} from './interactions-access-rules.ts';
import { m365Rules } from './m365-access-rules.ts';
import { meSettingsRules } from './me-settings-access-rules.ts';
import { taskLinkRules } from './task-link-access-rules.ts';
import {
  createWorkSettingsMatrixFixtures,
  type WorkSettingsMatrixFixtures,
  workSettingsRules,
} from './work-settings-access-rules.ts';

// Every /api/v1 route × every role × a client the role should see ("own") and one it should not ("other").
// The routes come from the app's own route table: a route added without a rule here fails the first test.
// Routes that touch client data also name the audit event each call must leave (audit completeness).

const WHO = ['rm', 'supervisor', 'creditOfficer', 'admin', 'rmWithAdminGrant'] as const;
type Who = (typeof WHO)[number];
type Target = 'own' | 'other';
const USER_KEY: Record<Who, string> = {
  rm: 'rm1',
  supervisor: 'sup',
  creditOfficer: 'co',
  admin: 'admin',
  rmWithAdminGrant: 'rmAdmin',
};

/** The one visibility rule, restated: every business role sees the MSK client "own"; nobody sees "other". */
const sees = (who: Who, target: Target) => target === 'own' && who !== 'admin';
const hasAdminRights = (who: Who) => who === 'admin' || who === 'rmWithAdminGrant';

type Ctx = {
  clients: Record<Target, string>;
  inn: Record<Target, string>;
  email: Record<Target, string>;
  /** A task per (who, target) for PATCH: own = on "own" assigned to who (rm1 for the admin), other = rmOther's. */
  tasks: Record<Who, Record<Target, string>>;
  interactions: InteractionMatrixFixtures;
  admin: AdminMatrixFixtures;
  credit: CreditMatrixFixtures;
  creditNotices: CreditNoticesMatrixFixtures;
  calendar: CalendarMatrixFixtures;
  work: WorkSettingsMatrixFixtures;
  creditSettings: CreditSettingsMatrixFixtures;
};
type Audit = { action: string; result: 'ok' | 'denied'; withClient: boolean } | null;
type Rule = {
  public?: true;
  request: (c: Ctx, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  check?: (res: LightMyRequestResponse, c: Ctx, who: Who, target: Target) => void;
  /** For routes touching client data: the audit event each call leaves (null: none expected). */
  audit?: (who: Who, target: Target) => Audit;
};

const RULES: Record<string, Rule> = {
  'GET /api/v1/health': { public: true, request: () => ({ url: '/api/v1/health' }), status: () => 200 },
  'GET /api/v1/version': { public: true, request: () => ({ url: '/api/v1/version' }), status: () => 200 },
  'GET /api/v1/auth/config': {
    public: true,
    request: () => ({ url: '/api/v1/auth/config' }),
    status: () => 200,
    check: (res) => expect(res.json()).toEqual({ devSignIn: true, entra: null }),
  },
  'GET /api/v1/dev/users': { public: true, request: () => ({ url: '/api/v1/dev/users' }), status: () => 200 },
  'POST /api/v1/dev/token': {
    public: true,
    request: () => ({ url: '/api/v1/dev/token', payload: { email: 'rm1@bank.example' } }),
    status: () => 200,
  },
  'GET /api/v1/me': { request: () => ({ url: '/api/v1/me' }), status: () => 200 },
  'GET /api/v1/dev/inbox': {
    request: () => ({ url: '/api/v1/dev/inbox' }),
    status: () => 200,
    // The demo inbox lists visible clients whatever the target: "own" is among them for every business role.
    audit: (who, target) =>
      who === 'admin' ? null : { action: 'client.read', result: 'ok', withClient: target === 'own' },
  },
  'POST /api/v1/mail-context': {
    request: (c, _who, target) => ({
      url: '/api/v1/mail-context',
      payload: {
        itemType: 'message',
        participants: [{ role: 'from', displayName: 'Client', emailAddress: c.email[target] }],
        userAddresses: [],
      },
    }),
    status: () => 200,
    check: (res, _c, who, target) =>
      expect(res.json().participants[0].resolution).toBe(sees(who, target) ? 'client' : 'restricted'),
    audit: (who, target) => ({
      action: 'client.read',
      result: sees(who, target) ? 'ok' : 'denied',
      withClient: true,
    }),
  },
  'GET /api/v1/clients': {
    request: (c, _who, target) => ({ url: `/api/v1/clients?q=${c.inn[target]}` }),
    status: () => 200,
    check: (res, c, who, target) =>
      expect(res.json().items.map((i: { id: string }) => i.id)).toEqual(
        sees(who, target) ? [c.clients[target]] : [],
      ),
    // Every search is audited; an empty one (it may be a probe) names no client.
    audit: (who, target) => ({ action: 'client.search', result: 'ok', withClient: sees(who, target) }),
  },
  'GET /api/v1/clients/:id': {
    request: (c, _who, target) => ({ url: `/api/v1/clients/${c.clients[target]}` }),
    status: (who, target) => (sees(who, target) ? 200 : 404),
    audit: (who, target) => ({
      action: 'client.read',
      result: sees(who, target) ? 'ok' : 'denied',
      withClient: true,
    }),
  },
  'POST /api/v1/tasks': {
    request: (c, _who, target) => ({
      url: '/api/v1/tasks',
      payload: { title: 'Перезвонить', type: 'call', clientId: c.clients[target] },
    }),
    status: (who, target) => (sees(who, target) ? 201 : 404),
    audit: (who, target) => ({
      action: 'task.create',
      result: sees(who, target) ? 'ok' : 'denied',
      withClient: true,
    }),
  },
  'PATCH /api/v1/tasks/:id': {
    request: (c, who, target) => ({
      method: 'PATCH',
      url: `/api/v1/tasks/${c.tasks[who][target]}`,
      payload: { version: 1, title: 'Перезвонить завтра' },
    }),
    status: (who, target) => (sees(who, target) ? 200 : 404),
    // A refused change is audited too (by task id: the caller is not told whose client it is).
    audit: (who, target) =>
      sees(who, target)
        ? { action: 'task.update', result: 'ok', withClient: true }
        : { action: 'task.update', result: 'denied', withClient: false },
  },
  'GET /api/v1/audit-events': {
    request: (c, _who, target) => ({ url: `/api/v1/audit-events?clientId=${c.clients[target]}&limit=5` }),
    status: (who) => (hasAdminRights(who) ? 200 : 403),
    audit: (who) =>
      hasAdminRights(who)
        ? { action: 'audit.query', result: 'ok', withClient: true }
        : { action: 'access.denied', result: 'denied', withClient: false },
  },
  'POST /api/v1/graph/notifications': {
    public: true,
    request: () => ({ method: 'POST', url: '/api/v1/graph/notifications?validationToken=a%20b' }),
    status: () => 200,
  },
  'GET /api/v1/team': {
    request: () => ({ url: '/api/v1/team' }),
    status: (who) => (who === 'rm' || who === 'supervisor' || who === 'rmWithAdminGrant' ? 200 : 403),
  },
  'GET /api/v1/admin/calendar-sync/mailboxes': {
    request: () => ({ url: '/api/v1/admin/calendar-sync/mailboxes' }),
    status: (who) => (hasAdminRights(who) ? 200 : 403),
  },
  ...interactionRules(sees, hasAdminRights),
  ...adminRules(hasAdminRights),
  ...m365Rules(hasAdminRights),
  ...creditRules(sees, hasAdminRights),
  ...creditNoticesRules(sees),
  ...creditSettingsRules(hasAdminRights),
  ...calendarRules(),
  ...meSettingsRules(),
  ...taskLinkRules(sees),
  ...workSettingsRules(hasAdminRights),
};

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
const tokens = {} as Record<Who, string>;
const ctx = { tasks: {} } as Ctx;

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db, [
    { key: 'co', name: 'Credit Officer', email: 'co@bank.example', role: 'credit_officer', branch: 'msk' },
    { key: 'rmAdmin', name: 'RM Admin', email: 'rm.admin@bank.example', branch: 'msk', grants: ['admin'] },
  ]);
  // "own": managed by rm1, served by MSK, with a credit application (what a credit officer reviews);
  // "other": managed by rmOther, served by SPB, also with an application.
  ctx.clients = {
    own: await createClient(tdb.db, org, {
      kind: 'individual',
      name: 'Свой Клиент Иванович',
      emails: ['own@client.example'],
      inn: '500100732259',
    }),
    other: await createClient(tdb.db, org, {
      kind: 'individual',
      name: 'Чужой Клиент Петрович',
      manager: 'rmOther',
      emails: ['other@client.example'],
      inn: '344809916052',
    }),
  };
  for (const target of ['own', 'other'] as const) await createCreditApplication(tdb.db, ctx.clients[target]);
  ctx.inn = { own: '500100732259', other: '344809916052' };
  ctx.email = { own: 'own@client.example', other: 'other@client.example' };
  ctx.interactions = await createInteractionMatrixFixtures(tdb.db, org, ctx.clients, WHO);
  ctx.admin = await createAdminMatrixFixtures(tdb.db, org, WHO);
  ctx.credit = await createCreditMatrixFixtures(tdb.db, org, ctx.clients, WHO);
  ctx.creditNotices = await createCreditNoticesMatrixFixtures(
    tdb.db,
    Object.fromEntries(WHO.map((w) => [w, org.users[USER_KEY[w]]!])) as Record<Who, string>,
    { own: ctx.credit.shared.own.id, other: ctx.credit.shared.other.id },
  );
  ctx.calendar = await createCalendarMatrixFixtures(tdb.db, org);
  ctx.work = await createWorkSettingsMatrixFixtures(tdb.db, WHO);
  ctx.creditSettings = await createCreditSettingsMatrixFixtures(tdb.db, WHO);
  app = await buildTestApp(tdb.db);
  for (const who of WHO) tokens[who] = await tokenFor(app, emailOf(who));
  for (const who of WHO) {
    const assignee = who === 'admin' ? org.users.rm1! : org.users[USER_KEY[who]]!;
    ctx.tasks[who] = {
      own: await insertTask(ctx.clients.own, assignee),
      other: await insertTask(ctx.clients.other, org.users.rmOther!),
    };
  }
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

function emailOf(who: Who): string {
  return {
    rm: 'rm1@bank.example',
    supervisor: 'sup@bank.example',
    creditOfficer: 'co@bank.example',
    admin: 'admin@bank.example',
    rmWithAdminGrant: 'rm.admin@bank.example',
  }[who];
}

async function insertTask(clientId: string, assigneeId: string): Promise<string> {
  const { id } = await tdb.db
    .insertInto('tasks')
    .values({
      title: 'Задача',
      type: 'call',
      priority: 'normal',
      status: 'open',
      assignee_id: assigneeId,
      author_id: assigneeId,
      client_id: clientId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

const apiRoutes = () =>
  (app.routeTable ?? [])
    .filter((r) => r.url.startsWith('/api/v1') && r.method !== 'HEAD')
    .map((r) => `${r.method} ${r.url}`);

describe('the access matrix covers every route', () => {
  it('has a rule for every /api/v1 route of the app, and no rule for a route that is gone', () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(5);
    expect(
      routes.filter((r) => !(r in RULES)),
      'routes without an access rule',
    ).toEqual([]);
    expect(
      Object.keys(RULES).filter((r) => !routes.includes(r)),
      'rules for missing routes',
    ).toEqual([]);
  });

  it('marks exactly the public routes public', () => {
    const publicRoutes = app.routeTable
      .filter((r) => r.url.startsWith('/api/v1') && r.public)
      .map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.sort()).toEqual(
      Object.entries(RULES)
        .filter(([, r]) => r.public)
        .map(([k]) => k)
        .sort(),
    );
  });
});

const cases = Object.keys(RULES).flatMap((route) =>
  WHO.flatMap((who) => (['own', 'other'] as const).map((target) => [route, who, target] as const)),
);

describe('every route × role × own/other client', () => {
  it.each(cases)('%s as %s on the %s client', async (route, who, target) => {
    const rule = RULES[route]!;
    const method = route.split(' ')[0] as InjectOptions['method'];
    const req = rule.request(ctx, who, target);
    const res = await app.inject({
      method,
      ...req,
      headers: { ...(req.headers ?? {}), authorization: `Bearer ${tokens[who]}` },
    });
    expect(res.statusCode, res.body).toBe(rule.status(who, target));
    if (res.statusCode < 300) rule.check?.(res, ctx, who, target);
    if (res.statusCode >= 400) expect(res.json()).toHaveProperty('code');

    const expected = rule.audit?.(who, target);
    if (expected === undefined) return;
    const requestId = res.headers['x-request-id'] as string;
    expect(requestId).toBeTruthy();
    const events = await tdb.db
      .selectFrom('audit_events')
      .where('request_id', '=', requestId)
      .selectAll()
      .execute();
    if (expected === null) {
      expect(events.filter((e) => e.action.startsWith('client.') || e.action.startsWith('task.'))).toEqual(
        [],
      );
      return;
    }
    const event = events.find((e) => e.action === expected.action && e.result === expected.result);
    expect(event, `audit ${expected.action}/${expected.result} for ${route}`).toBeDefined();
    expect(event).toMatchObject({ actor_id: org.users[USER_KEY[who]], actor_role: expect.any(String) });
    expect(event!.ip).toBeTruthy();
    expect(event!.channel).toBeTruthy();
    if (expected.withClient) expect(event!.client_ids).toContain(ctx.clients[target]);
  });
});

describe('without a token', () => {
  it.each(Object.keys(RULES))('%s', async (route) => {
    const rule = RULES[route]!;
    const res = await app.inject({
      method: route.split(' ')[0] as InjectOptions['method'],
      ...rule.request(ctx, 'rm', 'own'),
    });
    if (rule.public) expect(res.statusCode).toBe(200);
    else expect(res.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
  });
});
