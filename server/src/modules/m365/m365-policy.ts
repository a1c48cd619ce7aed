import { M365_SECRET_ENV_PATTERN } from '@crm/shared';
import type { SecretEnv } from './graph-connection.ts';

// What an admin may point the Microsoft 365 connection at. The admin page is not the server's operator: a
// free choice of host and of environment variable would let an admin post any server secret (CRM_JWT_SECRET,
// CRM_SMTP_URL...) as a client secret to a host of their own. So: Microsoft's sign-in and Graph hosts of the
// national clouds (learn.microsoft.com/graph/deployments), plus hosts the operator lists in the environment;
// and only variables named for this connection.

/** Sign-in authorities and Graph hosts of Microsoft's clouds: global, US Government (L4, L5/DoD), China. */
export const MICROSOFT_CLOUD_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/**
 * `CRM_M365_ALLOWED_HOSTS`: comma list of `host` or `host:port` the operator also allows (a proxy, a local
 * emulator), always over https.
 */
function operatorHosts(env: SecretEnv): string[] {
  return (env.CRM_M365_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Why this URL may not be used for the connection, or null when it may: https to a Microsoft cloud host, or
 * https to a host the operator listed.
 */
export function serviceHostProblem(u: URL, env: SecretEnv): string | null {
  const host = u.hostname.toLowerCase();
  const listed = operatorHosts(env).some((h) => h === host || h === u.host.toLowerCase());
  // Always https: @azure/identity refuses any other authority and the Graph SDK reads only https URLs.
  if (u.protocol !== 'https:') return 'Must be https';
  if (MICROSOFT_CLOUD_HOSTS.has(host) || listed) return null;
  return "Not a Microsoft cloud host: the server's operator can allow others with CRM_M365_ALLOWED_HOSTS";
}

/**
 * True when the credential may be read from this variable: `CRM_GRAPH_CLIENT_SECRET` (the environment's own
 * connection) or `CRM_M365_*` (set by the operator for the saved connection), never another server secret.
 */
export const isM365SecretName = (name: string | null): name is string =>
  name !== null && new RegExp(M365_SECRET_ENV_PATTERN).test(name);
