import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import { call, client } from '../../lib/api';
import { can, mutedUntil, postingBlock, type PostingBlock } from '../../lib/channelAccess';
import { useEnsureUsers, useUserMap } from '../../lib/directory';
import { errorMessage } from '../../lib/errors';
import { formatUntil } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import type { Channel, ChannelListItem, User } from '../../lib/types';
import { useMessageActions } from './actions';
import { commandName, forgetNotices, runCommand, useCommandNotices, useCommands } from './commands';
import type { Timeline } from './timeline';
import { Composer } from './Composer';
import type { MarkdownContext } from './markdown';
import { MessageList } from './MessageList';
import { ThreadPanel } from './ThreadPanel';
import { TypingIndicator } from './TypingIndicator';
import { useConversation } from './useConversation';

export function useMarkdownContext(me: User): MarkdownContext {
  const users = useUserMap();
  return useMemo(() => ({ usernames: new Set([...users.values()].map((u) => u.username)), me: me.username }), [users, me.username]);
}

/** What the caller may do to messages here, as the channel's rules say (the server still decides). */
function useMessagePermissions(channel: Channel, me: User) {
  const until = mutedUntil(channel);
  // A channel mute ends on its own: show the composer again then.
  const [, expired] = useReducer((n: number) => n + 1, 0);
  const end = until?.getTime();
  useEffect(() => {
    if (end === undefined) return;
    // Long mutes are looked at again within setTimeout's range (about 24 days).
    const timer = setTimeout(expired, Math.min(end - Date.now() + 500, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [end]);
  return {
    canModerate: can(channel, me, 'delete_others_messages'),
    canReact: can(channel, me, 'react'),
    canPin: can(channel, me, 'pin'),
    block: postingBlock(channel, me),
  };
}

/** What shows instead of a composer when the channel's rules keep the caller from posting. */
export function PostingNotice({ block }: { block: PostingBlock }) {
  if (block.kind === 'archived') return <div className="archived-note">This channel is archived: it is read-only.</div>;
  return (
    <div className="posting-note" role="status">
      {block.kind === 'muted'
        ? `A moderator muted you in this channel until ${formatUntil(block.until.toISOString())}.`
        : `Only channel admins post in this announcement channel. ${block.member ? 'You can still react.' : 'Join it to react.'}`}
    </div>
  );
}

interface Props {
  channel: Channel;
  title: string;
  me: User;
  onOpenThread: (rootId: number) => void;
  /** Open the timeline at this message (a search result). */
  focus?: { id: number; seq: number };
  composerExtra?: ReactNode;
  /** Shown just above the composer (uploads in progress). */
  aboveComposer?: ReactNode;
  /** The caller left the channel (`/leave`): go elsewhere. */
  onLeft?: () => void;
}

export function Conversation({ channel, title, me, onOpenThread, focus, composerExtra, aboveComposer, onLeft }: Props) {
  const queryClient = useQueryClient();
  const users = useUserMap();
  const ctx = useMarkdownContext(me);
  const actions = useMessageActions(me.id);
  const convo = useConversation(channel.id, me.id);
  const allowed = useMessagePermissions(channel, me);
  const commands = useCommands();
  const notices = useCommandNotices(channel.id);
  // Where "new" starts: what this tab already showed of the channel, else the read marker.
  const readSeq = useRef<{ channel: number; seq: number | null } | null>(null);
  if (readSeq.current?.channel !== channel.id) {
    const seen = queryClient.getQueryData<Timeline>(keys.timeline(channel.id))?.lastSeq;
    readSeq.current = { channel: channel.id, seq: seen ?? channel.last_read_seq ?? null };
  }
  const lastSeq = convo.timeline.data?.lastSeq;
  const { loadUntil } = convo;

  useEffect(() => {
    if (focus) void loadUntil(focus.seq);
  }, [focus, loadUntil]);

  // Reading the channel moves the read marker (when the tab is in view).
  useEffect(() => {
    if (lastSeq === undefined || !channel.is_member) return;
    const mark = () => {
      if (document.visibilityState !== 'visible') return;
      void call(client.POST('/api/v1/channels/{channel_id}/read', { params: { path: { channel_id: channel.id } }, body: {} }))
        .then(() =>
          queryClient.setQueryData<{ channels: ChannelListItem[] }>(keys.channels, (list) =>
            list ? { channels: list.channels.map((c) => (c.id === channel.id ? { ...c, unread_count: 0, unread_mentions: 0 } : c)) } : list,
          ),
        )
        .catch(() => {});
    };
    let pending = true;
    const timer = setTimeout(() => {
      pending = false;
      mark();
    }, 600);
    document.addEventListener('visibilitychange', mark);
    return () => {
      clearTimeout(timer);
      // Leaving the channel (or a newer message arriving) marks what was seen.
      if (pending) mark();
      document.removeEventListener('visibilitychange', mark);
    };
  }, [channel.id, channel.is_member, lastSeq, queryClient]);

  const authors = useMemo(
    () => [...(convo.timeline.data?.messages.map((m) => m.user_id) ?? []), ...convo.typing.map((p) => p.userId)],
    [convo.timeline.data, convo.typing],
  );
  useEnsureUsers(authors);

  const userList = useMemo(() => [...users.values()].filter((u) => u.id !== me.id), [users, me.id]);

  // Answers for the caller only are about being in the channel: they go when the channel is left.
  useEffect(() => {
    if (!channel.is_member) forgetNotices(queryClient, channel.id);
  }, [channel.id, channel.is_member, queryClient]);

  /** Runs a command typed in the composer; throws the server's refusal for the composer to show. */
  const command = async (text: string) => {
    const answer = await runCommand(channel.id, text);
    if (commandName(text) === 'leave') {
      forgetNotices(queryClient, channel.id);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.channel(channel.id) }),
        queryClient.invalidateQueries({ queryKey: keys.channels }),
      ]);
      onLeft?.();
      return;
    }
    // Posted: shown now (the socket brings the same message again, which replaces it).
    if (answer.response_type === 'in_channel') {
      if (answer.message) convo.upsert(answer.message);
    } else if (answer.text?.trim()) {
      notices.add(text, answer.text, queryClient.getQueryData<Timeline>(keys.timeline(channel.id))?.lastSeq ?? 0);
    }
  };

  if (convo.timeline.error) return <div className="conversation-error">{errorMessage(convo.timeline.error)}</div>;
  return (
    <div className="conversation">
      <ConnectionBanner state={convo.state} />
      {convo.timeline.data ? (
        <MessageList
          timeline={convo.timeline.data}
          users={users}
          me={me}
          ctx={ctx}
          actions={actions}
          sender={convo.sender}
          canModerate={allowed.canModerate}
          canReact={allowed.canReact}
          canPin={allowed.canPin}
          readSeq={readSeq.current.seq}
          loadOlder={convo.loadOlder}
          loadingOlder={convo.loadingOlder}
          onOpenThread={(m) => onOpenThread(m.id)}
          focusId={focus?.id}
          notices={notices.notices}
          onDismissNotice={notices.dismiss}
          empty={
            <div className="channel-intro">
              <h2>{title}</h2>
              <p className="muted">This is the very beginning of {title}.</p>
            </div>
          }
        />
      ) : (
        <div id="messagesContainer" className="messages loading" aria-busy="true">
          <p className="muted pad">Loading messages…</p>
        </div>
      )}
      {aboveComposer}
      <TypingIndicator people={convo.typing} users={users} />
      {allowed.block ? (
        <PostingNotice block={allowed.block} />
      ) : (
        <Composer
          ids
          draftKey={`channel.${channel.id}`}
          placeholder={`Message ${title}`}
          users={userList}
          onSend={(text) => convo.sender.send(text)}
          onTyping={convo.sendTyping}
          extra={composerExtra}
          onCommand={command}
          commands={commands}
        />
      )}
    </div>
  );
}

function ConnectionBanner({ state }: { state: string }) {
  const label = state === 'open' ? 'Connected' : state === 'closed' ? 'Disconnected' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <div className={`connection connection-${state}`} role="status" aria-live="polite" data-state={state}>
      <span className="connection-dot" aria-hidden />
      {label}
    </div>
  );
}

export { ThreadPanel };

export function ThreadView(props: { rootId: number; channel: Channel; channelName: string; me: User; focusId?: number; onClose: () => void }) {
  const users = useUserMap();
  const ctx = useMarkdownContext(props.me);
  const allowed = useMessagePermissions(props.channel, props.me);
  return (
    <ThreadPanel
      rootId={props.rootId}
      channelName={props.channelName}
      me={props.me}
      users={users}
      ctx={ctx}
      canModerate={allowed.canModerate}
      canReact={allowed.canReact}
      canPin={allowed.canPin}
      blocked={allowed.block && <PostingNotice block={allowed.block} />}
      focusId={props.focusId}
      onClose={props.onClose}
    />
  );
}
