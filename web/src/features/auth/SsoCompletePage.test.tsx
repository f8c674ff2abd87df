import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { StrictMode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endSession, getSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import { SsoCompletePage } from './SsoCompletePage';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const usedTicket = () =>
  json(
    {
      code: 'validation_failed',
      message: 'ticket: this sign-in link is not valid any more; start again',
      details: [{ field: 'ticket', code: 'invalid_link', message: 'this sign-in link is not valid any more; start again' }],
    },
    422,
  );

/** The server's answers to `POST /auth/sso/complete`, in order; what was sent, with its headers. */
function fakeServer(...answers: Response[]) {
  const sent: { path: string; body: unknown; refresh: string | null }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      sent.push({ path: new URL(input.url).pathname, body: await input.json(), refresh: input.headers.get('tandem-refresh') });
      const next = answers.shift();
      if (!next) throw new Error('nothing more to answer');
      return next;
    }),
  );
  return sent;
}

function open(ticket: string | null) {
  render(
    <StrictMode>
      <MemoryRouter initialEntries={[ticket === null ? '/login/sso' : `/login/sso?ticket=${ticket}`]}>
        <Routes>
          <Route path="/login/sso" element={<SsoCompletePage />} />
          <Route path="/login" element={<p>the login page</p>} />
          <Route path="/" element={<p>the app</p>} />
          <Route path="/c/7" element={<p>the channel</p>} />
        </Routes>
      </MemoryRouter>
    </StrictMode>,
  );
}

afterEach(() => {
  cleanup();
  endSession('signed_out');
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe('the page single sign-on lands on', () => {
  it('exchanges the ticket once, starts the session like a login, and opens the app', async () => {
    const sent = fakeServer(json({ access_token: 'a', token_type: 'bearer', expires_in: 900, user: user(5, 'carol') }));
    open('t.first');
    expect(screen.getByRole('heading', { name: 'Signing you in' })).toBeTruthy();
    expect(await screen.findByText('the app')).toBeTruthy();
    // Once, even though the page mounts twice in strict mode: a ticket works only once.
    expect(sent).toEqual([{ path: '/api/v1/auth/sso/complete', body: { ticket: 't.first' }, refresh: 'cookie' }]);
    expect(getSession()?.user.username).toBe('carol');
    expect(getSession()?.accessToken).toBe('a');
  });

  it('goes where the login page was headed', async () => {
    sessionStorage.setItem('tandem.sso', JSON.stringify({ email: 'carol@acme.io', next: '/c/7' }));
    fakeServer(json({ access_token: 'b', token_type: 'bearer', expires_in: 900, user: user(5, 'carol') }));
    open('t.next');
    expect(await screen.findByText('the channel')).toBeTruthy();
    expect(sessionStorage.getItem('tandem.sso')).toBeNull();
  });

  it('says when the ticket was used or expired, and leads back to login', async () => {
    fakeServer(usedTicket());
    open('t.used');
    expect(await screen.findByRole('heading', { name: 'This sign-in link has expired or was already used' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Start again from the login page.');
    expect(getSession()).toBeNull();
    await userEvent.click(screen.getByRole('link', { name: 'Back to log in' }));
    expect(await screen.findByText('the login page')).toBeTruthy();
  });

  it('says the same without a ticket, asking nothing', async () => {
    const sent = fakeServer();
    open(null);
    expect(screen.getByRole('heading', { name: 'This sign-in link has expired or was already used' })).toBeTruthy();
    expect(sent).toEqual([]);
  });

  it('says when the account was deactivated', async () => {
    fakeServer(json({ code: 'account_disabled', message: 'this account has been deactivated' }, 401));
    open('t.disabled');
    expect(await screen.findByRole('heading', { name: 'You could not be signed in' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/has been deactivated\. Ask an admin/);
    expect(screen.getByRole('link', { name: 'Back to log in' })).toBeTruthy();
  });
});
