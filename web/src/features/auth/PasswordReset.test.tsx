import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { ForgotPasswordPage } from './ForgotPasswordPage';
import { LoginPage } from './LoginPage';
import { ResetPasswordPage } from './ResetPasswordPage';

const json = (body: unknown, status: number) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function Where() {
  const location = useLocation();
  return <p data-testid="where">{location.pathname + location.search}</p>;
}

function open(path: string) {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/login" element={<LoginPage />} />
        </Routes>
        <Where />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** Answers each request with the next of `answers`, recording the bodies sent. */
function fakeServer(...answers: Response[]) {
  const sent: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      sent.push([new URL(input.url).pathname, await input.json()]);
      const answer = answers.shift();
      if (!answer) throw new TypeError('Failed to fetch');
      return answer;
    }),
  );
  return sent;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('forgot password', () => {
  it('is reached from the login page with the address typed there', async () => {
    open('/login');
    await userEvent.type(screen.getByLabelText('Email or username'), 'ana@acme.io');
    await userEvent.click(screen.getByRole('link', { name: 'Forgot your password?' }));
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Email' }).value).toBe('ana@acme.io');
  });

  it('gives the same answer whether or not an account has the address', async () => {
    const sent = fakeServer(
      json({ message: 'if an account has this address, a link to reset its password is on its way' }, 202),
      json({ code: 'validation_failed', message: 'email: required', details: [{ field: 'email', code: 'required', message: 'required' }] }, 422),
    );
    open('/forgot-password');
    await userEvent.type(screen.getByLabelText('Email'), 'ana@acme.io');
    await userEvent.click(screen.getByRole('button', { name: 'Send me a link' }));
    const first = (await screen.findByRole('status')).textContent;
    expect(first).toMatch(/^If an account uses ana@acme\.io, we sent it a link/);

    await userEvent.click(screen.getByRole('button', { name: 'try another address' }));
    await userEvent.clear(screen.getByLabelText('Email'));
    await userEvent.type(screen.getByLabelText('Email'), 'nobody@acme.io');
    await userEvent.click(screen.getByRole('button', { name: 'Send me a link' }));
    expect((await screen.findByRole('status')).textContent).toBe(first!.replace('ana@acme.io', 'nobody@acme.io'));
    expect(sent).toEqual([
      ['/api/v1/auth/password-reset', { email: 'ana@acme.io' }],
      ['/api/v1/auth/password-reset', { email: 'nobody@acme.io' }],
    ]);
  });

  it('says so only when the server could not be reached', async () => {
    fakeServer();
    open('/forgot-password');
    await userEvent.type(screen.getByLabelText('Email'), 'ana@acme.io');
    await userEvent.click(screen.getByRole('button', { name: 'Send me a link' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Could not reach the server/);
    expect(screen.queryByRole('status')).toBeNull();
  });
});

describe('choosing a new password', () => {
  const fill = async (password: string, again = password) => {
    await userEvent.clear(screen.getByLabelText('New password'));
    await userEvent.type(screen.getByLabelText('New password'), password);
    await userEvent.clear(screen.getByLabelText('Type it again'));
    await userEvent.type(screen.getByLabelText('Type it again'), again);
    await userEvent.click(screen.getByRole('button', { name: 'Set the new password' }));
  };

  it('keeps the link after a refused password, then leads to login with a notice', async () => {
    const sent = fakeServer(
      json(
        {
          code: 'validation_failed',
          message: 'password: the new password is too common',
          details: [{ field: 'password', code: 'password_too_common', message: 'is too common' }],
        },
        422,
      ),
      json(null, 204),
    );
    open('/reset-password?token=9.secret');
    await fill('password');
    const field = screen.getByLabelText('New password');
    expect(await screen.findByText('is too common')).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toBe('resetPasswordError');

    await fill('quiet orchard lantern');
    expect(await screen.findByText(/Your new password is set, and you were signed out everywhere/)).toBeTruthy();
    expect(screen.getByTestId('where').textContent).toBe('/login?reason=reset');
    expect(sent).toEqual([
      ['/api/v1/auth/password-reset/confirm', { token: '9.secret', password: 'password' }],
      ['/api/v1/auth/password-reset/confirm', { token: '9.secret', password: 'quiet orchard lantern' }],
    ]);
  });

  it('asks for the same password twice before sending it', async () => {
    const sent = fakeServer();
    open('/reset-password?token=9.secret');
    await fill('quiet orchard lantern', 'quiet orchard lanter');
    expect((await screen.findByRole('alert')).textContent).toBe('Type the same password twice.');
    expect(sent).toEqual([]);
  });

  it('offers a new link when this one no longer works', async () => {
    fakeServer(
      json(
        {
          code: 'validation_failed',
          message: 'token: this password reset link is not valid',
          details: [{ field: 'token', code: 'invalid_link', message: 'this password reset link is not valid' }],
        },
        422,
      ),
    );
    open('/reset-password?token=9.used');
    await fill('quiet orchard lantern');
    expect(await screen.findByRole('heading', { name: 'This link no longer works' })).toBeTruthy();
    await userEvent.click(screen.getByRole('link', { name: 'Ask for a new link' }));
    expect(screen.getByTestId('where').textContent).toBe('/forgot-password');
  });
});
