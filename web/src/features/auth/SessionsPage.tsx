import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, client } from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import type { DeviceSession } from '../../lib/types';
import { Icon } from '../../lib/ui/Icon';
import { describeDevice } from './device';

const SESSIONS = ['auth', 'sessions'] as const;

/**
 * Where you are signed in: one row per login on a device, this one marked. Signing one out
 * stops it at once (its next request is refused, its sockets close).
 */
export function SessionsPage({ onMenu }: { onMenu?: () => void }) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const sessions = useQuery({ queryKey: SESSIONS, queryFn: () => call(client.GET('/api/v1/auth/sessions')) });
  const list = sorted(sessions.data?.sessions ?? []);
  const others = list.filter((s) => !s.current);

  const endOne = useMutation({
    mutationFn: (session: DeviceSession) =>
      call(client.DELETE('/api/v1/auth/sessions/{session_id}', { params: { path: { session_id: session.id } } })),
    onMutate: () => setNotice(null),
    onSuccess: (_, session) => setNotice(`Signed out of ${describeDevice(session.user_agent)}.`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS }),
  });
  const endOthers = useMutation({
    mutationFn: () => call(client.DELETE('/api/v1/auth/sessions')),
    onMutate: () => setNotice(null),
    onSuccess: ({ ended }) =>
      setNotice(ended === 0 ? 'No other session was signed in.' : `Signed out of ${ended} other ${ended === 1 ? 'session' : 'sessions'}.`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: SESSIONS }),
  });
  const error = sessions.error ?? endOne.error ?? endOthers.error;

  return (
    <div className="page">
      <header className="page-header">
        {onMenu && (
          <button type="button" className="icon-button menu-button" aria-label="Open the sidebar" onClick={onMenu}>
            <Icon name="menu" />
          </button>
        )}
        <h1>Sessions</h1>
      </header>
      <div className="page-body">
        <section className="card" aria-labelledby="sessionsTitle">
          <h2 id="sessionsTitle">Where you are signed in</h2>
          <p className="muted">
            Each login on a browser or device. Sign out the ones you do not recognise, or that you no longer use; changing your password signs out all of
            them.
          </p>
          {error && (
            <p className="form-error" role="alert">
              {errorMessage(error)}
            </p>
          )}
          {notice && (
            <p className="notice" role="status">
              {notice}
            </p>
          )}
          {sessions.isPending && <p className="muted">Loading…</p>}
          {list.length > 0 && (
            <table className="table sessions-table" id="sessionsTable">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Address</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last active</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => {
                  const device = describeDevice(s.user_agent);
                  return (
                    <tr key={s.id} className={s.current ? 'current-session' : ''} data-session-id={s.id}>
                      <td>
                        <span className="device-cell">
                          <span className="device-name" title={s.user_agent ?? undefined}>
                            {device}
                          </span>
                          {s.current && <span className="status-tag current">This device</span>}
                        </span>
                      </td>
                      <td data-label="Address">{s.address ?? <span className="muted">unknown</span>}</td>
                      <td data-label="Signed in">{formatFull(s.created_at)}</td>
                      <td data-label="Last active" title={formatFull(s.last_used_at)}>
                        {s.current ? 'Now' : formatRelative(s.last_used_at)}
                      </td>
                      <td>
                        {!s.current && (
                          <button
                            type="button"
                            className="button small"
                            aria-label={`Sign out ${device}${s.address ? ` at ${s.address}` : ''}`}
                            disabled={endOne.isPending && endOne.variables?.id === s.id}
                            onClick={() => endOne.mutate(s)}
                          >
                            Sign out
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <div>
            <button
              type="button"
              className="button danger"
              id="endOtherSessions"
              disabled={others.length === 0 || endOthers.isPending}
              onClick={() => endOthers.mutate()}
            >
              {endOthers.isPending ? 'Signing out…' : 'Sign out all other sessions'}
            </button>
          </div>
        </section>
      </div>
    </div>
  );
}

/** This device first, then the most recently used. */
function sorted(sessions: DeviceSession[]): DeviceSession[] {
  return [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || b.last_used_at.localeCompare(a.last_used_at));
}
