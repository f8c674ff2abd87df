import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import type { Channel, ChannelMember, ChannelRole, Role, User } from '../../lib/types';
import { channel as channelOf, member, user } from '../../test/fixtures';
import { ChannelInfo } from './ChannelPanels';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/**
 * The details panel of #general for Ana (channel role `role`, organization role `org`), with
 * Ben a moderator and Cleo a member muted for an hour; the server answers role and mute changes.
 */
function setup(role: ChannelRole, org: Role = 'member', extra: Partial<Channel> = {}, more: { members?: User[]; outsiders?: User[] } = {}) {
  const ana = user(1, 'ana', { display_name: 'Ana García', role: org });
  const people = [ana, user(2, 'ben', { display_name: 'Ben Ortiz' }), user(3, 'cleo'), ...(more.members ?? []), ...(more.outsiders ?? [])];
  let members: ChannelMember[] = [
    member(people[0]!, role),
    member(people[1]!, 'moderator'),
    member(people[2]!, 'member', { posting_muted_until: inAnHour() }),
    ...(more.members ?? []).map((u) => member(u)),
  ];
  const asked: { method: string; path: string; body?: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      const body = input.method === 'GET' || input.method === 'DELETE' ? undefined : await input.json();
      asked.push({ method: input.method, path, body });
      if (path === '/api/v1/channels/7/members') return json({ members, next_cursor: null });
      if (path === '/api/v1/users') return json({ users: people, next_cursor: null });
      if (path === '/api/v1/users/online') return json({ users: [] });
      const change = /^\/api\/v1\/channels\/7\/members\/(\d+)(\/mute)?$/.exec(path);
      if (change) {
        const id = Number(change[1]);
        members = members.map((m) => {
          if (m.user.id !== id) return m;
          if (!change[2]) return { ...m, role: (body as { role: ChannelRole }).role };
          return { ...m, posting_muted_until: input.method === 'DELETE' ? null : inAnHour() };
        });
        return json(members.find((m) => m.user.id === id));
      }
      return json({ code: 'not_found', message: 'no such thing' }, 404);
    }),
  );
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ChannelInfo channel={channelOf(7, { name: 'general', role, ...extra })} title="general" me={ana} onClose={() => {}} pinned={<p>Nothing pinned</p>} />
    </QueryClientProvider>,
  );
  return { asked: () => asked.filter((a) => a.method !== 'GET') };
}

const row = async (name: string) => (await screen.findByText(name)).closest('li')!;

describe('the members of a channel', () => {
  it('show their role here and any mute, to everyone; plain members change nothing', async () => {
    setup('member');
    expect(within(await row('Ben Ortiz')).getByText('Moderator')).toBeTruthy();
    expect(within(await row('cleo')).getByText(/^Muted until /)).toBeTruthy();
    expect(within(await row('Ana García')).queryByText('Admin')).toBeNull();
    expect(screen.queryByRole('button', { name: /^Manage / })).toBeNull();
    // Any member adds people.
    expect(screen.getByRole('combobox', { name: 'Person to add' })).toBeTruthy();
  });

  it('mark bots with their badge, in the list and among the people to add', async () => {
    const bot = user(8, 'deploy-bot', { display_name: 'Deploy bot', is_bot: true, bot_owner_id: 1 });
    const outsider = user(9, 'ci-bot', { is_bot: true, bot_owner_id: 1 });
    setup('member', 'member', {}, { members: [bot], outsiders: [outsider, user(10, 'dan')] });
    expect(within(await row('Deploy bot')).getByText('Bot').classList.contains('bot-tag')).toBe(true);
    expect((await row('Ben Ortiz')).querySelector('.bot-tag')).toBeNull();
    const add = screen.getByRole<HTMLSelectElement>('combobox', { name: 'Person to add' });
    await vi.waitFor(() => expect(add.options).toHaveLength(3));
    expect([...add.options].map((o) => o.textContent)).toEqual(['Add someone…', 'ci-bot (@ci-bot) · bot', 'dan (@dan)']);
  });

  it('in an archived channel, offer giving roles only: no adding, no muting', async () => {
    setup('admin', 'member', { is_archived: true });
    await row('cleo');
    expect(screen.queryByRole('combobox', { name: 'Person to add' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Manage cleo' }));
    expect(screen.getAllByRole('menuitemradio')).toHaveLength(3);
    expect(screen.queryByRole('menuitem')).toBeNull();
  });

  it('let a channel admin give roles and mute those with less say', async () => {
    const { asked } = setup('admin');
    expect(within(await row('Ana García')).getByText('Admin')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Manage Ben Ortiz' }));
    const menu = screen.getByRole('menu', { name: 'Manage Ben Ortiz' });
    expect(within(menu).getByRole('menuitemradio', { name: /^Moderator/ }).getAttribute('aria-checked')).toBe('true');
    expect(document.activeElement).toBe(within(menu).getByRole('menuitemradio', { name: /^Moderator/ }));
    expect(within(menu).getAllByRole('menuitem').map((m) => m.textContent)).toEqual(['Mute for 1 hour', 'Mute for 1 day', 'Mute for 1 week']);
    await userEvent.click(within(menu).getByRole('menuitemradio', { name: /^Member/ }));
    expect(asked()).toEqual([{ method: 'PATCH', path: '/api/v1/channels/7/members/2', body: { role: 'member' } }]);
    expect(screen.queryByRole('menu')).toBeNull();
    expect(within(await row('Ben Ortiz')).queryByText('Moderator')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Manage Ben Ortiz' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'Mute for 1 day' }));
    expect(asked()[1]).toEqual({ method: 'PUT', path: '/api/v1/channels/7/members/2/mute', body: { minutes: 1440 } });
    expect(within(await row('Ben Ortiz')).getByText(/^Muted until /)).toBeTruthy();
  });

  it('let a moderator mute and unmute plain members only', async () => {
    const { asked } = setup('moderator');
    await row('cleo');
    expect(screen.getAllByRole('button', { name: /^Manage / }).map((b) => b.getAttribute('aria-label'))).toEqual(['Manage cleo']);
    await userEvent.click(screen.getByRole('button', { name: 'Manage cleo' }));
    expect(screen.queryByRole('menuitemradio')).toBeNull();
    await userEvent.click(screen.getByRole('menuitem', { name: 'Unmute' }));
    expect(asked()).toEqual([{ method: 'DELETE', path: '/api/v1/channels/7/members/3/mute', body: undefined }]);
    expect(within(await row('cleo')).queryByText(/^Muted until /)).toBeNull();
  });

  it('count an organization admin as an admin of the channel', async () => {
    setup('member', 'admin');
    await row('cleo');
    expect(screen.getAllByRole('button', { name: /^Manage / }).map((b) => b.getAttribute('aria-label'))).toEqual([
      'Manage Ana García',
      'Manage Ben Ortiz',
      'Manage cleo',
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Manage Ana García' }));
    // Roles, but no muting oneself.
    expect(screen.getAllByRole('menuitemradio')).toHaveLength(3);
    expect(screen.queryByRole('menuitem')).toBeNull();
  });
});
