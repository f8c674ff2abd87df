import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage } from '../../lib/errors';
import { startSession } from '../../lib/session';
import { AuthLayout } from './AuthLayout';

export function SignupPage() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ email: '', username: '', display_name: '', password: '', organization_name: '' });
  const [mode, setMode] = useState<'create' | 'join'>('create');
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The address a link went to, when the server asks people to confirm theirs and logging in did not follow. */
  const [sentTo, setSentTo] = useState<string | null>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const fieldError = (k: string) => (error instanceof ApiError ? error.field(k) : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await call(
        client.POST('/api/v1/auth/register', {
          body: {
            email: form.email,
            username: form.username,
            password: form.password,
            display_name: form.display_name || null,
            organization_name: mode === 'create' ? form.organization_name || null : null,
          },
        }),
      );
      if ('access_token' in answer) {
        startSession(answer);
        navigate('/', { replace: true });
        return;
      }
      // The server asks for proven addresses: it answers alike whether the account is new or
      // the address already had one (its owner is emailed). The new account logs in with the
      // password just chosen, and the app then asks to confirm the address.
      if (await logIn(form.email, form.password)) {
        navigate('/', { replace: true });
        return;
      }
      setSentTo(form.email);
    } catch (err) {
      setError(err instanceof ApiError ? err : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <AuthLayout title="Check your inbox" subtitle={`We sent an email to ${sentTo}.`}>
        <p id="signupSent">
          Open the link in it to confirm your address. If <strong>{sentTo}</strong> already has an account, the email says so, with a link to choose a new
          password.
        </p>
        <Link className="button primary" to="/login">
          Log in
        </Link>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Create your account" subtitle="Start a workspace for your company, or join your team's.">
      <div className="segmented" role="radiogroup" aria-label="Organization">
        <button type="button" role="radio" aria-checked={mode === 'create'} onClick={() => setMode('create')}>
          Create an organization
        </button>
        <button type="button" role="radio" aria-checked={mode === 'join'} onClick={() => setMode('join')}>
          Join my team
        </button>
      </div>
      <form onSubmit={submit} className="form" aria-label="Sign up">
        <Field label="Work email" error={fieldError('email')}>
          <input id="signupEmail" type="email" autoComplete="email" value={form.email} onChange={set('email')} required />
        </Field>
        {mode === 'create' ? (
          <Field label="Organization name" error={fieldError('organization_name')}>
            <input id="signupOrganization" value={form.organization_name} onChange={set('organization_name')} required placeholder="Acme" />
          </Field>
        ) : (
          <p className="hint">You join the organization that owns your email's domain.</p>
        )}
        <Field label="Username" error={fieldError('username')}>
          <input id="signupUsername" autoComplete="username" value={form.username} onChange={set('username')} required pattern="[A-Za-z0-9._\-]{2,32}" />
        </Field>
        <Field label="Full name (optional)" error={fieldError('display_name')}>
          <input id="signupDisplayName" autoComplete="name" value={form.display_name} onChange={set('display_name')} />
        </Field>
        <Field label="Password" error={fieldError('password')}>
          <input id="signupPassword" type="password" autoComplete="new-password" value={form.password} onChange={set('password')} required minLength={8} />
        </Field>
        {error && (
          <p className="form-error" role="alert">
            {typeof error === 'string' ? error : error.message}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy} id="signupButton">
          {busy ? 'Creating…' : mode === 'create' ? 'Create organization' : 'Join'}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </AuthLayout>
  );
}

/** Logs in after signing up; false when the password does not open an account (or needs a second step). */
async function logIn(email: string, password: string): Promise<boolean> {
  try {
    const answer = await call(client.POST('/api/v1/auth/login', { body: { email, password } }));
    if ('two_factor_required' in answer) return false;
    startSession(answer);
    return true;
  } catch {
    return false;
  }
}

function Field({ label, error, children }: { label: string; error?: string; children: React.ReactNode }) {
  return (
    <label>
      {label}
      {children}
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
