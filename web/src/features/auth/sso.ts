// Single sign-on through the organization's identity provider (OpenID Connect): the sign-in
// buttons for an address, the errors the server sends the browser back to login with, and the
// one-time ticket `/login/sso` exchanges for the session.
import { useEffect, useState } from 'react';
import { call, client } from '../../lib/api';
import { startSession } from '../../lib/session';
import type { AuthResponse } from '../../lib/types';
import type { components } from '@tandem/client';

export type SsoButton = components['schemas']['SsoButton'];

/** How long typing pauses before the address is looked up. */
export const LOOKUP_DELAY_MS = 300;

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Only paths of this server: a button never leads the browser anywhere else by itself. */
function samePath(url: string): boolean {
  return url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\');
}

/**
 * The sign-in buttons for what is typed in the login field: none until it is a whole address,
 * then those of the organization owning its domain (often none). Looked up once typing pauses;
 * a failed lookup shows none, and the password works as always.
 */
export function useSsoButtons(typed: string): SsoButton[] {
  const email = typed.trim();
  const address = ADDRESS.test(email) ? email : null;
  const [found, setFound] = useState<{ email: string; providers: SsoButton[] } | null>(null);
  useEffect(() => {
    if (!address) return;
    let live = true;
    const timer = setTimeout(() => {
      call(client.GET('/api/v1/auth/sso/providers', { params: { query: { email: address } } })).then(
        ({ providers }) => live && setFound({ email: address, providers: providers.filter((p) => samePath(p.start_url)) }),
        () => live && setFound({ email: address, providers: [] }),
      );
    }, LOOKUP_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [address]);
  return found && found.email === address ? found.providers : [];
}

// What the login page knew before the browser left for the provider, for when it comes back:
// the address (filled in again after a refusal) and where to go once signed in. Per tab.
const ATTEMPT = 'tandem.sso';

interface Attempt {
  email: string;
  next: string;
}

function readAttempt(): Attempt | null {
  try {
    const raw = sessionStorage.getItem(ATTEMPT);
    return raw ? (JSON.parse(raw) as Attempt) : null;
  } catch {
    return null;
  }
}

/** Sends the browser to the provider (a full page load: it redirects to another site). */
export function signInWith(button: SsoButton, attempt: Attempt) {
  try {
    sessionStorage.setItem(ATTEMPT, JSON.stringify(attempt));
  } catch {
    // Storage refused: the sign-in works without it.
  }
  window.location.assign(button.start_url);
}

/** The address of the last attempt in this tab, to fill in again after a refusal. */
export function lastAttemptEmail(): string {
  return readAttempt()?.email ?? '';
}

/** Where the app goes after a sign-in through the provider (once: the attempt is forgotten). */
export function takeNext(): string {
  const next = readAttempt()?.next;
  try {
    sessionStorage.removeItem(ATTEMPT);
  } catch {
    // nothing kept
  }
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** What to say when the server sent the browser back to login with `?sso_error=<code>`. */
export function ssoErrorMessage(code: string): string {
  switch (code) {
    case 'sso_email_unverified':
      return 'Your identity provider has not verified your email address, so it cannot sign you in to Tandem. Verify the address there, or log in with your password.';
    case 'sso_domain_not_allowed':
      return 'Your organization’s identity provider may not sign in addresses at your email’s domain. Ask an admin of your organization, or log in with your password.';
    case 'account_in_other_organization':
      return 'Your email address has an account in another organization on Tandem, which this identity provider cannot sign you in to. Log in to that account with your password.';
    case 'sso_provider_error':
      return 'The identity provider could not complete the sign-in. Try again; if it keeps failing, ask an admin of your organization.';
    case 'validation_failed':
      return 'That sign-in took too long or was already used. Start again.';
    case 'not_found':
      return 'That sign-in option no longer exists. Ask an admin of your organization, or log in with your password.';
    case 'account_disabled':
      return 'Your account has been deactivated. Ask an admin of your organization to reactivate it.';
    case 'rate_limited':
      return 'Too many sign-in attempts. Wait a minute, then try again.';
    default:
      return 'Single sign-on did not work. Try again, or log in with your password.';
  }
}

/** One exchange per ticket, however often the page mounts: a ticket works only once. */
const exchanging = new Map<string, Promise<AuthResponse>>();

/** Exchanges the ticket of `/login/sso` for tokens and starts the session with them. */
export function exchangeTicket(ticket: string): Promise<AuthResponse> {
  let answer = exchanging.get(ticket);
  if (!answer) {
    answer = call(client.POST('/api/v1/auth/sso/complete', { body: { ticket } })).then((auth) => {
      startSession(auth);
      return auth;
    });
    exchanging.set(ticket, answer);
  }
  return answer;
}
