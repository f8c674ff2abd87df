import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endSession, getSession, startSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import { VerifyEmailPage } from './VerifyEmailPage';

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const invalidLink = json(
  {
    code: 'validation_failed',
    message: 'token: this confirmation link is not valid (it may have been used, replaced by a newer one, or have expired)',
    details: [{ field: 'token', code: 'invalid_link', message: 'this confirmation link is not valid (it may have been used, replaced by a newer one, or have expired)' }],
  },
  422,
);

function signIn(extra: Parameters<typeof user>[2] = {}) {
  startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(2, 'ben', { email_verified: false, ...extra }) });
}

function open(token: string) {
  render(
    <MemoryRouter initialEntries={[`/verify-email?token=${token}`]}>
      <Routes>
        <Route path="/verify-email" element={<VerifyEmailPage />} />
        <Route path="/" element={<p>the app</p>} />
        <Route path="/login" element={<p>login page</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

describe('the email confirmation page', () => {
  it('confirms the address once, tells the signed-in session, and leads into the app', async () => {
    signIn();
    const sent: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request) => {
        sent.push([new URL(input.url).pathname, await input.json()]);
        return json(user(2, 'ben', { email_verified: true }), 200);
      }),
    );
    open('7.first');
    expect(await screen.findByRole('heading', { name: 'Email address confirmed' })).toBeTruthy();
    expect(sent).toEqual([['/api/v1/auth/verify-email', { token: '7.first' }]]);
    expect(getSession()?.user.email_verified).toBe(true);
    await userEvent.click(screen.getByRole('link', { name: 'Continue to Tandem' }));
    expect(await screen.findByText('the app')).toBeTruthy();
  });

  it('leads to login when nobody is signed in here', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(user(2, 'ben', { email_verified: true }), 200)));
    open('7.second');
    await userEvent.click(await screen.findByRole('link', { name: 'Log in' }));
    expect(await screen.findByText('login page')).toBeTruthy();
  });

  it('offers a new link when this one no longer works, and says when too many were sent', async () => {
    signIn();
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request) => {
        const path = new URL(input.url).pathname;
        asked.push(path);
        if (path === '/api/v1/auth/verify-email') return invalidLink.clone();
        return asked.filter((p) => p === path).length === 1
          ? json({ message: 'a confirmation link is on its way to your address' }, 202)
          : json({ code: 'rate_limited', message: 'too many attempts; try again in 3600 seconds' }, 429);
      }),
    );
    open('7.used');
    expect(await screen.findByRole('heading', { name: 'This link no longer works' })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect((await screen.findByRole('status')).textContent).toBe('A new link is on its way to ben@acme.io. It replaces the earlier ones.');
    await userEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((a) => a.textContent).join(' ')).toMatch(/Several links went to this address already/);
    expect(asked).toEqual(['/api/v1/auth/verify-email', '/api/v1/auth/verify-email/resend', '/api/v1/auth/verify-email/resend']);
  });

  it('asks a visitor who is not signed in to log in for a new link', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => invalidLink.clone()));
    open('7.expired');
    expect((await screen.findByRole('alert')).textContent).toMatch(/used already, replaced by a newer one, or have expired/);
    expect(screen.getByRole('link', { name: 'Log in' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send a new link' })).toBeNull();
  });
});
