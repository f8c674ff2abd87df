// Names for the generated REST and real-time types. Everything here is derived from
// ./generated (openapi/openapi.json and openapi/asyncapi.json); nothing is written by hand.
import type { components } from './generated/api.js';
import type { components as realtime } from './generated/realtime.js';

type S = components['schemas'];
export type User = S['UserResponse'];
export type UserStatus = S['UserStatus'];
export type Channel = S['ChannelResponse'];
export type ChannelListItem = S['ChannelListItem'];
/** A member's role in one channel. */
export type ChannelRole = S['ChannelRole'];
/** A member of a channel, with their role there and any mute by its moderators. */
export type ChannelMember = S['MemberResponse'];
export type Message = S['MessageResponse'];
export type Reaction = S['ReactionResponse'];
export type SearchResult = S['SearchResult'];
export type Organization = S['OrganizationResponse'];
export type AuthResponse = S['AuthResponse'];
export type Role = S['Role'];
/** A signed-in session of an account (one login on a device). */
export type DeviceSession = S['SessionResponse'];
export type Invitation = S['InvitationResponse'];
export type InvitationPreview = S['InvitationPreviewResponse'];
export type ErrorBody = S['ErrorBody'];
export type ErrorCode = S['ErrorCode'];
/** How much of a channel its member hears about. */
export type NotifyLevel = S['NotifyLevelDto'];
/** A personal access token as its owner and admins see it (never its secret). */
export type AccessToken = S['AccessTokenResponse'];
/** What a personal access token may do: `read`, `write`, `channels`, `admin`. */
export type TokenScope = S['TokenScopeDto'];
/** A new bot, or a bot's new token: the token is shown this once. */
export type BotWithToken = S['BotWithToken'];
/** An incoming webhook of a channel (never its address). */
export type IncomingWebhook = S['HookResponse'];
/** An outgoing webhook: an endpoint subscribed to the organization's events. */
export type OutgoingWebhook = S['OutgoingWebhookResponse'];
/** One delivery of an outgoing webhook, as its log shows it. */
export type Delivery = S['DeliveryResponse'];
/** An organization's own slash command. */
export type SlashCommand = S['SlashCommandResponse'];
/** What running a slash command did: a message posted, or words for the caller alone. */
export type CommandResult = S['CommandResponse'];

type R = realtime['schemas'];
/** What a client sends on a socket. */
export type ClientFrame = R['ClientFrame'];
/** A stored change of a channel, each with its `seq`. */
export type ChannelFrame = R['ChannelFrame'];
/** What the server sends on a socket: channel changes are `ChannelFrame`s, as the schema says. */
export type ServerFrame = R['ServerFrame'];
/** Someone in a frame: id, name, display name. */
export type Who = R['Who'];
/** The `data` of a channel activity stream's events. */
export type ActivityEvent = R['ActivityEvent'];
/** The `data` of a notifications stream's events. */
export type NotificationsEvent = R['NotificationsEvent'];

/** The `ack` a socket request is answered with. */
export type Ack = Extract<ServerFrame, { type: 'ack' }>;

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

/** Whether a frame is a stored change of its channel (with a `seq`). */
export function isChannelFrame(frame: ServerFrame): frame is ChannelFrame {
  return CHANNEL_FRAME_TYPES.has(frame.type) && typeof (frame as { seq?: unknown }).seq === 'number';
}
