import { useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { Icon } from '../../lib/ui/Icon';
import { useMenu } from '../../lib/ui/menu';
import type { NotifyLevel } from '../../lib/types';
import { useChannelNotify, type ChannelNotify } from './useChannels';

const LEVELS: { value: NotifyLevel; label: string; hint: string }[] = [
  { value: 'all', label: 'All new messages', hint: 'Every message' },
  { value: 'mentions', label: 'Mentions', hint: 'When someone mentions you, and replies in your threads' },
  { value: 'nothing', label: 'Nothing', hint: 'Not even mentions' },
];

/** The channel header's bell: how much of this channel you hear about, and mute. */
export function NotifyMenu({ channelId, direct, prefs }: { channelId: number; direct: boolean; prefs: ChannelNotify }) {
  const save = useChannelNotify();
  const { open, toggle, close, button, menu, onKeyDown } = useMenu();
  const [error, setError] = useState<string | null>(null);
  const what = direct ? 'conversation' : 'channel';
  const defaultLabel = `Default (${direct ? 'all new messages' : 'mentions'})`;
  const summary = prefs.muted
    ? 'muted'
    : prefs.notification_level === 'default'
      ? defaultLabel.toLowerCase()
      : LEVELS.find((l) => l.value === prefs.notification_level)!.label.toLowerCase();

  const change = async (c: { level?: NotifyLevel; muted?: boolean }) => {
    try {
      setError(null);
      await save(channelId, c);
      close(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const levels = [{ value: 'default' as const, label: defaultLabel, hint: direct ? 'Every message' : 'Mentions and replies in your threads' }, ...LEVELS];
  return (
    <div className="dropdown-anchor">
      <button
        type="button"
        ref={button}
        id="channelNotifyButton"
        className={`icon-button ${prefs.muted ? 'is-muted' : ''}`}
        aria-label={`Notifications for this ${what}: ${summary}`}
        title={`Notifications: ${summary}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? 'channelNotifyMenu' : undefined}
        onClick={toggle}
      >
        <Icon name={prefs.muted || prefs.notification_level === 'nothing' ? 'bellOff' : 'bell'} />
      </button>
      {open && (
        <div className="dropdown" role="menu" id="channelNotifyMenu" aria-label={`Notifications for this ${what}`} ref={menu} onKeyDown={onKeyDown}>
          <div className="menu-label" aria-hidden>
            Notify me about
          </div>
          {levels.map((l) => (
            <button
              key={l.value}
              type="button"
              role="menuitemradio"
              aria-checked={prefs.notification_level === l.value}
              tabIndex={-1}
              onClick={() => void change({ level: l.value })}
            >
              <span className="check" aria-hidden>
                {prefs.notification_level === l.value && <Icon name="check" size={16} />}
              </span>
              <span className="dropdown-text">
                <span>{l.label}</span>
                <span className="dropdown-hint">{l.hint}</span>
              </span>
            </button>
          ))}
          <hr />
          <button type="button" role="menuitemcheckbox" aria-checked={prefs.muted} tabIndex={-1} onClick={() => void change({ muted: !prefs.muted })}>
            <span className="check" aria-hidden>
              {prefs.muted && <Icon name="check" size={16} />}
            </span>
            <span className="dropdown-text">
              <span>Mute {what}</span>
              <span className="dropdown-hint">Dimmed, no unread count except for mentions</span>
            </span>
          </button>
          {error && (
            <p className="form-error dropdown-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
