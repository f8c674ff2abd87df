import { useMemo, useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { directName, displayName, useEnsureUsers, useOnline, useUserMap, useUsers } from '../../lib/directory';
import type { ChannelListItem, User } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Icon } from '../../lib/ui/Icon';
import { BrowseChannels, CreateChannel, NewDirectMessage } from './dialogs';
import { useChannels, useUnreadUpdates } from './useChannels';

interface Props {
  me: User;
  openChannelId?: number;
  top: ReactNode;
  bottom: ReactNode;
  onNavigate?: () => void;
}

export function Sidebar({ me, openChannelId, top, bottom, onNavigate }: Props) {
  const channels = useChannels();
  const users = useUserMap();
  const { data: people = [] } = useUsers();
  const online = useOnline();
  // Someone who signed up since the directory was read comes online: read it again.
  const onlineIds = useMemo(() => [...online.keys()], [online]);
  useEnsureUsers(onlineIds);
  const [dialog, setDialog] = useState<'create' | 'browse' | 'dm' | null>(null);
  useUnreadUpdates(openChannelId, me.id);

  const list = channels.data?.channels ?? [];
  const joined = list.filter((c) => c.is_member && c.type !== 'direct');
  const direct = list.filter((c) => c.type === 'direct');
  const onlinePeople = people.filter((u) => online.has(u.id) && u.is_active).sort((a, b) => (a.id === me.id ? -1 : b.id === me.id ? 1 : a.username.localeCompare(b.username)));
  const close = () => setDialog(null);

  return (
    <nav className="sidebar" aria-label="Channels and people">
      {top}
      <div className="sidebar-scroll">
        <section>
          <div className="sidebar-section-header">
            <h2>Channels</h2>
            <button type="button" className="icon-button small" aria-label="Create a channel" title="Create a channel" onClick={() => setDialog('create')}>
              <Icon name="plus" size={16} />
            </button>
          </div>
          <ul id="channelList" className="channel-list">
            {joined.map((c) => (
              <ChannelLink key={c.id} channel={c} label={c.name} icon={c.type === 'private' ? 'lock' : 'hash'} open={c.id === openChannelId} onNavigate={onNavigate} />
            ))}
            <li>
              <button type="button" className="sidebar-action" onClick={() => setDialog('browse')}>
                <Icon name="search" size={16} /> Browse channels
              </button>
            </li>
          </ul>
        </section>
        <section>
          <div className="sidebar-section-header">
            <h2>Direct messages</h2>
            <button type="button" className="icon-button small" aria-label="New direct message" title="New direct message" onClick={() => setDialog('dm')}>
              <Icon name="plus" size={16} />
            </button>
          </div>
          <ul className="channel-list" id="directList">
            {direct.map((c) => {
              const name = directName(c.name, me.id, users);
              const otherId = Number(c.name.replace(/^dm-/, '').split('-').find((id) => Number(id) !== me.id));
              return <ChannelLink key={c.id} channel={c} label={name} avatar={users.get(otherId)} online={online.has(otherId)} open={c.id === openChannelId} onNavigate={onNavigate} />;
            })}
            {!direct.length && <li className="muted sidebar-empty">No conversations yet</li>}
          </ul>
        </section>
        <section>
          <div className="sidebar-section-header">
            <h2>Online — {onlinePeople.length}</h2>
          </div>
          <ul id="userList" className="user-list">
            {onlinePeople.map((u) => (
              <li key={u.id} className="user-item" data-user-id={u.id}>
                <Avatar user={u} size={22} online />
                <span className="user-name">
                  {displayName(u)}
                  {u.id === me.id && <span className="muted"> (you)</span>}
                </span>
                <BotBadge user={u} />
                {online.get(u.id) !== 'online' && <span className={`status-tag ${online.get(u.id)}`}>{online.get(u.id)}</span>}
              </li>
            ))}
          </ul>
        </section>
      </div>
      {bottom}
      {dialog === 'create' && <CreateChannel onClose={close} />}
      {dialog === 'browse' && <BrowseChannels channels={list} onClose={close} />}
      {dialog === 'dm' && <NewDirectMessage me={me} people={people} onClose={close} />}
    </nav>
  );
}

function ChannelLink(props: {
  channel: ChannelListItem;
  label: string;
  icon?: 'hash' | 'lock';
  avatar?: User;
  online?: boolean;
  open: boolean;
  onNavigate?: () => void;
}) {
  const { channel: c, label, icon, avatar, online, open, onNavigate } = props;
  const mentions = open ? 0 : c.unread_mentions;
  // A muted channel shows no unread count, only its mentions.
  const unread = !open && c.unread_count > 0 && !c.muted;
  return (
    <li>
      <NavLink
        to={`/c/${c.id}`}
        className={`channel-link ${unread || mentions > 0 ? 'unread' : ''} ${c.muted ? 'muted-channel' : ''}`}
        data-channel-id={c.id}
        data-channel-name={c.name}
        onClick={onNavigate}
      >
        {icon ? <Icon name={icon} size={15} /> : <Avatar user={avatar} size={18} online={online} />}
        <span className="channel-link-name">{label}</span>
        <BotBadge user={avatar} />
        {c.muted && <Icon name="bellOff" size={14} title="Muted" />}
        {mentions > 0 ? (
          <span className="badge high" aria-label={`${mentions} mentions`}>
            {mentions}
          </span>
        ) : unread ? (
          <span className="badge" aria-label={`${c.unread_count} unread`}>
            {c.unread_count}
          </span>
        ) : null}
      </NavLink>
    </li>
  );
}
