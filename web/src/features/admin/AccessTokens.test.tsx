import { QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { AccessToken, Organization } from '../../lib/types';
import { organization, user } from '../../test/fixtures';
import { json } from '../../test/server';
import { AccessTokensSection } from './AccessTokens';

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

const acme = (accessTokensEnabled: boolean): Organization => organization({ access_tokens_enabled: accessTokensEnabled });

/** The server's side of changing the organization: `gate` holds its answer back; `refuse` answers 403. */
const organizationServer = { enabled: true, gate: null as Promise<void> | null, refuse: false };

/**
 * Everyone's tokens; the people of the organization (user 42 is not among them); the organization
 * (its tokens on unless `enabled` is false); what was sent.
 */
function fakeServer(initial: AccessToken[], enabled = true) {
  let tokens = [...initial];
  organizationServer.enabled = enabled;
  const sent: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const what = `${input.method} ${new URL(input.url).pathname}`;
      if (input.method === 'PATCH') sent.push(`${what} ${await input.text()}`);
      else if (input.method !== 'GET') sent.push(what);
      if (what === 'GET /api/v1/organizations/current') return json(acme(organizationServer.enabled));
      if (what === 'PATCH /api/v1/organizations/current') {
        await organizationServer.gate;
        if (organizationServer.refuse) return json({ code: 'forbidden', message: 'Only admins change the organization.' }, 403);
        organizationServer.enabled = !organizationServer.enabled;
        return json(acme(organizationServer.enabled));
      }
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

function setup(initial: AccessToken[], enabled = true) {
  const sent = fakeServer(initial, enabled);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <AccessTokensSection />
    </QueryClientProvider>,
  );
  return sent;
}

beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: people[0]! }));
afterEach(() => {
  organizationServer.gate = null;
  organizationServer.refuse = false;
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

  describe('allowing them', () => {
    const toggle = () => within(section()).getByRole<HTMLInputElement>('checkbox', { name: 'Allow personal access tokens' });
    /** The box once the organization is read (it waits for it, disabled). */
    const ready = async () => {
      await vi.waitFor(() => expect(toggle().disabled).toBe(false));
      return toggle();
    };

    it('shows whether people may make tokens, and what turning them off does', async () => {
      setup([], false);
      const box = await ready();
      expect(box.checked).toBe(false);
      expect(document.getElementById(box.getAttribute('aria-describedby')!)!.textContent).toMatch(/nobody can make one.*stop working.*bots’ tokens work either way/);
    });

    it('turns them off, the box following the click at once while the server answers', async () => {
      const sent = setup(all);
      const box = await ready();
      expect(box.checked).toBe(true);
      let answer!: () => void;
      organizationServer.gate = new Promise((resolve) => (answer = resolve));
      // The box shows the choice at once, and keeps it (disabled) while the server answers.
      fireEvent.click(box);
      expect(box.checked).toBe(false);
      expect(box.disabled).toBe(true);
      await act(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
      });
      expect(box.checked).toBe(false);
      expect(box.disabled).toBe(true);

      answer();
      await vi.waitFor(() => expect(toggle().disabled).toBe(false));
      expect(toggle().checked).toBe(false);
      expect(sent).toEqual(['PATCH /api/v1/organizations/current {"access_tokens_enabled":false}']);
      // The tokens made are still listed, to revoke.
      expect(within(section()).getByRole('button', { name: 'Revoke deploy notifier' })).toBeTruthy();

      await userEvent.click(toggle());
      await vi.waitFor(() => expect(toggle().disabled).toBe(false));
      expect(toggle().checked).toBe(true);
      expect(sent[1]).toBe('PATCH /api/v1/organizations/current {"access_tokens_enabled":true}');
    });

    it('shows the server’s refusal, and the setting as it stands', async () => {
      setup([]);
      const box = await ready();
      organizationServer.refuse = true;
      await userEvent.click(box);
      expect((await within(section()).findByRole('alert')).textContent).toBe('Only admins change the organization.');
      await vi.waitFor(() => expect(toggle().disabled).toBe(false));
      expect(toggle().checked).toBe(true);
    });
  });
});
