import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { call, client } from '../../lib/api';
import { useSession } from '../../lib/directory';
import { errorMessage, invalidLink } from '../../lib/errors';
import { getSession, updateUser } from '../../lib/session';
import type { User } from '../../lib/types';
import { AuthLayout } from './AuthLayout';
import { ResendLink } from './ResendLink';

/** One request per link, however often the page mounts: a link works only once. */
const confirming = new Map<string, Promise<User>>();

function confirm(token: string): Promise<User> {
  let answer = confirming.get(token);
  if (!answer) {
    answer = call(client.POST('/api/v1/auth/verify-email', { body: { token } }));
    confirming.set(token, answer);
  }
  return answer;
}

/**
 * The link emailed to confirm an address (after signing up, or to change it): it is used as
 * soon as the page opens. Signed in here, the session learns the news at once, and so do the
 * app's other tabs.
 */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const session = useSession();
  const [result, setResult] = useState<{ user?: User; error?: unknown }>({});

  useEffect(() => {
    if (!token) return;
    let live = true;
    confirm(token).then(
      (user) => {
        if (getSession()?.user.id === user.id) updateUser(user);
        if (live) setResult({ user });
      },
      (error: unknown) => live && setResult({ error }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  if (result.user) {
    return (
      <AuthLayout title="Email address confirmed" subtitle={`${result.user.email} is confirmed as your address.`}>
        {session ? (
          <Link className="button primary" to="/" id="continueButton">
            Continue to Tandem
          </Link>
        ) : (
          <Link className="button primary" to="/login" id="continueButton">
            Log in
          </Link>
        )}
      </AuthLayout>
    );
  }

  if (token && !('error' in result)) {
    return (
      <AuthLayout title="Confirming your address" subtitle="One moment…">
        <p className="muted" aria-busy="true">
          Checking the link…
        </p>
      </AuthLayout>
    );
  }

  const stale = !token || invalidLink(result.error) !== undefined;
  const me = session?.user;
  return (
    <AuthLayout title={stale ? 'This link no longer works' : 'Your address could not be confirmed'} subtitle="Confirmation links work once, and only the latest one.">
      <p className="form-error" role="alert">
        {stale ? 'The link may have been used already, replaced by a newer one, or have expired.' : errorMessage(result.error)}
      </p>
      {me && me.email_verified !== false ? (
        <>
          <p>
            Your address, <strong>{me.email}</strong>, is confirmed. To change it, ask for a new link from your <Link to="/profile">profile</Link>.
          </p>
          <Link className="button primary" to="/">
            Continue to Tandem
          </Link>
        </>
      ) : me ? (
        <>
          <p>Ask for a new link to {me.email}; it replaces the earlier ones.</p>
          <ResendLink email={me.email} primary />
        </>
      ) : (
        <p className="auth-switch">
          <Link to="/login">Log in</Link> to ask for a new link.
        </p>
      )}
    </AuthLayout>
  );
}
