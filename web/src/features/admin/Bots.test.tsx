import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { User } from '../../lib/types';
import { user } from '../../test/fixtures';
import { BotsSection } from './Bots';

const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const SECRET = 'tdm_pat_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h';
const NEW_SECRET = 'tdm_pat_Zq1w2e3r4t5y6u7i8o9p0aSdFgHjKlZxCvBnM1q2w3e4';

const bot = (id: number, username: string, extra: Partial<User> = {}) => user(id, username, { is_bot: true, bot_owner_id: 1, email: `${username}@bots.invalid`, ...extra });

const people = [user(1, 'ana', { role: 'admin', display_name: 'Ana García' }), user(2, 'ben', { display_name: 'Ben Ortiz' }), user(3, 'cleo', { is_active: false })];

/** The organization's bots: made unless the username is refused or taken; what was sent. */
function fakeServer(initial: User[]) {
  let bots = [...initial];
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const what = `${input.method} ${new URL(input.url).pathname}`;
      const body = input.method === 'POST' && input.headers.get('content-type') ? ((await input.json()) as Record<string, unknown>) : undefined;
      if (input.method !== 'GET') sent.push([what, body]);
      if (what === 'GET /api/v1/bots') return json({ bots });
      if (what === 'GET /api/v1/users') return json({ users: [...people, ...bots], next_cursor: null });
      if (what === 'POST /api/v1/bots') {
        if (body!.username === 'x') {
          return json(
            {
              code: 'validation_failed',
              message: 'username: use 2 to 32 letters, digits, ".", "_" or "-"',
              details: [{ field: 'username', code: 'invalid_username', message: 'use 2 to 32 letters, digits, ".", "_" or "-"' }],
            },
            422,
          );
        }
        if (body!.username === 'ben') return json({ code: 'username_taken', message: 'this username is taken' }, 409);
        const made = bot(20, body!.username as string, { display_name: (body!.display_name as string) ?? null, bot_owner_id: (body!.owner_id as number) ?? 1 });
        bots = [...bots, made];
        return json({ bot: made, token: SECRET }, 201);
      }
      const replaced = /^POST \/api\/v1\/bots\/(\d+)\/token$/.exec(what);
      if (replaced) {
        bots = bots.map((b) => (b.id === Number(replaced[1]) ? { ...b, is_active: true } : b));
        return json({ bot: bots.find((b) => b.id === Number(replaced[1])), token: NEW_SECRET });
      }
      const deactivated = /^DELETE \/api\/v1\/bots\/(\d+)$/.exec(what);
      if (deactivated) {
        bots = bots.map((b) => (b.id === Number(deactivated[1]) ? { ...b, is_active: false } : b));
        return json(null, 204);
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return sent;
}

function setup(initial: User[] = []) {
  const sent = fakeServer(initial);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <BotsSection />
    </QueryClientProvider>,
  );
  return sent;
}

beforeEach(() => startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: people[0]! }));
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
  delete (navigator as { clipboard?: unknown }).clipboard;
});

const section = () => screen.getByRole('region', { name: 'Bots' });
const form = () => screen.getByRole('form', { name: 'Make a bot' });
const rows = () => within(within(section()).getByRole('table')).getAllByRole('row').slice(1);
/** The first three cells' text, without the avatar's initials. */
const cells = (row: HTMLElement) =>
  [...row.querySelectorAll('td')].slice(0, 3).map((td) => {
    const copy = td.cloneNode(true) as HTMLElement;
    copy.querySelector('.avatar')?.remove();
    return copy.textContent!.trim();
  });

describe('bots on the admin page', () => {
  const deploy = bot(10, 'deploy-bot', { display_name: 'Deploy bot' });
  const old = bot(11, 'old-bot', { is_active: false, bot_owner_id: 2 });

  it('lists the bots with their badge, owner and whether they are active', async () => {
    setup([deploy, old]);
    await within(section()).findByRole('table');
    await vi.waitFor(() => expect(cells(rows()[0]!)[1]).toBe('Ana García'));
    expect(cells(rows()[0]!)).toEqual(['Deploy bot @deploy-botBot', 'Ana García', 'Active']);
    expect(cells(rows()[1]!)).toEqual(['old-bot @old-botBot', 'Ben Ortiz', 'Deactivated']);
    expect(rows()[0]!.querySelector('.bot-tag')!.textContent).toBe('Bot');
    // A deactivated bot is brought back by a new token: it has nothing to deactivate.
    expect(within(rows()[1]!).getByRole('button', { name: 'New token for old-bot' })).toBeTruthy();
    expect(within(rows()[1]!).queryByRole('button', { name: 'Deactivate old-bot' })).toBeNull();
  });

  it('says when there is none', async () => {
    setup([]);
    expect(await within(section()).findByText('No bot yet.')).toBeTruthy();
  });

  it('makes a bot owned by the admin, shows its token once and resets the form', async () => {
    const sent = setup([]);
    await within(section()).findByText('No bot yet.');
    const f = within(form());
    // The owner is the admin unless another person is chosen; inactive people are not offered.
    const owner = f.getByRole<HTMLSelectElement>('combobox', { name: 'Owner' });
    expect(owner.selectedOptions[0]!.textContent).toBe('You (Ana García)');
    await vi.waitFor(() => expect([...owner.options].map((o) => o.textContent)).toEqual(['You (Ana García)', 'Ben Ortiz (@ben)']));

    await userEvent.type(f.getByRole('textbox', { name: 'Username' }), 'deploy-bot');
    await userEvent.type(f.getByRole('textbox', { name: 'Display name' }), 'Deploy bot');
    await userEvent.click(f.getByRole('button', { name: 'Make bot' }));

    const secret = await within(section()).findByRole<HTMLInputElement>('textbox', { name: 'The bot’s token' });
    expect(secret.value).toBe(SECRET);
    expect(secret.readOnly).toBe(true);
    const box = within(section()).getByRole('status');
    expect(box.contains(secret)).toBe(true);
    expect(box.textContent).toMatch(/^Deploy bot \(@deploy-bot\) is ready\. .*will not be shown again/);
    expect(sent).toEqual([['POST /api/v1/bots', { username: 'deploy-bot', display_name: 'Deploy bot' }]]);

    await vi.waitFor(() => expect(rows()).toHaveLength(1));
    expect(cells(rows()[0]!)[0]).toBe('Deploy bot @deploy-botBot');
    expect(f.getByRole<HTMLInputElement>('textbox', { name: 'Username' }).value).toBe('');
    expect(within(section()).getByRole('table').textContent).not.toContain(SECRET);

    await userEvent.click(within(section()).getByRole('button', { name: 'Done' }));
    expect(section().textContent).not.toContain(SECRET);
  });

  it('makes a bot for another owner, and copies its token', async () => {
    const sent = setup([]);
    await within(section()).findByText('No bot yet.');
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const f = within(form());
    await userEvent.type(f.getByRole('textbox', { name: 'Username' }), 'ci');
    await vi.waitFor(() => expect(f.getAllByRole('option')).toHaveLength(2));
    await userEvent.selectOptions(f.getByRole('combobox', { name: 'Owner' }), 'Ben Ortiz (@ben)');
    await userEvent.click(f.getByRole('button', { name: 'Make bot' }));
    await within(section()).findByRole('textbox', { name: 'The bot’s token' });
    expect(sent).toEqual([['POST /api/v1/bots', { username: 'ci', owner_id: 2 }]]);
    await vi.waitFor(() => expect(cells(rows()[0]!)[1]).toBe('Ben Ortiz'));

    await userEvent.click(within(section()).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await within(section()).findByText('Copied to the clipboard.')).toBeTruthy();
  });

  it('shows the server’s refusals beside the username', async () => {
    const sent = setup([]);
    await within(section()).findByText('No bot yet.');
    const f = within(form());
    const username = f.getByRole('textbox', { name: 'Username' });
    await userEvent.type(username, 'x');
    await userEvent.click(f.getByRole('button', { name: 'Make bot' }));
    expect(await f.findByText('Use 2 to 32 letters, digits, ".", "_" or "-".')).toBeTruthy();
    expect(username.getAttribute('aria-invalid')).toBe('true');
    expect(username.getAttribute('aria-describedby')!.split(' ')).toContain('botUsernameError');
    expect(f.getByRole('alert').textContent).toBe('The bot was not made: see the fields marked above.');

    // Taken: the server names no field, the form puts it beside the username.
    await userEvent.clear(username);
    await userEvent.type(username, 'ben');
    await userEvent.click(f.getByRole('button', { name: 'Make bot' }));
    expect(await f.findByText('This username is taken: choose another.')).toBeTruthy();
    expect(username.getAttribute('aria-invalid')).toBe('true');
    expect(f.getByRole('textbox', { name: 'Display name' }).getAttribute('aria-invalid')).toBeNull();
    expect(within(section()).queryByRole('textbox', { name: 'The bot’s token' })).toBeNull();
    expect(sent.map(([, body]) => body)).toEqual([{ username: 'x' }, { username: 'ben' }]);
  });

  it('gives a bot a new token once confirmed, and shows it once', async () => {
    const sent = setup([deploy]);
    await userEvent.click(await within(section()).findByRole('button', { name: 'New token for deploy-bot' }));
    // Cancelled, nothing happens.
    let dialog = screen.getByRole('dialog', { name: 'Give a bot a new token' });
    expect(dialog.textContent).toMatch(/Deploy bot’s current token stops working at once/);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(sent).toEqual([]);

    await userEvent.click(within(section()).getByRole('button', { name: 'New token for deploy-bot' }));
    dialog = screen.getByRole('dialog', { name: 'Give a bot a new token' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Make a new token' }));
    const secret = await within(section()).findByRole<HTMLInputElement>('textbox', { name: 'The bot’s token' });
    expect(secret.value).toBe(NEW_SECRET);
    expect(within(section()).getByRole('status').textContent).toMatch(/^Deploy bot \(@deploy-bot\) has a new token; the old one no longer works\./);
    expect(sent).toEqual([['POST /api/v1/bots/10/token', undefined]]);
  });

  it('deactivates a bot once confirmed, forgetting its token just shown', async () => {
    const sent = setup([deploy]);
    await userEvent.click(await within(section()).findByRole('button', { name: 'New token for deploy-bot' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Make a new token' }));
    await within(section()).findByRole('textbox', { name: 'The bot’s token' });

    await userEvent.click(within(section()).getByRole('button', { name: 'Deactivate deploy-bot' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate a bot' });
    expect(dialog.textContent).toMatch(/its messages stay/);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deactivate bot' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('Deploy bot was deactivated: its token no longer works. A new token brings it back.');
    await vi.waitFor(() => expect(cells(rows()[0]!)[2]).toBe('Deactivated'));
    expect(within(section()).queryByRole('textbox', { name: 'The bot’s token' })).toBeNull();
    expect(section().textContent).not.toContain(NEW_SECRET);
    expect(within(section()).queryByRole('button', { name: 'Deactivate deploy-bot' })).toBeNull();
    expect(sent).toEqual([
      ['POST /api/v1/bots/10/token', undefined],
      ['DELETE /api/v1/bots/10', undefined],
    ]);
  });
});
