import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { call, client } from '../../lib/api';
import { useSession } from '../../lib/directory';
import { ApiError, errorMessage, invalidLink } from '../../lib/errors';
import { formatFull } from '../../lib/format';
import { startSession } from '../../lib/session';
import type { InvitationPreview, Role } from '../../lib/types';
import { AuthLayout } from './AuthLayout';

const ROLE: Record<Role, string> = { member: 'a member', moderator: 'a moderator', admin: 'an admin' };

/**
 * The emailed invitation: what it is for, then accepting it by creating the account (or, when
 * the address has an account of the organization waiting for confirmation, with its password).
 * Accepting signs in, as logging in does.
 */
export function InvitePage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => call(client.POST('/api/v1/auth/invitations/preview', { body: { token } })),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
  });

  if (!token || invalidLink(preview.error)) {
    return (
      <AuthLayout title="This invitation no longer works" subtitle="Invitations work once, until they expire, unless an admin revoked them.">
        <p className="form-error" role="alert">
          The invitation may have been used already, revoked, or have expired. Ask whoever invited you to send a new one.
        </p>
        <p className="auth-switch">
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      </AuthLayout>
    );
  }
  if (preview.error) {
    return (
      <AuthLayout title="Join your team" subtitle="The invitation could not be opened.">
        <p className="form-error" role="alert">
          {errorMessage(preview.error)}
        </p>
        <button type="button" className="button" onClick={() => void preview.refetch()}>
          Try again
        </button>
      </AuthLayout>
    );
  }
  if (!preview.data) {
    return (
      <AuthLayout title="Join your team" subtitle="Opening your invitation…">
        <p className="muted" aria-busy="true">
          One moment…
        </p>
      </AuthLayout>
    );
  }
  return <AcceptForm token={token} invitation={preview.data} />;
}

function AcceptForm({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const navigate = useNavigate();
  const session = useSession();
  const existing = invitation.account_exists;
  const [form, setForm] = useState({ username: '', display_name: '', password: '' });
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const fieldError = (k: string) => {
    if (!(error instanceof ApiError)) return undefined;
    if (k === 'username' && error.code === 'username_taken') return error.message;
    return error.field(k);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const auth = await call(
        client.POST('/api/v1/auth/invitations/accept', {
          body: existing
            ? { token, password: form.password }
            : { token, username: form.username.trim(), display_name: form.display_name.trim() || null, password: form.password },
        }),
      );
      startSession(auth);
      navigate('/', { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const inviter = invitation.inviter?.trim();
  return (
    <AuthLayout
      title={`Join ${invitation.organization_name} on Tandem`}
      subtitle={`${inviter ? `${inviter} invited you` : 'You are invited'} to join as ${ROLE[invitation.role]}.`}
    >
      {session && session.user.email !== invitation.email && (
        <p className="notice" role="status">
          You are signed in here as {session.user.email}. Accepting signs you in as {invitation.email} instead.
        </p>
      )}
      {existing && <p className="hint">You already have an account with this address: enter its password to join.</p>}
      <form onSubmit={submit} className="form" aria-label="Accept the invitation">
        <Field label="Email">
          <input id="inviteEmail" type="email" autoComplete={existing ? 'username' : 'email'} value={invitation.email} readOnly />
        </Field>
        {!existing && (
          <>
            <Field label="Username" error={fieldError('username')}>
              <input
                id="inviteUsername"
                autoComplete="username"
                value={form.username}
                onChange={set('username')}
                required
                pattern="[A-Za-z0-9._\-]{2,32}"
                autoFocus
              />
            </Field>
            <Field label="Full name (optional)" error={fieldError('display_name')}>
              <input id="inviteDisplayName" autoComplete="name" value={form.display_name} onChange={set('display_name')} />
            </Field>
          </>
        )}
        <Field label={existing ? 'Your password' : 'Password'} error={fieldError('password')}>
          <input
            id="invitePassword"
            type="password"
            autoComplete={existing ? 'current-password' : 'new-password'}
            minLength={existing ? undefined : 8}
            value={form.password}
            onChange={set('password')}
            required
            autoFocus={existing}
          />
        </Field>
        {error && (
          <p className="form-error" role="alert">
            {typeof error === 'string' ? error : error.message}
          </p>
        )}
        <button className="button primary" type="submit" disabled={busy} id="acceptInvitationButton">
          {busy ? 'Joining…' : existing ? `Join ${invitation.organization_name}` : 'Create account and join'}
        </button>
      </form>
      <p className="auth-switch">This invitation expires {formatFull(invitation.expires_at)}.</p>
    </AuthLayout>
  );
}

function Field({ label, error, children }: { label: string; error?: string; children: ReactNode }) {
  return (
    <label>
      {label}
      {children}
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
