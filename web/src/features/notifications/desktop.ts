// Browser notifications for live notifications: when to show one, and showing it.
import type { Notification as StoredNotification } from './api';
import type { Permission } from './settings';

export interface Surroundings {
  desktopEnabled: boolean;
  permission: Permission;
  /** The tab is not in view. */
  hidden: boolean;
  /** The channel on screen, if any. */
  openChannelId?: number;
}

/** Whether a notification that just arrived is worth a browser notification. */
export function shouldAnnounce(n: StoredNotification, s: Surroundings): boolean {
  if (!s.desktopEnabled || s.permission !== 'granted' || n.quiet || n.read_at) return false;
  return s.hidden || n.channel_id == null || n.channel_id !== s.openChannelId;
}

/**
 * Shows it. Every tab of the person gets the frame: the tag makes the browser show it once.
 * Browsers that only notify from a service worker (Android) throw, and get nothing.
 */
export function announce(n: StoredNotification, text: { title: string; body: string }, onClick: () => void) {
  try {
    const shown = new Notification(text.title, { body: text.body, tag: `tandem-notification-${n.id}` });
    shown.onclick = () => {
      window.focus();
      shown.close();
      onClick();
    };
  } catch {
    // Not available here.
  }
}
