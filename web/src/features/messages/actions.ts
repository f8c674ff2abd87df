// Changes to existing messages, over REST. The answer updates this tab at once; the socket's
// frame (which everyone gets) then applies the same state again.
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { call, client } from '../../lib/api';
import { keys } from '../../lib/queryClient';
import type { Message } from '../../lib/types';
import { reduceTimeline, upsertMessage, type Thread, type Timeline } from './timeline';

export function useMessageActions(me: number) {
  const queryClient = useQueryClient();
  return useMemo(() => {
    const apply = (message: Message, event?: { emoji: string; added: boolean }) => {
      const ev = event && { ...event, userId: me };
      queryClient.setQueryData<Timeline>(keys.timeline(message.channel_id), (t) => {
        if (!t) return t;
        if (!ev) return reduceTimeline(t, { type: 'upsert', message }, me);
        return t.messages.some((m) => m.id === message.id) ? { ...t, messages: upsertMessage(t.messages, message, me, ev) } : t;
      });
      queryClient.setQueriesData<Thread>({ queryKey: ['thread'] }, (t) => {
        if (!t) return t;
        if (t.root.id === message.id) return { ...t, root: upsertMessage([t.root], message, me, ev)[0]! };
        if (t.replies.some((r) => r.id === message.id)) return { ...t, replies: upsertMessage(t.replies, message, me, ev) };
        return t;
      });
    };
    const path = (id: number) => ({ params: { path: { message_id: id } } });
    return {
      edit: async (id: number, content: string) => apply(await call(client.PUT('/api/v1/messages/{message_id}', { ...path(id), body: { content } }))),
      remove: async (id: number) => apply(await call(client.DELETE('/api/v1/messages/{message_id}', path(id)))),
      react: async (id: number, emoji: string) =>
        apply(await call(client.POST('/api/v1/messages/{message_id}/reactions', { ...path(id), body: { emoji } })), { emoji, added: true }),
      unreact: async (id: number, emoji: string) =>
        apply(await call(client.DELETE('/api/v1/messages/{message_id}/reactions/{emoji}', { params: { path: { message_id: id, emoji } } })), {
          emoji,
          added: false,
        }),
      pin: async (id: number, channelId: number) => {
        apply(await call(client.POST('/api/v1/messages/{message_id}/pin', path(id))));
        void queryClient.invalidateQueries({ queryKey: keys.pins(channelId) });
      },
      unpin: async (id: number, channelId: number) => {
        apply(await call(client.DELETE('/api/v1/messages/{message_id}/pin', path(id))));
        void queryClient.invalidateQueries({ queryKey: keys.pins(channelId) });
      },
      report: async (id: number, reason: string) => {
        await call(client.POST('/api/v1/messages/{message_id}/report', { ...path(id), body: { reason } }));
      },
    };
  }, [me, queryClient]);
}

export type MessageActions = ReturnType<typeof useMessageActions>;
