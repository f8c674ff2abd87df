import type { User } from '../types';

const palette = ['#4338ca', '#0e7490', '#047857', '#b45309', '#b91c1c', '#6d28d9', '#be185d', '#1d4ed8'];

export function Avatar({ user, size = 36, online }: { user?: Pick<User, 'id' | 'username' | 'display_name'>; size?: number; online?: boolean }) {
  const name = user?.display_name || user?.username || '?';
  const initials = name
    .split(/[\s._-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  const color = palette[(user?.id ?? 0) % palette.length];
  return (
    <span className="avatar" style={{ width: size, height: size, background: color, fontSize: size * 0.4 }} aria-hidden>
      {initials}
      {online !== undefined && <span className={`presence-dot ${online ? 'on' : 'off'}`} />}
    </span>
  );
}

export function PresenceDot({ status }: { status: 'online' | 'away' | 'busy' | 'offline' }) {
  return <span className={`presence-dot inline ${status}`} aria-label={status} role="img" />;
}
