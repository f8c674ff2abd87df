import { useEffect } from 'react';
import { useMe, useUserMap } from '../../lib/directory';
import { useNotificationFrames } from '../../lib/realtime/notifications';
import { announce, shouldAnnounce } from './desktop';
import { describe, notificationTarget, type Target } from './describe';
import { browserPermission, useNotificationSettings } from './settings';
import { useCentreActions } from './store';

/**
 * Keeps the centre and its counts current from the notifications socket, and shows a browser
 * notification for what arrives while you look elsewhere.
 */
export function NotificationListener({ openChannelId, onOpen }: { openChannelId?: number; onOpen: (target: Target) => void }) {
  const me = useMe();
  const users = useUserMap();
  const actions = useCentreActions();
  const settings = useNotificationSettings().data;

  useEffect(() => {
    actions.refreshCounts().catch(() => {});
  }, [actions]);

  useNotificationFrames((frame) => {
    switch (frame.type) {
      case 'notification': {
        const n = frame.notification;
        actions.dispatch({ type: 'notification', notification: n });
        const surroundings = {
          desktopEnabled: settings?.desktop_enabled ?? false,
          permission: browserPermission(),
          hidden: document.visibilityState === 'hidden',
          openChannelId,
        };
        if (shouldAnnounce(n, surroundings)) {
          announce(n, describe(n, me.id, users), () => {
            actions.markRead([n.id]).catch(() => {});
            const target = notificationTarget(n);
            if (target) onOpen(target);
          });
        }
        break;
      }
      case 'notifications_read':
        actions.dispatch({
          type: 'read',
          ids: frame.ids ?? null,
          upTo: frame.up_to ?? null,
          counts: { unread: frame.unread, high_priority: frame.high_priority },
          at: new Date().toISOString(),
        });
        break;
      case 'notifications_ready':
        // (Re)connected: what came meanwhile is on the server, not in frames.
        actions.dispatch({ type: 'reset' });
        actions.refreshCounts().catch(() => {});
        break;
      case 'error':
        if (frame.code === 'notifications_lost') {
          actions.dispatch({ type: 'reset' });
          actions.refreshCounts().catch(() => {});
        }
        break;
    }
  });
  return null;
}
