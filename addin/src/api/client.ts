import { ApiError } from './api-error.ts';
import { auth } from './auth.ts';

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Read the answer as bytes (a download) instead of JSON. */
  as?: 'json' | 'blob';
  /** `Idempotency-Key` of a create: a retry with the same key returns the first result, never a duplicate. */
  idempotencyKey?: string;
};

/**
 * Calls `/api/v1{path}` with the bearer token. Every non-2xx becomes an `ApiError`. A 401 gets one more
 * try with a token renewed without the user (an Entra token the server no longer takes); a second 401, or
 * no way to renew, signs the user out so the pane returns to sign-in, saying why.
 */
export async function apiRequest<T>(path: string, opts: RequestOptions = {}, renewed = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = await auth.accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : 'Network error', null, null);
  }
  if (!res.ok) {
    const error = await ApiError.fromResponse(res);
    if (res.status === 401) {
      // Refused before any work was done: repeating the request (even a POST) is safe, once.
      if (!renewed && token && (await auth.renewAfterRejection(token))) return apiRequest(path, opts, true);
      auth.signOut(error);
    }
    throw error;
  }
  if (opts.as === 'blob') return (await res.blob()) as T;
  // 204 No Content (DELETE): nothing to parse.
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
