import type { AuthenticationResult, IPublicClientApplication } from '@azure/msal-browser';
import { openDialogForMessage } from '../office/office-auth.ts';
import { readDialogResult } from './dialog-message.ts';
import { dialogUrl, type EntraSettings, msalConfiguration } from './msal-config.ts';
import { msalErrorCode, toSignInError } from './sign-in-error.ts';
import { TokenTimeoutError, tokenCall, withTimeout } from './token-call.ts';

// Microsoft Entra ID sign-in for the pane (microsoft.md, "Sign-in"), in one of three ways:
// - `naa`: inside an Outlook that offers nested app authentication — MSAL's nestable client asks the host;
// - `dialog`: inside an Outlook without it — the Office dialog opens auth-dialog.html, which signs in with a
//   redirect and sends the result back with messageParent;
// - `redirect`: a plain browser tab (preview mode, "open in a browser tab") — MSAL redirect on the page.
// MSAL is imported on demand: dev sign-in and the demo never load it.

export type EntraMode = 'naa' | 'dialog' | 'redirect';
/** An access token for our API; `expiresOn` in epoch ms (null: unknown). */
export type EntraToken = { accessToken: string; expiresOn: number | null };

/** One way of getting tokens; every call is bounded in time and retried at most once. */
export type EntraClient = {
  mode: EntraMode;
  /** A token without user interaction, or null when the user must act (sign in, consent). */
  silent(opts?: { forceRefresh?: boolean }): Promise<EntraToken | null>;
  /** A token with the user's help: the host's popup, the Office dialog, or a page redirect (never resolves). */
  interactive(): Promise<EntraToken>;
  /** Forgets MSAL's cached account and tokens for this page. */
  forget(): Promise<void>;
};

/** Time limits. Silent calls are machine to machine; interactive ones wait for a person (MFA included). */
export const TIMEOUTS = { silentMs: 15_000, interactiveMs: 180_000, dialogMs: 300_000 };

/** One more try is worth it after a timeout or a network/transient failure, never after a refusal. */
const transient = (err: unknown) =>
  err instanceof TokenTimeoutError ||
  ['no_network_connectivity', 'temporarily_unavailable', 'network_error'].includes(msalErrorCode(err) ?? '');
const once = () => false;

const toToken = (r: AuthenticationResult): EntraToken => ({
  accessToken: r.accessToken,
  expiresOn: r.expiresOn ? r.expiresOn.getTime() : null,
});

/** Signs in through the Office dialog (auth-dialog.html) and reads the token from its message. */
async function signInWithDialog(): Promise<EntraToken> {
  const message = await openDialogForMessage(dialogUrl(), {
    height: 60,
    width: 30,
    timeoutMs: TIMEOUTS.dialogMs,
    expectedOrigin: window.location.origin,
  });
  return readDialogResult(message);
}

async function silentWith(
  pca: IPublicClientApplication,
  s: EntraSettings,
  forceRefresh: boolean,
  isInteractionRequired: (err: unknown) => boolean,
): Promise<EntraToken | null> {
  try {
    const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
    const result = await tokenCall(
      'acquireTokenSilent',
      () => pca.acquireTokenSilent({ scopes: s.scopes, forceRefresh, ...(account ? { account } : {}) }),
      { timeoutMs: TIMEOUTS.silentMs, retryIf: transient },
    );
    return toToken(result);
  } catch (err) {
    if (isInteractionRequired(err)) return null;
    throw err;
  }
}

/**
 * Creates the client for `mode`. For `naa`, MSAL's nestable factory asks the host for its bridge; if the host
 * gives none after all, MSAL returns a plain browser client whose popups Office blocks — then, as when the
 * host's popup is blocked, interactive sign-in goes through the Office dialog. For `redirect`, a pending
 * redirect answer is processed here.
 */
export async function createEntraClient(s: EntraSettings, mode: EntraMode): Promise<EntraClient> {
  const dialogClient: EntraClient = {
    mode: 'dialog',
    silent: async () => null, // the dialog's tokens live in the pane's memory only
    interactive: () =>
      tokenCall('Office dialog sign-in', signInWithDialog, {
        timeoutMs: TIMEOUTS.dialogMs + 5_000,
        retryIf: once,
      }),
    forget: async () => {},
  };
  if (mode === 'dialog') return dialogClient;

  const msal = await import('@azure/msal-browser');
  const interactionRequired = (err: unknown) =>
    err instanceof msal.InteractionRequiredAuthError ||
    ['no_account_error', 'no_tokens_found', 'interaction_required'].includes(msalErrorCode(err) ?? '');

  if (mode === 'naa') {
    const pca = await withTimeout(
      'nested app authentication',
      msal.createNestablePublicClientApplication(msalConfiguration(s, 'memoryStorage')),
      TIMEOUTS.silentMs,
    );
    // Without the host's bridge the factory returned a plain browser client, whose popups Office blocks.
    if (typeof (window as { nestedAppAuthBridge?: unknown }).nestedAppAuthBridge === 'undefined')
      return dialogClient;
    return {
      mode,
      silent: (opts = {}) => silentWith(pca, s, opts.forceRefresh ?? false, interactionRequired),
      async interactive() {
        try {
          const result = await tokenCall(
            'acquireTokenPopup',
            () => pca.acquireTokenPopup({ scopes: s.scopes }),
            {
              timeoutMs: TIMEOUTS.interactiveMs,
              retryIf: once,
            },
          );
          return toToken(result);
        } catch (err) {
          // Popups blocked inside Office, or the host's bridge went away: the Office dialog still works.
          const code = msalErrorCode(err);
          if (toSignInError(err).reason === 'popup-blocked' || code === 'nested_app_auth_bridge_disabled')
            return dialogClient.interactive();
          throw err;
        }
      },
      forget: () => pca.clearCache().catch(() => {}),
    };
  }

  // A plain tab: MSAL's cache in sessionStorage, which a redirect round trip needs (it dies with the tab).
  const pca = await withTimeout(
    'MSAL start',
    msal.createStandardPublicClientApplication(msalConfiguration(s, 'sessionStorage', dialogUrl())),
    TIMEOUTS.silentMs,
  );
  const answered = await withTimeout('redirect answer', pca.handleRedirectPromise(), TIMEOUTS.silentMs);
  if (answered?.account) pca.setActiveAccount(answered.account);
  return {
    mode,
    silent: (opts = {}) => silentWith(pca, s, opts.forceRefresh ?? false, interactionRequired),
    async interactive() {
      await pca.loginRedirect({ scopes: s.scopes, redirectUri: dialogUrl() });
      return new Promise<never>(() => {}); // the page navigates to the authority
    },
    forget: () => pca.clearCache().catch(() => {}),
  };
}
