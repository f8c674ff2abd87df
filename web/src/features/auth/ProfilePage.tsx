import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { call, client } from '../../lib/api';
import { useMe } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { keys } from '../../lib/queryClient';
import { endSession, updateUser } from '../../lib/session';
import { Avatar } from '../../lib/ui/Avatar';

export function ProfilePage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [fields, setFields] = useState({ display_name: me.display_name ?? '', username: me.username, email: me.email });
  const [saved, setSaved] = useState(false);
  const [passwords, setPasswords] = useState({ current_password: '', new_password: '' });

  const save = useMutation({
    mutationFn: () =>
      call(
        client.PUT('/api/v1/users/{user_id}', {
          params: { path: { user_id: me.id } },
          body: { display_name: fields.display_name || null, username: fields.username, email: fields.email },
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
            <label>
              Email
              <input type="email" value={fields.email} onChange={(e) => setFields({ ...fields, email: e.target.value })} required />
            </label>
            {save.error && <p className="form-error" role="alert">{errorMessage(save.error)}</p>}
            {saved && <p className="notice" role="status">Saved.</p>}
            <button className="button primary" disabled={save.isPending}>
              Save profile
            </button>
          </form>
        </section>
        <section className="card" id="notifications">
          <h2>Notifications</h2>
          <p className="muted">
            Email, desktop pop-ups, do-not-disturb hours and the language of emails: <Link to="/settings/notifications">notification settings</Link>.
          </p>
        </section>
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
