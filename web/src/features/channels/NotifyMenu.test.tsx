import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient, keys } from '../../lib/queryClient';
import { NotifyMenu } from './NotifyMenu';
import type { ChannelListItem } from '../../lib/types';

const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function setup(prefs = { notification_level: 'default' as const, muted: false }) {
  const puts: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const body = (await input.json()) as { level?: string; muted?: boolean };
      puts.push({ path: new URL(input.url).pathname, body });
      return json({ channel_id: 7, level: body.level ?? prefs.notification_level, muted: body.muted ?? prefs.muted });
    }),
  );
  const queryClient = createQueryClient();
  queryClient.setQueryData(keys.channels, { channels: [{ id: 7, name: 'random', ...prefs } as unknown as ChannelListItem] });
  render(
    <QueryClientProvider client={queryClient}>
      <NotifyMenu channelId={7} direct={false} prefs={prefs} />
    </QueryClientProvider>,
  );
  return { puts, queryClient };
}

describe('the channel notification menu', () => {
  it('opens on the chosen level and moves with the arrow keys; Escape closes it back to its button', async () => {
    setup();
    const button = screen.getByRole('button', { name: 'Notifications for this channel: default (mentions)' });
    await userEvent.click(button);
    const menu = screen.getByRole('menu', { name: 'Notifications for this channel' });
    expect(document.activeElement?.textContent).toMatch(/^Default \(mentions\)/);
    expect(menu.querySelectorAll('[role="menuitemradio"]')).toHaveLength(4);
    await userEvent.keyboard('{ArrowDown}');
    expect(document.activeElement?.textContent).toMatch(/^All new messages/);
    await userEvent.keyboard('{End}');
    expect(document.activeElement?.getAttribute('role')).toBe('menuitemcheckbox');
    await userEvent.keyboard('{ArrowDown}');
    expect(document.activeElement?.textContent).toMatch(/^Default/);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('saves a level and mute, and the channel list shows them at once', async () => {
    const { puts, queryClient } = setup();
    await userEvent.click(screen.getByRole('button', { name: /Notifications for this channel/ }));
    await userEvent.click(screen.getByRole('menuitemcheckbox', { name: /Mute channel/ }));
    expect(puts).toEqual([{ path: '/api/v1/channels/7/notification-settings', body: { muted: true } }]);
    expect(queryClient.getQueryData<{ channels: ChannelListItem[] }>(keys.channels)?.channels[0]).toMatchObject({ muted: true });
    expect(screen.queryByRole('menu')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: /Notifications for this channel/ }));
    await userEvent.click(screen.getByRole('menuitemradio', { name: /^All new messages/ }));
    expect(puts[1]).toEqual({ path: '/api/v1/channels/7/notification-settings', body: { level: 'all' } });
    expect(queryClient.getQueryData<{ channels: ChannelListItem[] }>(keys.channels)?.channels[0]).toMatchObject({ notification_level: 'all' });
  });
});
