import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { createQueryClient } from '../../lib/queryClient';
import { NotificationsProvider } from '../../lib/realtime/notifications';
import { endSession, startSession } from '../../lib/session';
import { notification, user } from '../../test/fixtures';
import type { Notification } from './api';
import { NotificationBell } from './Bell';
import { NotificationListener } from './Listener';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The server's side: three unread notifications (one a mention) and two read ones. */
function fakeServer(settings: { desktop_enabled?: boolean } = {}) {
  const stored: Notification[] = [
    notification(5, { priority: 'high', excerpt: 'Can you look at the deploy, @ana?' }),
    notification(4, { kind: 'new_message', read_at: '2026-11-20T09:30:00Z', excerpt: 'Already read' }),
    notification(3, { kind: 'new_message', excerpt: 'Lunch at one?' }),
    notification(2, { kind: 'channel_invite', channel_name: 'leads', message_id: null, seq: null, excerpt: null }),
    notification(1, { kind: 'new_message', read_at: '2026-11-20T09:00:00Z', excerpt: 'Old news' }),
  ];
  const posted: unknown[] = [];
  const counts = () => ({ unread: stored.filter((n) => !n.read_at).length, high_priority: stored.filter((n) => !n.read_at && n.priority === 'high').length });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url);
      switch (`${input.method} ${url.pathname}`) {
        case 'GET /api/v1/users':
          return json({ users: [user(1, 'ana'), user(2, 'ben', { display_name: 'Ben Ortiz' })], next_cursor: null });
        case 'GET /api/v1/users/me/notification-settings':
          return json({ email_enabled: true, email_delay_minutes: 10, email_digest: 'immediately', desktop_enabled: settings.desktop_enabled ?? false, dnd_start: null, dnd_end: null, time_zone: 'UTC', language: 'en', dnd_active: false });
        case 'GET /api/v1/notifications/unread_count':
          return json(counts());
        case 'GET /api/v1/notifications': {
          const unreadOnly = url.searchParams.get('unread_only') === 'true';
          return json({ notifications: stored.filter((n) => !unreadOnly || !n.read_at), next_cursor: null, ...counts() });
        }
        case 'POST /api/v1/notifications/read': {
          const body = (await input.json()) as { ids?: number[]; up_to?: number };
          posted.push(body);
          for (const n of stored) if (body.ids?.includes(n.id) || (body.up_to !== undefined && n.id <= body.up_to)) n.read_at ??= '2026-11-20T12:00:00Z';
          return json(counts());
        }
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return { posted };
}

function setup(settings: { desktop_enabled?: boolean } = {}) {
  const server = fakeServer(settings);
  const onOpen = vi.fn();
  const onSettings = vi.fn();
  const { container } = render(
    <QueryClientProvider client={createQueryClient()}>
      <NotificationsProvider userId={1}>
        <nav className="sidebar">
          <NotificationListener onOpen={onOpen} openChannelId={1} />
          <NotificationBell onOpen={onOpen} onSettings={onSettings} />
        </nav>
      </NotificationsProvider>
    </QueryClientProvider>,
  );
  return { ...server, onOpen, onSettings, container };
}

/** The notifications socket: tests push frames through the last one opened. */
class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.();
      this.push({ type: 'notifications_ready', user_id: 1 });
    });
  }
  push(frame: object) {
    act(() => this.onmessage?.({ data: JSON.stringify(frame) }));
  }
  send() {}
  close() {
    this.readyState = 3;
  }
}

const shown: { title: string; body?: string }[] = [];
class FakeNotification {
  static permission = 'granted';
  onclick: (() => void) | null = null;
  constructor(title: string, options: { body?: string }) {
    shown.push({ title, body: options.body });
  }
  close() {}
}

beforeEach(() => {
  FakeSocket.last = null;
  shown.length = 0;
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('Notification', FakeNotification);
  startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana') });
});
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

describe('the notification centre', () => {
  it('shows the server’s unread count on the bell', async () => {
    setup();
    await screen.findByRole('button', { name: 'Notifications, 3 unread, 1 high priority' });
  });

  it('opens outside the sidebar, unread first, and Escape closes it back to the bell', async () => {
    const { container } = setup();
    const bell = await screen.findByRole('button', { name: /Notifications, 3 unread/ });
    await userEvent.click(bell);
    const panel = await screen.findByRole('dialog', { name: 'Notifications' });
    expect(container.contains(panel)).toBe(false);
    await within(panel).findByText('Old news');
    const items = within(panel).getAllByRole('button').filter((b) => b.classList.contains('notification-item'));
    expect(items.map((b) => b.dataset.notificationId)).toEqual(['5', '3', '2', '4', '1']);
    expect(within(panel).getByText('You were added to #leads')).toBeTruthy();
    expect(items[0]!.textContent).toContain('Ben Ortiz mentioned you in #general');

    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Notifications' })).toBeNull();
    expect(document.activeElement).toBe(bell);
  });

  it('opening one marks it read and goes to its message; the badge goes down', async () => {
    const { posted, onOpen } = setup();
    await userEvent.click(await screen.findByRole('button', { name: /Notifications, 3 unread/ }));
    const panel = await screen.findByRole('dialog', { name: 'Notifications' });
    await userEvent.click(await within(panel).findByRole('button', { name: /Can you look at the deploy/ }));
    expect(onOpen).toHaveBeenCalledWith({ channelId: 1, message: { id: 505, seq: 25, reply_to_id: null } });
    await waitFor(() => expect(posted).toEqual([{ ids: [5] }]));
    await screen.findByRole('button', { name: 'Notifications, 2 unread' });
  });

  it('"Mark all read" marks up to the newest and clears the badge', async () => {
    const { posted } = setup();
    await userEvent.click(await screen.findByRole('button', { name: /Notifications, 3 unread/ }));
    const panel = await screen.findByRole('dialog', { name: 'Notifications' });
    await within(panel).findByText('Old news');
    await userEvent.click(within(panel).getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(posted).toEqual([{ up_to: 5 }]));
    await screen.findByRole('button', { name: 'Notifications' });
    expect(panel.querySelectorAll('.notification-item.unread')).toHaveLength(0);
  });

  it('moves between notifications with the arrow keys, and keeps Tab inside', async () => {
    setup();
    await userEvent.click(await screen.findByRole('button', { name: /Notifications, 3 unread/ }));
    const panel = await screen.findByRole('dialog', { name: 'Notifications' });
    await within(panel).findByText('Old news');
    expect(document.activeElement).toBe(panel);
    await userEvent.keyboard('{ArrowDown}');
    expect((document.activeElement as HTMLElement).dataset.notificationId).toBe('5');
    await userEvent.keyboard('{ArrowUp}');
    expect((document.activeElement as HTMLElement).dataset.notificationId).toBe('1');
    // Tab goes round the panel: past its last button, back to its first.
    await userEvent.tab();
    expect(document.activeElement?.textContent).toBe('Mark all read');
    await userEvent.tab({ shift: true });
    expect((document.activeElement as HTMLElement).dataset.notificationId).toBe('1');
  });
});

describe('live notifications', () => {
  const connected = async () => {
    await waitFor(() => expect(FakeSocket.last?.readyState).toBe(1));
    await screen.findByRole('button', { name: /Notifications, 3 unread/ });
    return FakeSocket.last!;
  };

  it('count on the bell and show in the open centre as they arrive', async () => {
    setup();
    const socket = await connected();
    await userEvent.click(screen.getByRole('button', { name: /Notifications, 3 unread/ }));
    const panel = await screen.findByRole('dialog', { name: 'Notifications' });
    await within(panel).findByText('Old news');
    socket.push({ type: 'notification', notification: notification(9, { priority: 'high', excerpt: 'Fresh from the socket' }) });
    await screen.findByRole('button', { name: 'Notifications, 4 unread, 2 high priority' });
    const items = [...panel.querySelectorAll<HTMLElement>('.notification-item')];
    expect(items[0]!.dataset.notificationId).toBe('9');
    expect(items[0]!.textContent).toContain('Fresh from the socket');
  });

  it('agree with other tabs and devices: what they mark read is read here', async () => {
    setup();
    const socket = await connected();
    await userEvent.click(screen.getByRole('button', { name: /Notifications, 3 unread/ }));
    const panel = await screen.findByRole('dialog', { name: 'Notifications' });
    await within(panel).findByText('Old news');
    socket.push({ type: 'notifications_read', ids: [5, 3], up_to: null, unread: 1, high_priority: 0 });
    await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    expect([...panel.querySelectorAll<HTMLElement>('.notification-item.unread')].map((b) => b.dataset.notificationId)).toEqual(['2']);
    socket.push({ type: 'notifications_read', ids: null, up_to: 5, unread: 0, high_priority: 0 });
    await screen.findByRole('button', { name: 'Notifications' });
    expect(panel.querySelectorAll('.notification-item.unread')).toHaveLength(0);
  });

  it('pop up in the browser for another channel, never for quiet ones', async () => {
    setup({ desktop_enabled: true });
    const socket = await connected();
    // The settings (desktop on) came with the counts.
    await act(() => new Promise((r) => setTimeout(r, 20)));
    socket.push({ type: 'notification', notification: notification(10, { channel_id: 2, channel_name: 'random', quiet: true, excerpt: 'During quiet hours' }) });
    socket.push({ type: 'notification', notification: notification(11, { channel_id: 1, excerpt: 'In the channel on screen' }) });
    socket.push({ type: 'notification', notification: notification(12, { channel_id: 2, channel_name: 'random', excerpt: 'Elsewhere' }) });
    expect(shown).toEqual([{ title: 'Ben Ortiz mentioned you in #random', body: 'Elsewhere' }]);
    await screen.findByRole('button', { name: /Notifications, 6 unread/ });
  });
});
