import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readDialogResult } from '../../addin/src/auth/dialog-message.ts';
import type { EntraClient, EntraMode, EntraToken } from '../../addin/src/auth/entra.ts';
import { SignInError, toSignInError } from '../../addin/src/auth/sign-in-error.ts';
import { TokenTimeoutError, tokenCall } from '../../addin/src/auth/token-call.ts';
import { openDialogForMessage } from '../../addin/src/office/office-auth.ts';
import { OfficeError } from '../../addin/src/office/office-host.ts';

// The pane's sign-in pieces without a browser: every token call bounded in time and retried at most once,
// Office dialog errors and MSAL errors turned into what the user is told, the dialog adapter, and the auth
// module's answer to a 401 (one silent renewal, then the sign-in screen with the reason).

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('every token call has a timeout and at most one retry', () => {
  it('gives up after one retry when the call hangs both times (office-js#6449)', async () => {
    vi.useFakeTimers();
    const call = vi.fn(() => new Promise<string>(() => {}));
    const outcome = tokenCall('acquireTokenSilent', call, { timeoutMs: 15_000 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(call).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(15_000);
    const err = await outcome;
    expect(err).toBeInstanceOf(TokenTimeoutError);
    expect((err as Error).message).toBe('acquireTokenSilent did not answer within 15 s');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledTimes(2); // no loop
  });

  it('returns the retry’s token when only the first call hung', async () => {
    vi.useFakeTimers();
    let n = 0;
    const call = vi.fn(() => (++n === 1 ? new Promise<string>(() => {}) : Promise.resolve('token-2')));
    const outcome = tokenCall('acquireTokenSilent', call, { timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(outcome).resolves.toBe('token-2');
  });

  it('retries a failure the caller calls transient once, and never one it does not', async () => {
    const transient = Object.assign(new Error('offline'), { errorCode: 'no_network_connectivity' });
    const flaky = vi.fn().mockRejectedValueOnce(transient).mockResolvedValueOnce('ok');
    await expect(
      tokenCall('silent', flaky, {
        timeoutMs: 1000,
        retryIf: (e) => (e as { errorCode?: string }).errorCode === 'no_network_connectivity',
      }),
    ).resolves.toBe('ok');
    expect(flaky).toHaveBeenCalledTimes(2);

    const refused = vi.fn().mockRejectedValue(new Error('consent_required'));
    await expect(tokenCall('silent', refused, { timeoutMs: 1000 })).rejects.toThrow('consent_required');
    expect(refused).toHaveBeenCalledTimes(1);

    // Interactive calls are answered by a person: a timeout is not retried behind their back.
    vi.useFakeTimers();
    const popup = vi.fn(() => new Promise<string>(() => {}));
    const outcome = tokenCall('acquireTokenPopup', popup, { timeoutMs: 500, retryIf: () => false }).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(await outcome).toBeInstanceOf(TokenTimeoutError);
    expect(popup).toHaveBeenCalledTimes(1);
  });
});

describe('sign-in failures are named for the user', () => {
  it('maps each Office dialog error code to its reason', () => {
    const reasons = Object.fromEntries(
      [12002, 12003, 12004, 12005, 12006, 12007, 12009, 12011, 5001].map((code) => [
        code,
        toSignInError(new OfficeError({ code, message: 'x' }, 'displayDialogAsync')).reason,
      ]),
    );
    expect(reasons).toEqual({
      12002: 'failed',
      12003: 'http',
      12004: 'untrusted-domain',
      12005: 'http',
      12006: 'closed',
      12007: 'already-open',
      12009: 'ignored',
      12011: 'popup-blocked',
      5001: 'failed',
    });
    expect(toSignInError(new OfficeError({ code: 12011 }, 'dialog')).code).toBe('12011');
  });

  it('maps timeouts and MSAL’s error codes, and keeps anything else as a plain failure', () => {
    const msal = (errorCode: string) => Object.assign(new Error(errorCode), { errorCode });
    expect(toSignInError(new TokenTimeoutError('acquireTokenSilent', 15_000)).reason).toBe('timeout');
    expect(toSignInError(new OfficeError(undefined, 'dialog')).reason).toBe('timeout'); // our dialog timer
    expect(toSignInError(msal('user_cancelled')).reason).toBe('cancelled');
    expect(toSignInError(msal('popup_window_error')).reason).toBe('popup-blocked');
    expect(toSignInError(msal('empty_window_error')).reason).toBe('popup-blocked');
    expect(toSignInError(msal('no_network_connectivity')).reason).toBe('no-network');
    expect(toSignInError(msal('invalid_grant'))).toMatchObject({ reason: 'failed', code: 'invalid_grant' });
    expect(toSignInError('boom')).toMatchObject({ reason: 'failed', message: 'boom' });
  });

  it('reads the dialog page’s answer, and refuses a foreign or failed one', () => {
    const ok = JSON.stringify({ type: 'crm-sign-in', ok: true, accessToken: 'a.b.c', expiresOn: 1234 });
    expect(readDialogResult(ok)).toEqual({ accessToken: 'a.b.c', expiresOn: 1234 });
    expect(() => readDialogResult('not json')).toThrow(SignInError);
    expect(() => readDialogResult(JSON.stringify({ type: 'other', accessToken: 'x' }))).toThrow(
      'The sign-in window sent no sign-in',
    );
    const cancelled = JSON.stringify({
      type: 'crm-sign-in',
      ok: false,
      errorCode: 'access_denied',
      message: 'AADSTS65004: User declined to consent',
    });
    expect(() => readDialogResult(cancelled)).toThrow(
      expect.objectContaining({ reason: 'cancelled', code: 'access_denied' }),
    );
  });
});

type Handler = (arg: { message: string; origin: string | undefined } | { error: number }) => void;

/** An Office global with the dialog API, whose dialog is driven by the test. */
function officeWithDialog(open: { error?: number } = {}) {
  const handlers = new Map<string, Handler>();
  const dialog = {
    closed: 0,
    close() {
      this.closed++;
    },
    addEventHandler(type: string, h: Handler) {
      handlers.set(type, h);
    },
  };
  vi.stubGlobal('Office', {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
    context: {
      ui: {
        displayDialogAsync(_url: string, _opts: unknown, cb: (r: unknown) => void) {
          setTimeout(() =>
            cb(
              open.error
                ? { status: 'failed', error: { code: open.error, message: 'refused' } }
                : { status: 'succeeded', value: dialog },
            ),
          );
        },
      },
    },
  });
  const fire = (type: string, arg: Parameters<Handler>[0]) => handlers.get(type)?.(arg);
  return { dialog, fire };
}

const DIALOG = { height: 60, width: 30, timeoutMs: 5000, expectedOrigin: 'https://crm.bank.example' };
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('the Office dialog adapter', () => {
  it('rejects with Office’s code when the dialog cannot open', async () => {
    officeWithDialog({ error: 12011 });
    await expect(
      openDialogForMessage('https://crm.bank.example/auth-dialog.html', DIALOG),
    ).rejects.toMatchObject({ name: 'OfficeError', code: 12011 });
  });

  it('resolves with the first message from our origin and closes the dialog', async () => {
    const { dialog, fire } = officeWithDialog();
    const answer = openDialogForMessage('https://crm.bank.example/auth-dialog.html', DIALOG);
    await tick();
    fire('dialogMessageReceived', { message: 'from elsewhere', origin: 'https://evil.example' });
    fire('dialogMessageReceived', { message: 'ours', origin: 'https://crm.bank.example' });
    await expect(answer).resolves.toBe('ours');
    expect(dialog.closed).toBe(1);
  });

  it('rejects with 12006 when the user closes the dialog, and times out (closing it) when nothing comes', async () => {
    const first = officeWithDialog();
    const closed = openDialogForMessage('https://crm.bank.example/auth-dialog.html', DIALOG);
    await tick();
    first.fire('dialogEventReceived', { error: 12006 });
    await expect(closed).rejects.toMatchObject({ code: 12006 });

    vi.useFakeTimers();
    const second = officeWithDialog();
    const silent = openDialogForMessage('https://crm.bank.example/auth-dialog.html', DIALOG).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(await silent).toMatchObject({ name: 'OfficeError', code: null });
    expect(second.dialog.closed).toBe(1);
  });
});

/** A fake MSAL-backed client: `silent` answers from the queue; counts the calls. */
function fakeEntra(mode: EntraMode, silent: (EntraToken | null)[]) {
  const calls = { silent: [] as { forceRefresh?: boolean }[], interactive: 0 };
  const client: EntraClient = {
    mode,
    silent: async (opts = {}) => {
      calls.silent.push(opts);
      return silent.shift() ?? null;
    },
    interactive: async () => {
      calls.interactive++;
      return { accessToken: 'interactive.token.sig', expiresOn: null };
    },
    forget: async () => {},
  };
  return { client, calls };
}

/** A sessionStorage for Node, so the test can see what the auth module stores. */
function memoryStorage() {
  const m = new Map<string, string>();
  return {
    map: m,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const ENTRA = {
  devSignIn: false,
  entra: {
    clientId: '4f3e2d1c-0b9a-4887-a665-544332211000',
    authority: 'https://login.microsoftonline.com/organizations',
    scopes: ['api://b3c1a2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d/access_as_user'],
  },
};

describe('the auth module answers a 401', () => {
  let storage: ReturnType<typeof memoryStorage>;
  let sent: (string | null)[];
  beforeEach(() => {
    storage = memoryStorage();
    sent = [];
    vi.stubGlobal('sessionStorage', storage);
  });

  /** Loads the pane's auth module and API client over a fake server whose /me answers `me` in turn. */
  async function load(mode: EntraMode, silent: (EntraToken | null)[], me: number[]) {
    const fake = fakeEntra(mode, silent);
    vi.doMock('../../addin/src/auth/entra.ts', () => ({ createEntraClient: async () => fake.client }));
    vi.stubGlobal('Office', {
      context: {
        requirements: { isSetSupported: (name: string) => mode === 'naa' && name === 'NestedAppAuth' },
      },
    });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url === '/api/v1/auth/config') return json(200, ENTRA);
        sent.push((init?.headers as Record<string, string> | undefined)?.authorization ?? null);
        const status = me.shift() ?? 200;
        return status === 200
          ? json(200, { id: 'u1' })
          : json(status, { statusCode: status, code: 'TOKEN_EXPIRED', message: 'expired', requestId: 'r1' });
      }),
    );
    const { auth } = await import('../../addin/src/api/auth.ts');
    const { apiRequest } = await import('../../addin/src/api/client.ts');
    await auth.start({ inOffice: true });
    return { auth, apiRequest, calls: fake.calls };
  }

  const t = (n: number): EntraToken => ({ accessToken: `header.payload${n}.signature${n}`, expiresOn: null });

  it('renews the token silently once and repeats the request', async () => {
    const { auth, apiRequest, calls } = await load('naa', [t(1), t(2)], [401, 200]);
    expect(auth.getState()).toEqual({ status: 'signed-in', method: 'entra' });
    await expect(apiRequest('/me')).resolves.toEqual({ id: 'u1' });
    expect(sent).toEqual([`Bearer ${t(1).accessToken}`, `Bearer ${t(2).accessToken}`]);
    expect(calls.silent).toEqual([{}, { forceRefresh: true }]);
    expect(storage.map.size).toBe(0); // Entra tokens stay in memory
  });

  it('goes to the sign-in screen with the reason when the renewed token is refused too', async () => {
    const { auth, apiRequest, calls } = await load('naa', [t(1), t(2), t(3)], [401, 401]);
    await expect(apiRequest('/me')).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(sent).toHaveLength(2);
    expect(calls.silent).toHaveLength(2); // start + one renewal, no loop
    expect(auth.getToken()).toBeNull();
    expect(auth.getState()).toMatchObject({
      status: 'signed-out',
      entra: 'naa',
      error: expect.objectContaining({ code: 'TOKEN_EXPIRED' }),
    });
  });

  it('with the Office dialog, cannot renew without the user: the first 401 shows the sign-in', async () => {
    const { auth, apiRequest, calls } = await load('dialog', [], [401]);
    expect(auth.getState()).toMatchObject({ status: 'signed-out', entra: 'dialog', busy: false });
    expect(calls.interactive).toBe(0); // the dialog waits for the user's click
    await auth.signInWithMicrosoft();
    expect(calls.interactive).toBe(1);
    await expect(apiRequest('/me')).rejects.toMatchObject({ status: 401 });
    expect(sent).toEqual(['Bearer interactive.token.sig']);
    expect(auth.getState()).toMatchObject({ status: 'signed-out', entra: 'dialog' });
    expect(storage.map.size).toBe(0);
  });

  it('keeps a dev token in sessionStorage and drops it on a 401, as before', async () => {
    storage.setItem('crm.accessToken', 'dev.token.sig');
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url === '/api/v1/auth/config'
          ? json(200, { devSignIn: true, entra: null })
          : json(401, { statusCode: 401, code: 'TOKEN_INVALID', message: 'invalid', requestId: 'r2' }),
      ),
    );
    const { auth } = await import('../../addin/src/api/auth.ts');
    const { apiRequest } = await import('../../addin/src/api/client.ts');
    expect(auth.getToken()).toBe('dev.token.sig'); // signed in before the settings load
    await auth.start({ inOffice: false });
    await expect(apiRequest('/me')).rejects.toMatchObject({ status: 401 });
    expect(storage.getItem('crm.accessToken')).toBeNull();
    expect(auth.getState()).toMatchObject({ status: 'signed-out', dev: true, entra: null });
  });
});
