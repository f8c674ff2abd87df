import { useEffect, useRef, useState } from 'react';
import { displayName, useMe, useUserMap } from '../../lib/directory';
import { formatTime } from '../../lib/format';
import { useNotificationFrames } from '../../lib/realtime/notifications';
import type { Message } from '../../lib/types';
import { Icon } from '../../lib/ui/Icon';
import { useNoticeStore, useNotices, type Notice } from './store';

/** Listens to the notifications socket: fills the in-app list, and notifies the desktop when the tab is hidden. */
export function NotificationListener({ onOpen }: { onOpen: (channelId: number, message?: Message) => void }) {
  const me = useMe();
  const users = useUserMap();
  const store = useNoticeStore();
  useNotificationFrames((frame) => {
    let notice: Notice | null = null;
    if ((frame.type === 'mention' || frame.type === 'direct_message') && frame.message.user_id !== me.id) {
      notice = { key: `m${frame.message.id}`, kind: frame.type, at: frame.message.created_at, read: false, message: frame.message };
    } else if (frame.type === 'channel_invite') {
      notice = { key: `i${frame.channel.id}`, kind: 'channel_invite', at: new Date().toISOString(), read: false, channel: frame.channel, byUserId: frame.by_user_id };
    }
    if (!notice) return;
    store.add(notice);
    if (document.visibilityState === 'hidden' && 'Notification' in window && Notification.permission === 'granted') {
      const { title, body } = describe(notice, (id) => displayName(users.get(id)));
      const n = new Notification(title, { body, tag: notice.key });
      const target = notice;
      n.onclick = () => {
        window.focus();
        onOpen(target.message?.channel_id ?? target.channel!.id, target.message);
      };
    }
  });
  return null;
}

function describe(n: Notice, name: (id: number) => string): { title: string; body: string } {
  const excerpt = (m?: Message) => (m ? m.content.slice(0, 140) : '');
  switch (n.kind) {
    case 'mention':
      return { title: `${name(n.message!.user_id)} mentioned you`, body: excerpt(n.message) };
    case 'direct_message':
      return { title: `${name(n.message!.user_id)}`, body: excerpt(n.message) };
    case 'channel_invite':
      return { title: `You were added to #${n.channel!.name}`, body: `by ${name(n.byUserId!)}` };
  }
}

export function NotificationBell({ onOpen }: { onOpen: (channelId: number, message?: Message) => void }) {
  const notices = useNotices();
  const store = useNoticeStore();
  const users = useUserMap();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const unread = notices.filter((n) => !n.read).length;
  const [permission, setPermission] = useState(() => ('Notification' in window ? Notification.permission : 'denied'));

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onDown = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
    };
  }, [open]);

  return (
    <div className="bell" ref={ref}>
      <button
        type="button"
        id="notificationsButton"
        className="icon-button"
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        aria-expanded={open}
        onClick={() => {
          setOpen(!open);
          const shown = notices.map((n) => n.key);
          if (!open) setTimeout(() => store.markRead(shown), 1500);
        }}
      >
        <Icon name="bell" />
        {unread > 0 && <span className="badge mention bell-badge">{unread}</span>}
      </button>
      {open && (
        <div className="notifications-popover" role="dialog" aria-label="Notifications">
          <header>
            <h2>Notifications</h2>
            {notices.length > 0 && (
              <button type="button" className="link-button" onClick={store.clear}>
                Clear
              </button>
            )}
          </header>
          {permission === 'default' && (
            <button type="button" className="button small" onClick={() => void Notification.requestPermission().then(setPermission)}>
              Enable desktop notifications
            </button>
          )}
          <ul>
            {notices.length === 0 && <li className="muted pad">You're all caught up.</li>}
            {notices.map((n) => {
              const { title, body } = describe(n, (id) => displayName(users.get(id)));
              return (
                <li key={n.key} className={n.read ? '' : 'unread'}>
                  <button
                    type="button"
                    onClick={() => {
                      setOpen(false);
                      onOpen(n.message?.channel_id ?? n.channel!.id, n.message);
                    }}
                  >
                    <strong>{title}</strong>
                    <span className="muted small"> · {formatTime(n.at)}</span>
                    {body && <span className="notice-body">{body}</span>}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}
