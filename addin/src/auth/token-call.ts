// Every token call runs under a timeout and is retried at most once: Office's token APIs can hang forever
// when throttled (office-js#6449), and a loop of retries is how a pane freezes Outlook (microsoft.md).

/** A token call that did not settle within its time limit. */
export class TokenTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${Math.round(ms / 1000)} s`);
    this.name = 'TokenTimeoutError';
  }
}

/** Settles like `promise`, or rejects with {@link TokenTimeoutError} after `ms` (the call itself runs on). */
export function withTimeout<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TokenTimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type TokenCallOptions = {
  timeoutMs: number;
  /**
   * Whether a failure is worth one more try: by default a timeout only. Interactive calls pass
   * `() => false` (a person answers them; they retry by clicking).
   */
  retryIf?: (err: unknown) => boolean;
};

/**
 * Runs `call` under a timeout; when it fails in a way `retryIf` accepts, runs it exactly once more (also
 * under the timeout) and lets that outcome stand. Never loops.
 */
export async function tokenCall<T>(what: string, call: () => Promise<T>, opts: TokenCallOptions): Promise<T> {
  const retryIf = opts.retryIf ?? ((err: unknown) => err instanceof TokenTimeoutError);
  try {
    return await withTimeout(what, call(), opts.timeoutMs);
  } catch (err) {
    if (!retryIf(err)) throw err;
    return withTimeout(what, call(), opts.timeoutMs);
  }
}
