import { SignInError } from './sign-in-error.ts';

// What the sign-in dialog page (auth-dialog.html) sends the pane through `messageParent`. The access token
// travels only this way, from our own origin to our own pane, and is kept in the pane's memory only.

/** The dialog's page, on the pane's own origin (Office requires the dialog's first page on the add-in's domain). */
export const DIALOG_PAGE = '/auth-dialog.html';

export type DialogResult =
  | { type: 'crm-sign-in'; ok: true; accessToken: string; expiresOn: number | null }
  | { type: 'crm-sign-in'; ok: false; errorCode: string; message: string };

/** Reads the dialog's message; a sign-in the dialog reports as failed, or a foreign message, throws. */
export function readDialogResult(message: string): { accessToken: string; expiresOn: number | null } {
  let parsed: Partial<DialogResult> & { type?: unknown };
  try {
    parsed = JSON.parse(message);
  } catch {
    throw new SignInError('failed', 'The sign-in window sent an unreadable answer');
  }
  if (parsed?.type !== 'crm-sign-in') throw new SignInError('failed', 'The sign-in window sent no sign-in');
  if (parsed.ok === true && typeof parsed.accessToken === 'string' && parsed.accessToken !== '')
    return {
      accessToken: parsed.accessToken,
      expiresOn: typeof parsed.expiresOn === 'number' ? parsed.expiresOn : null,
    };
  const failed = parsed as { errorCode?: unknown; message?: unknown };
  const code = typeof failed.errorCode === 'string' ? failed.errorCode : 'failed';
  throw new SignInError(
    code === 'user_cancelled' || code === 'access_denied' ? 'cancelled' : 'failed',
    typeof failed.message === 'string' ? failed.message : 'Sign-in failed in the sign-in window',
    code,
  );
}
