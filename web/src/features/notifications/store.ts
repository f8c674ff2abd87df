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
    /** Marks these notices read (those that were on screen), not ones that came since. */
    markRead: (keys: string[]) =>
      queryClient.setQueryData<Notice[]>(KEY, (list = []) => list.map((n) => (keys.includes(n.key) ? { ...n, read: true } : n))),
    clear: () => queryClient.setQueryData<Notice[]>(KEY, []),
  };
}
