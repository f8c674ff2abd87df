import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueryClient } from '../../lib/queryClient';
import { endSession, startSession } from '../../lib/session';
import type { ChannelListItem, Invitation, Organization } from '../../lib/types';
import { user } from '../../test/fixtures';
import { InvitationsSection } from './Invitations';

const json = (body: unknown, status = 200) =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const channel = (id: number, name: string, extra: Partial<ChannelListItem> = {}): ChannelListItem => ({
  id,
  name,
  organization_id: 1,
  type: 'public',
  created_by: 1,
  created_at: '2026-11-01T10:00:00Z',
  is_archived: false,
  read_only: false,
  last_seq: 0,
  is_member: true,
  member_count: 3,
  unread_count: 0,
  unread_mentions: 0,
  ...extra,
});

function fakeServer(org: Partial<Organization> = {}) {
  let organization: Organization = {
    id: 1,
    name: 'Acme',
    domain: 'acme.io',
    subscription_plan: 'free',
    self_signup: true,
    sso_only: false,
    two_factor_policy: 'optional',
    access_tokens_enabled: true,
    created_at: '2026-11-01T10:00:00Z',
    is_active: true,
    ...org,
  };
  let invitations: Invitation[] = [
    {
      id: 7,
      email: 'dan@elsewhere.io',
      role: 'member',
      channel_ids: [],
      invited_by: 1,
      status: 'pending',
      created_at: '2026-11-20T09:00:00Z',
      expires_at: '2026-11-27T09:00:00Z',
    },
  ];
  const sent: [string, unknown][] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: Request) => {
      const url = new URL(input.url);
      const what = `${input.method} ${url.pathname}`;
      const body = input.method === 'GET' || input.method === 'DELETE' ? undefined : ((await input.json()) as Record<string, never>);
      if (input.method !== 'GET') sent.push([what, body]);
      switch (what) {
        case 'GET /api/v1/channels':
          return json({
            channels: [
              channel(1, 'general'),
              channel(2, 'launch', { type: 'private' }),
              channel(3, 'old-plans', { is_archived: true }),
              channel(4, 'dm-1-2', { type: 'direct' }),
            ],
          });
        case 'GET /api/v1/users':
          return json({ users: [user(1, 'ana', { display_name: 'Ana García', role: 'admin' })], next_cursor: null });
        case 'GET /api/v1/invitations':
          expect(url.searchParams.get('status')).toBe('pending');
          return json({ invitations });
        case 'POST /api/v1/invitations': {
          const b = body as unknown as { email: string; role: Invitation['role']; channel_ids: number[] };
          if (b.email === 'ben@acme.io') return json({ code: 'already_member', message: 'ben@acme.io already has an account in your organization' }, 409);
          const created: Invitation = { ...invitations[0]!, id: 8, email: b.email, role: b.role, channel_ids: b.channel_ids };
          invitations = [created, ...invitations];
          return json(created, 201);
        }
        case 'DELETE /api/v1/invitations/7':
          invitations = invitations.filter((i) => i.id !== 7);
          return json(null, 204);
        case 'GET /api/v1/organizations/current':
          return json(organization);
        case 'PATCH /api/v1/organizations/current':
          organization = { ...organization, ...(body as object) };
          return json(organization);
      }
      return json({ code: 'not_found', message: 'not here' }, 404);
    }),
  );
  return sent;
}

beforeEach(() =>
  startSession({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana', { role: 'admin', display_name: 'Ana García' }) }),
);
afterEach(() => {
  cleanup();
  endSession('signed_out');
  vi.unstubAllGlobals();
});

function setup(org: Partial<Organization> = {}) {
  const sent = fakeServer(org);
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter>
        <InvitationsSection />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return sent;
}

describe('the invitations of the admin page', () => {
  it('invites by email with a role and channels to join, then lists the invitation as pending', async () => {
    const sent = setup();
    const form = screen.getByRole('form', { name: 'Invite people' });
    const picker = within(form).getByRole('group', { name: 'Channels to join' });
    await within(picker).findByRole('checkbox', { name: 'general' });
    // Archived channels and direct conversations cannot be joined by invitation.
    expect(within(picker).getAllByRole('checkbox').map((c) => c.parentElement?.textContent?.trim())).toEqual(['general', 'launch']);

    await userEvent.type(within(form).getByLabelText('Email address'), 'cleo@elsewhere.io');
    await userEvent.selectOptions(within(form).getByLabelText('Role'), 'moderator');
    await userEvent.click(within(picker).getByRole('checkbox', { name: 'launch' }));
    await userEvent.click(within(form).getByRole('button', { name: 'Send invitation' }));
    expect((await within(form).findByRole('status')).textContent).toBe('Invitation sent to cleo@elsewhere.io.');
    expect(sent).toEqual([['POST /api/v1/invitations', { email: 'cleo@elsewhere.io', role: 'moderator', channel_ids: [2] }]]);
    // The form is ready for the next one.
    expect(within(form).getByLabelText<HTMLInputElement>('Email address').value).toBe('');
    expect(within(picker).getByRole<HTMLInputElement>('checkbox', { name: 'launch' }).checked).toBe(false);

    const table = await screen.findByRole('table');
    await within(table).findByText('cleo@elsewhere.io');
    const row = within(table).getByText('cleo@elsewhere.io').closest('tr')!;
    expect(row.textContent).toContain('Moderator');
    expect(row.textContent).toContain('#launch');
    expect(within(table).getByText('dan@elsewhere.io').closest('tr')!.textContent).toContain('by Ana García');
  });

  it('says when the address already has an account', async () => {
    setup();
    const form = screen.getByRole('form', { name: 'Invite people' });
    await userEvent.type(within(form).getByLabelText('Email address'), 'ben@acme.io');
    await userEvent.click(within(form).getByRole('button', { name: 'Send invitation' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('ben@acme.io already has an account in your organization');
  });

  it('revokes a pending invitation', async () => {
    const sent = setup();
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke the invitation of dan@elsewhere.io' }));
    expect(await screen.findByText('No pending invitations.')).toBeTruthy();
    expect(sent).toEqual([['DELETE /api/v1/invitations/7', undefined]]);
  });

  it('turns joining by the claimed domain off and on', async () => {
    const sent = setup();
    const toggle = await screen.findByRole<HTMLInputElement>('checkbox', { name: 'People can join by signing up with an @acme.io address' });
    await waitFor(() => expect(toggle.checked).toBe(true));
    await userEvent.click(toggle);
    await waitFor(() => expect(toggle.disabled).toBe(false));
    expect(toggle.checked).toBe(false);
    expect(sent).toEqual([['PATCH /api/v1/organizations/current', { self_signup: false }]]);
  });

  it('says when no domain is claimed yet', async () => {
    setup({ domain: null });
    expect(await screen.findByText(/No email domain is claimed yet/)).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'People can join by signing up with a company address' })).toBeTruthy();
  });
});
