import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage, invalidLink } from '../../lib/errors';
import { endSession, getSession } from '../../lib/session';
import { AuthLayout } from './AuthLayout';

/**
 * The emailed password reset link: choose a new password. The server then ends every session
 * of the account, so the way on is to log in again. A refused password leaves the link usable.
 */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (password !== again) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    try {
      await call(client.POST('/api/v1/auth/password-reset/confirm', { body: { token, password } }));
      // Every session of the account ended; one of this browser may have been among them.
      if (getSession()) {
        endSession('signed_out');
        queryClient.clear();
      }
      navigate('/login?reason=reset', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!token || invalidLink(error)) {
    return (
      <AuthLayout title="This link no longer works" subtitle="Password reset links work once, for a short while, and only the latest one.">
        <p className="form-error" role="alert">
          The link may have been used already, replaced by a newer one, or have expired.
        </p>
        <Link className="button primary" to="/forgot-password">
          Ask for a new link
        </Link>
        <p className="auth-switch">
          <Link to="/login">Back to log in</Link>
        </p>
      </AuthLayout>
    );
  }

  const passwordError = error instanceof ApiError ? error.field('password') : undefined;
  return (
    <AuthLayout title="Choose a new password" subtitle="You will be signed out everywhere, then log in with the new one.">
      <form onSubmit={submit} className="form" aria-label="Choose a new password">
        <div className="field">
          <label htmlFor="resetPassword">New password</label>
          <input
            id="resetPassword"
            type="password"
            autoComplete="new-password"
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoFocus
            aria-invalid={passwordError ? true : undefined}
            aria-describedby={passwordError ? 'resetPasswordError' : 'resetPasswordHint'}
          />
          {passwordError ? (
            <span className="field-error" id="resetPasswordError">
              {passwordError}
            </span>
          ) : (
            <span className="hint" id="resetPasswordHint">
              At least 8 characters; a few unrelated words make a strong one.
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor="resetPasswordAgain">Type it again</label>
          <input
            id="resetPasswordAgain"
            type="password"
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            required
            aria-invalid={mismatch ? true : undefined}
            aria-describedby={mismatch ? 'resetPasswordAgainError' : undefined}
          />
          {mismatch && (
            <span className="field-error" id="resetPasswordAgainError">
              The two passwords differ.
            </span>
          )}
        </div>
        {(error || mismatch) && (
          <p className="form-error" role="alert">
            {mismatch ? 'Type the same password twice.' : errorMessage(error)}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy} id="resetButton">
          {busy ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
      <p className="auth-switch">
        <Link to="/login">Back to log in</Link>
      </p>
    </AuthLayout>
  );
}
