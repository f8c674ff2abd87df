import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { call, client } from '../../lib/api';
import { errorMessage } from '../../lib/errors';
import { newId } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { User } from '../../lib/types';
import { Panel } from '../../lib/ui/Panel';
import { useMessageActions } from './actions';
import { Composer } from './Composer';
import type { MarkdownContext } from './markdown';
import { MessageItem } from './MessageItem';
import { continues } from './MessageList';
import { upsertMessage, type Thread } from './timeline';

interface Props {
  rootId: number;
  channelName: string;
  me: User;
  users: Map<number, User>;
  ctx: MarkdownContext;
  canModerate: boolean;
  canReact?: boolean;
  canPin?: boolean;
  /** Shown instead of the composer when the caller may not reply here. */
  blocked?: ReactNode;
  focusId?: number;
  onClose: () => void;
}

export function ThreadPanel({ rootId, channelName, me, users, ctx, canModerate, canReact, canPin, blocked, focusId, onClose }: Props) {
  const queryClient = useQueryClient();
  const actions = useMessageActions(me.id);
  const [error, setError] = useState<string | null>(null);
  const thread = useQuery({
    queryKey: keys.thread(rootId),
    queryFn: () => call(client.GET('/api/v1/messages/{message_id}/thread', { params: { path: { message_id: rootId } } })) as Promise<Thread>,
    staleTime: Infinity,
  });

  const reply = async (content: string) => {
    setError(null);
    try {
      const message = await call(
        client.POST('/api/v1/channels/{channel_id}/messages', {
          params: { path: { channel_id: thread.data!.root.channel_id } },
          body: { content, reply_to_id: rootId, client_msg_id: newId() },
        }),
      );
      queryClient.setQueryData<Thread>(keys.thread(rootId), (t) =>
        t && !t.replies.some((r) => r.id === message.id)
          ? { root: { ...t.root, reply_count: t.root.reply_count + 1 }, replies: upsertMessage(t.replies, message, me.id) }
          : t,
      );
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const data = thread.data;
  return (
    <Panel title="Thread" subtitle={`#${channelName}`} onClose={onClose} id="threadPanel">
      {thread.isPending && <p className="muted pad">Loading…</p>}
      {thread.error && <p className="form-error pad">{errorMessage(thread.error)}</p>}
      {data && (
        <div className="thread">
          <div className="thread-messages">
            <MessageItem message={data.root} author={users.get(data.root.user_id)} grouped={false} me={me} ctx={ctx} actions={actions} canModerate={canModerate} canReact={canReact} canPin={canPin} />
            <div className="thread-count">
              <span>
                {data.replies.length} {data.replies.length === 1 ? 'reply' : 'replies'}
              </span>
            </div>
            {data.replies.map((m, i) => (
              <MessageItem
                key={m.id}
                message={m}
                author={users.get(m.user_id)}
                grouped={continues(data.replies[i - 1], m)}
                me={me}
                ctx={ctx}
                actions={actions}
                canModerate={canModerate}
                canReact={canReact}
                canPin={canPin}
                highlighted={m.id === focusId}
              />
            ))}
          </div>
          {error && <p className="form-error pad" role="alert">{error}</p>}
          {blocked || <Composer draftKey={`thread.${rootId}`} placeholder="Reply…" users={[...users.values()]} onSend={reply} />}
        </div>
      )}
    </Panel>
  );
}
