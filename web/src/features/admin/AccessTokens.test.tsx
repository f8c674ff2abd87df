import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { AccessToken } from '../../lib/types';
import { user } from '../../test/fixtures';
import { AccessTokensSection } from './AccessTokens';

const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const token = (id: number, name: string, userId: number, extra: Partial<AccessToken> = {}): AccessToken => ({
  id,
  name,
  scopes: ['read'],
  user_id: userId,
  created_at: '2026-11-01T09:00:00Z',
  expires_at: null,
  last_used_at: null,
  ...extra,
});

const people = [user(1, 'ana', { role: 'admin', display_name: 'Ana García' }), user(2, 'ben')];

/** Everyone's tokens; the people of the organization (user 42 is not among them); what was sent. */
function fakeServer(initial: AccessToken[]) {
  let tokens = [...initial];
  const sent: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const what = `${input.method} ${new URL(input.url).pathname}`;
      if (input.method !== 'GET') sent.push(what);
      if (what === 'GET /api/v1/organizations/current/tokens') return json({ tokens });
      if (what === 'GET /api/v1/users') return json({ users: people, next_cursor: null });
      const revoked = /^DELETE \/api\/v1\/organizations\/current\/tokens\/(\d+)$/.exec(what);
      if (revoked) {
        tokens = tokens.filter((t) => t.id !== Number(revoked[1]));
        return json(null, 204);
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return sent;
}

function setup(initial: AccessToken[]) {
  const sent = fakeServer(initial);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <AccessTokensSection />
    </QueryClientProvider>,
  );
  return sent;
}

beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: people[0]! }));
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const section = () => screen.getByRole('region', { name: 'Personal access tokens' });
const rows = () => within(within(section()).getByRole('table')).getAllByRole('row').slice(1);
const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].slice(0, 5).map((td) => td.textContent);

describe('personal access tokens on the admin page', () => {
  const all = [
    token(3, 'deploy notifier', 2, { scopes: ['read', 'write', 'channels'], last_used_at: '2026-11-20T08:00:00Z' }),
    token(2, 'audit export', 1, { scopes: ['read', 'admin'] }),
    token(1, 'old script', 42),
  ];

  it('lists everyone’s tokens with their owner, scopes and last use', async () => {
    setup(all);
    await within(section()).findByRole('table');
    await vi.waitFor(() => expect(cells(rows()[0]!)[0]).toBe('ben'));
    expect(rows().map((r) => cells(r)[0])).toEqual(['ben', 'Ana García', 'User 42']);
    expect(cells(rows()[0]!).slice(1, 3)).toEqual(['deploy notifier', 'Read, Write, Channels']);
    expect(cells(rows()[0]!)[4]).not.toBe('Never');
    expect(cells(rows()[1]!).slice(1)).toEqual(['audit export', 'Read, Admin', 'Never', 'Never']);
  });

  it('says when nobody has one', async () => {
    setup([]);
    expect(await within(section()).findByText('Nobody has a token.')).toBeTruthy();
  });

  it('revokes anyone’s token once confirmed', async () => {
    const sent = setup(all);
    await userEvent.click(await within(section()).findByRole('button', { name: 'Revoke deploy notifier' }));
    const dialog = screen.getByRole('dialog', { name: 'Revoke a token' });
    expect(dialog.textContent).toContain('deploy notifier');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('ben’s token deploy notifier was revoked: it no longer works.');
    await vi.waitFor(() => expect(rows()).toHaveLength(2));
    expect(within(section()).queryByRole('button', { name: 'Revoke deploy notifier' })).toBeNull();
    expect(sent).toEqual(['DELETE /api/v1/organizations/current/tokens/3']);
  });
});
