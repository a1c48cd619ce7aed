import { DIALOG_ERRORS } from '../office/office-auth.ts';
import { OfficeError } from '../office/office-host.ts';
import { TokenTimeoutError } from './token-call.ts';

/**
 * Why a Microsoft 365 sign-in did not complete, in terms the pane can explain and offer a way forward for
 * (SignIn.tsx): Office dialog codes 12004/12005/12006/12007/12009/12011 (and 12002/12003 as a failed page),
 * a timeout, the user cancelling, no network, or anything else.
 */
export type SignInFailure =
  | 'untrusted-domain'
  | 'http'
  | 'closed'
  | 'already-open'
  | 'ignored'
  | 'popup-blocked'
  | 'timeout'
  | 'cancelled'
  | 'no-network'
  | 'failed';

export class SignInError extends Error {
  readonly reason: SignInFailure;
  /** Office's dialog code or MSAL's error code, for support; never a token. */
  readonly code: string | null;
  constructor(reason: SignInFailure, message: string, code: string | null = null) {
    super(message);
    this.name = 'SignInError';
    this.reason = reason;
    this.code = code;
  }
}

const BY_DIALOG_CODE: Record<number, SignInFailure> = {
  [DIALOG_ERRORS.untrustedDomain]: 'untrusted-domain',
  [DIALOG_ERRORS.httpNotAllowed]: 'http',
  [DIALOG_ERRORS.httpInsideHttps]: 'http',
  [DIALOG_ERRORS.closed]: 'closed',
  [DIALOG_ERRORS.alreadyOpen]: 'already-open',
  [DIALOG_ERRORS.ignored]: 'ignored',
  [DIALOG_ERRORS.popupBlocked]: 'popup-blocked',
};

// MSAL's error codes (AuthError.errorCode) that mean the same to the user.
const BY_MSAL_CODE: Record<string, SignInFailure> = {
  user_cancelled: 'cancelled',
  popup_window_error: 'popup-blocked',
  empty_window_error: 'popup-blocked',
  no_network_connectivity: 'no-network',
  timed_out: 'timeout',
  monitor_window_timeout: 'timeout',
};

/** MSAL's `errorCode` of an error, without importing MSAL (it is loaded only in Entra mode). */
export const msalErrorCode = (err: unknown): string | null => {
  const code = (err as { errorCode?: unknown } | null)?.errorCode;
  return typeof code === 'string' && code !== '' ? code : null;
};

/** Turns whatever a sign-in step threw into a {@link SignInError}. */
export function toSignInError(err: unknown): SignInError {
  if (err instanceof SignInError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof TokenTimeoutError) return new SignInError('timeout', message);
  if (err instanceof OfficeError) {
    if (err.code === null) return new SignInError('timeout', message);
    return new SignInError(BY_DIALOG_CODE[err.code] ?? 'failed', message, String(err.code));
  }
  const code = msalErrorCode(err);
  if (code) return new SignInError(BY_MSAL_CODE[code] ?? 'failed', message, code);
  return new SignInError('failed', message);
}
