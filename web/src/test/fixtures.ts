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
