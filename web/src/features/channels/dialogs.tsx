import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { call, client } from '../../lib/api';
import { displayName } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { keys } from '../../lib/queryClient';
import type { ChannelListItem, User } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Modal } from '../../lib/ui/Modal';
import { useJoin } from './useChannels';

export function CreateChannel({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [priv, setPriv] = useState(false);
  const [readOnly, setReadOnly] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal title="Create a channel" onClose={onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const channel = await call(
              client.POST('/api/v1/channels', { body: { name, description: description || null, type: priv ? 'private' : 'public', read_only: readOnly } }),
            );
            await queryClient.invalidateQueries({ queryKey: keys.channels });
            onClose();
            navigate(`/c/${channel.id}`);
          } catch (err) {
            setError(errorMessage(err));
          }
        }}
      >
        <label>
          Name
          <input id="newChannelName" value={name} onChange={(e) => setName(e.target.value.toLowerCase().replace(/\s+/g, '-'))} placeholder="e.g. design-team" required maxLength={80} />
        </label>
        <label>
          Description <span className="muted">(optional)</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What is it about?" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={priv} onChange={(e) => setPriv(e.target.checked)} />
          <span>
            <strong>Private</strong> — only people you invite can see it
          </span>
        </label>
        <label className="checkbox">
          <input type="checkbox" id="newChannelReadOnly" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} />
          <span>
            <strong>Announcement channel</strong> — only channel admins post; everyone reads and reacts
          </span>
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="dialog-buttons">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button className="button primary" id="createChannelButton">
            Create
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function BrowseChannels({ channels, onClose }: { channels: ChannelListItem[]; onClose: () => void }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // Channels others created since the list was loaded.
  useEffect(() => {
    void queryClient.invalidateQueries({ queryKey: keys.channels });
  }, [queryClient]);
  const join = useJoin();
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const shown = channels.filter((c) => c.type === 'public' && c.name.includes(filter.toLowerCase()));
  return (
    <Modal title="Browse channels" onClose={onClose} wide>
      <input className="search-input" placeholder="Find a channel" aria-label="Find a channel" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {error && <p className="form-error" role="alert">{error}</p>}
      <ul className="browse-list">
        {shown.map((c) => (
          <li key={c.id}>
            <div>
              <div className="browse-name"># {c.name}</div>
              <div className="muted small">
                {c.member_count} {c.member_count === 1 ? 'member' : 'members'}
                {c.description ? ` · ${c.description}` : ''}
              </div>
            </div>
            {c.is_member ? (
              <button type="button" className="button small" onClick={() => (onClose(), navigate(`/c/${c.id}`))}>
                Open
              </button>
            ) : (
              <button
                type="button"
                className="button small primary"
                aria-label={`Join ${c.name}`}
                onClick={() =>
                  join(c.id).then(
                    () => (onClose(), navigate(`/c/${c.id}`)),
                    (err) => setError(errorMessage(err)),
                  )
                }
              >
                Join
              </button>
            )}
          </li>
        ))}
        {!shown.length && <li className="muted">No channels match.</li>}
      </ul>
    </Modal>
  );
}

export function NewDirectMessage({ me, people, onClose }: { me: User; people: User[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<string | null>(null);
  const shown = people.filter(
    (u) => u.id !== me.id && u.is_active && (u.username.includes(filter.toLowerCase()) || (u.display_name ?? '').toLowerCase().includes(filter.toLowerCase())),
  );
  const open = async (user: User) => {
    try {
      const channel = await call(client.POST('/api/v1/channels', { body: { type: 'direct', member_ids: [user.id] } }));
      await queryClient.invalidateQueries({ queryKey: keys.channels });
      onClose();
      navigate(`/c/${channel.id}`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Modal title="New direct message" onClose={onClose}>
      <input className="search-input" placeholder="Find a person" aria-label="Find a person" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {error && <p className="form-error" role="alert">{error}</p>}
      <ul className="browse-list">
        {shown.map((u) => (
          <li key={u.id}>
            <button type="button" className="person-button" onClick={() => void open(u)}>
              <Avatar user={u} size={28} />
              <span>
                <strong>{displayName(u)}</strong> <span className="muted">@{u.username}</span>
                {u.is_bot && (
                  <>
                    {' '}
                    <BotBadge user={u} />
                  </>
                )}
              </span>
            </button>
          </li>
        ))}
        {!shown.length && <li className="muted">Nobody else here yet.</li>}
      </ul>
    </Modal>
  );
}
