import { describe, expect, it } from 'vitest';
import {
  assertCanServe,
  ConfigError,
  DEFAULT_FRAME_ANCESTORS,
  isPlaceholderSecret,
  loadConfig,
} from '../../server/src/config.ts';

const TENANT = '7b2f4c1e-9d3a-4e8b-a6c5-1f0e2d3c4b5a';
const API = 'b3c1a2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const entra = { CRM_ENTRA_TENANTS: TENANT, CRM_ENTRA_API_AUDIENCE: API };
const fails = (env: NodeJS.ProcessEnv, message: RegExp) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
};

describe('configuration is validated at start', () => {
  it('starts the README demo (no DATABASE_URL: embedded PostgreSQL, dev sign-in, Entra off)', () => {
    const c = loadConfig({});
    expect(c.devAuth).toBe(true);
    expect(c.entra).toBeNull();
    expect(c.frameAncestors).toEqual(DEFAULT_FRAME_ANCESTORS);
    expect(c.rateLimit).toEqual({ perIpPerMinute: 3000, perUserPerMinute: 600 });
    expect(c.corsOrigins).toEqual([]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the Graph connection from the environment: https only, the token endpoint from the authority', () => {
    const graph = {
      CRM_GRAPH_TENANT_ID: '2F4A9C71-5B3E-4D8A-9E1F-0C6B7A8D9E10',
      CRM_GRAPH_CLIENT_ID: '7d1e3c5a-9b2f-4e6d-8a0c-1f3e5a7c9b2d',
      CRM_GRAPH_CLIENT_SECRET: 'Qw8~vN2.kP5_zR7-mT4xL9sB3',
    };
    expect(loadConfig(graph).graph).toMatchObject({
      tenantId: '2f4a9c71-5b3e-4d8a-9e1f-0c6b7a8d9e10',
      baseUrl: 'https://graph.microsoft.com/v1.0',
      authorityHost: 'https://login.microsoftonline.com',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(
      loadConfig({
        ...graph,
        CRM_GRAPH_BASE_URL: 'https://microsoftgraph.chinacloudapi.cn/v1.0',
        CRM_GRAPH_AUTHORITY_HOST: 'https://login.chinacloudapi.cn',
      }).graph,
    ).toMatchObject({
      authorityHost: 'https://login.chinacloudapi.cn',
      scope: 'https://microsoftgraph.chinacloudapi.cn/.default',
    });
    // @azure/identity refuses an http authority and the Graph SDK reads only https URLs.
    fails({ ...graph, CRM_GRAPH_AUTHORITY_HOST: 'http://127.0.0.1:9000' }, /must be https/);
    fails({ ...graph, CRM_GRAPH_BASE_URL: 'http://127.0.0.1:9000/v1.0' }, /must be https/);
    fails({ ...graph, CRM_GRAPH_TOKEN_URL: 'https://login.example/t/token' }, /CRM_GRAPH_AUTHORITY_HOST/);
  });

  it('refuses placeholder or weak secrets with a clear message', () => {
    for (const s of [
      'changeme',
      'changemechangemechangemechangeme12',
      'your-secret-here-your-secret-here',
      'a'.repeat(40),
    ])
      fails({ CRM_JWT_SECRET: s }, /CRM_JWT_SECRET is a placeholder or weak value/);
    fails({ CRM_JWT_SECRET: 'Zq3-too-short-9kP' }, /at least 32 characters/);
    expect(loadConfig({ CRM_JWT_SECRET: '3f9c1a7e5b2d4f608e1c9a7b3d5f2e4c6a8b0d1f' }).jwtSecret).toHaveLength(
      40,
    );
    fails(
      { DATABASE_URL: 'postgres://crm:changeme@db:5432/crm', CRM_DEV_AUTH: 'true' },
      /DATABASE_URL has a placeholder/,
    );
    expect(isPlaceholderSecret('K7#pQ2vX9!mL4sT8wZ1r')).toBe(false);
  });

  it('refuses to serve with no way to sign in', () => {
    const noSignIn = loadConfig({ DATABASE_URL: 'postgres://crm@db:5432/crm' });
    expect(() => assertCanServe(noSignIn)).toThrow(/No sign-in is configured/);
    expect(() =>
      assertCanServe(loadConfig({ DATABASE_URL: 'postgres://crm@db:5432/crm', ...entra })),
    ).not.toThrow();
    expect(() => assertCanServe(loadConfig({}))).not.toThrow();
  });

  it('keeps dev sign-in on loopback unless explicitly allowed', () => {
    fails({ HOST: '0.0.0.0' }, /refusing to listen on 0\.0\.0\.0/);
    expect(loadConfig({ HOST: '0.0.0.0', CRM_DEV_AUTH_ALLOW_REMOTE: 'true' }).devAuth).toBe(true);
  });

  it('reads Entra ID settings with defaults for the public cloud and templates for national clouds', () => {
    const c = loadConfig({ ...entra, CRM_ENTRA_TENANTS: `${TENANT.toUpperCase()}, ${API}` }).entra!;
    expect(c).toMatchObject({
      tenants: [TENANT, API],
      audiences: [API],
      scope: 'access_as_user',
      authorityHost: 'https://login.microsoftonline.com',
      issuerTemplate: 'https://login.microsoftonline.com/{tid}/v2.0',
      metadataUrlTemplate: 'https://login.microsoftonline.com/{tid}/v2.0/.well-known/openid-configuration',
      acceptV1: false,
      v1IssuerTemplate: 'https://sts.windows.net/{tid}/',
      clockSkewSeconds: 120,
      roleMapping: [],
    });
    const us = loadConfig({
      ...entra,
      CRM_ENTRA_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
      CRM_ENTRA_ROLE_MAPPING:
        'CRM.RM=relationship_manager, 6f1d0c2b-0000-4000-8000-000000000001=credit_officer',
    }).entra!;
    expect(us.issuerTemplate).toBe('https://login.microsoftonline.us/{tid}/v2.0');
    expect(us.roleMapping).toEqual([
      { claim: 'CRM.RM', role: 'relationship_manager' },
      { claim: '6f1d0c2b-0000-4000-8000-000000000001', role: 'credit_officer' },
    ]);
  });

  it('derives what the pane signs in with: client id, authority, API scope (national clouds too)', () => {
    const c = loadConfig(entra).entra!;
    expect(c).toMatchObject({
      spaClientId: API,
      signInAuthority: 'https://login.microsoftonline.com/organizations',
      signInScope: `api://${API}/access_as_user`,
    });
    const SPA = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
    const gov = loadConfig({
      ...entra,
      CRM_ENTRA_API_AUDIENCE: `${API}, api://crm.bank.example/${API}`,
      CRM_ENTRA_AUTHORITY_HOST: 'https://login.microsoftonline.us',
      CRM_ENTRA_SPA_CLIENT_ID: SPA.toUpperCase(),
      CRM_ENTRA_SIGN_IN_AUTHORITY: `https://login.microsoftonline.us/${TENANT}/`,
      CRM_ENTRA_API_SCOPE: 'crm.read',
    }).entra!;
    expect(gov).toMatchObject({
      spaClientId: SPA,
      signInAuthority: `https://login.microsoftonline.us/${TENANT}`,
      signInScope: `api://crm.bank.example/${API}/crm.read`,
    });
    fails(
      { ...entra, CRM_ENTRA_API_AUDIENCE: 'api://crm.bank.example' },
      /CRM_ENTRA_SPA_CLIENT_ID is required/,
    );
    fails({ ...entra, CRM_ENTRA_SPA_CLIENT_ID: 'crm-addin' }, /CRM_ENTRA_SPA_CLIENT_ID/);
    fails({ ...entra, CRM_ENTRA_SIGN_IN_AUTHORITY: 'http://login.example.com/organizations' }, /https/);
    fails(
      { ...entra, CRM_ENTRA_SIGN_IN_AUTHORITY: 'https://login.microsoftonline.com/organizations/v2.0' },
      /CRM_ENTRA_SIGN_IN_AUTHORITY/,
    );
  });

  it('refuses bad Entra ID settings, naming the variable', () => {
    fails({ CRM_ENTRA_TENANTS: TENANT }, /CRM_ENTRA_API_AUDIENCE is required/);
    fails({ ...entra, CRM_ENTRA_TENANTS: 'contoso.onmicrosoft.com' }, /CRM_ENTRA_TENANTS/);
    fails({ ...entra, CRM_ENTRA_TENANTS: '00000000-0000-0000-0000-000000000000' }, /placeholder tenant/);
    fails({ ...entra, CRM_ENTRA_API_AUDIENCE: 'api://<your-client-id>' }, /placeholder/);
    fails({ ...entra, CRM_ENTRA_AUTHORITY_HOST: 'http://login.example.com' }, /must be https/);
    fails({ ...entra, CRM_ENTRA_CLOCK_SKEW_SECONDS: '30' }, /60\.\.300/);
    fails(
      { ...entra, CRM_ENTRA_ISSUER_TEMPLATE: 'https://login.microsoftonline.com/common/v2.0' },
      /\{tid\}/,
    );
    fails({ ...entra, CRM_ENTRA_ROLE_MAPPING: 'CRM.RM=boss' }, /CRM_ENTRA_ROLE_MAPPING/);
  });

  it('reads hardening settings', () => {
    const c = loadConfig({
      CRM_CORS_ORIGINS: 'https://crm-admin.bank.example, http://127.0.0.1:5173',
      CRM_FRAME_ANCESTORS: "'self' https://outlook.office365.us",
      CRM_RATE_LIMIT_PER_IP: '0',
      CRM_RATE_LIMIT_PER_USER: '120',
      CRM_BODY_LIMIT_BYTES: '65536',
      CRM_TRUST_PROXY: '1',
    });
    expect(c.corsOrigins).toEqual(['https://crm-admin.bank.example', 'http://127.0.0.1:5173']);
    expect(c.frameAncestors).toEqual(["'self'", 'https://outlook.office365.us']);
    expect(c.rateLimit).toEqual({ perIpPerMinute: 0, perUserPerMinute: 120 });
    expect(c.bodyLimitBytes).toBe(65536);
    expect(c.trustProxy).toBe(1);
    fails({ CRM_CORS_ORIGINS: 'https://crm.bank.example/path' }, /not an origin/);
    fails({ CRM_CORS_ORIGINS: 'http://crm.bank.example' }, /must be https/);
    fails({ CRM_FRAME_ANCESTORS: '*' }, /any site/);
  });
});
