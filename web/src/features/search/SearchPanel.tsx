import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { call, client } from '../../lib/api';
import { directName, displayName, useMe, useUserMap, useUsers } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { formatFull } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { Message } from '../../lib/types';
import { Avatar } from '../../lib/ui/Avatar';
import { BotBadge, botSuffix } from '../../lib/ui/BotBadge';
import { Panel } from '../../lib/ui/Panel';
import { highlightSnippet } from './highlight';

interface Filters {
  q: string;
  channelId: string;
  userId: string;
  after: string;
  before: string;
}

export function SearchPanel({ initialChannelId, onOpen, onClose }: { initialChannelId?: number; onOpen: (message: Message) => void; onClose: () => void }) {
  const me = useMe();
  const users = useUserMap();
  const { data: people = [] } = useUsers();
  const channels = useQuery({ queryKey: keys.channels, queryFn: () => call(client.GET('/api/v1/channels')) });
  const [form, setForm] = useState<Filters>({ q: '', channelId: initialChannelId ? String(initialChannelId) : '', userId: '', after: '', before: '' });
  const [submitted, setSubmitted] = useState<Filters | null>(null);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const results = useQuery({
    queryKey: ['search', submitted],
    enabled: !!submitted?.q.trim(),
    queryFn: () => {
      const f = submitted!;
      return call(
        client.GET('/api/v1/messages/search', {
          params: {
            query: {
              q: f.q.trim(),
              channel_id: f.channelId ? Number(f.channelId) : undefined,
              user_id: f.userId ? Number(f.userId) : undefined,
              after: f.after ? new Date(`${f.after}T00:00:00`).toISOString() : undefined,
              before: f.before ? new Date(`${f.before}T23:59:59.999`).toISOString() : undefined,
              limit: 30,
            },
          },
        }),
      );
    },
  });

  const channelList = channels.data?.channels.filter((c) => c.is_member || c.type === 'public') ?? [];
  const channelName = (id: number) => {
    const c = channels.data?.channels.find((x) => x.id === id);
    if (!c) return 'a channel';
    return c.type === 'direct' ? directName(c.name, me.id, users) : `#${c.name}`;
  };

  return (
    <Panel title="Search" onClose={onClose} id="searchPanel">
      <form
        className="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted({ ...form });
        }}
      >
        <input id="searchInput" className="search-input" type="search" placeholder="Search messages" aria-label="Search messages" value={form.q} onChange={set('q')} autoFocus />
        <div className="search-filters">
          <label>
            In
            <select value={form.channelId} onChange={set('channelId')} aria-label="Channel">
              <option value="">All channels</option>
              {channelList.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.type === 'direct' ? directName(c.name, me.id, users) : `#${c.name}`}
                </option>
              ))}
            </select>
          </label>
          <label>
            From
            <select value={form.userId} onChange={set('userId')} aria-label="Person">
              <option value="">Anyone</option>
              {people.map((u) => (
                <option key={u.id} value={u.id}>
                  {displayName(u)}
                  {botSuffix(u)}
                </option>
              ))}
            </select>
          </label>
          <label>
            After
            <input type="date" value={form.after} onChange={set('after')} aria-label="After date" />
          </label>
          <label>
            Before
            <input type="date" value={form.before} onChange={set('before')} aria-label="Before date" />
          </label>
        </div>
        <button className="button primary" type="submit">
          Search
        </button>
      </form>
      {results.isFetching && <p className="muted pad">Searching…</p>}
      {results.error && <p className="form-error pad">{errorMessage(results.error)}</p>}
      {results.data && (
        <ul className="search-results" aria-label="Search results">
          {results.data.results.length === 0 && <li className="muted pad">No messages match.</li>}
          {results.data.results.map((r) => (
            <li key={r.message.id}>
              <button type="button" className="search-result" onClick={() => onOpen(r.message)} data-message-id={r.message.id}>
                <Avatar user={users.get(r.message.user_id)} size={28} />
                <span className="search-result-body">
                  <span className="search-result-meta">
                    <strong>{displayName(users.get(r.message.user_id))}</strong>
                    {users.get(r.message.user_id)?.is_bot && (
                      <>
                        {' '}
                        <BotBadge user={users.get(r.message.user_id)} />
                      </>
                    )}{' '}
                    in {channelName(r.message.channel_id)} · {formatFull(r.message.created_at)}
                    {r.message.reply_to_id != null && <span className="muted"> · in a thread</span>}
                  </span>
                  <span className="snippet">{highlightSnippet(r.snippet, r.highlights)}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
