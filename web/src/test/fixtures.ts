import type { Notification } from '../features/notifications/api';
import type { Channel, ChannelFrame, ChannelMember, Message, Organization, User } from '../lib/types';

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
    is_bot: false,
    bot_owner_id: null,
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

/** A public channel the caller is a plain member of; `extra` makes it read-only, muted, theirs… */
export function channel(id: number, extra: Partial<Channel> = {}): Channel {
  return {
    id,
    name: `channel-${id}`,
    organization_id: 1,
    type: 'public',
    created_by: 9,
    created_at: '2026-11-01T10:00:00Z',
    is_archived: false,
    read_only: false,
    last_seq: 0,
    is_member: true,
    role: 'member',
    posting_muted_until: null,
    ...extra,
  };
}

/** A member of a channel as its members list gives them. */
export function member(u: User, role: ChannelMember['role'] = 'member', extra: Partial<ChannelMember> = {}): ChannelMember {
  return { user: u, role, joined_at: '2026-11-01T10:00:00Z', posting_muted_until: null, ...extra };
}

/** Acme, the organization of the tests: its personal access tokens on unless said otherwise. */
export function organization(extra: Partial<Organization> = {}): Organization {
  return {
    id: 1,
    name: 'Acme',
    domain: 'acme.io',
    subscription_plan: 'free',
    self_signup: true,
    sso_only: false,
    two_factor_policy: 'optional',
    access_tokens_enabled: true,
    created_at: '2026-11-01T10:00:00Z',
    is_active: true,
    ...extra,
  };
}
