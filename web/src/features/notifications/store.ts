import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Channel, Message } from '../../lib/types';

export interface Notice {
  key: string;
  kind: 'mention' | 'direct_message' | 'channel_invite';
  at: string;
  read: boolean;
  message?: Message;
  channel?: Channel;
  byUserId?: number;
}

const KEY = ['notifications'] as const;
const MAX = 50;

export function useNotices() {
  return useQuery<Notice[]>({ queryKey: KEY, queryFn: () => [], staleTime: Infinity, gcTime: Infinity }).data ?? [];
}

export function useNoticeStore() {
  const queryClient = useQueryClient();
  return {
    add: (notice: Notice) =>
      queryClient.setQueryData<Notice[]>(KEY, (list = []) => (list.some((n) => n.key === notice.key) ? list : [notice, ...list].slice(0, MAX))),
    markAllRead: () => queryClient.setQueryData<Notice[]>(KEY, (list = []) => list.map((n) => ({ ...n, read: true }))),
    clear: () => queryClient.setQueryData<Notice[]>(KEY, []),
  };
}
