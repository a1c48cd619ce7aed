import { ApiError } from './api-error.ts';
import { auth } from './auth.ts';

type RequestOptions = { method?: 'GET' | 'POST' | 'PATCH'; body?: unknown; signal?: AbortSignal };

/**
 * Calls `/api/v1{path}` with the bearer token. Every non-2xx becomes an `ApiError`; a 401 also signs the
 * user out so the pane returns to sign-in.
 */
export async function apiRequest<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = auth.getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
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
    if (res.status === 401) auth.signOut();
    throw error;
  }
  return (await res.json()) as T;
}
