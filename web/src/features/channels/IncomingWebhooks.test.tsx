import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { components } from '@tandem/client';
import { createQueryClient } from '../../lib/queryClient';
import type { Channel, ChannelRole, Role } from '../../lib/types';
import { channel as channelOf, user } from '../../test/fixtures';
import { ChannelSettings } from './ChannelPanels';
import { curlExample } from './IncomingWebhooks';

type Hook = components['schemas']['HookResponse'];

const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const URL_SHOWN_ONCE = 'http://chat.acme.io/api/v1/hooks/tdm_hook_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h';

const hook = (id: number, name: string, username: string, extra: Partial<Hook> = {}): Hook => ({
  id,
  channel_id: 7,
  name,
  bot: user(30 + id, username, { display_name: name, is_bot: true, bot_owner_id: 1 }),
  created_by: 1,
  created_at: '2026-11-01T09:00:00Z',
  last_used_at: null,
  ...extra,
});

/** The hooks of #deploys (channel 7): made unless the bot's username is taken; what was sent. */
function fakeServer(initial: Hook[]) {
  let hooks = [...initial];
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const what = `${input.method} ${new URL(input.url).pathname}`;
      const body = input.method === 'POST' ? ((await input.json()) as Record<string, unknown>) : undefined;
      if (input.method !== 'GET') sent.push([what, body]);
      else sent.push([what, undefined]);
      if (what === 'GET /api/v1/channels/7/hooks') return json({ hooks });
      if (what === 'POST /api/v1/channels/7/hooks') {
        if (body!.username === 'ben') return json({ code: 'username_taken', message: 'this username is taken' }, 409);
        if (body!.name === 'twenty-first') {
          return json(
            {
              code: 'validation_failed',
              message: 'name: this channel has 20 hooks already: delete one it no longer uses',
              details: [{ field: 'name', code: 'too_many_hooks', message: 'this channel has 20 hooks already: delete one it no longer uses' }],
            },
            422,
          );
        }
        const made = hook(9, body!.name as string, (body!.username as string) ?? 'deploy-alerts-k3x9');
        hooks = [...hooks, made];
        return json({ hook: made, url: URL_SHOWN_ONCE, token: URL_SHOWN_ONCE.split('/').pop() }, 201);
      }
      const deleted = /^DELETE \/api\/v1\/channels\/7\/hooks\/(\d+)$/.exec(what);
      if (deleted) {
        hooks = hooks.filter((h) => h.id !== Number(deleted[1]));
        return json(null, 204);
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return {
    changes: () => sent.filter(([what]) => !what.startsWith('GET ')),
    asked: (path: string) => sent.some(([what]) => what === `GET ${path}`),
  };
}

/** The settings of #deploys for Ana, with her channel role (none: not a member) and organization role. */
function setup(initial: Hook[], role: ChannelRole | null, org: Role = 'member', extra: Partial<Channel> = {}) {
  const server = fakeServer(initial);
  const ana = user(1, 'ana', { display_name: 'Ana García', role: org });
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter>
        <ChannelSettings channel={channelOf(7, { name: 'deploys', is_member: role !== null, role, ...extra })} me={ana} onClose={() => {}} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return server;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  delete (navigator as { clipboard?: unknown }).clipboard;
});

const section = () => screen.getByRole('region', { name: 'Incoming webhooks' });
const form = () => screen.getByRole('form', { name: 'Make a webhook' });
const items = () => within(within(section()).getByRole('list', { name: 'Incoming webhooks' })).getAllByRole('listitem');

describe('incoming webhooks in a channel’s settings', () => {
  const alerts = hook(1, 'Deploy alerts', 'deploy-alerts', { last_used_at: '2026-11-20T08:00:00Z' });
  const ci = hook(2, 'CI', 'ci-bot');

  it('are shown to the channel’s admins, with each hook’s bot and last use', async () => {
    setup([alerts, ci], 'admin');
    await within(section()).findByRole('list', { name: 'Incoming webhooks' });
    expect(items()).toHaveLength(2);
    const [first, second] = items();
    expect(within(first!).getByText('Deploy alerts')).toBeTruthy();
    expect(within(first!).getByText('@deploy-alerts')).toBeTruthy();
    expect(first!.querySelector('.bot-tag')!.textContent).toBe('Bot');
    expect(first!.textContent).toMatch(/Last used /);
    expect(second!.textContent).toContain('Never used');
    expect(within(second!).getByRole('button', { name: 'Delete CI' })).toBeTruthy();
  });

  it('are shown to an organization admin who is not in the channel', async () => {
    const server = setup([], null, 'admin');
    expect(await within(section()).findByText('No webhook posts here yet.')).toBeTruthy();
    expect(server.asked('/api/v1/channels/7/hooks')).toBe(true);
  });

  it('are not shown to plain members, nor asked for', async () => {
    const server = setup([alerts], 'member');
    expect(screen.getByText('Only the channel\'s admins change its name and description.')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Incoming webhooks' })).toBeNull();
    expect(server.asked('/api/v1/channels/7/hooks')).toBe(false);
  });

  it('makes a hook and shows its address once, with a command to try it', async () => {
    const server = setup([], 'admin');
    await within(section()).findByText('No webhook posts here yet.');
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const f = within(form());
    await userEvent.type(f.getByRole('textbox', { name: 'Name' }), 'Deploy alerts');
    await userEvent.click(f.getByRole('button', { name: 'Make webhook' }));

    const address = await within(section()).findByRole<HTMLInputElement>('textbox', { name: 'The webhook’s address' });
    expect(address.value).toBe(URL_SHOWN_ONCE);
    expect(address.readOnly).toBe(true);
    const box = within(section()).getByRole('status');
    expect(box.textContent).toMatch(/^Deploy alerts is ready\. .*will not be shown again/);
    const command = `curl -X POST -H 'Content-Type: application/json' -d '{"text":"Hello from a hook"}' ${URL_SHOWN_ONCE}`;
    expect(curlExample(URL_SHOWN_ONCE)).toBe(command);
    expect(box.querySelector('pre')!.textContent).toBe(command);
    // The bot's username is left to the server when not given.
    expect(server.changes()).toEqual([['POST /api/v1/channels/7/hooks', { name: 'Deploy alerts' }]]);

    await userEvent.click(within(box).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenLastCalledWith(URL_SHOWN_ONCE);
    await userEvent.click(within(box).getByRole('button', { name: 'Copy command' }));
    expect(writeText).toHaveBeenLastCalledWith(command);

    // Listed, without its address; the form is ready for another.
    await vi.waitFor(() => expect(items()).toHaveLength(1));
    expect(items()[0]!.textContent).toContain('@deploy-alerts-k3x9');
    expect(within(section()).getByRole('list').textContent).not.toContain(URL_SHOWN_ONCE);
    expect(f.getByRole<HTMLInputElement>('textbox', { name: 'Name' }).value).toBe('');

    await userEvent.click(within(box).getByRole('button', { name: 'Done' }));
    expect(section().textContent).not.toContain(URL_SHOWN_ONCE);
  });

  it('sends the bot’s username when given, and shows the server’s refusals beside their fields', async () => {
    const server = setup([], 'admin');
    await within(section()).findByText('No webhook posts here yet.');
    const f = within(form());
    const name = f.getByRole('textbox', { name: 'Name' });
    const username = f.getByRole('textbox', { name: 'Bot username' });
    await userEvent.type(name, 'Ben’s alerts');
    await userEvent.type(username, 'ben');
    await userEvent.click(f.getByRole('button', { name: 'Make webhook' }));
    expect(await f.findByText('This username is taken: choose another.')).toBeTruthy();
    expect(username.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(f.getByRole('alert').textContent).toBe('The webhook was not made: see the fields marked above.');

    await userEvent.clear(name);
    await userEvent.clear(username);
    await userEvent.type(name, 'twenty-first');
    await userEvent.click(f.getByRole('button', { name: 'Make webhook' }));
    expect(await f.findByText('This channel has 20 hooks already: delete one it no longer uses.')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(username.getAttribute('aria-invalid')).toBeNull();
    expect(within(section()).queryByRole('textbox', { name: 'The webhook’s address' })).toBeNull();
    expect(server.changes().map(([, body]) => body)).toEqual([{ name: 'Ben’s alerts', username: 'ben' }, { name: 'twenty-first' }]);
  });

  it('deletes a hook once confirmed', async () => {
    const server = setup([alerts, ci], 'admin');
    await userEvent.click(await within(section()).findByRole('button', { name: 'Delete Deploy alerts' }));
    // Cancelled, nothing happens.
    let dialog = screen.getByRole('dialog', { name: 'Delete a webhook' });
    expect(dialog.textContent).toMatch(/The address of Deploy alerts stops working at once/);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(server.changes()).toEqual([]);

    await userEvent.click(within(section()).getByRole('button', { name: 'Delete Deploy alerts' }));
    dialog = screen.getByRole('dialog', { name: 'Delete a webhook' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete webhook' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('Deploy alerts was deleted: its address no longer works.');
    await vi.waitFor(() => expect(items()).toHaveLength(1));
    expect(within(section()).queryByRole('button', { name: 'Delete Deploy alerts' })).toBeNull();
    expect(server.changes()).toEqual([['DELETE /api/v1/channels/7/hooks/1', undefined]]);
  });
});
