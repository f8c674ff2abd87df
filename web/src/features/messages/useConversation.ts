// One open channel: its timeline (loaded over REST, kept current by the channel socket), the
// connection state, who is typing, and the sender.
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { call, client } from '../../lib/api';
import type { ChannelSocket, ConnectionState } from '@tandem/client';
import { openChannelSocket } from '../../lib/realtime/channel';
import { keys } from '../../lib/queryClient';
import type { ChannelFrame, Message, ServerFrame } from '../../lib/types';
import { createSender, type Sender } from './send';
import { reduceThread, reduceTimeline, type Thread, type Timeline, type TimelineAction } from './timeline';

const PAGE = 50;

async function loadTimeline(channelId: number): Promise<Timeline> {
  // The channel's seq first: the socket resumes after it, so nothing stored after this read
  // can be missed (what the page below already shows is applied again, harmlessly).
  const channel = await call(client.GET('/api/v1/channels/{channel_id}', { params: { path: { channel_id: channelId } } }));
  const page = await call(
    client.GET('/api/v1/channels/{channel_id}/messages', { params: { path: { channel_id: channelId }, query: { limit: PAGE } } }),
  );
  const messages = page.messages.filter((m) => m.reply_to_id == null).sort((a, b) => a.seq - b.seq);
  return { messages, pending: [], lastSeq: channel.last_seq, hasOlder: page.messages.length === PAGE };
}

export function dispatchTo(queryClient: QueryClient, channelId: number, me: number) {
  return (action: TimelineAction) =>
    queryClient.setQueryData<Timeline>(keys.timeline(channelId), (t) => (t ? reduceTimeline(t, action, me) : t));
}

export interface TypingPerson {
  userId: number;
  username: string;
  until: number;
}

function applyToCaches(queryClient: QueryClient, channelId: number, me: number, frame: ChannelFrame) {
  dispatchTo(queryClient, channelId, me)({ type: 'change', frame });
  queryClient.setQueriesData<Thread>({ queryKey: ['thread'] }, (t) => (t && t.root.channel_id === channelId ? reduceThread(t, frame, me) : t));
  if (frame.type === 'message_pinned' || frame.type === 'message_unpinned') {
    void queryClient.invalidateQueries({ queryKey: keys.pins(channelId) });
  }
  // Members, roles and mutes (the caller's own among them: what they may do here), the channel's settings.
  if (frame.type === 'member_joined' || frame.type === 'member_left' || frame.type === 'member_updated' || frame.type === 'channel_updated') {
    void queryClient.invalidateQueries({ queryKey: keys.channel(channelId) });
    void queryClient.invalidateQueries({ queryKey: keys.members(channelId) });
    void queryClient.invalidateQueries({ queryKey: keys.channels });
  }
}

export function useConversation(channelId: number, me: number) {
  const queryClient = useQueryClient();
  const timeline = useQuery({
    queryKey: keys.timeline(channelId),
    queryFn: () => loadTimeline(channelId),
    staleTime: Infinity,
    gcTime: 10 * 60_000,
  });
  const [state, setState] = useState<ConnectionState>('connecting');
  const [typing, setTyping] = useState<TypingPerson[]>([]);
  const socketRef = useRef<ChannelSocket | null>(null);
  const loaded = timeline.data !== undefined;

  useEffect(() => {
    if (!loaded) return;
    const start = queryClient.getQueryData<Timeline>(keys.timeline(channelId))!;
    const onEvent = (frame: ServerFrame) => {
      if (frame.type !== 'user_typing' || frame.user.user_id === me) return;
      setTyping((list) => {
        const others = list.filter((p) => p.userId !== frame.user.user_id);
        if (!frame.typing) return others;
        return [...others, { userId: frame.user.user_id, username: frame.user.username, until: Date.now() + frame.expires_in_ms }];
      });
    };
    const socket = openChannelSocket(channelId, start.lastSeq, {
      onChange: (frame) => {
        applyToCaches(queryClient, channelId, me, frame);
        if (frame.type === 'chat_message') {
          setTyping((list) => list.filter((p) => p.userId !== frame.message.user_id));
        }
      },
      onEvent,
      onState: (s) => setState(s),
    });
    socketRef.current = socket;
    socket.start();
    return () => {
      socket.stop();
      socketRef.current = null;
      setTyping([]);
    };
  }, [channelId, loaded, me, queryClient]);

  // Typing expires without a refresh.
  useEffect(() => {
    if (!typing.length) return;
    const next = Math.min(...typing.map((p) => p.until)) - Date.now();
    const timer = setTimeout(() => setTyping((list) => list.filter((p) => p.until > Date.now())), Math.max(next, 50));
    return () => clearTimeout(timer);
  }, [typing]);

  const sender: Sender = useMemo(
    () =>
      createSender(
        dispatchTo(queryClient, channelId, me),
        {
          viaSocket: (content, clientMsgId) => {
            const socket = socketRef.current;
            return socket?.isOpen ? socket.request({ type: 'chat_message', content, client_msg_id: clientMsgId }) : null;
          },
          viaRest: (content, clientMsgId) =>
            call(
              client.POST('/api/v1/channels/{channel_id}/messages', {
                params: { path: { channel_id: channelId } },
                body: { content, client_msg_id: clientMsgId },
              }),
            ),
        },
        me,
      ),
    [channelId, me, queryClient],
  );

  const [loadingOlder, setLoadingOlder] = useState(false);
  const loadOlder = useCallback(async (): Promise<boolean> => {
    const t = queryClient.getQueryData<Timeline>(keys.timeline(channelId));
    if (!t || !t.hasOlder || !t.messages.length) return false;
    setLoadingOlder(true);
    try {
      const page = await call(
        client.GET('/api/v1/channels/{channel_id}/messages', {
          params: { path: { channel_id: channelId }, query: { before_seq: t.messages[0]!.seq, limit: PAGE } },
        }),
      );
      dispatchTo(queryClient, channelId, me)({ type: 'older', messages: page.messages, hasOlder: page.messages.length === PAGE });
      return page.messages.length > 0;
    } finally {
      setLoadingOlder(false);
    }
  }, [channelId, me, queryClient]);

  /** Loads older pages until the message numbered `seq` is in the timeline. */
  const loadUntil = useCallback(
    async (seq: number) => {
      for (let i = 0; i < 200; i++) {
        const t = queryClient.getQueryData<Timeline>(keys.timeline(channelId));
        if (!t || !t.messages.length || t.messages[0]!.seq <= seq || !t.hasOlder) return;
        if (!(await loadOlder())) return;
      }
    },
    [channelId, loadOlder, queryClient],
  );

  const sendTyping = useCallback((s: 'start' | 'stop') => socketRef.current?.typing(s), []);
  const upsert = useCallback((message: Message) => dispatchTo(queryClient, channelId, me)({ type: 'upsert', message }), [channelId, me, queryClient]);

  return { timeline, state, typing, sender, loadOlder, loadingOlder, loadUntil, sendTyping, upsert };
}
