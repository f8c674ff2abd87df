// The signed-in session: the access token and user, kept in localStorage (shared by the app's
// tabs), refreshed before they expire and on demand after a 401. The refresh token never
// reaches a script: the server keeps it in an HttpOnly cookie (`Tandem-Refresh: cookie`, which
// the API client sends on every request). One refresh runs at a time across all tabs.
import { ApiError } from './errors';
import type { AuthResponse, User } from './types';

export interface Session {
  accessToken: string;
  /**
   * Only in sessions stored before the refresh token moved into the cookie: sent once to move
   * it there, then dropped.
   */
  refreshToken?: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  user: User;
}

type Listener = (session: Session | null, reason: 'changed' | 'expired' | 'signed_out') => void;

const KEY = 'tandem.session';
const listeners = new Set<Listener>();
let current: Session | null = read();
let refreshing: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let endedBecause: 'expired' | 'signed_out' | null = null;

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function set(session: Session | null, reason: Parameters<Listener>[1]) {
  current = session;
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  schedule();
  listeners.forEach((l) => l(session, reason));
}

/** Refreshes a minute before expiry, so requests rarely meet an expired token. */
function schedule() {
  clearTimeout(timer);
  if (!current) return;
  const wait = Math.max(current.expiresAt - Date.now() - 60_000, 5_000);
  timer = setTimeout(() => void refresh(), Math.min(wait, 2 ** 31 - 1));
}

export function getSession(): Session | null {
  return current;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function startSession(auth: AuthResponse) {
  endedBecause = null;
  set(fromAuth(auth), 'changed');
}

export function updateUser(user: User) {
  if (current) set({ ...current, user }, 'changed');
}

/** Ends the session locally; `expired` tells the login page to say so. */
export function endSession(reason: 'expired' | 'signed_out') {
  endedBecause = reason;
  set(null, reason);
}

/** Why the last session ended, for the login page to say so. */
export function sessionEndReason(): 'expired' | 'signed_out' | null {
  return endedBecause;
}

function fromAuth(auth: AuthResponse): Session {
  return {
    accessToken: auth.access_token,
    expiresAt: Date.now() + auth.expires_in * 1000,
    user: auth.user,
  };
}

/** The request header that keeps the refresh token in the server's HttpOnly cookie. */
export const REFRESH_COOKIE_HEADER = { 'tandem-refresh': 'cookie' } as const;

/**
 * Exchanges the refresh cookie for a new access token (and cookie). Resolves to the new
 * session, or to null when the session cannot go on (the cookie was refused): the session then
 * ends as expired. Network failures throw and keep the session.
 */
export function refresh(): Promise<Session | null> {
  if (refreshing) return refreshing;
  const session = current;
  if (!session) return Promise.resolve(null);
  refreshing = oneTabAtATime(() => renew(session)).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Runs `task` while no other tab of the app refreshes: the tabs share one cookie, and a refresh
 * token presented twice ends the session for all of them.
 */
function oneTabAtATime<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  // `request` is typed as a promise of the task's promise; awaiting it yields the value.
  return locks ? locks.request('tandem.refresh', task).then((result) => result) : task();
}

async function renew(session: Session): Promise<Session | null> {
  // Another tab refreshed while this one waited for its turn: take its tokens.
  const stored = read();
  if (stored && stored.accessToken !== session.accessToken && stored.expiresAt > Date.now() + 5_000) {
    set(stored, 'changed');
    return stored;
  }
  const legacy = session.refreshToken;
  const response = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: legacy ? { ...REFRESH_COOKIE_HEADER, 'content-type': 'application/json' } : REFRESH_COOKIE_HEADER,
    body: legacy ? JSON.stringify({ refresh_token: legacy }) : undefined,
  }).catch(() => {
    throw new ApiError(0, { code: 'network_error', message: 'Could not reach the server.' });
  });
  if (!response.ok) {
    if (response.status >= 500 || response.status === 429) {
      throw ApiError.from(response.status, await response.json().catch(() => null));
    }
    endSession('expired');
    return null;
  }
  const next = fromAuth((await response.json()) as AuthResponse);
  set(next, 'changed');
  return next;
}

// Another tab signed in, refreshed or signed out.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== KEY) return;
    const next = read();
    current = next;
    schedule();
    listeners.forEach((l) => l(next, next ? 'changed' : 'signed_out'));
  });
  schedule();
}

/**
 * Whether the account may be kept out of its organization until its address is confirmed:
 * someone who joined by their email's domain and has not opened the emailed link. Only the
 * server knows whether it requires that (its default does): it answers 403 `email_unverified`.
 * A founder (admin) is never kept out.
 */
export function awaitsConfirmation(user: User): boolean {
  return user.email_verified === false && user.role !== 'admin';
}

/**
 * What the client package's REST client and sockets need of the session: where Tandem is (the
 * page's own origin), the current access token, and how to renew it after a 401 or a 4401 close.
 */
export const sessionCredentials = {
  baseUrl: '',
  token: () => current?.accessToken,
  renew: async () => Boolean(await refresh()),
};
