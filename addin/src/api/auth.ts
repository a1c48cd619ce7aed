import type { DevUserDto } from '@crm/shared';
import { ApiError } from './api-error.ts';

// The one place that obtains and keeps the access token. Only the dev sign-in exists for now; Entra ID
// nested app authentication (microsoft.md, "Sign-in") replaces `signInDev` here without touching the pane.

const STORAGE_KEY = 'crm.accessToken';
const listeners = new Set<() => void>();

function read(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked (some embedded browsers): sign in again each load
  }
}

let token: string | null = read();

function set(value: string | null) {
  token = value;
  try {
    if (value) sessionStorage.setItem(STORAGE_KEY, value);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage blocked: the in-memory token still works for this page */
  }
  for (const l of listeners) l();
}

export const auth = {
  /** The bearer token for API calls, or null when signed out. */
  getToken: (): string | null => token,
  /** React's useSyncExternalStore subscription. */
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
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
    set(body.accessToken);
  },
  /** Forgets the token (also on any 401): the pane shows the sign-in again. */
  signOut(): void {
    set(null);
  },
};
