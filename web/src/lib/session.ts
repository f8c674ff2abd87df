// The signed-in session: tokens and user, kept in localStorage (shared by the app's tabs),
// refreshed before they expire and on demand after a 401. One refresh runs at a time.
import { ApiError } from './errors';
import type { AuthResponse, User } from './types';

export interface Session {
  accessToken: string;
  refreshToken: string;
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
    refreshToken: auth.refresh_token,
    expiresAt: Date.now() + auth.expires_in * 1000,
    user: auth.user,
  };
}

/**
 * Exchanges the refresh token for a new pair. Resolves to the new session, or to null when
 * the session cannot go on (the refresh token was refused): the session then ends as expired.
 * Network failures throw and keep the session.
 */
export function refresh(): Promise<Session | null> {
  if (refreshing) return refreshing;
  const session = current;
  if (!session) return Promise.resolve(null);
  refreshing = (async () => {
    const response = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: session.refreshToken }),
    }).catch(() => {
      throw new ApiError(0, { code: 'network_error', message: 'Could not reach the server.' });
    });
    // Another tab may have refreshed first and spent this token: take its session.
    const stored = read();
    if (!response.ok) {
      if (stored && stored.refreshToken !== session.refreshToken) {
        set(stored, 'changed');
        return stored;
      }
      if (response.status >= 500) throw ApiError.from(response.status, await response.json().catch(() => null));
      endSession('expired');
      return null;
    }
    const next = fromAuth((await response.json()) as AuthResponse);
    set(next, 'changed');
    return next;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
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
