import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { call, client } from '../../lib/api';
import { can } from '../../lib/channelAccess';
import { displayName, useOnline, useUsers } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { formatFull } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { Channel, ChannelMember, User } from '../../lib/types';
import { botSuffix } from '../../lib/ui/BotBadge';
import { Panel } from '../../lib/ui/Panel';
import { IncomingWebhooksSection } from './IncomingWebhooks';
import { MemberRow } from './MemberRow';

export function ChannelInfo({ channel, title, me, onClose, pinned }: { channel: Channel; title: string; me: User; onClose: () => void; pinned: ReactNode }) {
  const online = useOnline();
  const queryClient = useQueryClient();
  const { data: people = [] } = useUsers();
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);
  const members = useQuery({
    queryKey: keys.members(channel.id),
    queryFn: () => call(client.GET('/api/v1/channels/{channel_id}/members', { params: { path: { channel_id: channel.id }, query: { limit: 200 } } })),
  });
  // The answer shows at once; `member_updated` then tells everyone else (and this channel's own
  // role or mute, when it was the caller's).
  const onMemberChanged = async (changed: ChannelMember) => {
    queryClient.setQueryData<typeof members.data>(keys.members(channel.id), (page) =>
      page ? { ...page, members: page.members.map((m) => (m.user.id === changed.user.id ? changed : m)) } : page,
    );
    if (changed.user.id === me.id) await queryClient.invalidateQueries({ queryKey: keys.channel(channel.id) });
  };
  return (
    <Panel title="Details" subtitle={title} onClose={onClose} id="infoPanel">
      <section className="panel-section">
        <h3>About</h3>
        <p>{channel.description || <span className="muted">No description.</span>}</p>
        <p className="muted small">Created {formatFull(channel.created_at)}</p>
      </section>
      <section className="panel-section">
        <h3>Pinned</h3>
        {pinned}
      </section>
      <section className="panel-section">
        <h3>Members {members.data && `(${members.data.members.length})`}</h3>
        {can(channel, me, 'add_members') && (
          <form
            className="add-member"
            onSubmit={async (e) => {
              e.preventDefault();
              if (!adding) return;
              try {
                await call(
                  client.POST('/api/v1/channels/{channel_id}/members', { params: { path: { channel_id: channel.id } }, body: { user_id: Number(adding) } }),
                );
                setAdding('');
                setError(null);
                await queryClient.invalidateQueries({ queryKey: keys.members(channel.id) });
                await queryClient.invalidateQueries({ queryKey: keys.channels });
              } catch (err) {
                setError(errorMessage(err));
              }
            }}
          >
            <select value={adding} onChange={(e) => setAdding(e.target.value)} aria-label="Person to add">
              <option value="">Add someone…</option>
              {people
                .filter((u) => u.is_active && !members.data?.members.some((m) => m.user.id === u.id))
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {displayName(u)} (@{u.username}){botSuffix(u)}
                  </option>
                ))}
            </select>
            <button className="button small" disabled={!adding}>
              Add
            </button>
          </form>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
        <ul className="member-list">
          {members.data?.members.map((member) => (
            <MemberRow
              key={member.user.id}
              channel={channel}
              me={me}
              member={member}
              online={online.has(member.user.id)}
              onChanged={onMemberChanged}
              onError={setError}
            />
          ))}
        </ul>
      </section>
    </Panel>
  );
}

export function ChannelSettings({ channel, me, onClose }: { channel: Channel; me: User; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState(channel.name);
  const [description, setDescription] = useState(channel.description ?? '');
  const [message, setMessage] = useState<{ ok?: string; error?: string }>({});
  const manager = can(channel, me, 'manage');
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: keys.channel(channel.id) });
    await queryClient.invalidateQueries({ queryKey: keys.channels });
  };
  // The box shows the choice at once, and the channel's state again if the server refuses it.
  const [readOnly, setReadOnly] = useState(channel.read_only);
  useEffect(() => setReadOnly(channel.read_only), [channel.read_only]);
  const update = async (body: { name?: string; description?: string | null; is_archived?: boolean; read_only?: boolean }) => {
    try {
      await call(client.PUT('/api/v1/channels/{channel_id}', { params: { path: { channel_id: channel.id } }, body }));
      await refresh();
      setMessage({ ok: 'Saved.' });
    } catch (err) {
      setMessage({ error: errorMessage(err) });
      setReadOnly(channel.read_only);
    }
  };
  const leave = async () => {
    try {
      await call(client.POST('/api/v1/channels/{channel_id}/leave', { params: { path: { channel_id: channel.id } } }));
      // What commands answered the caller alone here goes with the channel.
      queryClient.removeQueries({ queryKey: keys.commandNotices(channel.id), exact: true });
      await refresh();
      navigate('/');
    } catch (err) {
      setMessage({ error: errorMessage(err) });
    }
  };
  return (
    <Panel title="Settings" subtitle={`#${channel.name}`} onClose={onClose} id="settingsPanel">
      {manager ? (
        <form
          className="form panel-section"
          onSubmit={(e) => {
            e.preventDefault();
            void update({ name, description: description || null });
          }}
        >
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Description
            <textarea value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <button className="button primary">Save</button>
        </form>
      ) : (
        <p className="muted panel-section">Only the channel's admins change its name and description.</p>
      )}
      {message.ok && <p className="notice" role="status">{message.ok}</p>}
      {message.error && <p className="form-error" role="alert">{message.error}</p>}
      {manager && (
        <section className="panel-section">
          <label className="checkbox">
            <input
              type="checkbox"
              id="channelReadOnly"
              checked={readOnly}
              onChange={(e) => {
                setReadOnly(e.target.checked);
                void update({ read_only: e.target.checked });
              }}
            />
            <span>
              <strong>Announcement channel</strong> — only channel admins post
            </span>
          </label>
        </section>
      )}
      {manager && <IncomingWebhooksSection channel={channel} />}
      <section className="panel-section">
        {manager && (
          <button type="button" className="button" onClick={() => void update({ is_archived: !channel.is_archived })}>
            {channel.is_archived ? 'Unarchive channel' : 'Archive channel'}
          </button>
        )}
        {channel.is_member && (
          <button type="button" className="button danger" onClick={() => void leave()}>
            Leave channel
          </button>
        )}
      </section>
    </Panel>
  );
}
