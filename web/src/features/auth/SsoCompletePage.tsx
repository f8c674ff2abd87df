import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage, invalidLink } from '../../lib/errors';
import { AuthLayout } from './AuthLayout';
import { exchangeTicket, ssoErrorMessage, takeNext } from './sso';

/**
 * Where the identity provider's sign-in lands (`/login/sso?ticket=…`): the ticket is exchanged
 * for the session at once, like a password login, and the app opens where the login page was
 * headed. A ticket works once, for a few minutes.
 */
export function SsoCompletePage() {
  const [params] = useSearchParams();
  const ticket = params.get('ticket') ?? '';
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!ticket) return;
    let live = true;
    exchangeTicket(ticket).then(
      () => live && navigate(takeNext(), { replace: true }),
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [ticket, navigate]);

  if (ticket && error === null) {
    return (
      <AuthLayout title="Signing you in" subtitle="One moment…">
        <p className="muted" aria-busy="true">
          Checking the sign-in…
        </p>
      </AuthLayout>
    );
  }

  const stale = !ticket || invalidLink(error) !== undefined;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <AuthLayout
      title={stale ? 'This sign-in link has expired or was already used' : 'You could not be signed in'}
      subtitle={stale ? 'Each sign-in through your identity provider works once, for a few minutes.' : 'Your identity provider signed you in, but Tandem could not.'}
    >
      <p className="form-error" role="alert" id="ssoCompleteError">
        {stale
          ? 'Start again from the login page.'
          : code === 'account_disabled' || code === 'rate_limited'
            ? ssoErrorMessage(code)
            : errorMessage(error)}
      </p>
      <Link className="button primary" to="/login" id="backToLogin">
        Back to log in
      </Link>
    </AuthLayout>
  );
}
