import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { User } from '../../lib/types';
import { user } from '../../test/fixtures';
import { PeopleSection } from './People';

const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const ana = user(1, 'ana', { role: 'admin', display_name: 'Ana García' });
const people: User[] = [
  ana,
  user(2, 'ben', { display_name: 'Ben Ortiz' }),
  user(3, 'cleo', { is_active: false }),
  user(20, 'deploy-bot', { display_name: 'Deploy bot', is_bot: true, bot_owner_id: 1, email: 'deploy-bot@bots.invalid' }),
  user(21, 'old-bot', { is_bot: true, bot_owner_id: 1, email: 'old-bot@bots.invalid', is_active: false }),
];

/** The organization's people and bots, everyone online; what was sent. */
function fakeServer() {
  const sent: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url);
      const what = `${input.method} ${url.pathname}`;
      if (input.method !== 'GET') sent.push(what);
      if (what === 'GET /api/v1/users') {
        expect(url.searchParams.get('include_inactive')).toBe('true');
        return json({ users: people, next_cursor: null });
      }
      if (what === 'GET /api/v1/users/online') return json({ users: people.filter((u) => u.is_active).map((u) => ({ id: u.id, status: 'online' })) });
      if (what === 'DELETE /api/v1/users/2/sessions') return json({ ended: 2 });
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return sent;
}

function setup() {
  const sent = fakeServer();
  render(
    <QueryClientProvider client={createQueryClient()}>
      <PeopleSection />
    </QueryClientProvider>,
  );
  return sent;
}

beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: ana }));
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const section = () => screen.getByRole('region', { name: 'People' });
const row = (username: string) => within(section()).getByText(`@${username}`).closest('tr')!;

describe('the people of the organization on the admin page', () => {
  it('offers the actions on a person’s account', async () => {
    setup();
    await within(section()).findByText('@ben');
    const ben = within(row('ben'));
    expect(ben.getByRole('combobox', { name: 'Role of ben' })).toBeTruthy();
    for (const name of ['Deactivate', 'Sign out ben everywhere', 'Force a password reset for ben', 'Turn off two-factor sign-in for ben']) {
      expect(ben.getByRole('button', { name })).toBeTruthy();
    }
    expect(row('ben').textContent).not.toContain('Managed in Bots');
    // Deactivated, someone can only be reactivated; I do nothing to myself.
    expect(within(row('cleo')).getAllByRole('button').map((b) => b.textContent)).toEqual(['Reactivate']);
    expect(within(row('ana')).queryAllByRole('button')).toEqual([]);
  });

  it('lists bots, active or not, with no person’s actions: they are managed in the Bots section', async () => {
    setup();
    await within(section()).findByText('@deploy-bot');
    for (const username of ['deploy-bot', 'old-bot']) {
      const bot = row(username);
      expect(bot.querySelector('.bot-tag')).toBeTruthy();
      expect(within(bot).queryAllByRole('button')).toEqual([]);
      expect(within(bot).queryByRole('combobox')).toBeNull();
      expect(within(bot).getByText('Managed in Bots')).toBeTruthy();
    }
    const cells = [...row('deploy-bot').querySelectorAll('td')].map((td) => td.textContent);
    expect(cells.slice(1)).toEqual(['deploy-bot@bots.invalid', 'Member', 'online', 'Managed in Bots']);
    expect(row('old-bot').className).toBe('inactive');
  });

  it('signs a person out everywhere', async () => {
    const sent = setup();
    await userEvent.click(await within(section()).findByRole('button', { name: 'Sign out ben everywhere' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('Ben Ortiz was signed out of 2 sessions.');
    expect(sent).toEqual(['DELETE /api/v1/users/2/sessions']);
  });
});
