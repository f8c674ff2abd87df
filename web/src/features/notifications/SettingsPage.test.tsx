import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import { user } from '../../test/fixtures';
import type { NotificationSettings } from './api';
import { NotificationSettingsPage } from './SettingsPage';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function fakeServer() {
  let stored: NotificationSettings = {
    email_enabled: true,
    email_delay_minutes: 10,
    email_digest: 'immediately',
    desktop_enabled: false,
    dnd_start: null,
    dnd_end: null,
    time_zone: 'UTC',
    language: 'en',
    dnd_active: false,
  };
  const puts: Record<string, unknown>[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      if (input.method === 'GET') return json(stored);
      const body = (await input.json()) as Partial<NotificationSettings>;
      puts.push(body);
      if (body.email_delay_minutes !== undefined && body.email_delay_minutes > 1440) {
        return json(
          {
            code: 'validation_failed',
            message: 'email_delay_minutes: must be from 0 to 1440',
            details: [{ field: 'email_delay_minutes', message: 'must be from 0 to 1440' }],
          },
          422,
        );
      }
      stored = { ...stored, ...body };
      return json(stored);
    }),
  );
  return { puts };
}

beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana') }));
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

const setup = () => {
  const server = fakeServer();
  render(
    <QueryClientProvider client={createQueryClient()}>
      <NotificationSettingsPage />
    </QueryClientProvider>,
  );
  return server;
};

describe('the notification settings page', () => {
  it('shows the server’s objection beside the field it is about', async () => {
    setup();
    const form = await screen.findByRole('form', { name: 'Notification settings' });
    const delay = within(form).getByLabelText('Wait before emailing (minutes)');
    await userEvent.clear(delay);
    await userEvent.type(delay, '5000');
    await userEvent.click(within(form).getByRole('button', { name: 'Save settings' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('email_delay_minutes: must be from 0 to 1440');
    expect(delay.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(delay.getAttribute('aria-describedby')!.split(' ')[1]!)?.textContent).toBe('must be from 0 to 1440');
  });

  it('sends only what changed, with do-not-disturb hours, and says it is saved', async () => {
    const { puts } = setup();
    const form = await screen.findByRole('form', { name: 'Notification settings' });
    expect(within(form).getByLabelText<HTMLInputElement>('From').disabled).toBe(true);
    await userEvent.click(within(form).getByLabelText('Pause notifications every day'));
    expect(within(form).getByLabelText<HTMLInputElement>('From').value).toBe('22:00');
    await userEvent.selectOptions(within(form).getByLabelText('Language'), 'es');
    await userEvent.click(within(form).getByRole('button', { name: 'Save settings' }));
    await within(form).findByRole('status');
    expect(puts).toEqual([{ dnd_start: '22:00', dnd_end: '08:00', language: 'es' }]);
  });

  it('asks for both ends of the do-not-disturb hours before sending', async () => {
    const { puts } = setup();
    const form = await screen.findByRole('form', { name: 'Notification settings' });
    await userEvent.click(within(form).getByLabelText('Pause notifications every day'));
    await userEvent.clear(within(form).getByLabelText('To'));
    await userEvent.click(within(form).getByRole('button', { name: 'Save settings' }));
    expect((await within(form).findByRole('alert')).textContent).toMatch(/starts and ends/);
    expect(puts).toEqual([]);
  });
});
