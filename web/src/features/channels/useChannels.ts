import { useQuery, useQueryClient } from '@tanstack/react-query';
import { call, client } from '../../lib/api';
import { keys } from '../../lib/queryClient';
import { useNotificationFrames } from '../../lib/realtime/notifications';
import type { Channel, ChannelListItem, NotifyLevel } from '../../lib/types';

type List = { channels: ChannelListItem[] };

export function useChannels() {
  return useQuery({ queryKey: keys.channels, queryFn: () => call(client.GET('/api/v1/channels')) });
}

export function useChannel(id: number) {
  return useQuery({
    queryKey: keys.channel(id),
    queryFn: () => call(client.GET('/api/v1/channels/{channel_id}', { params: { path: { channel_id: id } } })),
  });
}

/** The caller's notification preferences for a channel, as the header's menu shows them. */
export interface ChannelNotify {
  notification_level: NotifyLevel;
  muted: boolean;
}

/** Sets the caller's level and mute for a channel; the channel list and page show it at once. */
export function useChannelNotify() {
  const queryClient = useQueryClient();
  return async (channelId: number, change: { level?: NotifyLevel; muted?: boolean }) => {
    const saved = await call(
      client.PUT('/api/v1/channels/{channel_id}/notification-settings', { params: { path: { channel_id: channelId } }, body: change }),
    );
    const apply = <C extends Channel>(c: C): C => (c.id === saved.channel_id ? { ...c, notification_level: saved.level, muted: saved.muted } : c);
    queryClient.setQueryData<List>(keys.channels, (list) => (list ? { channels: list.channels.map(apply) } : list));
    queryClient.setQueryData<Channel>(keys.channel(channelId), (c) => (c ? apply(c) : c));
    return saved;
  };
}

/** Keeps unread and mention counts current from the notifications socket. */
export function useUnreadUpdates(openChannelId: number | undefined, me: number) {
  const queryClient = useQueryClient();
  useNotificationFrames((frame) => {
    const bump = (channelId: number, field: 'unread_count' | 'unread_mentions') =>
      queryClient.setQueryData<List>(keys.channels, (list) =>
        list ? { channels: list.channels.map((c) => (c.id === channelId ? { ...c, [field]: c[field] + 1 } : c)) } : list,
      );
    switch (frame.type) {
      case 'unread_changed':
        if (frame.channel_id !== openChannelId && frame.author_id !== me) bump(frame.channel_id, 'unread_count');
        if (!queryClient.getQueryData<List>(keys.channels)?.channels.some((c) => c.id === frame.channel_id)) {
          void queryClient.invalidateQueries({ queryKey: keys.channels });
        }
        break;
      case 'mention':
        if (frame.message.channel_id !== openChannelId) bump(frame.message.channel_id, 'unread_mentions');
        break;
      case 'channel_invite':
      case 'notifications_ready':
        void queryClient.invalidateQueries({ queryKey: keys.channels });
        break;
      case 'error':
        // Frames were dropped: the counts may be off.
        if (frame.code === 'notifications_lost') void queryClient.invalidateQueries({ queryKey: keys.channels });
        break;
    }
  });
}

export function useJoin() {
  const queryClient = useQueryClient();
  return async (id: number) => {
    await call(client.POST('/api/v1/channels/{channel_id}/join', { params: { path: { channel_id: id } } }));
    await queryClient.invalidateQueries({ queryKey: keys.channels });
    await queryClient.invalidateQueries({ queryKey: keys.channel(id) });
  };
}
