import { useQuery } from '@tanstack/react-query';
import { call, client } from '../../lib/api';
import { displayName, useUserMap } from '../../lib/directory';
import { formatFull } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { User } from '../../lib/types';
import { BotBadge } from '../../lib/ui/BotBadge';
import { Markdown } from './markdown';
import { useMarkdownContext } from './Conversation';

export function PinnedMessages({ channelId, me, onOpen }: { channelId: number; me: User; onOpen: (messageId: number, seq: number) => void }) {
  const users = useUserMap();
  const ctx = useMarkdownContext(me);
  const pins = useQuery({
    queryKey: keys.pins(channelId),
    queryFn: () => call(client.GET('/api/v1/channels/{channel_id}/pins', { params: { path: { channel_id: channelId } } })),
  });
  if (pins.isPending) return <p className="muted">Loading…</p>;
  const list = pins.data?.messages ?? [];
  if (!list.length) return <p className="muted">Nothing pinned yet. Pin a message from its menu to keep it here.</p>;
  return (
    <ul className="pinned-list">
      {list.map((m) => (
        <li key={m.id}>
          <button type="button" className="pinned-item" onClick={() => onOpen(m.id, m.seq)}>
            <span className="pinned-meta">
              <strong>{displayName(users.get(m.user_id))}</strong>
              {users.get(m.user_id)?.is_bot && (
                <>
                  {' '}
                  <BotBadge user={users.get(m.user_id)} />
                </>
              )}{' '}
              · {formatFull(m.created_at)}
            </span>
            <Markdown text={m.content} ctx={ctx} />
          </button>
        </li>
      ))}
    </ul>
  );
}
