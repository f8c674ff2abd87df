import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useLogout } from '../features/auth';
import { call, client } from '../lib/api';
import { displayName, shownStatus, useMe } from '../lib/directory';
import { updateUser } from '../lib/session';
import type { UserStatus } from '../lib/types';
import { Avatar, PresenceDot } from '../lib/ui/Avatar';
import { Icon } from '../lib/ui/Icon';
import { useTheme } from './theme';

const STATUSES: { value: UserStatus; label: string }[] = [
  { value: 'online', label: 'Active' },
  { value: 'away', label: 'Away' },
  { value: 'busy', label: 'Busy — do not disturb' },
];

export function UserMenu({ onNavigate }: { onNavigate?: () => void }) {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const [theme, toggleTheme] = useTheme();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    const onDown = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
    };
  }, [open]);

  const setStatus = async (status: UserStatus) => {
    const user = await call(client.POST('/api/v1/users/{user_id}/status', { params: { path: { user_id: me.id } }, body: { status } }));
    updateUser(user);
    setOpen(false);
  };
  const go = (path: string) => {
    setOpen(false);
    onNavigate?.();
    navigate(path);
  };

  return (
    <div className="user-menu" ref={ref}>
      {open && (
        <div className="menu" role="menu" aria-label="Your account">
          <div className="menu-label">Set your status</div>
          {STATUSES.map((s) => (
            <button key={s.value} type="button" role="menuitemradio" aria-checked={shownStatus(me.status) === s.value} onClick={() => void setStatus(s.value)}>
              <PresenceDot status={s.value} /> {s.label}
            </button>
          ))}
          <hr />
          <button type="button" role="menuitem" onClick={() => go('/profile')}>
            <Icon name="user" size={16} /> Profile
          </button>
          <button type="button" role="menuitem" onClick={() => go('/settings/notifications')} id="notificationSettingsItem">
            <Icon name="bell" size={16} /> Notifications
          </button>
          <button type="button" role="menuitem" onClick={() => go('/settings/sessions')} id="sessionsItem">
            <Icon name="lock" size={16} /> Sessions
          </button>
          <button type="button" role="menuitem" onClick={() => go('/settings/security')} id="twoFactorItem">
            <Icon name="key" size={16} /> Two-factor sign-in
          </button>
          {me.role === 'admin' && (
            <button type="button" role="menuitem" onClick={() => go('/admin')}>
              <Icon name="shield" size={16} /> Administration
            </button>
          )}
          <button type="button" role="menuitem" onClick={toggleTheme} id="themeToggle">
            <Icon name={theme === 'dark' ? 'sun' : 'moon'} size={16} /> {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
          <hr />
          <button type="button" role="menuitem" onClick={() => void logout()} id="logoutButton">
            <Icon name="logout" size={16} /> Log out
          </button>
        </div>
      )}
      <button type="button" className="me-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} id="userMenuButton">
        <Avatar user={me} size={32} />
        <span className="me-text">
          <span className="me-name">{displayName(me)}</span>
          <span className="me-status">
            <PresenceDot status={shownStatus(me.status)} /> {STATUSES.find((s) => s.value === shownStatus(me.status))?.label}
          </span>
        </span>
      </button>
    </div>
  );
}
