import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endSession, getSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import { SignupPage } from './SignupPage';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const tokens = (status = 200) => json({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana') }, status);
const linkSent = () => json({ message: 'a link is on its way to ana@acme.io: open it to confirm your address, then log in with your password' }, 202);
const invalidCredentials = () => json({ code: 'invalid_credentials', message: 'wrong email or password' }, 401);

/** The server: each request to a path answered by the next of its answers; the paths asked, in order. */
function fakeServer(answers: Record<string, Response[]>) {
  const asked: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      asked.push(path);
      const next = answers[path]?.shift();
      if (!next) throw new Error(`nothing more to answer at ${path}`);
      return next;
    }),
  );
  return asked;
}

async function signUp() {
  render(
    <MemoryRouter initialEntries={['/signup']}>
      <Routes>
        <Route path="/signup" element={<SignupPage />} />
        <Route path="/" element={<p>the app</p>} />
      </Routes>
    </MemoryRouter>,
  );
  await userEvent.type(screen.getByLabelText('Work email'), 'ana@acme.io');
  await userEvent.type(screen.getByLabelText('Organization name'), 'Acme');
  await userEvent.type(screen.getByLabelText('Username'), 'ana');
  await userEvent.type(screen.getByLabelText('Password'), 'violet harbor kettle');
  await userEvent.click(screen.getByRole('button', { name: 'Create organization' }));
}

afterEach(() => {
  cleanup();
  endSession('signed_out');
  sessionStorage.clear();
  vi.unstubAllGlobals();
});

describe('signing up', () => {
  it('goes into the app with the session the server opened (addresses need no proof)', async () => {
    const asked = fakeServer({ '/api/v1/auth/register': [tokens(201)] });
    await signUp();
    expect(await screen.findByText('the app')).toBeTruthy();
    expect(asked).toEqual(['/api/v1/auth/register']);
    expect(getSession()?.accessToken).toBe('a');
  });

  it('logs in with the chosen password when the server only says a link is on its way', async () => {
    const asked = fakeServer({ '/api/v1/auth/register': [linkSent()], '/api/v1/auth/login': [tokens()] });
    await signUp();
    expect(await screen.findByText('the app')).toBeTruthy();
    expect(asked).toEqual(['/api/v1/auth/register', '/api/v1/auth/login']);
    expect(getSession()?.accessToken).toBe('a');
  });

  it('says to check the inbox when the password opens no account (the address had one already)', async () => {
    fakeServer({ '/api/v1/auth/register': [linkSent()], '/api/v1/auth/login': [invalidCredentials()] });
    await signUp();
    expect(await screen.findByRole('heading', { name: 'Check your inbox' })).toBeTruthy();
    expect(screen.getByText('We sent an email to ana@acme.io.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Log in' }).getAttribute('href')).toBe('/login');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(getSession()).toBeNull();
  });
});
