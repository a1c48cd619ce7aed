import { AuthConfig } from '@crm/shared';
import type { ApiApp } from '../../app.ts';
import type { Config } from '../../config.ts';

/**
 * GET /auth/config (public): what the pane needs before anyone is signed in — whether the demo-user picker
 * is on, and the Entra ID client id, authority and API scope for MSAL. Public values of the configuration
 * only (they are in every sign-in request anyway).
 */
export async function authConfigRoutes(app: ApiApp, opts: { config: Pick<Config, 'devAuth' | 'entra'> }) {
  const { devAuth, entra } = opts.config;
  const body = {
    devSignIn: devAuth,
    entra: entra
      ? { clientId: entra.spaClientId, authority: entra.signInAuthority, scopes: [entra.signInScope] }
      : null,
  };
  app.get(
    '/auth/config',
    { config: { public: true }, schema: { tags: ['auth'], response: { 200: AuthConfig } } },
    async () => body,
  );
}
