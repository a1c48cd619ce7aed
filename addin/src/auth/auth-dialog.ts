import { createStandardPublicClientApplication } from '@azure/msal-browser';
import type { AuthConfigDto } from '@crm/shared';
import { messageParent, waitForOfficeDialog } from '../office/office-auth.ts';
import type { DialogResult } from './dialog-message.ts';
import { dialogUrl, msalConfiguration } from './msal-config.ts';
import { msalErrorCode } from './sign-in-error.ts';
import { withTimeout } from './token-call.ts';

// The sign-in page (auth-dialog.html), on the pane's own origin. Opened by the pane in an Office dialog:
// it signs in with MSAL's redirect flow (auth code + PKCE) and sends the access token to the pane with
// messageParent, then the pane closes it. Also MSAL's redirect URI for a sign-in in a plain browser tab:
// then MSAL takes the answer back to the page that asked. No React, no Fluent: a tiny bundle.

const ru = navigator.language.toLowerCase().startsWith('ru');
const TEXT = {
  signingIn: ru ? 'Вход в CRM…' : 'Signing in to the CRM…',
  done: ru ? 'Готово, окно можно закрыть.' : 'Done, you can close this window.',
  failed: ru ? 'Не удалось войти: ' : 'Sign-in failed: ',
};
const status = document.getElementById('status');
const show = (text: string) => {
  if (status) status.textContent = text;
};

async function send(result: DialogResult): Promise<void> {
  if (await waitForOfficeDialog()) messageParent(JSON.stringify(result));
  show(result.ok ? TEXT.done : `${TEXT.failed}${result.message}`);
}

async function main(): Promise<void> {
  show(TEXT.signingIn);
  const res = await withTimeout('auth config', fetch('/api/v1/auth/config'), 15_000);
  if (!res.ok) throw new Error(`The CRM server answered ${res.status}`);
  const entra = ((await res.json()) as AuthConfigDto).entra;
  if (!entra) throw new Error('Microsoft 365 sign-in is not configured on the CRM server');
  // sessionStorage: the redirect round trip must survive a page load; this window is thrown away after.
  const pca = await createStandardPublicClientApplication(
    msalConfiguration(entra, 'sessionStorage', dialogUrl()),
  );
  const answered = /[#&?](code|error)=/.test(`${window.location.hash}${window.location.search}`);
  const result = await pca.handleRedirectPromise();
  if (result) {
    await send({
      type: 'crm-sign-in',
      ok: true,
      accessToken: result.accessToken,
      expiresOn: result.expiresOn ? result.expiresOn.getTime() : null,
    });
    return;
  }
  // An answer MSAL did not process here belongs to a sign-in started in a browser tab: MSAL navigates there.
  if (answered) return;
  await pca.loginRedirect({ scopes: entra.scopes, redirectUri: dialogUrl() });
}

main().catch((err: unknown) =>
  send({
    type: 'crm-sign-in',
    ok: false,
    errorCode: msalErrorCode(err) ?? 'failed',
    message: err instanceof Error ? err.message : String(err),
  }),
);
