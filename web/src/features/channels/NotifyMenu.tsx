import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { errorMessage } from '../../lib/errors';
import { Icon } from '../../lib/ui/Icon';
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
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const what = direct ? 'conversation' : 'channel';
  const defaultLabel = `Default (${direct ? 'all new messages' : 'mentions'})`;
  const summary = prefs.muted
    ? 'muted'
    : prefs.notification_level === 'default'
      ? defaultLabel.toLowerCase()
      : LEVELS.find((l) => l.value === prefs.notification_level)!.label.toLowerCase();

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    // The chosen level first, like a select.
    (menu.current?.querySelector<HTMLElement>('[aria-checked="true"][role="menuitemradio"]') ?? menu.current?.querySelector<HTMLElement>('[role^="menuitem"]'))?.focus();
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      close(true);
    };
    const onDown = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) close(false);
    };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('mousedown', onDown);
    };
  }, [open]);

  const change = async (c: { level?: NotifyLevel; muted?: boolean }) => {
    try {
      setError(null);
      await save(channelId, c);
      close(true);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => items[(i + items.length) % items.length]?.focus();
    if (e.key === 'ArrowDown') go(at + 1);
    else if (e.key === 'ArrowUp') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(items.length - 1);
    else if (e.key === 'Tab') return close(false);
    else return;
    e.preventDefault();
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
        onClick={() => setOpen(!open)}
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
