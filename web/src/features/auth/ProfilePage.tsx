import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { call, client } from '../../lib/api';
import { useMe } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { keys } from '../../lib/queryClient';
import { endSession, updateUser } from '../../lib/session';
import { Avatar } from '../../lib/ui/Avatar';
import { AccessTokensSection } from './AccessTokens';
import { ResendLink } from './ResendLink';

export function ProfilePage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [fields, setFields] = useState({ display_name: me.display_name ?? '', username: me.username });
  const [saved, setSaved] = useState(false);
  const [passwords, setPasswords] = useState({ current_password: '', new_password: '' });

  const save = useMutation({
    mutationFn: () =>
      call(
        client.PUT('/api/v1/users/{user_id}', {
          params: { path: { user_id: me.id } },
          body: { display_name: fields.display_name || null, username: fields.username },
        }),
      ),
    onSuccess: (user) => {
      updateUser(user);
      void queryClient.invalidateQueries({ queryKey: keys.users });
      setSaved(true);
    },
  });
  const changePassword = useMutation({
    mutationFn: () => call(client.POST('/api/v1/auth/password', { body: passwords })),
    onSuccess: () => {
      // The server ended every session, this one included.
      endSession('signed_out');
      queryClient.clear();
      navigate('/login?reason=password', { replace: true });
    },
  });

  const onSave = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    save.mutate();
  };
  const fieldError = (err: unknown, name: string) => (err instanceof ApiError ? err.field(name) : undefined);
  // Emails link to the notification settings as the profile's #notifications.
  const location = useLocation();
  if (location.hash === '#notifications') return <Navigate to="/settings/notifications" replace />;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Your profile</h1>
      </header>
      <div className="page-body">
        <section className="card">
          <div className="profile-head">
            <Avatar user={me} size={64} />
            <div>
              <div className="profile-name">{me.display_name || me.username}</div>
              <div className="muted">
                @{me.username} · {me.role}
              </div>
            </div>
          </div>
          <form className="form" onSubmit={onSave} aria-label="Profile">
            <label>
              Full name
              <input value={fields.display_name} onChange={(e) => setFields({ ...fields, display_name: e.target.value })} />
            </label>
            <label>
              Username
              <input value={fields.username} onChange={(e) => setFields({ ...fields, username: e.target.value })} required />
              {fieldError(save.error, 'username') && <span className="field-error">{fieldError(save.error, 'username')}</span>}
            </label>
            {save.error && <p className="form-error" role="alert">{errorMessage(save.error)}</p>}
            {saved && <p className="notice" role="status">Saved.</p>}
            <button className="button primary" disabled={save.isPending}>
              Save profile
            </button>
          </form>
        </section>
        <EmailSection />
        <section className="card" id="notifications">
          <h2>Notifications</h2>
          <p className="muted">
            Email, desktop pop-ups, do-not-disturb hours and the language of emails: <Link to="/settings/notifications">notification settings</Link>.
          </p>
        </section>
        <section className="card">
          <h2>Sessions</h2>
          <p className="muted">
            The browsers and devices where you are signed in, and signing them out: <Link to="/settings/sessions">sessions</Link>.
          </p>
        </section>
        <section className="card">
          <h2>Two-factor sign-in</h2>
          <p className="muted">
            A code from an authenticator app on your phone as well as your password when you log in: <Link to="/settings/security">two-factor sign-in</Link>.
          </p>
        </section>
        <AccessTokensSection />
        <section className="card">
          <h2>Change password</h2>
          <p className="muted">This signs you out everywhere, here included.</p>
          <form
            className="form"
            aria-label="Change password"
            onSubmit={(e) => {
              e.preventDefault();
              changePassword.mutate();
            }}
          >
            <label>
              Current password
              <input
                type="password"
                autoComplete="current-password"
                value={passwords.current_password}
                onChange={(e) => setPasswords({ ...passwords, current_password: e.target.value })}
                required
              />
            </label>
            <label>
              New password
              <input
                type="password"
                autoComplete="new-password"
                minLength={8}
                value={passwords.new_password}
                onChange={(e) => setPasswords({ ...passwords, new_password: e.target.value })}
                required
              />
            </label>
            {changePassword.error && <p className="form-error" role="alert">{errorMessage(changePassword.error)}</p>}
            <button className="button" disabled={changePassword.isPending}>
              Change password
            </button>
          </form>
        </section>
      </div>
    </div>
  );
}

/**
 * The address changes only once the new one is proven: the server emails it a link, and the
 * current password is needed to ask (a borrowed session cannot move the account elsewhere).
 */
function EmailSection() {
  const me = useMe();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ email: '', password: '' });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (body: { email: string; password: string }) => call(client.POST('/api/v1/users/me/email', { body })),
    onSuccess: (_, body) => {
      setSentTo(body.email);
      setForm({ email: '', password: '' });
      setEditing(false);
    },
  });
  const fieldError = (name: string) => (change.error instanceof ApiError ? change.error.field(name) : undefined);
  const emailError = fieldError('email') ?? (change.error instanceof ApiError && change.error.code === 'email_taken' ? change.error.message : undefined);
  const cancel = () => {
    setEditing(false);
    setForm({ email: '', password: '' });
    change.reset();
  };

  return (
    <section className="card" aria-labelledby="emailTitle">
      <h2 id="emailTitle">Email address</h2>
      <p className="email-current">
        <strong id="currentEmail">{me.email}</strong>
        {me.email_verified === false ? <span className="status-tag away">Not confirmed</span> : <span className="status-tag">Confirmed</span>}
      </p>
      {me.email_verified === false && (
        <>
          <p className="hint">Open the link we emailed to this address to confirm it{me.role === 'admin' ? ': people at its domain can then join by signing up' : ''}.</p>
          <ResendLink email={me.email} />
        </>
      )}
      {sentTo && (
        <p className="notice" role="status" id="emailChangeNotice">
          Check your inbox at <strong>{sentTo}</strong>: open the link we sent there to make it your address. Until then, you keep using {me.email}.
        </p>
      )}
      {!editing ? (
        <div>
          <button type="button" className="button" onClick={() => setEditing(true)} id="changeEmailStart">
            Change email address
          </button>
        </div>
      ) : (
        <form
          className="form"
          aria-label="Change email address"
          onSubmit={(e) => {
            e.preventDefault();
            setSentTo(null);
            change.mutate({ email: form.email.trim(), password: form.password });
          }}
        >
          <p className="hint">We send a link to the new address; it becomes yours when you open it.</p>
          <label>
            New email address
            <input
              id="newEmail"
              type="email"
              autoComplete="email"
              value={form.email}
              onChange={(e) => setForm({ ...form, email: e.target.value })}
              required
              autoFocus
              aria-invalid={emailError ? true : undefined}
            />
            {emailError && <span className="field-error">{emailError}</span>}
          </label>
          <label>
            Current password
            <input
              id="emailPassword"
              type="password"
              autoComplete="current-password"
              value={form.password}
              onChange={(e) => setForm({ ...form, password: e.target.value })}
              required
              aria-invalid={fieldError('password') ? true : undefined}
            />
            {fieldError('password') && <span className="field-error">{fieldError('password')}</span>}
          </label>
          {change.error && (
            <p className="form-error" role="alert">
              {change.error instanceof ApiError && change.error.status === 429
                ? 'Too many attempts or emails for now. Try again later.'
                : errorMessage(change.error)}
            </p>
          )}
          <div className="dialog-buttons start">
            <button className="button primary" disabled={change.isPending} id="changeEmailButton">
              {change.isPending ? 'Sending…' : 'Send a confirmation link'}
            </button>
            <button type="button" className="button" onClick={cancel}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
