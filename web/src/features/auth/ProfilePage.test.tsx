import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import { ProfilePage } from './ProfilePage';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function fakeServer() {
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      // The personal access tokens section lists the caller's tokens.
      if (input.method === 'GET' && path === '/api/v1/users/me/tokens') return json({ tokens: [] });
      const body = (await input.json()) as Record<string, unknown>;
      sent.push([`${input.method} ${path}`, body]);
      if (path === '/api/v1/users/me/email') {
        return body.password === 'violet harbor kettle'
          ? json({ message: 'a confirmation link is on its way to the new address' }, 202)
          : json(
              {
                code: 'validation_failed',
                message: 'password: the current password is incorrect',
                details: [{ field: 'password', code: 'incorrect', message: 'the current password is incorrect' }],
              },
              422,
            );
      }
      return json(user(1, 'ana', body));
    }),
  );
  return sent;
}

beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana') }));
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

function setup() {
  const sent = fakeServer();
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter>
        <ProfilePage />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return sent;
}

describe('the profile’s email address', () => {
  it('changes through a link sent to the new address, with the current password', async () => {
    const sent = setup();
    await userEvent.click(screen.getByRole('button', { name: 'Change email address' }));
    const form = screen.getByRole('form', { name: 'Change email address' });
    await userEvent.type(within(form).getByLabelText('New email address'), 'ana.garcia@acme.io');
    await userEvent.type(within(form).getByLabelText('Current password'), 'not it');
    await userEvent.click(within(form).getByRole('button', { name: 'Send a confirmation link' }));
    expect(await within(form).findByText('the current password is incorrect')).toBeTruthy();
    expect(within(form).getByLabelText(/Current password/).getAttribute('aria-invalid')).toBe('true');

    await userEvent.clear(within(form).getByLabelText(/Current password/));
    await userEvent.type(within(form).getByLabelText(/Current password/), 'violet harbor kettle');
    await userEvent.click(within(form).getByRole('button', { name: 'Send a confirmation link' }));
    expect((await screen.findByRole('status')).textContent).toBe(
      'Check your inbox at ana.garcia@acme.io: open the link we sent there to make it your address. Until then, you keep using ana@acme.io.',
    );
    expect(screen.getByText('ana@acme.io', { selector: '#currentEmail' })).toBeTruthy();
    expect(sent.map(([what, body]) => [what, body])).toEqual([
      ['POST /api/v1/users/me/email', { email: 'ana.garcia@acme.io', password: 'not it' }],
      ['POST /api/v1/users/me/email', { email: 'ana.garcia@acme.io', password: 'violet harbor kettle' }],
    ]);
  });

  it('is no longer part of saving the profile', async () => {
    const sent = setup();
    await userEvent.type(screen.getByRole('textbox', { name: 'Full name' }), 'Ana García');
    await userEvent.click(screen.getByRole('button', { name: 'Save profile' }));
    await screen.findByText('Saved.');
    expect(sent).toEqual([['PUT /api/v1/users/1', { display_name: 'Ana García', username: 'ana' }]]);
  });
});

describe('the profile’s personal access tokens', () => {
  it('has its own section, with the form to make one', async () => {
    setup();
    const section = screen.getByRole('region', { name: 'Personal access tokens' });
    expect(await within(section).findByText('You have no token.')).toBeTruthy();
    expect(within(section).getByRole('form', { name: 'Make a token' })).toBeTruthy();
  });
});
