import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation, useMatch, useNavigate, useOutletContext } from 'react-router';
import { ConfirmEmailPage, TwoFactorPage } from '../features/auth';
import { Sidebar, useChannels } from '../features/channels';
import { NotificationBell, NotificationListener, type NotificationTarget } from '../features/notifications';
import { call, client } from '../lib/api';
import { useSession } from '../lib/directory';
import { ApiError } from '../lib/errors';
import { keys } from '../lib/queryClient';
import { NotificationsProvider } from '../lib/realtime/notifications';
import { awaitsConfirmation, sessionEndReason } from '../lib/session';
import type { Message, User } from '../lib/types';
import { UserMenu } from './UserMenu';

export interface ShellContext {
  openSidebar: () => void;
}

export function useShell(): ShellContext {
  return useOutletContext<ShellContext>();
}

/** Where a message opens: its channel at the message, in its thread for a reply. */
export function messagePath(channelId: number, message?: Pick<Message, 'id' | 'reply_to_id'> & { seq: number | null }): string {
  if (!message) return `/c/${channelId}`;
  if (message.reply_to_id != null) return `/c/${channelId}?thread=${message.reply_to_id}&m=${message.id}`;
  if (message.seq === null) return `/c/${channelId}?m=${message.id}`;
  return `/c/${channelId}?m=${message.id}&seq=${message.seq}`;
}

export function Shell() {
  const session = useSession();
  const location = useLocation();
  if (!session) {
    // Back here after logging in again; an expired session says so (drafts are kept).
    const next = encodeURIComponent(location.pathname + location.search);
    const reason = sessionEndReason() === 'expired' ? 'reason=expired&' : '';
    return <Navigate to={`/login?${reason}next=${next}`} replace />;
  }
  return (
    <EntryCheck user={session.user}>
      <NotificationsProvider userId={session.user.id}>
        <Workspace />
      </NotificationsProvider>
    </EntryCheck>
  );
}

/**
 * Someone who joined by email domain and has not confirmed the address yet may be kept out
 * (when the server requires confirmation), and so may someone whose organization requires
 * two-factor sign-in they have not set up: the organization says so when asked, and they see
 * the screen that tells them what to do instead of a workspace full of errors.
 */
function EntryCheck({ user, children }: { user: User; children: ReactNode }) {
  const check = awaitsConfirmation(user);
  // The workspace's own query of the organization (cached for it), asked before it opens.
  const organization = useQuery({
    queryKey: keys.organization,
    queryFn: () => call(client.GET('/api/v1/organizations/current')),
  });
  const refusal = organization.error instanceof ApiError ? organization.error.code : null;
  if (refusal === 'two_factor_setup_required') {
    return (
      <main className="main">
        <TwoFactorPage required />
      </main>
    );
  }
  if (!check) return children;
  if (refusal === 'email_unverified') return <ConfirmEmailPage />;
  if (organization.isPending) return <div className="page loading" aria-busy="true" />;
  return children;
}

function Workspace() {
  const session = useSession()!;
  const navigate = useNavigate();
  const match = useMatch('/c/:channelId');
  const openChannelId = match ? Number(match.params.channelId) : undefined;
  const [drawer, setDrawer] = useState(false);
  const organization = useQuery({ queryKey: keys.organization, queryFn: () => call(client.GET('/api/v1/organizations/current')) });
  const open = ({ channelId, message }: NotificationTarget) => navigate(messagePath(channelId, message));
  const { data: channels } = useChannels();
  // Muted channels count only their mentions.
  const unread = channels?.channels.reduce((n, c) => n + (!c.is_member ? 0 : c.muted ? c.unread_mentions : c.unread_count), 0) ?? 0;
  const name = organization.data?.name;
  useEffect(() => {
    document.title = `${unread ? `(${unread}) ` : ''}${name ? `${name} · ` : ''}Tandem`;
  }, [unread, name]);
  const closeDrawer = () => setDrawer(false);

  return (
    <div className={`app ${drawer ? 'drawer-open' : ''}`}>
      <NotificationListener onOpen={open} openChannelId={openChannelId} />
      <Sidebar
        me={session.user}
        openChannelId={openChannelId}
        onNavigate={closeDrawer}
        top={
          <div className="sidebar-top">
            <div className="workspace-name">
              <span className="brand-mark small" aria-hidden>
                {(organization.data?.name ?? 'T').slice(0, 1).toUpperCase()}
              </span>
              <span>{organization.data?.name ?? 'Tandem'}</span>
            </div>
            <NotificationBell
              onOpen={(target) => (closeDrawer(), open(target))}
              onSettings={() => (closeDrawer(), navigate('/settings/notifications'))}
            />
          </div>
        }
        bottom={<UserMenu onNavigate={closeDrawer} />}
      />
      {drawer && <div className="drawer-backdrop" onClick={closeDrawer} aria-hidden />}
      <main className="main">
        <Outlet context={{ openSidebar: () => setDrawer(true) } satisfies ShellContext} />
      </main>
    </div>
  );
}
