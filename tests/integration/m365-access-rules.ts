import type { InjectOptions } from 'fastify';

// The access-matrix rules of the Microsoft 365 connection (/api/v1/admin/m365*, /api/v1/admin/entra-role-mappings;
// access-matrix.test.ts spreads them into its RULES): admin rights only, every other caller 403 (audited
// `access.denied`). The single settings row is not changed here (a body without `version` is refused with 400
// after the admin check); each allowed mapping create has a value of its own per caller and target.

type Who = 'rm' | 'supervisor' | 'creditOfficer' | 'admin' | 'rmWithAdminGrant';
type Target = 'own' | 'other';
type Audit = { action: string; result: 'ok' | 'denied' | 'failed'; withClient: boolean } | null;
type Rule = {
  request: (c: unknown, who: Who, target: Target) => InjectOptions;
  status: (who: Who, target: Target) => number;
  audit?: (who: Who, target: Target) => Audit;
};

/** The rules, given the matrix's restatement of admin rights. */
export function m365Rules(hasAdminRights: (who: Who) => boolean): Record<string, Rule> {
  const adminOnly = (ok: number) => (who: Who) => (hasAdminRights(who) ? ok : 403);
  const audited =
    (action: string | null, result: 'ok' | 'failed' = 'ok') =>
    (who: Who): Audit =>
      hasAdminRights(who)
        ? action
          ? { action, result, withClient: false }
          : null
        : { action: 'access.denied', result: 'denied', withClient: false };
  return {
    'GET /api/v1/admin/m365': {
      request: () => ({ url: '/api/v1/admin/m365' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'PUT /api/v1/admin/m365': {
      request: () => ({ method: 'PUT', url: '/api/v1/admin/m365', payload: { enabled: true } }),
      status: adminOnly(400),
      audit: audited(null),
    },
    'POST /api/v1/admin/m365/test': {
      // No connection in the matrix's app: the test fails at once (nothing to call), and is audited.
      request: () => ({
        method: 'POST',
        url: '/api/v1/admin/m365/test',
        payload: { mailbox: 'rm1@bank.example' },
      }),
      status: adminOnly(200),
      audit: audited('m365_connection.test', 'failed'),
    },
    'GET /api/v1/admin/m365/health': {
      request: () => ({ url: '/api/v1/admin/m365/health' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'GET /api/v1/admin/entra-role-mappings': {
      request: () => ({ url: '/api/v1/admin/entra-role-mappings' }),
      status: adminOnly(200),
      audit: audited(null),
    },
    'POST /api/v1/admin/entra-role-mappings': {
      request: (_c, who, target) => ({
        method: 'POST',
        url: '/api/v1/admin/entra-role-mappings',
        payload: { kind: 'app_role', value: `CRM.Matrix.${who}.${target}`, role: 'relationship_manager' },
      }),
      status: adminOnly(201),
      audit: audited('entra_role_mapping.create'),
    },
    'DELETE /api/v1/admin/entra-role-mappings/:id': {
      request: () => ({
        method: 'DELETE',
        url: '/api/v1/admin/entra-role-mappings/6f1d5a52-3c1e-4b8e-9a57-2f4c1b7e9d10',
      }),
      status: adminOnly(404),
      audit: audited(null),
    },
  };
}
