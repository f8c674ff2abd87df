import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { AccessToken, Organization, Role } from '../../lib/types';
import { organization, user } from '../../test/fixtures';
import { json } from '../../test/server';
import { AccessTokensSection } from './AccessTokens';

const deploy: AccessToken = {
  id: 7,
  name: 'deploy notifier',
  scopes: ['read', 'write'],
  user_id: 1,
  created_at: '2026-11-01T09:00:00Z',
  expires_at: null,
  last_used_at: null,
};
const backup: AccessToken = {
  id: 5,
  name: 'nightly backup',
  scopes: ['read'],
  user_id: 1,
  created_at: '2026-10-01T09:00:00Z',
  expires_at: '2099-01-30T09:00:00Z',
  last_used_at: '2026-11-20T08:00:00Z',
};

const SECRET = 'tdm_pat_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h';

const DISABLED = "The organization's admins turned personal access tokens off: none can be made, and those made answer this until they turn them on again (bots' tokens work either way).";

const acme = (accessTokensEnabled: boolean): Organization => organization({ access_tokens_enabled: accessTokensEnabled });

/**
 * The caller's tokens: made (newest first) unless the name or scopes are refused, or the admins
 * turned tokens off since the page was read (the name "too late"); the organization; what was sent.
 */
function fakeServer(initial: AccessToken[], enabled = true) {
  let tokens = [...initial];
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const what = `${input.method} ${new URL(input.url).pathname}`;
      const body = input.method === 'POST' ? ((await input.json()) as Record<string, unknown>) : undefined;
      if (input.method !== 'GET') sent.push([what, body]);
      if (what === 'GET /api/v1/organizations/current') return json(acme(enabled));
      if (what === 'GET /api/v1/users/me/tokens') return json({ tokens });
      if (what === 'POST /api/v1/users/me/tokens') {
        if (!enabled || body!.name === 'too late') return json({ code: 'access_tokens_disabled', message: DISABLED }, 403);
        if (body!.name === 'one too many') {
          return json(
            {
              code: 'validation_failed',
              message: 'name: you have too many tokens: revoke one first',
              details: [{ field: 'name', code: 'too_many_tokens', message: 'you have too many tokens: revoke one first' }],
            },
            422,
          );
        }
        if ((body!.scopes as string[]).length === 0) {
          return json(
            {
              code: 'validation_failed',
              message: 'scopes: give at least one scope',
              details: [{ field: 'scopes', code: 'required', message: 'give at least one scope' }],
            },
            422,
          );
        }
        const made: AccessToken = {
          id: 9,
          name: body!.name as string,
          scopes: body!.scopes as AccessToken['scopes'],
          user_id: 1,
          created_at: new Date().toISOString(),
          expires_at: body!.expires_in_days ? new Date(Date.now() + (body!.expires_in_days as number) * 86_400_000).toISOString() : null,
          last_used_at: null,
        };
        tokens = [made, ...tokens];
        return json({ token: SECRET, access_token: made }, 201);
      }
      const revoked = /^DELETE \/api\/v1\/users\/me\/tokens\/(\d+)$/.exec(what);
      if (revoked) {
        tokens = tokens.filter((t) => t.id !== Number(revoked[1]));
        return json(null, 204);
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return sent;
}

function setup(initial: AccessToken[] = [deploy, backup], role: Role = 'member', enabled = true) {
  startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana', { role }) });
  const sent = fakeServer(initial, enabled);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <AccessTokensSection />
    </QueryClientProvider>,
  );
  return sent;
}

afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
  // happy-dom's own clipboard comes back for the next test.
  delete (navigator as { clipboard?: unknown }).clipboard;
});

const section = () => screen.getByRole('region', { name: 'Personal access tokens' });
const form = () => screen.getByRole('form', { name: 'Make a token' });
const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].slice(0, 5).map((td) => td.textContent);

describe('personal access tokens on the profile', () => {
  it('lists your tokens with their scopes, expiry and last use', async () => {
    setup();
    expect(within(section()).getByText(/scripts and other systems/).textContent).toMatch(/as you, limited to the scopes.*shown once/);
    const table = await within(section()).findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('td')!.textContent)).toEqual(['deploy notifier', 'nightly backup']);
    const [name, scopes, , expires, lastUsed] = cells(rows[0]!);
    expect([name, scopes, expires, lastUsed]).toEqual(['deploy notifier', 'Read, Write', 'Never', 'Never']);
    const second = cells(rows[1]!);
    expect(second[1]).toBe('Read');
    expect(second[3]).not.toBe('Never');
    expect(second[4]).not.toBe('Never');
    expect(within(rows[0]!).getByRole('button', { name: 'Revoke deploy notifier' })).toBeTruthy();
  });

  it('says when you have none', async () => {
    setup([]);
    expect(await within(section()).findByText('You have no token.')).toBeTruthy();
  });

  it('makes a token, shows its secret once, refreshes the list and resets the form', async () => {
    const sent = setup([backup]);
    await within(section()).findByRole('table');
    const f = within(form());
    // Read is ticked to begin with, the life is 90 days.
    expect(f.getByRole<HTMLInputElement>('checkbox', { name: 'Read' }).checked).toBe(true);
    expect(f.getByRole<HTMLSelectElement>('combobox', { name: 'Expires' }).value).toBe('90');
    expect(f.getByRole<HTMLSelectElement>('combobox', { name: 'Expires' }).selectedOptions[0]!.textContent).toBe('90 days');

    await userEvent.type(f.getByRole('textbox', { name: 'Name' }), 'deploy notifier');
    await userEvent.click(f.getByRole('checkbox', { name: 'Write' }));
    await userEvent.click(f.getByRole('button', { name: 'Make token' }));

    const secret = await within(section()).findByRole<HTMLInputElement>('textbox', { name: 'Your new token' });
    expect(secret.value).toBe(SECRET);
    expect(secret.readOnly).toBe(true);
    const box = within(section()).getByRole('status');
    expect(box.contains(secret)).toBe(true);
    expect(box.textContent).toMatch(/will not be shown again/);
    expect(sent).toEqual([['POST /api/v1/users/me/tokens', { name: 'deploy notifier', scopes: ['read', 'write'], expires_in_days: 90 }]]);

    // The list shows it, newest first; the form is ready for another.
    const table = within(section()).getByRole('table');
    await vi.waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(cells(within(table).getAllByRole('row')[1]!).slice(0, 2)).toEqual(['deploy notifier', 'Read, Write']);
    expect(f.getByRole<HTMLInputElement>('textbox', { name: 'Name' }).value).toBe('');
    expect(f.getByRole<HTMLInputElement>('checkbox', { name: 'Write' }).checked).toBe(false);
    // The secret is in the list nowhere.
    expect(table.textContent).not.toContain(SECRET);

    // Once done with, it is gone for good.
    await userEvent.click(within(section()).getByRole('button', { name: 'Done' }));
    expect(within(section()).queryByRole('textbox', { name: 'Your new token' })).toBeNull();
    expect(section().textContent).not.toContain(SECRET);
  });

  it('leaves out the life of a token that never expires, and copies the secret', async () => {
    const sent = setup([]);
    await within(section()).findByText('You have no token.');
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    const f = within(form());
    await userEvent.type(f.getByRole('textbox', { name: 'Name' }), 'forever');
    await userEvent.selectOptions(f.getByRole('combobox', { name: 'Expires' }), 'Never');
    await userEvent.click(f.getByRole('button', { name: 'Make token' }));
    await within(section()).findByRole('textbox', { name: 'Your new token' });
    expect(sent).toEqual([['POST /api/v1/users/me/tokens', { name: 'forever', scopes: ['read'] }]]);

    await userEvent.click(within(section()).getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await within(section()).findByText('Copied to the clipboard.')).toBeTruthy();
  });

  it('does not fail without a clipboard', async () => {
    setup([]);
    await within(section()).findByText('You have no token.');
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    await userEvent.type(within(form()).getByRole('textbox', { name: 'Name' }), 'ci');
    await userEvent.click(within(form()).getByRole('button', { name: 'Make token' }));
    await userEvent.click(await within(section()).findByRole('button', { name: 'Copy' }));
    expect(await within(section()).findByText(/Could not copy here/)).toBeTruthy();
    expect(within(section()).getByRole<HTMLInputElement>('textbox', { name: 'Your new token' }).value).toBe(SECRET);
  });

  it('shows the server’s refusal beside the field it is about', async () => {
    const sent = setup([]);
    await within(section()).findByText('You have no token.');
    const f = within(form());
    const name = f.getByRole('textbox', { name: 'Name' });
    await userEvent.type(name, 'one too many');
    await userEvent.click(f.getByRole('button', { name: 'Make token' }));

    expect(await f.findByText('You have too many tokens: revoke one first.')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBe('true');
    const describedBy = name.getAttribute('aria-describedby')!.split(' ');
    expect(describedBy.map((id) => document.getElementById(id)?.textContent)).toContain('You have too many tokens: revoke one first.');
    expect(f.getByRole('alert').textContent).toBe('The token was not made: see the fields marked above.');
    expect(f.getByRole('checkbox', { name: 'Read' }).getAttribute('aria-invalid')).toBeNull();
    expect(within(section()).queryByRole('textbox', { name: 'Your new token' })).toBeNull();

    // With no scope at all, the refusal is beside the scopes.
    await userEvent.clear(name);
    await userEvent.type(name, 'nothing');
    await userEvent.click(f.getByRole('checkbox', { name: 'Read' }));
    await userEvent.click(f.getByRole('button', { name: 'Make token' }));
    expect(await f.findByText('Give at least one scope.')).toBeTruthy();
    expect(name.getAttribute('aria-invalid')).toBeNull();
    const read = f.getByRole('checkbox', { name: 'Read' });
    expect(read.getAttribute('aria-invalid')).toBe('true');
    expect(read.getAttribute('aria-describedby')!.split(' ')).toContain('tokenScopesError');
    expect(document.getElementById('tokenScopesError')!.textContent).toBe('Give at least one scope.');
    expect(sent.map(([, body]) => body)).toEqual([
      { name: 'one too many', scopes: ['read'], expires_in_days: 90 },
      { name: 'nothing', scopes: [], expires_in_days: 90 },
    ]);
  });

  it('revokes a token once confirmed', async () => {
    const sent = setup();
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke nightly backup' }));
    // Cancelled, nothing happens.
    let dialog = screen.getByRole('dialog', { name: 'Revoke a token' });
    expect(dialog.textContent).toContain('nightly backup');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(sent).toEqual([]);

    await userEvent.click(screen.getByRole('button', { name: 'Revoke nightly backup' }));
    dialog = screen.getByRole('dialog', { name: 'Revoke a token' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('nightly backup was revoked: it no longer works.');
    await vi.waitFor(() => expect(screen.queryByRole('button', { name: 'Revoke nightly backup' })).toBeNull());
    expect(screen.getByRole('button', { name: 'Revoke deploy notifier' })).toBeTruthy();
    expect(sent).toEqual([['DELETE /api/v1/users/me/tokens/5', undefined]]);
  });

  it('forgets the secret just shown once its token is revoked', async () => {
    setup([]);
    await within(section()).findByText('You have no token.');
    await userEvent.type(within(form()).getByRole('textbox', { name: 'Name' }), 'oops');
    await userEvent.click(within(form()).getByRole('button', { name: 'Make token' }));
    await within(section()).findByRole('textbox', { name: 'Your new token' });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke oops' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    expect(await within(section()).findByText('You have no token.')).toBeTruthy();
    expect(within(section()).queryByRole('textbox', { name: 'Your new token' })).toBeNull();
    expect(section().textContent).not.toContain(SECRET);
  });

  it('offers the Admin scope to admins only', async () => {
    setup([], 'member');
    await within(section()).findByText('You have no token.');
    expect(within(form()).getAllByRole('checkbox').map((c) => c.getAttribute('aria-describedby')?.split(' ')[0])).toEqual([
      'tokenScope-read',
      'tokenScope-write',
      'tokenScope-channels',
    ]);
    expect(within(form()).queryByRole('checkbox', { name: 'Admin' })).toBeNull();
    cleanup();
    endSession('signed_out');

    setup([], 'admin');
    await within(section()).findByText('You have no token.');
    expect(within(form()).getByRole('checkbox', { name: 'Admin' })).toBeTruthy();
  });

  it('says so when the organization’s admins turned tokens off, offering no form but still revoking yours', async () => {
    const sent = setup([deploy, backup], 'member', false);
    expect((await within(section()).findByText(/Your organization’s admins turned personal access tokens off/)).textContent).toMatch(
      /you cannot make one.*can still revoke them/,
    );
    expect(screen.queryByRole('form', { name: 'Make a token' })).toBeNull();
    expect(within(section()).queryByRole('button', { name: 'Make token' })).toBeNull();

    await userEvent.click(await within(section()).findByRole('button', { name: 'Revoke nightly backup' }));
    await userEvent.click(within(screen.getByRole('dialog', { name: 'Revoke a token' })).getByRole('button', { name: 'Revoke token' }));
    expect((await within(section()).findByRole('status')).textContent).toBe('nightly backup was revoked: it no longer works.');
    expect(sent).toEqual([['DELETE /api/v1/users/me/tokens/5', undefined]]);
  });

  it('shows the server’s message when the admins turned tokens off since the page was read', async () => {
    const sent = setup([]);
    await within(section()).findByText('You have no token.');
    await userEvent.type(within(form()).getByRole('textbox', { name: 'Name' }), 'too late');
    await userEvent.click(within(form()).getByRole('button', { name: 'Make token' }));
    expect((await within(form()).findByRole('alert')).textContent).toBe(DISABLED);
    expect(within(form()).getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid')).toBeNull();
    expect(within(section()).queryByRole('textbox', { name: 'Your new token' })).toBeNull();
    expect(sent).toEqual([['POST /api/v1/users/me/tokens', { name: 'too late', scopes: ['read'], expires_in_days: 90 }]]);
  });
});
