// Names for the generated API and real-time types, from the client package (which derives them
// from openapi/openapi.json and openapi/asyncapi.json; nothing there is written by hand).
export type {
  AccessToken,
  AuthResponse,
  Channel,
  ChannelFrame,
  ChannelListItem,
  ChannelMember,
  ChannelRole,
  ClientFrame,
  DeviceSession,
  ErrorBody,
  ErrorCode,
  Invitation,
  InvitationPreview,
  Message,
  NotifyLevel,
  Organization,
  Reaction,
  Role,
  SearchResult,
  ServerFrame,
  TokenScope,
  User,
  UserStatus,
  Who,
} from '@tandem/client';
export { isChannelFrame } from '@tandem/client';
