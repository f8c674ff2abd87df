import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { DeviceSession } from '../../lib/types';
import { user } from '../../test/fixtures';
import { SessionsPage } from './SessionsPage';

const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

function fakeServer() {
  let sessions: DeviceSession[] = [
    { id: 3, user_agent: FIREFOX, address: '203.0.113.7', created_at: '2026-11-18T08:00:00Z', last_used_at: '2026-11-20T09:00:00Z', current: false },
    { id: 5, user_agent: CHROME, address: '198.51.100.2', created_at: '2026-11-20T10:00:00Z', last_used_at: '2026-11-20T10:00:00Z', current: true },
    { id: 2, user_agent: IPHONE, address: null, created_at: '2026-11-01T08:00:00Z', last_used_at: '2026-11-02T09:00:00Z', current: false },
  ];
  const asked: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const path = new URL(input.url).pathname;
      asked.push(`${input.method} ${path}`);
      if (input.method === 'GET') return json({ sessions });
      if (path === '/api/v1/auth/sessions') {
        const ended = sessions.filter((s) => !s.current).length;
        sessions = sessions.filter((s) => s.current);
        return json({ ended });
      }
      const id = Number(path.split('/').pop());
      sessions = sessions.filter((s) => s.id !== id);
      return json(null, 204);
    }),
  );
  return { asked };
}

beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana') }));
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

function setup() {
  const server = fakeServer();
  render(
    <QueryClientProvider client={createQueryClient()}>
      <SessionsPage />
    </QueryClientProvider>,
  );
  return server;
}

const rows = () => screen.getAllByRole('row').slice(1);

describe('the sessions page', () => {
  it('lists each device, this one first and marked, with where and when', async () => {
    setup();
    await screen.findByText('Firefox on Windows');
    const [first, second, third] = rows();
    expect(within(first!).getByText('Chrome on Linux')).toBeTruthy();
    expect(within(first!).getByText('This device')).toBeTruthy();
    expect(within(first!).queryByRole('button')).toBeNull();
    expect(second!.textContent).toContain('Firefox on Windows');
    expect(second!.textContent).toContain('203.0.113.7');
    expect(third!.textContent).toContain('Safari on iOS');
    expect(third!.textContent).toContain('unknown');
  });

  it('signs out one other session', async () => {
    const { asked } = setup();
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out Firefox on Windows at 203.0.113.7' }));
    expect((await screen.findByRole('status')).textContent).toBe('Signed out of Firefox on Windows.');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(asked).toContain('DELETE /api/v1/auth/sessions/3');
  });

  it('signs out all the others, and says how many', async () => {
    const { asked } = setup();
    await screen.findByText('Firefox on Windows');
    await userEvent.click(screen.getByRole('button', { name: 'Sign out all other sessions' }));
    expect((await screen.findByRole('status')).textContent).toBe('Signed out of 2 other sessions.');
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(asked).toContain('DELETE /api/v1/auth/sessions');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Sign out all other sessions' }).disabled).toBe(true);
  });
});
