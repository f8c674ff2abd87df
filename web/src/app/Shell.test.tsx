import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../lib/queryClient';
import { endSession, getSession, startSession } from '../lib/session';
import type { User } from '../lib/types';
import { user } from '../test/fixtures';
import { ConfirmEmailPage } from '../features/auth';
import { Shell } from './Shell';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function signIn(who: User) {
  startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: who });
}

function open() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter initialEntries={['/c/1']}>
        <Routes>
          <Route element={<Shell />}>
            <Route path="/c/:channelId" element={<p>the channel</p>} />
          </Route>
          <Route path="/login" element={<p>login page</p>} />
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

describe('a member whose address is not confirmed yet', () => {
  it('sees one screen with the address, a new link and logging out, and nothing of the organization', async () => {
    const ben = user(2, 'ben', { email_verified: false });
    signIn(ben);
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request) => {
        const path = new URL(input.url).pathname;
        asked.push(`${input.method} ${path}`);
        if (path === '/api/v1/auth/me') return json(ben);
        if (path === '/api/v1/auth/verify-email/resend') return json({ code: 'rate_limited', message: 'too many attempts; try again in 3600 seconds' }, 429);
        if (path === '/api/v1/auth/logout') return new Response(null, { status: 204 });
        return json({ code: 'email_unverified', message: 'Confirm your email address first (the emailed link).' }, 403);
      }),
    );
    open();
    expect(await screen.findByRole('heading', { name: 'Confirm your email address' })).toBeTruthy();
    expect(screen.getByText('ben@acme.io')).toBeTruthy();
    expect(screen.queryByText('the channel')).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Several links went to this address already/);
    // The organization was asked once, and refused; then only the account's own endpoints.
    expect(asked.filter((a) => !a.startsWith('GET /api/v1/auth/me'))).toEqual([
      'GET /api/v1/organizations/current',
      'POST /api/v1/auth/verify-email/resend',
    ]);

    await userEvent.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByText('login page')).toBeTruthy();
    expect(getSession()).toBeNull();
    expect(asked).toContain('POST /api/v1/auth/logout');
  });

  it('is let in as soon as the address is confirmed elsewhere', async () => {
    signIn(user(2, 'ben', { email_verified: false }));
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request) => {
        asked.push(new URL(input.url).pathname);
        return json(user(2, 'ben', { email_verified: true }));
      }),
    );
    render(
      <QueryClientProvider client={createQueryClient()}>
        <MemoryRouter>
          <ConfirmEmailPage />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    // The screen asks the server again, and the session (which the shell follows) learns it.
    await vi.waitFor(() => expect(getSession()?.user.email_verified).toBe(true));
    expect(new Set(asked)).toEqual(new Set(['/api/v1/auth/me']));
  });

  it('is never kept out when a founder, whose organization does not wait', async () => {
    const { awaitsConfirmation } = await import('../lib/session');
    expect(awaitsConfirmation(user(1, 'ana', { role: 'admin', email_verified: false }))).toBe(false);
    expect(awaitsConfirmation(user(2, 'ben', { email_verified: false }))).toBe(true);
    expect(awaitsConfirmation(user(2, 'ben'))).toBe(false);
  });
});

describe('someone whose organization requires two-factor sign-in they have not set up', () => {
  it('sees the setup instead of the workspace, and the workspace once it is on', async () => {
    const ben = user(2, 'ben');
    signIn(ben);
    const asked: string[] = [];
    let token = 'a';
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request | string, init?: RequestInit) => {
        // The session's refresh calls fetch with a path; the API client with a Request.
        const request = typeof input === 'string' ? new Request(new URL(input, 'http://localhost'), init) : input;
        const path = new URL(request.url).pathname;
        asked.push(`${request.method} ${path}`);
        if (path === '/api/v1/auth/me') return json(ben);
        if (path === '/api/v1/auth/two-factor') return json({ enabled: token === 'b', pending: false, recovery_codes_left: token === 'b' ? 10 : 0 });
        if (path === '/api/v1/auth/two-factor/enrol') return json({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Tandem:ben%40acme.io?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tandem' });
        if (path === '/api/v1/auth/two-factor/confirm') return json({ recovery_codes: Array.from({ length: 10 }, (_, i) => `AAAA-BBBB-CCCC-DDD${i}`) });
        if (path === '/api/v1/auth/refresh') {
          token = 'b';
          return json({ access_token: 'b', refresh_token: 'r2', token_type: 'bearer', expires_in: 900, user: ben });
        }
        // Tokens issued before the setup are refused everywhere else.
        if (request.headers.get('authorization') !== 'Bearer b') {
          return json({ code: 'two_factor_setup_required', message: 'Your organization requires two-factor sign-in.' }, 403);
        }
        if (path === '/api/v1/organizations/current') {
          return json({ id: 1, name: 'Acme', subscription_plan: 'free', self_signup: true, two_factor_policy: 'everyone', created_at: '2026-11-01T10:00:00Z', is_active: true });
        }
        return json({ channels: [], users: [], notifications: [], unread_count: 0 });
      }),
    );
    open();
    expect(await screen.findByText(/Your organization requires two-factor sign-in/)).toBeTruthy();
    expect(screen.queryByText('the channel')).toBeNull();
    await userEvent.click(await screen.findByRole('button', { name: 'Turn on' }));
    await userEvent.type(screen.getByLabelText('Current password'), 'violet harbor kettle');
    await userEvent.click(screen.getByRole('button', { name: /Continue/ }));
    await userEvent.type(await screen.findByLabelText('Code from the app'), '123456');
    await userEvent.click(screen.getByRole('button', { name: /Turn on|Confirm/ }));
    await userEvent.click(await screen.findByRole('button', { name: 'I have saved them' }));
    // A fresh token, and the workspace asked again: it opens.
    expect(await screen.findByText('the channel')).toBeTruthy();
    expect(getSession()?.accessToken).toBe('b');
    expect(asked).toContain('POST /api/v1/auth/refresh');
  });
});
