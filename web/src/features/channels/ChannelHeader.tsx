import type { Channel } from '../../lib/types';
import { Icon } from '../../lib/ui/Icon';
import { NotifyMenu } from './NotifyMenu';
import type { ChannelNotify } from './useChannels';

export type ChannelPanel = 'info' | 'search' | 'settings';

interface Props {
  channel: Channel;
  title: string;
  memberCount?: number;
  onMenu: () => void;
  onPanel: (panel: ChannelPanel) => void;
  active?: string | null;
  onJoin?: () => void;
  /** The caller's notification preferences for the channel (members only). */
  notify?: ChannelNotify;
}

export function ChannelHeader({ channel, title, memberCount, onMenu, onPanel, active, onJoin, notify }: Props) {
  const direct = channel.type === 'direct';
  return (
    <header className="chat-header" id="chatHeader">
      <button type="button" className="icon-button menu-button" aria-label="Open the sidebar" onClick={onMenu}>
        <Icon name="menu" />
      </button>
      <div className="chat-title">
        <h1 id="channelName">
          {!direct && <Icon name={channel.type === 'private' ? 'lock' : 'hash'} size={18} />}
          <span>{title}</span>
          {channel.is_archived && <span className="status-tag">archived</span>}
          {channel.read_only && (
            <span className="status-tag announcement-tag" id="announcementTag" title="Only channel admins post here; everyone reads and reacts">
              Announcement
            </span>
          )}
        </h1>
        {(channel.description || memberCount !== undefined) && (
          <p className="chat-description">
            {memberCount !== undefined && !direct && (
              <span className="member-count">
                {memberCount} {memberCount === 1 ? 'member' : 'members'}
              </span>
            )}
            {channel.description && <span>{channel.description}</span>}
          </p>
        )}
      </div>
      <div className="channel-actions">
        {onJoin && !channel.is_member && (
          <button type="button" className="button small primary" onClick={onJoin}>
            Join channel
          </button>
        )}
        {channel.is_member && notify && <NotifyMenu key={channel.id} channelId={channel.id} direct={direct} prefs={notify} />}
        <button type="button" className="icon-button" aria-label="Channel details" aria-pressed={active === 'info'} title="Details" onClick={() => onPanel('info')}>
          <Icon name="info" />
        </button>
        <button type="button" className="icon-button" aria-label="Search messages" aria-pressed={active === 'search'} title="Search" onClick={() => onPanel('search')}>
          <Icon name="search" />
        </button>
        {!direct && (
          <button type="button" className="icon-button" aria-label="Channel settings" aria-pressed={active === 'settings'} title="Settings" onClick={() => onPanel('settings')}>
            <Icon name="settings" />
          </button>
        )}
      </div>
    </header>
  );
}
