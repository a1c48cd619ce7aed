import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { provisionUser } from '../../server/src/modules/users/users.service.ts';
import {
  accessTokenClaims,
  type Claims,
  type EntraEmulator,
  startEntraEmulator,
} from '../emulators/entra/entra-emulator.ts';
import { buildTestApp, testConfig, tokenFor } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createOrg, type Org } from '../support/fixtures.ts';

// Entra ID access tokens against a local identity-provider emulator (own keys, OpenID metadata, JWKS with
// rotation). Every forgery of the issue is refused with 401 and its own code; the valid token passes.

const TENANT = '7b2f4c1e-9d3a-4e8b-a6c5-1f0e2d3c4b5a';
const OTHER_TENANT = '0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f';
const API = 'b3c1a2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const API_URI = `api://crm.bank.example/${API}`;
const GRAPH = '00000003-0000-0000-c000-000000000000';
const RM1_OID = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';

let idp: EntraEmulator;
let tdb: TestDatabase;
let org: Org;
let app: ApiApp;

function entraEnv(extra: Record<string, string> = {}) {
  return loadConfig({
    CRM_DEV_AUTH: 'true',
    CRM_ENTRA_TENANTS: `${TENANT},${OTHER_TENANT}`,
    CRM_ENTRA_API_AUDIENCE: `${API},${API_URI}`,
    CRM_ENTRA_AUTHORITY_HOST: idp.url,
    CRM_ENTRA_JWKS_COOLDOWN_SECONDS: '0',
    ...extra,
  }).entra;
}

beforeAll(async () => {
  idp = await startEntraEmulator();
  tdb = await createTestDatabase();
  org = await createOrg(tdb.db);
  await tdb.db
    .updateTable('users')
    .set({ entra_tenant_id: TENANT, entra_object_id: RM1_OID })
    .where('id', '=', org.users.rm1!)
    .execute();
  // The second tenant is onboarded, but its metadata endpoint is down.
  idp.failingTenants.add(OTHER_TENANT);
  app = await buildTestApp(tdb.db, { entra: entraEnv() });
});
afterAll(async () => {
  await app?.close();
  await tdb?.destroy();
  await idp?.close();
});

const valid = (extra: Claims = {}, who = { tid: TENANT, oid: RM1_OID }) =>
  accessTokenClaims(idp, { ...who, audience: API, username: 'rm1@bank.example' }, extra);
const now = () => Math.floor(Date.now() / 1000);

const me = (token: string, on: ApiApp = app) =>
  on.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

async function expectRefused(token: string, code: string, on: ApiApp = app) {
  const res = await me(token, on);
  expect(res.statusCode, res.body).toBe(401);
  const body = res.json();
  expect(body).toMatchObject({ statusCode: 401, code });
  expect(body.requestId).toBeTruthy();
  // The token never comes back in any form.
  expect(res.body).not.toContain(token.split('.')[1]);
}

describe('a valid Entra ID access token', () => {
  it('signs in the user provisioned for its tid + oid, and audits the sign-in once per token', async () => {
    const claims = valid();
    const token = idp.sign(claims);
    for (let i = 0; i < 3; i++) {
      const res = await me(token);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: org.users.rm1, role: 'relationship_manager' });
    }
    const signIns = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'auth.sign_in')
      .where('entity_id', '=', claims.uti as string)
      .selectAll()
      .execute();
    expect(signIns).toHaveLength(1);
    expect(signIns[0]).toMatchObject({ actor_id: org.users.rm1, result: 'ok', channel: 'sign-in' });
  });

  it('is keyed by tid + oid, never by the email in preferred_username', async () => {
    const stranger = idp.sign(
      valid({ preferred_username: 'rm1@bank.example' }, { tid: TENANT, oid: randomUUID() }),
    );
    const res = await me(stranger);
    expect(res.statusCode).toBe(403);
  });

  it('is accepted with exp just past but within the clock skew', async () => {
    const res = await me(idp.sign(valid({ exp: now() - 60 })));
    expect(res.statusCode).toBe(200);
  });

  it('keeps the dev sign-in working next to Entra ID', async () => {
    const res = await me(await tokenFor(app, 'sup@bank.example'));
    expect(res.json()).toMatchObject({ id: org.users.sup });
  });
});

describe('forged and wrong tokens are refused with 401 and a code', () => {
  it('alg none', () => expectRefused(idp.unsigned(valid()), 'TOKEN_INVALID'));

  it('HS256 signed with the published public key (algorithm confusion)', async () => {
    await expectRefused(idp.signHs256WithPublicKey(valid()), 'TOKEN_INVALID');
    const entraOnly = await buildTestApp(tdb.db, { devAuth: false, entra: entraEnv() });
    try {
      await expectRefused(idp.signHs256WithPublicKey(valid()), 'TOKEN_INVALID', entraOnly);
    } finally {
      await entraOnly.close();
    }
  });

  it('RS256 header over a tampered payload', async () => {
    const [h, , s] = idp.sign(valid()).split('.');
    const forged = Buffer.from(JSON.stringify(valid({ oid: randomUUID() }))).toString('base64url');
    await expectRefused(`${h}.${forged}.${s}`, 'TOKEN_INVALID');
  });

  it('a wrong audience', () =>
    expectRefused(idp.sign(valid({ aud: randomUUID() })), 'TOKEN_AUDIENCE_INVALID'));

  it('a wrong issuer', async () => {
    await expectRefused(idp.sign(valid({ iss: idp.issuer(OTHER_TENANT) })), 'TOKEN_ISSUER_INVALID');
    await expectRefused(
      idp.sign(valid({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0` })),
      'TOKEN_ISSUER_INVALID',
    );
  });

  it('a tenant that is not onboarded', () =>
    expectRefused(idp.sign(valid({}, { tid: randomUUID(), oid: RM1_OID })), 'TENANT_NOT_ONBOARDED'));

  it('an expired token (beyond the clock skew)', () =>
    expectRefused(idp.sign(valid({ exp: now() - 300, nbf: now() - 4000 })), 'TOKEN_EXPIRED'));

  it('a token whose nbf is in the future', () =>
    expectRefused(idp.sign(valid({ nbf: now() + 600 })), 'TOKEN_NOT_YET_VALID'));

  it('a token without the API scope', async () => {
    const { scp: _scp, ...noScp } = valid();
    await expectRefused(idp.sign(noScp), 'SCOPE_MISSING');
    await expectRefused(idp.sign(valid({ scp: 'User.Read Mail.Read' })), 'SCOPE_MISSING');
  });

  it('an unknown kid; the same key is found once the tenant publishes it (rotation)', async () => {
    const rotated = idp.addKey({ publish: false });
    const token = idp.sign(valid(), { kid: rotated });
    await expectRefused(token, 'TOKEN_INVALID');
    idp.publish(rotated);
    const fetchesBefore = idp.jwksFetches.get(TENANT) ?? 0;
    expect((await me(token)).statusCode).toBe(200);
    expect(idp.jwksFetches.get(TENANT)).toBe(fetchesBefore + 1);
    // The old key still verifies: rotation publishes the new key next to the old one.
    const old = await me(idp.sign(valid(), { kid: undefined }));
    expect(old.statusCode).toBe(200);
  });

  it('a Microsoft Graph token (nonce header, Graph audience)', async () => {
    await expectRefused(
      idp.sign(valid({ aud: GRAPH, scp: 'User.Read' }), { header: { nonce: 'abc123' } }),
      'TOKEN_INVALID',
    );
    await expectRefused(idp.sign(valid({ aud: GRAPH })), 'TOKEN_AUDIENCE_INVALID');
  });

  it('an ID token instead of an access token', async () => {
    const { scp: _scp, uti: _uti, ...rest } = valid();
    const idToken = { ...rest, aud: API, nonce: 'n-0S6_WzA2Mj', at_hash: 'hSvYhPNV5b7Kz_4zzTRz7g' };
    await expectRefused(idp.sign(idToken), 'TOKEN_INVALID');
  });

  it('a v1 token when v1 is not configured, accepted when it is', async () => {
    const v1 = valid({ iss: `https://sts.windows.net/${TENANT}/`, aud: API_URI, ver: '1.0' });
    await expectRefused(idp.sign(v1), 'TOKEN_ISSUER_INVALID');
    const withV1 = await buildTestApp(tdb.db, { entra: entraEnv({ CRM_ENTRA_ACCEPT_V1: 'true' }) });
    try {
      expect((await me(idp.sign(v1), withV1)).statusCode).toBe(200);
    } finally {
      await withV1.close();
    }
  });

  it('an RS256 token when Entra ID sign-in is off, and an HS256 dev token when dev sign-in is off', async () => {
    const devOnly = await buildTestApp(tdb.db);
    const entraOnly = await buildTestApp(tdb.db, { devAuth: false, entra: entraEnv() });
    try {
      await expectRefused(idp.sign(valid()), 'TOKEN_INVALID', devOnly);
      await expectRefused(await tokenFor(devOnly, 'rm1@bank.example'), 'TOKEN_INVALID', entraOnly);
    } finally {
      await devOnly.close();
      await entraOnly.close();
    }
  });

  it('an HS256 token with the dev secret that the dev sign-in did not issue (no issuer)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const data = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: org.users.admin, exp: now() + 600 })}`;
    const sig = createHmac('sha256', testConfig().jwtSecret).update(data).digest('base64url');
    await expectRefused(`${data}.${sig}`, 'TOKEN_INVALID');
  });

  it('garbage, and no token at all', async () => {
    await expectRefused('not-a-jwt', 'TOKEN_INVALID');
    const none = await app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(none.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers 503 when the tenant’s metadata cannot be fetched, and recovers', async () => {
    const token = idp.sign(valid({}, { tid: OTHER_TENANT, oid: randomUUID() }));
    const res = await me(token);
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('UNAVAILABLE');
    idp.failingTenants.delete(OTHER_TENANT);
    try {
      // Discovery is retried; this user is simply not provisioned.
      expect((await me(token)).json().code).toBe('USER_NOT_PROVISIONED');
    } finally {
      idp.failingTenants.add(OTHER_TENANT);
    }
  });
});

describe('users the CRM does not know', () => {
  it('get 403 USER_NOT_PROVISIONED asking for an admin, and the refusal is audited', async () => {
    const oid = randomUUID();
    const res = await me(idp.sign(valid({}, { tid: TENANT, oid })));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('USER_NOT_PROVISIONED');
    expect(res.json().message).toMatch(/administrator/);
    const denied = await tdb.db
      .selectFrom('audit_events')
      .where('action', '=', 'access.denied')
      .where('request_id', '=', res.json().requestId)
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(denied).toMatchObject({ result: 'denied', actor_id: null });
    expect(denied.details).toMatchObject({
      code: 'USER_NOT_PROVISIONED',
      tid: TENANT,
      oid,
      route: '/api/v1/me',
    });
  });

  it('are provisioned from mapped Entra app roles, and later role changes follow the mapping (audited)', async () => {
    const mapped = await buildTestApp(tdb.db, {
      entra: entraEnv({ CRM_ENTRA_ROLE_MAPPING: 'CRM.Supervisor=supervisor,CRM.RM=relationship_manager' }),
    });
    try {
      const oid = randomUUID();
      const who = { tid: TENANT, oid };
      const first = await me(
        idp.sign(
          valid(
            { roles: ['CRM.RM'], name: 'Новый Менеджер', preferred_username: 'New.RM@Bank.example' },
            who,
          ),
        ),
        mapped,
      );
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json()).toMatchObject({
        role: 'relationship_manager',
        name: 'Новый Менеджер',
        email: 'new.rm@bank.example',
      });
      const userId = first.json().id;
      const promoted = await me(idp.sign(valid({ roles: ['CRM.RM', 'CRM.Supervisor'] }, who)), mapped);
      expect(promoted.json().role).toBe('supervisor');
      const events = await tdb.db
        .selectFrom('audit_events')
        .where('entity_id', '=', userId)
        .orderBy('id')
        .select(['action', 'details'])
        .execute();
      expect(events.map((e) => e.action)).toEqual(['user.provision', 'user.role_change']);
      expect(events[1]!.details).toMatchObject({ from: 'relationship_manager', to: 'supervisor' });
      // Without a mapped role the user is not provisioned.
      const unmapped = await me(
        idp.sign(valid({ roles: ['Other.App.Role'] }, { tid: TENANT, oid: randomUUID() })),
        mapped,
      );
      expect(unmapped.json().code).toBe('USER_NOT_PROVISIONED');
    } finally {
      await mapped.close();
    }
  });

  it('sign in once an admin has provisioned them (audited, grants included)', async () => {
    const oid = randomUUID();
    const cli = { ip: 'local', userAgent: 'cli', channel: 'cli', requestId: `cli-${oid}` };
    const input = {
      email: 'New.Head@bank.example',
      name: 'Новый Руководитель',
      role: 'supervisor' as const,
      branchCode: 'MSK-01',
      entraTenantId: TENANT.toUpperCase(),
      entraObjectId: oid,
      grants: ['view_personal_data' as const],
    };
    const { id, created } = await provisionUser(tdb.db, null, cli, input);
    expect(created).toBe(true);
    const res = await me(idp.sign(valid({}, { tid: TENANT, oid })));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, role: 'supervisor', grants: ['view_personal_data'] });

    await provisionUser(tdb.db, null, cli, { ...input, role: 'relationship_manager', grants: [] });
    const events = await tdb.db
      .selectFrom('audit_events')
      .where('entity_id', '=', id)
      .where('channel', '=', 'cli')
      .orderBy('id')
      .select(['action', 'details'])
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      'user.provision',
      'grant.add',
      'user.update',
      'grant.remove',
    ]);
    expect(events[2]!.details).toEqual({
      changes: { role: { from: 'supervisor', to: 'relationship_manager' } },
    });
    expect((await me(idp.sign(valid({}, { tid: TENANT, oid })))).json()).toMatchObject({
      role: 'relationship_manager',
      grants: [],
    });
  });

  it('are never linked to an existing CRM user by email', async () => {
    const mapped = await buildTestApp(tdb.db, {
      entra: entraEnv({ CRM_ENTRA_ROLE_MAPPING: 'CRM.RM=relationship_manager' }),
    });
    try {
      const res = await me(
        idp.sign(
          valid(
            { roles: ['CRM.RM'], preferred_username: 'rm2@bank.example' },
            { tid: TENANT, oid: randomUUID() },
          ),
        ),
        mapped,
      );
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('USER_NOT_PROVISIONED');
    } finally {
      await mapped.close();
    }
  });

  it('are refused at once when deactivated', async () => {
    await tdb.db.updateTable('users').set({ is_active: false }).where('id', '=', org.users.rm1!).execute();
    try {
      const res = await me(idp.sign(valid()));
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    } finally {
      await tdb.db.updateTable('users').set({ is_active: true }).where('id', '=', org.users.rm1!).execute();
    }
  });
});

describe('the pane’s sign-in configuration (GET /api/v1/auth/config)', () => {
  it('is public and gives MSAL the client id, the authority and the API scope, nothing else', async () => {
    const res = await app.inject({ url: '/api/v1/auth/config' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      devSignIn: true,
      entra: {
        clientId: API,
        authority: `${idp.url}/organizations`,
        scopes: [`${API_URI}/access_as_user`],
      },
    });
    const entraOnly = await buildTestApp(tdb.db, {
      devAuth: false,
      entra: entraEnv({ CRM_ENTRA_SIGN_IN_AUTHORITY: `${idp.url}/${TENANT}` }),
    });
    try {
      const only = (await entraOnly.inject({ url: '/api/v1/auth/config' })).json();
      expect(only).toMatchObject({ devSignIn: false, entra: { authority: `${idp.url}/${TENANT}` } });
      // The dialog page's MSAL fetches the authority's metadata and token endpoint: CSP must allow it.
      const csp = String(
        (await entraOnly.inject({ url: '/api/v1/health' })).headers['content-security-policy'],
      );
      expect(csp).toContain(`connect-src 'self' ${idp.url}`);
    } finally {
      await entraOnly.close();
    }
  });
});
