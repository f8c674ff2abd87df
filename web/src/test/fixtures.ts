import type { Notification } from '../features/notifications/api';
import type { ChannelFrame, Message, User } from '../lib/types';

export function user(id: number, username: string, extra: Partial<User> = {}): User {
  return {
    id,
    username,
    email: `${username}@acme.io`,
    display_name: null,
    organization_id: 1,
    role: 'member',
    status: 'online',
    created_at: '2026-11-01T10:00:00Z',
    is_active: true,
    email_verified: true,
    ...extra,
  };
}

let nextId = 100;

export function message(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: extra.id ?? nextId++,
    content: `message ${seq}`,
    channel_id: 1,
    user_id: 2,
    message_type: 'text',
    created_at: new Date(Date.UTC(2026, 10, 20, 9, 0, seq)).toISOString(),
    is_deleted: false,
    seq,
    mentions: [],
    reactions: [],
    reply_count: 0,
    attachments: [],
    ...extra,
  };
}

export function created(m: Message): ChannelFrame {
  return { type: 'chat_message', seq: m.seq, message: m };
}

/** A stored notification: by default an unread mention by user 2 in #general. */
export function notification(id: number, extra: Partial<Notification> = {}): Notification {
  return {
    id,
    kind: 'mention',
    priority: 'normal',
    channel_id: 1,
    channel_name: 'general',
    message_id: 500 + id,
    seq: 20 + id,
    thread_root_id: null,
    sender: { id: 2, username: 'ben', display_name: 'Ben Ortiz', profile_picture: null },
    excerpt: `Hey @ana, about ${id}`,
    quiet: false,
    created_at: new Date(Date.UTC(2026, 10, 20, 9, id)).toISOString(),
    read_at: null,
    ...extra,
  };
}
