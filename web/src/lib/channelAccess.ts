// What the caller may do in a channel, so the app offers only what the server would take. The
// server decides (its refusals are still shown as they come); this is the same table as
// `RULES` in crates/domain/src/channel/access.rs, which docs/permissions.md prints, and
// channelAccess.test.ts checks the two agree.
import type { Channel, ChannelRole, Role } from './types';

/** How much say someone has in a channel, lowest first: `reader` is not a member. */
export type Standing = 'reader' | 'member' | 'moderator' | 'admin';

export type ChannelAction =
  | 'read'
  | 'join'
  | 'post'
  | 'react'
  | 'pin'
  | 'add_members'
  | 'remove_members'
  | 'manage'
  | 'assign_roles'
  | 'delete_others_messages'
  | 'mute_members';

export interface Rule {
  /** The least standing that may. */
  least: Standing;
  /** The least standing that may in a read-only (announcement) channel. */
  leastWhenReadOnly: Standing;
  /** Who must be in the channel, whatever their standing. */
  presence: 'anyone' | 'members' | 'members_or_admins';
  whileArchived: boolean;
  /** Allowed while a moderator muted the caller in the channel. */
  whileMuted: boolean;
  inDirect: boolean;
}

const rule = (
  least: Standing,
  leastWhenReadOnly: Standing,
  presence: Rule['presence'],
  [whileArchived, whileMuted, inDirect]: [boolean, boolean, boolean],
): Rule => ({ least, leastWhenReadOnly, presence, whileArchived, whileMuted, inDirect });

// [while archived, while muted, in direct conversations]
export const RULES: Record<ChannelAction, Rule> = {
  read: rule('reader', 'reader', 'anyone', [true, true, true]),
  join: rule('reader', 'reader', 'anyone', [false, true, false]),
  post: rule('member', 'admin', 'members', [false, false, true]),
  react: rule('member', 'member', 'members', [false, false, true]),
  pin: rule('member', 'moderator', 'members', [false, false, true]),
  add_members: rule('member', 'member', 'members_or_admins', [false, false, false]),
  remove_members: rule('admin', 'admin', 'anyone', [true, true, false]),
  manage: rule('admin', 'admin', 'anyone', [true, true, false]),
  assign_roles: rule('admin', 'admin', 'anyone', [true, true, false]),
  delete_others_messages: rule('moderator', 'moderator', 'anyone', [true, true, true]),
  mute_members: rule('moderator', 'moderator', 'anyone', [false, true, false]),
};

const RANK: Record<Standing, number> = { reader: 0, member: 1, moderator: 2, admin: 3 };

/** Whether `a` has at least as much say as `b`. */
export const atLeast = (a: Standing, b: Standing) => RANK[a] >= RANK[b];

/**
 * The higher of a channel role (none: not a member) and what the organization role gives in
 * every channel one can see: organization admins are its admins, organization moderators its
 * moderators.
 */
export function standing(organizationRole: Role, channelRole: ChannelRole | null | undefined): Standing {
  const fromChannel: Standing = channelRole ?? 'reader';
  const fromOrganization: Standing = organizationRole === 'admin' ? 'admin' : organizationRole === 'moderator' ? 'moderator' : 'reader';
  return atLeast(fromChannel, fromOrganization) ? fromChannel : fromOrganization;
}

type ChannelView = Pick<Channel, 'type' | 'is_member' | 'is_archived' | 'read_only' | 'role' | 'posting_muted_until'>;

/** The caller's standing in a channel as the server answered it. */
export function channelStanding(channel: Pick<Channel, 'is_member' | 'role'>, me: { role: Role }): Standing {
  return standing(me.role, channel.is_member ? (channel.role ?? 'member') : null);
}

/** Until when a channel moderator keeps the caller from posting, reacting and pinning, if still ahead. */
export function mutedUntil(channel: Pick<Channel, 'posting_muted_until'>, now = Date.now()): Date | null {
  const until = channel.posting_muted_until ? new Date(channel.posting_muted_until) : null;
  return until && until.getTime() > now ? until : null;
}

/** Whether the caller may do `action` in the channel, checked in the server's order. */
export function can(channel: ChannelView, me: { role: Role }, action: ChannelAction, now = Date.now()): boolean {
  const r = RULES[action];
  if (channel.type === 'direct' && !r.inDirect) return false;
  const mine = channelStanding(channel, me);
  const present = r.presence === 'anyone' || channel.is_member || (r.presence === 'members_or_admins' && mine === 'admin');
  if (!present) return false;
  if (channel.is_archived && !r.whileArchived) return false;
  if (!r.whileMuted && mutedUntil(channel, now)) return false;
  return atLeast(mine, channel.read_only ? r.leastWhenReadOnly : r.least);
}

/** A member as the members list gives them: their channel role and organization role. */
export interface MemberView {
  role: ChannelRole;
  user: { id: number; role: Role };
}

/** Whether the caller may mute (or unmute) `member`: moderators mute only people with less say, never themselves. */
export function canMute(channel: ChannelView, me: { id: number; role: Role }, member: MemberView, now = Date.now()): boolean {
  if (member.user.id === me.id || !can(channel, me, 'mute_members', now)) return false;
  return !atLeast(standing(member.user.role, member.role), channelStanding(channel, me));
}

/**
 * Why the caller cannot post in the channel, when it is because of its rules (archived, muted
 * here, an announcement channel), for the notice shown instead of the composer.
 */
export type PostingBlock = { kind: 'archived' } | { kind: 'muted'; until: Date } | { kind: 'read_only'; member: boolean };

export function postingBlock(channel: ChannelView, me: { role: Role }, now = Date.now()): PostingBlock | null {
  if (channel.is_archived) return { kind: 'archived' };
  const until = channel.is_member ? mutedUntil(channel, now) : null;
  if (until) return { kind: 'muted', until };
  if (channel.read_only && channel.type !== 'direct' && !atLeast(channelStanding(channel, me), 'admin')) return { kind: 'read_only', member: channel.is_member };
  return null;
}
