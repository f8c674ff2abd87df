// A channel's conversation as the client holds it, and the pure reducer that every change goes
// through: stored changes from the socket, REST answers, older pages, and optimistic sends.
import type { ChannelFrame, Message, Reaction } from '../../lib/types';

export interface Pending {
  clientMsgId: string;
  content: string;
  userId: number;
  createdAt: string;
  /** `sent`: the server acknowledged it; its `chat_message` is on the way. */
  state: 'sending' | 'sent' | 'failed';
  error?: string;
}

export interface Timeline {
  /** Top-level messages (replies live in their thread), oldest first, by `seq`. */
  messages: Message[];
  pending: Pending[];
  /** The last stored change applied: where the socket resumes. */
  lastSeq: number;
  hasOlder: boolean;
}

export type TimelineAction =
  | { type: 'change'; frame: ChannelFrame }
  | { type: 'upsert'; message: Message }
  | { type: 'older'; messages: Message[]; hasOlder: boolean }
  | { type: 'pending'; pending: Pending }
  | { type: 'acked'; clientMsgId: string }
  | { type: 'failed'; clientMsgId: string; error: string }
  | { type: 'retrying'; clientMsgId: string }
  | { type: 'discard'; clientMsgId: string };

export function emptyTimeline(lastSeq: number): Timeline {
  return { messages: [], pending: [], lastSeq, hasOlder: false };
}

type ReactionEvent = { emoji: string; userId: number; added: boolean };

/**
 * Reactions as the caller sees them. Frames are broadcast to everyone, so their `me` is not
 * about the caller: it is worked out from what the caller knew and from the event itself.
 */
export function mergeReactions(previous: Reaction[], next: Reaction[], me: number, event?: ReactionEvent): Reaction[] {
  return next.map((r) => {
    let mine = r.user_ids.includes(me) || (previous.find((p) => p.emoji === r.emoji)?.me ?? false);
    if (event && event.emoji === r.emoji && event.userId === me) mine = event.added;
    return { ...r, me: mine };
  });
}

function withReactionsOf(existing: Message | undefined, incoming: Message, me: number, event?: ReactionEvent): Message {
  if (!existing) return event ? { ...incoming, reactions: mergeReactions([], incoming.reactions, me, event) } : incoming;
  return { ...incoming, reactions: mergeReactions(existing.reactions, incoming.reactions, me, event) };
}

/** Inserts or replaces by id, keeping the order by `seq`. */
export function upsertMessage(messages: Message[], message: Message, me: number, event?: ReactionEvent): Message[] {
  const index = messages.findIndex((m) => m.id === message.id);
  if (index >= 0) {
    const next = messages.slice();
    next[index] = withReactionsOf(messages[index], message, me, event);
    return next;
  }
  const next = [...messages, withReactionsOf(undefined, message, me, event)];
  // Nearly always appended at the end: sort only when it is not.
  if (next.length > 1 && next[next.length - 2]!.seq > message.seq) next.sort((a, b) => a.seq - b.seq);
  return next;
}

function replaceIfPresent(messages: Message[], message: Message, me: number, event?: ReactionEvent): Message[] {
  return messages.some((m) => m.id === message.id) ? upsertMessage(messages, message, me, event) : messages;
}

function reactionEvent(frame: ChannelFrame): ReactionEvent | undefined {
  if (frame.type === 'reaction_added' || frame.type === 'reaction_removed') {
    return { emoji: frame.emoji, userId: frame.user_id, added: frame.type === 'reaction_added' };
  }
  return undefined;
}

function applyChange(t: Timeline, frame: ChannelFrame, me: number): Timeline {
  const lastSeq = Math.max(t.lastSeq, frame.seq);
  switch (frame.type) {
    case 'chat_message': {
      const message = frame.message;
      if (message.reply_to_id != null) {
        const messages = t.messages.map((m) =>
          m.id === message.reply_to_id ? { ...m, reply_count: m.reply_count + 1, last_reply_at: message.created_at } : m,
        );
        return { ...t, messages, lastSeq };
      }
      return {
        ...t,
        messages: upsertMessage(t.messages, message, me),
        pending: t.pending.filter((p) => p.clientMsgId !== message.client_msg_id || message.user_id !== me),
        lastSeq,
      };
    }
    case 'message_edited':
    case 'message_deleted':
    case 'reaction_added':
    case 'reaction_removed':
    case 'message_pinned':
    case 'message_unpinned':
      return { ...t, messages: replaceIfPresent(t.messages, frame.message, me, reactionEvent(frame)), lastSeq };
    default:
      return { ...t, lastSeq };
  }
}

export function reduceTimeline(t: Timeline, action: TimelineAction, me: number): Timeline {
  switch (action.type) {
    case 'change':
      return applyChange(t, action.frame, me);
    case 'upsert': {
      const m = action.message;
      if (m.reply_to_id != null) return t;
      return {
        ...t,
        messages: upsertMessage(t.messages, m, me),
        pending: t.pending.filter((p) => !m.client_msg_id || p.clientMsgId !== m.client_msg_id),
      };
    }
    case 'older': {
      const known = new Set(t.messages.map((m) => m.id));
      const older = action.messages.filter((m) => !known.has(m.id) && m.reply_to_id == null);
      return { ...t, messages: [...older, ...t.messages].sort((a, b) => a.seq - b.seq), hasOlder: action.hasOlder };
    }
    case 'pending':
      return { ...t, pending: [...t.pending, action.pending] };
    case 'acked':
      return { ...t, pending: setState(t.pending, action.clientMsgId, { state: 'sent', error: undefined }) };
    case 'failed':
      return { ...t, pending: setState(t.pending, action.clientMsgId, { state: 'failed', error: action.error }) };
    case 'retrying':
      return { ...t, pending: setState(t.pending, action.clientMsgId, { state: 'sending', error: undefined }) };
    case 'discard':
      return { ...t, pending: t.pending.filter((p) => p.clientMsgId !== action.clientMsgId) };
  }
}

function setState(pending: Pending[], id: string, patch: Partial<Pending>): Pending[] {
  return pending.map((p) => (p.clientMsgId === id ? { ...p, ...patch } : p));
}

export interface Thread {
  root: Message;
  replies: Message[];
}

/** A thread's view of a stored change. */
export function reduceThread(thread: Thread, frame: ChannelFrame, me: number): Thread {
  if (!('message' in frame) || !frame.message) return thread;
  const message = frame.message as Message;
  const event = reactionEvent(frame);
  if (message.id === thread.root.id) {
    return { ...thread, root: withReactionsOf(thread.root, message, me, event) };
  }
  if (frame.type === 'chat_message') {
    if (message.reply_to_id !== thread.root.id) return thread;
    return {
      root: { ...thread.root, reply_count: thread.root.reply_count + (thread.replies.some((r) => r.id === message.id) ? 0 : 1) },
      replies: upsertMessage(thread.replies, message, me),
    };
  }
  return { ...thread, replies: replaceIfPresent(thread.replies, message, me, event) };
}
