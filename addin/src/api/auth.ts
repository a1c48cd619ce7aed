import type { AuthConfigDto, DevUserDto } from '@crm/shared';
import type { EntraClient, EntraMode, EntraToken } from '../auth/entra.ts';
import { toSignInError } from '../auth/sign-in-error.ts';
import { tokenCall } from '../auth/token-call.ts';
import { isNestedAppAuthSupported } from '../office/office-auth.ts';
import { ApiError } from './api-error.ts';

// The one place that obtains and keeps the access token (the API client asks here, nothing else does).
// How, the server says (GET /api/v1/auth/config):
// - dev sign-in (demo users), only when the server enables it: the token in sessionStorage, as before;
// - Microsoft Entra ID (auth/entra.ts): nested app authentication inside an Outlook that offers it, else
//   the Office dialog, else (a plain tab) a redirect. Entra tokens are kept in this module's memory only
//   (MSAL's own cache: memory for NAA, sessionStorage for a browser tab's redirect), never logged.

export type SignInMethod = 'dev' | 'entra';

/** What the sign-in screen shows. */
export type AuthState =
  | { status: 'starting' }
  /** The sign-in settings could not be loaded (server down, network): retry with `auth.start`. */
  | { status: 'unavailable'; error: unknown }
  | {
      status: 'signed-out';
      /** The demo-user picker is offered. */
      dev: boolean;
      /** How a Microsoft 365 sign-in would run here; null: Entra ID is off. */
      entra: EntraMode | null;
      /** A sign-in is running (silent at start, or the user's). */
      busy: boolean;
      /** Why the last sign-in or the last token failed: a SignInError or an ApiError (e.g. 403, 401). */
      error: unknown;
    }
  | { status: 'signed-in'; method: SignInMethod };

const DEV_STORAGE_KEY = 'crm.accessToken';
/** Renew an Entra token this long before it expires. */
const RENEW_BEFORE_MS = 5 * 60_000;
const CONFIG_TIMEOUT_MS = 10_000;

type Held = { value: string; method: SignInMethod; expiresOn: number | null };

const listeners = new Set<() => void>();
let state: AuthState = { status: 'starting' };
let held: Held | null = null;
let config: AuthConfigDto | null = null;
let entra: Promise<EntraClient> | null = null;
let entraMode: EntraMode | null = null;
let renewing: Promise<string | null> | null = null;
let startedWith: { inOffice: boolean } = { inOffice: false };

function readDevToken(): string | null {
  try {
    return sessionStorage.getItem(DEV_STORAGE_KEY);
  } catch {
    return null; // storage blocked (some embedded browsers): sign in again each load
  }
}

function writeDevToken(value: string | null) {
  try {
    if (value) sessionStorage.setItem(DEV_STORAGE_KEY, value);
    else sessionStorage.removeItem(DEV_STORAGE_KEY);
  } catch {
    /* storage blocked: the in-memory token still works for this page */
  }
}

function emit() {
  for (const l of listeners) l();
}

function setState(next: AuthState) {
  state = next;
  emit();
}

function signedOut(patch: { busy?: boolean; error?: unknown } = {}): AuthState {
  return {
    status: 'signed-out',
    dev: config?.devSignIn ?? false,
    entra: entraMode,
    busy: patch.busy ?? false,
    error: patch.error ?? null,
  };
}

function hold(next: Held | null, error: unknown = null) {
  held = next;
  if (next?.method === 'dev' || next === null) writeDevToken(next?.value ?? null);
  setState(next ? { status: 'signed-in', method: next.method } : signedOut({ error }));
}

const holdEntra = (t: EntraToken) => hold({ value: t.accessToken, method: 'entra', expiresOn: t.expiresOn });

// A dev token from this tab's session signs in at once (before the settings load), as it always did.
const stored = readDevToken();
if (stored) {
  held = { value: stored, method: 'dev', expiresOn: null };
  state = { status: 'signed-in', method: 'dev' };
}

function entraClient(): Promise<EntraClient> {
  if (!config?.entra || !entraMode) return Promise.reject(new Error('Microsoft 365 sign-in is off'));
  if (!entra) {
    const settings = config.entra;
    const mode = entraMode;
    entra = import('../auth/entra.ts').then((m) => m.createEntraClient(settings, mode));
    entra.catch(() => {
      entra = null; // a failed start is tried again on the next sign-in
    });
  }
  return entra;
}

async function loadConfig(): Promise<AuthConfigDto> {
  return tokenCall(
    'sign-in settings',
    async () => {
      const res = await fetch('/api/v1/auth/config', { headers: { accept: 'application/json' } });
      if (!res.ok) throw await ApiError.fromResponse(res);
      return (await res.json()) as AuthConfigDto;
    },
    { timeoutMs: CONFIG_TIMEOUT_MS, retryIf: () => true },
  );
}

/** Silent Entra sign-in; resolves true when it produced a token. Failures end in the signed-out state. */
async function trySilent(): Promise<boolean> {
  setState(signedOut({ busy: true }));
  try {
    const client = await entraClient();
    const token = await client.silent();
    if (token) {
      holdEntra(token);
      return true;
    }
    // The user must act. The host's own popup (NAA) is tried at once, as Office recommends; a dialog or a
    // redirect waits for the user's click (pop-up blockers, and no surprise windows).
    if (client.mode === 'naa') return signInInteractive();
    setState(signedOut());
    return false;
  } catch (err) {
    setState(signedOut({ error: toSignInError(err) }));
    return false;
  }
}

/** Interactive Entra sign-in; with `silentFirst`, a token the host or MSAL can give without the user wins. */
async function signInInteractive(silentFirst = false): Promise<boolean> {
  setState(signedOut({ busy: true }));
  try {
    const client = await entraClient();
    const quiet = silentFirst ? await client.silent().catch(() => null) : null;
    holdEntra(quiet ?? (await client.interactive()));
    return true;
  } catch (err) {
    setState(signedOut({ error: toSignInError(err) }));
    return false;
  }
}

/**
 * A fresh Entra token without the user, once (shared by concurrent callers); null when that is not possible
 * here (dev sign-in, the Office dialog) or failed.
 */
function renewSilently(forceRefresh: boolean): Promise<string | null> {
  if (held?.method !== 'entra' || entraMode === 'dialog') return Promise.resolve(null);
  renewing ??= entraClient()
    .then((c) => c.silent({ forceRefresh }))
    .then(
      (t) => {
        if (t) holdEntra(t);
        return t?.accessToken ?? null;
      },
      () => null,
    )
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

export const auth = {
  /** The bearer token for API calls, or null when signed out. */
  getToken: (): string | null => held?.value ?? null,
  /** What the sign-in screen shows (React's useSyncExternalStore snapshot). */
  getState: (): AuthState => state,
  /** React's useSyncExternalStore subscription. */
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  /**
   * Loads the sign-in settings and signs in without the user where possible. `inOffice`: the pane runs in
   * Outlook (NAA when the host supports it, else the Office dialog); otherwise a plain browser tab.
   */
  async start(opts: { inOffice: boolean } = startedWith): Promise<void> {
    startedWith = opts;
    if (!held) setState({ status: 'starting' });
    try {
      config = await loadConfig();
    } catch (err) {
      if (!held) setState({ status: 'unavailable', error: err });
      return;
    }
    entraMode = config.entra
      ? opts.inOffice
        ? isNestedAppAuthSupported()
          ? 'naa'
          : 'dialog'
        : 'redirect'
      : null;
    if (held?.method === 'dev' && !config.devSignIn) hold(null); // the server no longer takes dev tokens
    if (held) return;
    if (entraMode) await auth.ensureSignedIn();
    else setState(signedOut());
  },

  /**
   * Resolves true when a token is held or could be obtained without the user (Entra silent sign-in);
   * false leaves the sign-in screen to the user.
   */
  async ensureSignedIn(): Promise<boolean> {
    if (held) return true;
    if (!entraMode) return false;
    return trySilent();
  },

  /**
   * "Sign in with Microsoft 365": silently when the host or MSAL's cache can, else the host's popup (NAA),
   * the Office dialog, or a redirect in a plain tab.
   */
  signInWithMicrosoft: (): Promise<boolean> => signInInteractive(true),

  /**
   * The token to send now: renewed silently when an Entra token is about to expire; null when signed out
   * (or the token expired and cannot be renewed without the user — then the sign-in screen shows).
   */
  async accessToken(): Promise<string | null> {
    const h = held;
    if (!h) return null;
    if (h.method !== 'entra' || h.expiresOn === null || h.expiresOn - Date.now() > RENEW_BEFORE_MS)
      return h.value;
    const fresh = await renewSilently(false);
    if (fresh) return fresh;
    if (h.expiresOn > Date.now()) return h.value;
    hold(null);
    return null;
  },

  /**
   * After the API refused `rejected` (401): a new token obtained once without the user, or null — then
   * the caller signs out. A token renewed meanwhile by another request is returned as is.
   */
  async renewAfterRejection(rejected: string): Promise<string | null> {
    if (held && held.value !== rejected) return held.value;
    return renewSilently(true);
  },

  /** Dev mode: lists the demo users offered by the server (public endpoint). */
  async devUsers(): Promise<DevUserDto[]> {
    const res = await fetch('/api/v1/dev/users', { headers: { accept: 'application/json' } });
    if (!res.ok) throw await ApiError.fromResponse(res);
    return res.json();
  },
  /** Dev mode: obtains a token for a demo user by email. */
  async signInDev(email: string): Promise<void> {
    const res = await fetch('/api/v1/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email }),
    });
    if (!res.ok) throw await ApiError.fromResponse(res);
    const body = (await res.json()) as { accessToken: string };
    hold({ value: body.accessToken, method: 'dev', expiresOn: null });
  },
  /**
   * Forgets the token (the user's "Sign out", or the API refusing it for good): the pane shows the sign-in
   * again, with `reason` when there is one. MSAL's cached Entra tokens for this page go too.
   */
  signOut(reason: unknown = null): void {
    const wasEntra = held?.method === 'entra';
    hold(null, reason);
    if (wasEntra && entra) void entra.then((c) => c.forget()).catch(() => {});
  },
};
