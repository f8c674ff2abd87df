import { call, client } from '../../lib/api';
import { can, canMute, mutedUntil } from '../../lib/channelAccess';
import { displayName } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { formatUntil } from '../../lib/format';
import type { Channel, ChannelMember, ChannelRole, User } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Icon } from '../../lib/ui/Icon';
import { useMenu } from '../../lib/ui/menu';

const ROLES: { value: ChannelRole; label: string; hint: string }[] = [
  { value: 'admin', label: 'Admin', hint: 'Settings, members and roles; posts in announcement channels' },
  { value: 'moderator', label: 'Moderator', hint: 'Deletes messages and mutes members here' },
  { value: 'member', label: 'Member', hint: 'Reads, posts and reacts' },
];

const MUTES: { minutes: number; label: string }[] = [
  { minutes: 60, label: 'Mute for 1 hour' },
  { minutes: 24 * 60, label: 'Mute for 1 day' },
  { minutes: 7 * 24 * 60, label: 'Mute for 1 week' },
];

interface Props {
  channel: Channel;
  me: User;
  member: ChannelMember;
  online: boolean;
  /** The member as the server answered after a change. */
  onChanged: (member: ChannelMember) => void | Promise<void>;
  onError: (message: string | null) => void;
}

/** One member of the channel: their role and mute here, and what the caller may change of them. */
export function MemberRow({ channel, me, member, online, onChanged, onError }: Props) {
  const { user, role } = member;
  const until = mutedUntil(member);
  const name = displayName(user);
  const assign = can(channel, me, 'assign_roles');
  const mute = canMute(channel, me, member);
  return (
    <li data-user-id={user.id}>
      <Avatar user={user} size={24} online={online} />
      <span className="member-who">
        <span>{name}</span> <span className="muted">@{user.username}</span>
        <BotBadge user={user} />
        {role !== 'member' && <span className={`status-tag role-tag ${role}`}>{role === 'admin' ? 'Admin' : 'Moderator'}</span>}
        {until && (
          <span className="member-muted" title={until.toLocaleString()}>
            Muted until {formatUntil(until.toISOString())}
          </span>
        )}
      </span>
      {(assign || mute) && <MemberMenu channelId={channel.id} member={member} name={name} assign={assign} mute={mute} muted={until !== null} onChanged={onChanged} onError={onError} />}
    </li>
  );
}

function MemberMenu(props: {
  channelId: number;
  member: ChannelMember;
  name: string;
  assign: boolean;
  mute: boolean;
  muted: boolean;
  onChanged: Props['onChanged'];
  onError: Props['onError'];
}) {
  const { channelId, member, name, assign, mute, muted, onChanged, onError } = props;
  const { open, toggle, close, button, menu, onKeyDown } = useMenu();
  const menuId = `memberMenu-${member.user.id}`;
  const path = { params: { path: { channel_id: channelId, user_id: member.user.id } } };
  const run = async (request: () => Promise<ChannelMember>) => {
    close(true);
    try {
      await onChanged(await request());
      onError(null);
    } catch (err) {
      onError(errorMessage(err));
    }
  };
  return (
    <div className="dropdown-anchor member-actions">
      <button
        type="button"
        ref={button}
        className="icon-button"
        aria-label={`Manage ${name}`}
        title={`Manage ${name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={toggle}
      >
        <Icon name="more" />
      </button>
      {open && (
        <div className="dropdown" role="menu" id={menuId} aria-label={`Manage ${name}`} ref={menu} onKeyDown={onKeyDown}>
          {assign && (
            <>
              <div className="menu-label" aria-hidden>
                Role in this channel
              </div>
              {ROLES.map((r) => (
                <button
                  key={r.value}
                  type="button"
                  role="menuitemradio"
                  aria-checked={member.role === r.value}
                  tabIndex={-1}
                  onClick={() =>
                    void run(() => call(client.PATCH('/api/v1/channels/{channel_id}/members/{user_id}', { ...path, body: { role: r.value } })))
                  }
                >
                  <span className="check" aria-hidden>
                    {member.role === r.value && <Icon name="check" size={16} />}
                  </span>
                  <span className="dropdown-text">
                    <span>{r.label}</span>
                    <span className="dropdown-hint">{r.hint}</span>
                  </span>
                </button>
              ))}
            </>
          )}
          {assign && mute && <hr />}
          {mute && (
            <>
              {MUTES.map((m) => (
                <button
                  key={m.minutes}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  onClick={() =>
                    void run(() => call(client.PUT('/api/v1/channels/{channel_id}/members/{user_id}/mute', { ...path, body: { minutes: m.minutes } })))
                  }
                >
                  <span className="check" aria-hidden />
                  <span className="dropdown-text">{m.label}</span>
                </button>
              ))}
              {muted && (
                <button
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  onClick={() => void run(() => call(client.DELETE('/api/v1/channels/{channel_id}/members/{user_id}/mute', path)))}
                >
                  <span className="check" aria-hidden />
                  <span className="dropdown-text">Unmute</span>
                </button>
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}
