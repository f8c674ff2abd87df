import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage } from '../../lib/errors';
import { AuthLayout } from './AuthLayout';

/**
 * Asks for a password reset link. The answer is the same whether or not an account has the
 * address, so this page tells nobody who has one; only a server out of reach is reported.
 */
export function ForgotPasswordPage() {
  const location = useLocation();
  const [email, setEmail] = useState(() => (location.state as { email?: string } | null)?.email ?? '');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call(client.POST('/api/v1/auth/password-reset', { body: { email: email.trim() } }));
      setSentTo(email.trim());
    } catch (err) {
      if (err instanceof ApiError && err.status > 0 && err.status < 500) setSentTo(email.trim());
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <AuthLayout title="Check your email" subtitle="A link to choose a new password is on its way.">
        <p className="notice" role="status">
          If an account uses <strong>{sentTo}</strong>, we sent it a link to choose a new password. The link works once, and not for long.
        </p>
        <p className="hint">
          Nothing arrived after a few minutes? Check your spam folder, or{' '}
          <button type="button" className="link-button" onClick={() => setSentTo(null)}>
            try another address
          </button>
          .
        </p>
        <p className="auth-switch">
          <Link to="/login">Back to log in</Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Reset your password" subtitle="Enter the email address of your account, and we will send you a link to choose a new password.">
      <form onSubmit={submit} className="form" aria-label="Reset your password">
        <label>
          Email
          <input id="forgotEmail" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy} id="forgotButton">
          {busy ? 'Sending…' : 'Send me a link'}
        </button>
      </form>
      <p className="auth-switch">
        Remembered it? <Link to="/login">Log in</Link>
      </p>
    </AuthLayout>
  );
}
