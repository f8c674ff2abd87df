import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { useMe, useUserMap } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import { Avatar } from '../../lib/ui/Avatar';
import { Icon, type IconName } from '../../lib/ui/Icon';
import type { Notification } from './api';
import { describe, notificationTarget, type Target } from './describe';
import { askPermission, browserPermission, useNotificationSettings } from './settings';
import { listed, useCentre, useCentreActions } from './store';

interface Props {
  /** Go to what a notification is about. */
  onOpen: (target: Target) => void;
  /** Go to the notification settings. */
  onSettings: () => void;
}

/** The bell with the unread count, and the notification centre it opens. */
export function NotificationBell({ onOpen, onSettings }: Props) {
  const centre = useCentre();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const unread = centre.counts?.unread ?? 0;
  const high = centre.counts?.high_priority ?? 0;
  const label = unread ? `Notifications, ${unread} unread${high ? `, ${high} high priority` : ''}` : 'Notifications';

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  return (
    <div className="bell">
      <button
        type="button"
        id="notificationsButton"
        ref={button}
        className="icon-button"
        aria-label={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? 'notificationCentre' : undefined}
        onClick={() => setOpen(!open)}
      >
        <Icon name="bell" />
        {unread > 0 && (
          <span className={`badge bell-badge ${high ? 'high' : ''}`} aria-hidden>
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open &&
        createPortal(
          <CentrePanel
            anchor={button.current}
            onClose={close}
            onOpen={(target) => {
              close(false);
              onOpen(target);
            }}
            onSettings={() => {
              close(false);
              onSettings();
            }}
          />,
          document.body,
        )}
    </div>
  );
}

/** Where the panel goes: below the bell, inside the window. */
function usePlacement(anchor: HTMLElement | null): CSSProperties {
  const [place, setPlace] = useState<{ top: number; left: number }>({ top: 56, left: 8 });
  useLayoutEffect(() => {
    if (!anchor) return;
    const update = () => {
      const rect = anchor.getBoundingClientRect();
      const width = Math.min(380, window.innerWidth - 16);
      setPlace({ top: rect.bottom + 8, left: Math.max(8, Math.min(rect.left, window.innerWidth - width - 8)) });
    };
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, [anchor]);
  return { '--centre-top': `${place.top}px`, '--centre-left': `${place.left}px` } as CSSProperties;
}

function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function CentrePanel({ anchor, onClose, onOpen, onSettings }: { anchor: HTMLElement | null; onClose: (refocus: boolean) => void } & Props) {
  const centre = useCentre();
  const actions = useCentreActions();
  const settings = useNotificationSettings().data;
  const [permission, setPermission] = useState(browserPermission);
  /** A page is on its way: the first ones (shown as "Loading…" in place of the list), or more that were asked for. */
  const [loading, setLoading] = useState<'first' | 'more' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const style = usePlacement(anchor);
  const now = useNow(30_000);
  const items = listed(centre);
  const readAt = items.findIndex((n) => n.read_at);
  const firstRead = readAt === -1 ? items.length : readAt;
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });

  const load = () => {
    setLoading(centre.loaded ? 'more' : 'first');
    setError(null);
    actions
      .loadMore()
      .catch((err) => setError(errorMessage(err)))
      .finally(() => setLoading(null));
  };
  // The first page when opened, and again after a reconnection forgot the list.
  useEffect(() => {
    if (!centre.loaded) load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [centre.loaded]);

  useEffect(() => {
    ref.current?.focus();
    const onClose = (refocus: boolean) => closeRef.current(refocus);
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      onClose(true);
    };
    // Outside: a click, or the focus going elsewhere.
    const outside = (target: EventTarget | null) => !ref.current?.contains(target as Node) && !anchor?.contains(target as Node);
    const onDown = (e: MouseEvent) => outside(e.target) && onClose(false);
    const onFocus = (e: FocusEvent) => outside(e.target) && e.target !== document.body && onClose(false);
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('focusin', onFocus);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('focusin', onFocus);
    };
  }, [anchor]);

  /** Up and down arrows move between the notifications; Tab goes round the panel until Escape. */
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Tab') {
      const focusable = [...(ref.current?.querySelectorAll<HTMLElement>('button:not(:disabled), a[href]') ?? [])];
      const first = focusable[0];
      const last = focusable.at(-1);
      if (!first || !last) return;
      const edge = e.shiftKey ? [first, ref.current].includes(document.activeElement as HTMLElement) : document.activeElement === last;
      if (!edge) return;
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('.notification-item') ?? [])];
    if (!buttons.length) return;
    e.preventDefault();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = e.key === 'ArrowDown' ? (at + 1) % buttons.length : (at <= 0 ? buttons.length : at) - 1;
    buttons[next]!.focus();
  };

  const open = (n: Notification) => {
    if (!n.read_at) actions.markRead([n.id]).catch((err) => setError(errorMessage(err)));
    const target = notificationTarget(n);
    if (target) onOpen(target);
  };

  return (
    <div
      className="notification-centre"
      id="notificationCentre"
      role="dialog"
      aria-label="Notifications"
      tabIndex={-1}
      ref={ref}
      style={style}
      onKeyDown={onKeyDown}
    >
      <header className="notification-centre-header">
        <h2>Notifications</h2>
        <div className="notification-centre-tools">
          {(centre.counts?.unread ?? 0) > 0 && centre.items.length > 0 && (
            <button type="button" className="link-button" onClick={() => actions.markAllRead().catch((err) => setError(errorMessage(err)))}>
              Mark all read
            </button>
          )}
          <button type="button" className="icon-button small" aria-label="Notification settings" title="Notification settings" onClick={onSettings}>
            <Icon name="settings" size={16} />
          </button>
        </div>
      </header>
      {settings?.desktop_enabled && permission === 'default' && (
        <div className="notification-centre-prompt">
          <button type="button" className="button small" onClick={() => void askPermission().then(setPermission)}>
            Enable desktop notifications
          </button>
        </div>
      )}
      {settings?.dnd_active && <p className="notification-centre-note muted small">Do not disturb is on: nothing pops up or makes a sound.</p>}
      {error && (
        <div className="notification-centre-error">
          <p className="form-error" role="alert">
            {error}
          </p>
          {!centre.loaded && (
            <button type="button" className="button small" onClick={load} disabled={loading !== null}>
              Try again
            </button>
          )}
        </div>
      )}
      <div className="notification-centre-body">
        {!centre.loaded && !error && <p className="muted pad">Loading…</p>}
        {centre.loaded && items.length === 0 && <p className="muted pad notification-empty">You're all caught up.</p>}
        {firstRead > 0 && <NotificationList heading={firstRead < items.length ? 'Unread' : undefined} items={items.slice(0, firstRead)} now={now} onOpen={open} />}
        {firstRead < items.length && <NotificationList heading={firstRead > 0 ? 'Earlier' : undefined} items={items.slice(firstRead)} now={now} onOpen={open} />}
        {centre.loaded && centre.next && loading !== 'first' && (
          <div className="notification-more">
            <button type="button" className="button small" onClick={load} disabled={loading !== null}>
              {loading ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

function NotificationList({ heading, items, now, onOpen }: { heading?: string; items: Notification[]; now: Date; onOpen: (n: Notification) => void }) {
  return (
    <section className="notification-group">
      {heading && <h3 className="notification-group-title">{heading}</h3>}
      <ul className="notification-list">
        {items.map((n) => (
          <li key={n.id}>
            <NotificationItem n={n} now={now} onOpen={onOpen} />
          </li>
        ))}
      </ul>
    </section>
  );
}

const kindIcon: Partial<Record<Notification['kind'], IconName>> = { moderation: 'shield', message_held: 'flag', report_opened: 'flag' };

function NotificationItem({ n, now, onOpen }: { n: Notification; now: Date; onOpen: (n: Notification) => void }) {
  const me = useMe();
  const users = useUserMap();
  const { who, what, body } = describe(n, me.id, users);
  const icon = kindIcon[n.kind];
  return (
    <button
      type="button"
      className={`notification-item ${n.read_at ? '' : 'unread'} ${n.priority === 'high' ? 'high' : ''}`}
      data-notification-id={n.id}
      data-kind={n.kind}
      onClick={() => onOpen(n)}
    >
      {n.sender && !icon ? (
        <Avatar user={n.sender} size={32} />
      ) : (
        <span className="notification-icon" aria-hidden>
          <Icon name={icon ?? 'bell'} size={16} />
        </span>
      )}
      <span className="notification-text">
        {!n.read_at && <span className="sr-only">Unread: </span>}
        <span className="notification-title">
          {who ? (
            <>
              <strong>{who}</strong> {what}
            </>
          ) : (
            what
          )}
        </span>
        {body && <span className="notification-excerpt">{body}</span>}
        <time className="notification-time" dateTime={n.created_at} title={formatFull(n.created_at)}>
          {formatRelative(n.created_at, now)}
        </time>
      </span>
      {!n.read_at && <span className="unread-dot" aria-hidden />}
    </button>
  );
}
