import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnlockPage } from './UnlockPage';

const json = (body: unknown, status: number) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function open(token: string) {
  render(
    <MemoryRouter initialEntries={[`/unlock?token=${token}`]}>
      <Routes>
        <Route path="/unlock" element={<UnlockPage />} />
        <Route path="/login" element={<p>login page</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the unlock page', () => {
  it('uses the token only when asked, then leads to login', async () => {
    const sent: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: Request) => {
        sent.push(await input.json());
        return json(null, 204);
      }),
    );
    open('42.secret');
    expect(sent).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Let me sign in again' }));
    expect(await screen.findByText('login page')).toBeTruthy();
    expect(sent).toEqual([{ token: '42.secret' }]);
  });

  it('says so when the link no longer works', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        json(
          {
            code: 'validation_failed',
            message: 'token: this unlock link is not valid (it may have been used or have expired)',
            details: [{ field: 'token', code: 'invalid_unlock_token', message: 'this unlock link is not valid (it may have been used or have expired)' }],
          },
          422,
        ),
      ),
    );
    open('42.used');
    await userEvent.click(screen.getByRole('button', { name: 'Let me sign in again' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not valid');
  });
});
