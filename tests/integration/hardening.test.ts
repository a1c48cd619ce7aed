import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TaskDto } from '@crm/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { buildTestApp, repoRoot, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createClient, createOrg, type Org } from '../support/fixtures.ts';

let tdb: TestDatabase;
let app: ApiApp;
let org: Org;
let clientId: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  clientId = await createClient(tdb.db, org, { kind: 'individual', name: 'Сорокин Илья Петрович' });
  app = await buildTestApp(tdb.db);
  tokens.rm1 = await tokenFor(app, 'rm1@bank.example');
  tokens.rm2 = await tokenFor(app, 'rm2@bank.example');
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
});

const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

describe('security headers', () => {
  it('let Outlook frame the pane and nothing else, and load Office.js only from Microsoft’s CDN', async () => {
    const url = existsSync(path.join(repoRoot, 'addin/dist/taskpane.html'))
      ? '/taskpane.html'
      : '/api/v1/health';
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    const directive = (name: string) =>
      csp
        .split(';')
        .find((d) => d.trim().startsWith(`${name} `))
        ?.trim()
        .split(/\s+/)
        .slice(1);
    expect(directive('default-src')).toEqual(["'self'"]);
    expect(directive('script-src')).toEqual(["'self'", 'https://appsforoffice.microsoft.com']);
    expect(directive('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directive('connect-src')).toEqual(["'self'"]);
    expect(directive('object-src')).toEqual(["'none'"]);
    expect(directive('frame-ancestors')).toEqual(
      expect.arrayContaining(['https://outlook.office.com', 'https://outlook.office365.com']),
    );
    expect(directive('frame-ancestors')).not.toContain('*');
    // X-Frame-Options would stop Outlook from framing us; COOP same-origin breaks the Office dialog API.
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
  });

  it('take frame-ancestors from configuration and allow the Entra authority for MSAL', async () => {
    const custom = await buildTestApp(tdb.db, {
      frameAncestors: ["'self'", 'https://outlook.office365.us'],
      entra: {
        tenants: ['7b2f4c1e-9d3a-4e8b-a6c5-1f0e2d3c4b5a'],
        audiences: ['b3c1a2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d'],
        scope: 'access_as_user',
        authorityHost: 'https://login.microsoftonline.us',
        metadataUrlTemplate: 'https://login.microsoftonline.us/{tid}/v2.0/.well-known/openid-configuration',
        issuerTemplate: 'https://login.microsoftonline.us/{tid}/v2.0',
        acceptV1: false,
        v1IssuerTemplate: 'https://sts.windows.net/{tid}/',
        clockSkewSeconds: 120,
        jwksCooldownSeconds: 30,
        roleMapping: [],
        spaClientId: 'b3c1a2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        signInAuthority: 'https://login.microsoftonline.us/organizations',
        signInScope: 'api://b3c1a2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/access_as_user',
      },
    });
    try {
      const csp = String((await custom.inject({ url: '/api/v1/health' })).headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'self' https://outlook.office365.us");
      expect(csp).toContain("connect-src 'self' https://login.microsoftonline.us");
    } finally {
      await custom.close();
    }
  });

  it('carry a request id on every answer', async () => {
    const res = await app.inject({ url: '/api/v1/nope' });
    expect(res.headers['x-request-id']).toBe(res.json().requestId);
  });
});

describe('CORS', () => {
  it('answers configured origins only', async () => {
    const withCors = await buildTestApp(tdb.db, { corsOrigins: ['https://crm-admin.bank.example'] });
    try {
      const preflight = (origin: string) =>
        withCors.inject({
          method: 'OPTIONS',
          url: '/api/v1/tasks',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type,idempotency-key',
          },
        });
      const ok = await preflight('https://crm-admin.bank.example');
      expect(ok.headers['access-control-allow-origin']).toBe('https://crm-admin.bank.example');
      expect(String(ok.headers['access-control-allow-headers'])).toContain('idempotency-key');
      const evil = await preflight('https://evil.example');
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await withCors.close();
    }
    // Not configured: no CORS headers at all (same-origin only).
    const plain = await app.inject({ url: '/api/v1/health', headers: { origin: 'https://evil.example' } });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('rate limits', () => {
  it('limit one IP, unknown routes (404) included, with Retry-After and a typed 429', async () => {
    const limited = await buildTestApp(tdb.db, { rateLimit: { perIpPerMinute: 5, perUserPerMinute: 0 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++)
        codes.push((await limited.inject({ url: `/api/v1/guess-${i}` })).statusCode);
      expect(codes).toEqual([404, 404, 404, 404, 404, 429, 429]);
      const res = await limited.inject({ url: '/api/v1/health' });
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'RATE_LIMITED', statusCode: 429 });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another address has its own budget.
      expect((await limited.inject({ url: '/api/v1/health', remoteAddress: '10.1.2.3' })).statusCode).toBe(
        200,
      );
    } finally {
      await limited.close();
    }
  });

  it('limit each signed-in user separately', async () => {
    const limited = await buildTestApp(tdb.db, { rateLimit: { perIpPerMinute: 0, perUserPerMinute: 3 } });
    try {
      const t1 = await tokenFor(limited, 'rm1@bank.example');
      const t2 = await tokenFor(limited, 'rm2@bank.example');
      const call = (t: string) =>
        limited.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${t}` } });
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await call(t1)).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      expect((await call(t2)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('request contracts', () => {
  it('refuses bodies over the configured limit with 413', async () => {
    const small = await buildTestApp(tdb.db, { bodyLimitBytes: 2048 });
    try {
      const token = await tokenFor(small, 'rm1@bank.example');
      const res = await small.inject({
        method: 'POST',
        url: '/api/v1/mail-context',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          itemType: 'message',
          participants: Array.from({ length: 40 }, (_, i) => ({
            role: 'to',
            displayName: `Получатель ${i}`,
            emailAddress: `recipient.${i}@example.com`,
          })),
          userAddresses: [],
        },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('gives every /api/v1 route a response schema and closed request schemas', () => {
    const problems: string[] = [];
    for (const r of app.routeTable.filter((x) => x.url.startsWith('/api/v1') && x.method !== 'HEAD')) {
      const s = r.schema as Record<string, { additionalProperties?: unknown } | undefined> & {
        response?: Record<string, unknown>;
      };
      const name = `${r.method} ${r.url}`;
      if (!s.response || !Object.keys(s.response).some((k) => k.startsWith('2')))
        problems.push(`${name}: no 2xx response schema`);
      if ((r.method === 'POST' || r.method === 'PATCH') && !s.body) problems.push(`${name}: no body schema`);
      if (r.url.includes(':') && !s.params) problems.push(`${name}: no params schema`);
      if (!s.querystring) problems.push(`${name}: no querystring schema`);
      for (const part of ['body', 'querystring', 'params'] as const)
        if (s[part] && s[part]!.additionalProperties !== false)
          problems.push(`${name}: ${part} accepts unknown properties`);
    }
    expect(problems).toEqual([]);
  });

  it('rejects unknown query parameters, also on routes that take none', async () => {
    const res = await app.inject({ url: '/api/v1/clients?q=Сорокин&debug=1', headers: auth('rm1') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.debug' });
    const me = await app.inject({ url: '/api/v1/me?as=admin', headers: auth('rm1') });
    expect(me.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'querystring.as' });
  });
});

describe('Idempotency-Key on POST /tasks', () => {
  const post = (who: string, key: string | null, payload: object) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: { ...auth(who), ...(key ? { 'idempotency-key': key } : {}) },
      payload,
    });
  const body = () => ({ title: 'Перезвонить', type: 'call', clientId, dueAt: '2026-12-01T07:00:00.000Z' });
  const count = async () =>
    Number(
      (
        await tdb.db
          .selectFrom('tasks')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('returns the first answer to a retry (same status, same task) and creates one task', async () => {
    const before = await count();
    const first = await post('rm1', 'key-retry-1', body());
    const again = await post('rm1', 'key-retry-1', { ...body() });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json<TaskDto>()).toEqual(first.json<TaskDto>());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await count()).toBe(before + 1);
  });

  it('creates one task when two retries race', async () => {
    const before = await count();
    const [a, b] = await Promise.all([post('rm1', 'key-race', body()), post('rm1', 'key-race', body())]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(a.json().id).toBe(b.json().id);
    expect(await count()).toBe(before + 1);
  });

  it('refuses the same key with a different body (422), and keeps keys per user', async () => {
    await post('rm1', 'key-reuse', body());
    const other = await post('rm1', 'key-reuse', { ...body(), title: 'Другая задача' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'headers.idempotency-key' });
    const rm2 = await post('rm2', 'key-reuse', body());
    expect(rm2.statusCode).toBe(201);
    expect(rm2.headers['idempotent-replayed']).toBeUndefined();
  });

  it('does not remember a failed create: the key is free for the corrected request', async () => {
    const missing = await post('rm1', 'key-after-error', {
      ...body(),
      clientId: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.statusCode).toBe(404);
    const fixed = await post('rm1', 'key-after-error', body());
    expect(fixed.statusCode).toBe(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
  });

  it('validates the key', async () => {
    const res = await post('rm1', 'x'.repeat(300), body());
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('headers.idempotency-key');
  });

  it('creates a new task each time without a key', async () => {
    const before = await count();
    await post('rm1', null, body());
    await post('rm1', null, body());
    expect(await count()).toBe(before + 2);
  });
});
