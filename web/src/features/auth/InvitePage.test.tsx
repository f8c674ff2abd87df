import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, getSession } from '../../lib/session';
import type { InvitationPreview } from '../../lib/types';
import { user } from '../../test/fixtures';
import { InvitePage } from './InvitePage';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const preview = (extra: Partial<InvitationPreview> = {}): InvitationPreview => ({
  organization_name: 'Acme',
  email: 'cleo@elsewhere.io',
  role: 'moderator',
  inviter: 'Ana García',
  account_exists: false,
  expires_at: '2026-12-01T10:00:00Z',
  ...extra,
});

/** The server's side: the preview, then each accept answered by the next of `accepts`. */
function fakeServer(invitation: InvitationPreview | Response, ...accepts: Response[]) {
  const accepted: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      const body = await input.json();
      if (path === '/api/v1/auth/invitations/preview') {
        expect(body).toEqual({ token: '5.invite' });
        return invitation instanceof Response ? invitation.clone() : json(invitation);
      }
      accepted.push(body);
      return accepts.shift()!;
    }),
  );
  return accepted;
}

const signedIn = (id: number, username: string) =>
  json({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(id, username, { email: `${username}@elsewhere.io` }) }, 201);

function open() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter initialEntries={['/invite?token=5.invite']}>
        <Routes>
          <Route path="/invite" element={<InvitePage />} />
          <Route path="/" element={<p>the app</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

describe('the invitation page', () => {
  it('says who invites to what, creates the account, and signs in', async () => {
    const accepted = fakeServer(
      preview(),
      json({ code: 'username_taken', message: 'this username is taken' }, 409),
      signedIn(9, 'cleo'),
    );
    open();
    expect(await screen.findByRole('heading', { name: 'Join Acme on Tandem' })).toBeTruthy();
    expect(screen.getByText('Ana García invited you to join as a moderator.')).toBeTruthy();
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Email' }).readOnly).toBe(true);
    await userEvent.type(screen.getByRole('textbox', { name: 'Username' }), 'ben');
    await userEvent.type(screen.getByRole('textbox', { name: 'Full name (optional)' }), 'Cleo Park');
    await userEvent.type(screen.getByLabelText('Password'), 'violet harbor kettle');
    await userEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    // The username is taken: said beside it.
    expect((await screen.findByRole('textbox', { name: /Username/ })).closest('label')?.textContent).toContain('this username is taken');

    await userEvent.clear(screen.getByRole('textbox', { name: /Username/ }));
    await userEvent.type(screen.getByRole('textbox', { name: /Username/ }), 'cleo');
    await userEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect(await screen.findByText('the app')).toBeTruthy();
    expect(getSession()?.user.username).toBe('cleo');
    expect(accepted).toEqual([
      { token: '5.invite', username: 'ben', display_name: 'Cleo Park', password: 'violet harbor kettle' },
      { token: '5.invite', username: 'cleo', display_name: 'Cleo Park', password: 'violet harbor kettle' },
    ]);
  });

  it('asks an existing account only for its password', async () => {
    const accepted = fakeServer(
      preview({ account_exists: true, role: 'member', inviter: null }),
      json({ code: 'validation_failed', message: 'password: the password is incorrect', details: [{ field: 'password', code: 'incorrect', message: 'the password is incorrect' }] }, 422),
      signedIn(4, 'cleo'),
    );
    open();
    expect(await screen.findByText('You are invited to join as a member.')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Username' })).toBeNull();
    await userEvent.type(screen.getByLabelText('Your password'), 'wrong one');
    await userEvent.click(screen.getByRole('button', { name: 'Join Acme' }));
    expect((await screen.findByRole('alert')).textContent).toBe('password: the password is incorrect');
    await userEvent.clear(screen.getByLabelText(/Your password/));
    await userEvent.type(screen.getByLabelText(/Your password/), 'violet harbor kettle');
    await userEvent.click(screen.getByRole('button', { name: 'Join Acme' }));
    expect(await screen.findByText('the app')).toBeTruthy();
    expect(accepted).toEqual([
      { token: '5.invite', password: 'wrong one' },
      { token: '5.invite', password: 'violet harbor kettle' },
    ]);
  });

  it('says an address with an account elsewhere cannot accept', async () => {
    fakeServer(
      preview(),
      json({ code: 'account_in_other_organization', message: 'this address already has an account in another organization' }, 409),
    );
    open();
    await userEvent.type(await screen.findByRole('textbox', { name: 'Username' }), 'cleo');
    await userEvent.type(screen.getByLabelText('Password'), 'violet harbor kettle');
    await userEvent.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect((await screen.findByRole('alert')).textContent).toBe('this address already has an account in another organization');
    expect(getSession()).toBeNull();
  });

  it('says when the invitation no longer works', async () => {
    fakeServer(
      json(
        {
          code: 'validation_failed',
          message: 'token: this invitation is not valid',
          details: [{ field: 'token', code: 'invalid_link', message: 'this invitation is not valid' }],
        },
        422,
      ),
    );
    open();
    expect(await screen.findByRole('heading', { name: 'This invitation no longer works' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/used already, revoked, or have expired/);
  });
});
