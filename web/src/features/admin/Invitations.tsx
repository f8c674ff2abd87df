import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { call, client } from '../../lib/api';
import { displayName, useMe, useUserMap } from '../../lib/directory';
import { ApiError, errorMessage } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { ChannelListItem, Invitation, Role } from '../../lib/types';
import { Icon } from '../../lib/ui/Icon';

const INVITATIONS = ['admin', 'invitations'] as const;

export const ROLES: { value: Role; label: string }[] = [
  { value: 'member', label: 'Member' },
  { value: 'moderator', label: 'Moderator' },
  { value: 'admin', label: 'Admin' },
];

/** Channels an invitation can join: the organization's, not archived, not direct conversations. */
function useJoinableChannels(): ChannelListItem[] {
  // The same query as the sidebar's, so both share one list.
  const { data } = useQuery({ queryKey: keys.channels, queryFn: () => call(client.GET('/api/v1/channels')) });
  return (data?.channels ?? []).filter((c) => c.type !== 'direct' && !c.is_archived).sort((a, b) => a.name.localeCompare(b.name));
}

/** Inviting people by email, the invitations waiting for an answer, and joining by domain. */
export function InvitationsSection() {
  const channels = useJoinableChannels();
  return (
    <section className="card admin-invitations" aria-labelledby="invitationsTitle">
      <h2 id="invitationsTitle">Invitations</h2>
      <p className="muted">Invite people by email: the link they receive creates their account, with this role, in these channels. It works for 7 days.</p>
      <InviteForm channels={channels} />
      <PendingInvitations channels={channels} />
      <SignupSetting />
    </section>
  );
}

function InviteForm({ channels }: { channels: ChannelListItem[] }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [channelIds, setChannelIds] = useState<number[]>([]);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const invite = useMutation({
    mutationFn: () => call(client.POST('/api/v1/invitations', { body: { email: email.trim(), role, channel_ids: channelIds } })),
    onMutate: () => setSentTo(null),
    onSuccess: (invitation) => {
      setSentTo(invitation.email);
      setEmail('');
      setRole('member');
      setChannelIds([]);
      void queryClient.invalidateQueries({ queryKey: INVITATIONS });
    },
  });
  const fieldError = (name: string) => (invite.error instanceof ApiError ? invite.error.field(name) : undefined);
  const toggle = (id: number, on: boolean) => setChannelIds((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };

  return (
    <form className="form invite-form" onSubmit={submit} aria-label="Invite people">
      <div className="field-row">
        <label>
          Email address
          <input
            id="inviteEmailInput"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            placeholder="name@company.com"
            aria-invalid={fieldError('email') ? true : undefined}
          />
          {fieldError('email') && <span className="field-error">{fieldError('email')}</span>}
        </label>
        <label>
          Role
          <select id="inviteRole" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="channel-picker">
        <legend>Channels to join</legend>
        {channels.length === 0 ? (
          <p className="hint">No channels yet.</p>
        ) : (
          <ul>
            {channels.map((c) => (
              <li key={c.id}>
                <label className="checkbox">
                  <input type="checkbox" checked={channelIds.includes(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} data-channel-name={c.name} />
                  <span>
                    <Icon name={c.type === 'private' ? 'lock' : 'hash'} size={14} /> {c.name}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {fieldError('channel_ids') && <span className="field-error">{fieldError('channel_ids')}</span>}
      </fieldset>
      {invite.error && (
        <p className="form-error" role="alert">
          {invite.error instanceof ApiError && invite.error.status === 429
            ? 'Too many emails went to this address this hour. Try again later.'
            : errorMessage(invite.error)}
        </p>
      )}
      {sentTo && (
        <p className="notice" role="status">
          Invitation sent to {sentTo}.
        </p>
      )}
      <div>
        <button className="button primary" disabled={invite.isPending} id="sendInvitation">
          {invite.isPending ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
    </form>
  );
}

function PendingInvitations({ channels }: { channels: ChannelListItem[] }) {
  const queryClient = useQueryClient();
  const users = useUserMap();
  const invitations = useQuery({
    queryKey: INVITATIONS,
    queryFn: () => call(client.GET('/api/v1/invitations', { params: { query: { status: 'pending' } } })),
  });
  const revoke = useMutation({
    mutationFn: (invitation: Invitation) =>
      call(client.DELETE('/api/v1/invitations/{invitation_id}', { params: { path: { invitation_id: invitation.id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: INVITATIONS }),
  });
  const names = new Map(channels.map((c) => [c.id, c.name]));
  const list = invitations.data?.invitations ?? [];
  const error = invitations.error ?? revoke.error;

  return (
    <div className="pending-invitations">
      <h3>Waiting for an answer</h3>
      {error && (
        <p className="form-error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      {invitations.isPending ? (
        <p className="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p className="hint">No pending invitations.</p>
      ) : (
        <table className="table" id="pendingInvitations">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Channels</th>
              <th scope="col">Invited</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((inv) => (
              <tr key={inv.id} data-email={inv.email}>
                <td>{inv.email}</td>
                <td>{ROLES.find((r) => r.value === inv.role)?.label ?? inv.role}</td>
                <td>{inv.channel_ids.length ? inv.channel_ids.map((id) => `#${names.get(id) ?? id}`).join(', ') : <span className="muted">none</span>}</td>
                <td title={formatFull(inv.created_at)}>
                  {formatRelative(inv.created_at)}
                  {inv.invited_by != null && <span className="muted"> by {displayName(users.get(inv.invited_by), 'an admin')}</span>}
                </td>
                <td>{formatFull(inv.expires_at)}</td>
                <td>
                  <button
                    type="button"
                    className="button small danger"
                    aria-label={`Revoke the invitation of ${inv.email}`}
                    disabled={revoke.isPending && revoke.variables?.id === inv.id}
                    onClick={() => revoke.mutate(inv)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Whether people at the organization's email domain may join by signing up. */
function SignupSetting() {
  const me = useMe();
  const queryClient = useQueryClient();
  const organization = useQuery({ queryKey: keys.organization, queryFn: () => call(client.GET('/api/v1/organizations/current')) });
  // The box follows the click at once (React state, set in the same event), not only once the
  // mutation's pending state reaches the component, which the query client schedules later.
  const [choice, setChoice] = useState<boolean | null>(null);
  const save = useMutation({
    mutationFn: (selfSignup: boolean) => call(client.PATCH('/api/v1/organizations/current', { body: { self_signup: selfSignup } })),
    onSuccess: (org) => queryClient.setQueryData(keys.organization, org),
    onSettled: () => setChoice(null),
  });
  const org = organization.data;
  const domain = org?.domain ?? null;
  const myDomain = me.email.split('@')[1];

  return (
    <div className="signup-setting">
      <h3>Joining by email domain</h3>
      <label className="checkbox">
        <input
          type="checkbox"
          id="selfSignup"
          checked={choice ?? org?.self_signup ?? false}
          disabled={!org || choice !== null}
          onChange={(e) => {
            setChoice(e.target.checked);
            save.mutate(e.target.checked);
          }}
          aria-describedby="selfSignupHint"
        />
        <span>People can join by signing up with {domain ? `an @${domain}` : 'a company'} address</span>
      </label>
      <p className="hint" id="selfSignupHint">
        {domain ? (
          <>
            Your organization owns <strong>@{domain}</strong>: with this on, anyone with such an address can create an account and join as a member once
            they confirm the address. Invitations work either way.
          </>
        ) : (
          <>
            No email domain is claimed yet, so for now people join by invitation only. The domain of an admin’s company address is claimed when the
            address is confirmed (public providers such as gmail.com never are)
            {me.email_verified === false && myDomain ? (
              <>
                : confirm yours from your <Link to="/profile">profile</Link> to claim @{myDomain}.
              </>
            ) : (
              '.'
            )}
          </>
        )}
      </p>
      {save.error && (
        <p className="form-error" role="alert">
          {errorMessage(save.error)}
        </p>
      )}
    </div>
  );
}
