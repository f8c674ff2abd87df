import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { call, client } from '../../lib/api';
import { displayName, useMe, useOnline } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { keys } from '../../lib/queryClient';
import type { Role, User } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Modal } from '../../lib/ui/Modal';
import { ROLES } from './Invitations';

/**
 * Everyone in the organization, active or not: their role, and what an admin does to a person's
 * account (deactivating it, signing them out, forcing a password reset, turning off two-factor).
 * Bots are listed too, but managed in the Bots section: none of this applies to them.
 */
export function PeopleSection() {
  const me = useMe();
  const queryClient = useQueryClient();
  const online = useOnline();
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const closeReset = useCallback(() => setResetting(null), []);
  const users = useQuery({
    queryKey: ['admin', 'users'],
    queryFn: () => call(client.GET('/api/v1/users', { params: { query: { include_inactive: true, limit: 100 } } })),
  });
  const update = async (user: User, body: { role?: Role; is_active?: boolean }) => {
    setError(null);
    setNotice(null);
    try {
      await call(client.PUT('/api/v1/users/{user_id}', { params: { path: { user_id: user.id } }, body }));
      await queryClient.invalidateQueries({ queryKey: ['admin', 'users'] });
      await queryClient.invalidateQueries({ queryKey: keys.users });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  /** An action on someone's account: its notice, or the server's refusal. */
  const act = async (run: () => Promise<string>) => {
    setError(null);
    setNotice(null);
    try {
      setNotice(await run());
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const signOutEverywhere = (user: User) =>
    act(async () => {
      const { ended } = await call(client.DELETE('/api/v1/users/{user_id}/sessions', { params: { path: { user_id: user.id } } }));
      return `${displayName(user)} was signed out of ${ended} ${ended === 1 ? 'session' : 'sessions'}.`;
    });
  const forceReset = (user: User) => {
    setResetting(null);
    return act(async () => {
      await call(client.POST('/api/v1/users/{user_id}/password-reset', { params: { path: { user_id: user.id } } }));
      return `${displayName(user)} was signed out everywhere and emailed a link to choose a new password.`;
    });
  };
  const turnOffTwoFactor = (user: User) =>
    act(async () => {
      await call(client.DELETE('/api/v1/users/{user_id}/two-factor', { params: { path: { user_id: user.id } } }));
      return `Two-factor sign-in is off for ${displayName(user)}, who was signed out everywhere: their password alone signs them in now.`;
    });

  return (
    <>
      <section className="card" aria-labelledby="peopleTitle">
        <h2 id="peopleTitle">People</h2>
        {error && <p className="form-error" role="alert">{error}</p>}
        {notice && <p className="notice" role="status">{notice}</p>}
        <table className="table" id="people">
          <thead>
            <tr>
              <th>Person</th>
              <th>Email</th>
              <th>Role</th>
              <th>Status</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data?.users.map((u) => (
              <tr key={u.id} className={u.is_active ? '' : 'inactive'} data-user-id={u.id}>
                <td>
                  <span className="person-cell">
                    <Avatar user={u} size={24} /> {displayName(u)} <span className="muted">@{u.username}</span>
                    <BotBadge user={u} />
                  </span>
                </td>
                <td>{u.email}</td>
                <td>
                  {/* A bot is a member, always. */}
                  {u.is_bot ? (
                    (ROLES.find((r) => r.value === u.role)?.label ?? u.role)
                  ) : (
                    <select
                      value={u.role}
                      aria-label={`Role of ${u.username}`}
                      disabled={u.id === me.id}
                      onChange={(e) => void update(u, { role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  )}
                </td>
                <td>{u.is_active ? (online.get(u.id) ?? 'offline') : 'deactivated'}</td>
                <td>
                  {u.is_bot ? (
                    <span className="hint">Managed in Bots</span>
                  ) : (
                    u.id !== me.id && (
                      <span className="row-actions">
                        <button type="button" className="button small" onClick={() => void update(u, { is_active: !u.is_active })}>
                          {u.is_active ? 'Deactivate' : 'Reactivate'}
                        </button>
                        {u.is_active && (
                          <>
                            <button type="button" className="button small" aria-label={`Sign out ${u.username} everywhere`} onClick={() => void signOutEverywhere(u)}>
                              Sign out everywhere
                            </button>
                            <button type="button" className="button small danger" aria-label={`Force a password reset for ${u.username}`} onClick={() => setResetting(u)}>
                              Force password reset
                            </button>
                            <button
                              type="button"
                              className="button small"
                              aria-label={`Turn off two-factor sign-in for ${u.username}`}
                              title="For a lost phone: they sign in with the password again"
                              onClick={() => void turnOffTwoFactor(u)}
                            >
                              Turn off two-factor
                            </button>
                          </>
                        )}
                      </span>
                    )
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {resetting && (
        <Modal title="Force a password reset" onClose={closeReset}>
          <p>
            {displayName(resetting)}’s password stops working and they are signed out everywhere. They get an email at {resetting.email} with a link to
            choose a new one.
          </p>
          <div className="dialog-buttons">
            <button type="button" className="button" onClick={closeReset}>
              Cancel
            </button>
            <button type="button" className="button primary" onClick={() => void forceReset(resetting)} id="confirmForceReset">
              Force password reset
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
