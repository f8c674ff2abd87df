import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { call, client } from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { startSession } from '../../lib/session';
import { AuthLayout } from './AuthLayout';

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));
  const notice =
    params.get('reason') === 'expired'
      ? 'Your session expired. Log in again to carry on — your drafts are kept.'
      : params.get('reason') === 'password'
        ? 'Password changed. Log in with your new password.'
        : params.get('reason') === 'unlocked'
          ? 'Sign-in is open again from this device. Log in with your password.'
          : params.get('reason') === 'reset'
            ? 'Your new password is set, and you were signed out everywhere. Log in with it.'
            : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const auth = await call(client.POST('/api/v1/auth/login', { body: { email, password } }));
      startSession(auth);
      navigate(next, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthLayout title="Log in" subtitle="Welcome back to your team.">
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} className="form" aria-label="Log in">
        <label>
          Email or username
          <input id="loginEmail" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </label>
        <label>
          Password
          <input
            id="loginPassword"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <p className="forgot-link">
          <Link to="/forgot-password" state={email.includes('@') ? { email } : undefined} id="forgotPasswordLink">
            Forgot your password?
          </Link>
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy} id="loginButton">
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="auth-switch">
        New to Tandem? <Link to={`/signup${params.get('next') ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
      </p>
    </AuthLayout>
  );
}

/** Only paths of this app, never another site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
