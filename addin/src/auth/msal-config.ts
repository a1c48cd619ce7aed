import type { Configuration } from '@azure/msal-browser';
import type { AuthConfigDto } from '@crm/shared';
import { DIALOG_PAGE } from './dialog-message.ts';

/** What the server says about Entra ID sign-in (GET /api/v1/auth/config). */
export type EntraSettings = NonNullable<AuthConfigDto['entra']>;

/** The sign-in page's address on the pane's own origin: the Office dialog's page and MSAL's redirect URI. */
export const dialogUrl = (): string => `${window.location.origin}${DIALOG_PAGE}`;

/**
 * MSAL configuration. `knownAuthorities` holds the authority's host so MSAL does not call
 * login.microsoftonline.com's instance discovery first (national clouds, private endpoints). The logger
 * stays silent: MSAL's messages may carry personal data, and nothing of ours logs a token.
 */
export function msalConfiguration(
  s: EntraSettings,
  cacheLocation: 'memoryStorage' | 'sessionStorage',
  redirectUri?: string,
): Configuration {
  return {
    auth: {
      clientId: s.clientId,
      authority: s.authority,
      knownAuthorities: [new URL(s.authority).host],
      ...(redirectUri ? { redirectUri } : {}),
    },
    cache: { cacheLocation },
    system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } },
  };
}
