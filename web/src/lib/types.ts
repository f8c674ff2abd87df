// Names for the generated API and real-time types. Everything here is derived from
// ./generated (openapi/openapi.json and openapi/realtime.json); nothing is written by hand.
import type { components } from './generated/api';
import type { components as rt } from './generated/realtime';

type S = components['schemas'];
export type User = S['UserResponse'];
export type UserStatus = S['UserStatus'];
export type Channel = S['ChannelResponse'];
export type ChannelListItem = S['ChannelListItem'];
/** A member's role in one channel (see `lib/channelAccess.ts` for what each may do). */
export type ChannelRole = S['ChannelRole'];
/** A member of a channel, with their role there and any mute by its moderators. */
export type ChannelMember = S['MemberResponse'];
export type Message = S['MessageResponse'];
export type Reaction = S['ReactionResponse'];
export type SearchResult = S['SearchResult'];
export type Organization = S['OrganizationResponse'];
export type AuthResponse = S['AuthResponse'];
export type Role = S['Role'];
/** A signed-in session of an account (one login on a device), as the sessions pages list them. */
export type DeviceSession = S['SessionResponse'];
export type Invitation = S['InvitationResponse'];
export type InvitationPreview = S['InvitationPreviewResponse'];
export type ErrorBody = S['ErrorBody'];
export type ErrorCode = S['ErrorCode'];
/** How much of a channel its member hears about: `default` is all for direct conversations, mentions for channels. */
export type NotifyLevel = S['NotifyLevelDto'];
/** A personal access token as its owner and admins see it (never its secret). */
export type AccessToken = S['AccessTokenResponse'];
/** What a personal access token may do: `read`, `write`, `channels`, `admin`. */
export type TokenScope = S['TokenScopeDto'];

type R = rt['schemas'];
export type ClientFrame = R['ClientFrame'];
/** A stored change of a channel, each with its `seq`. */
export type ChannelFrame = R['ChannelFrame'];
/** What the server sends: channel changes are `ChannelFrame`s, as the schema says. */
export type ServerFrame = R['ServerFrame'];
export type Who = R['Who'];

// Every stored change, by its `type`: the compiler asks for each new one the schema adds, so
// none is taken for a passing event (and its `seq` for a gap).
const CHANNEL_FRAME_TYPES: ReadonlySet<string> = new Set(
  Object.keys({
    chat_message: true,
    message_edited: true,
    message_deleted: true,
    reaction_added: true,
    reaction_removed: true,
    message_pinned: true,
    message_unpinned: true,
    member_joined: true,
    member_left: true,
    member_updated: true,
    channel_updated: true,
  } satisfies Record<ChannelFrame['type'], true>),
);

export function isChannelFrame(frame: ServerFrame): frame is ChannelFrame {
  return CHANNEL_FRAME_TYPES.has(frame.type) && typeof (frame as { seq?: unknown }).seq === 'number';
}
