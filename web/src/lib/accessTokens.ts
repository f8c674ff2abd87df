// Personal access tokens: what the profile (your own) and the admin page (everyone's) share.
import type { AccessToken, TokenScope } from './types';

/** Every scope, in the order forms and lists show them, with its name and what it allows. */
export const SCOPES: readonly { value: TokenScope; label: string; hint: string }[] = [
  { value: 'read', label: 'Read', hint: 'everything you may read, and the live streams' },
  { value: 'write', label: 'Write', hint: 'messages, reactions, pins, files, read markers and notification settings' },
  { value: 'channels', label: 'Channels', hint: 'create, change and archive channels, and their members' },
  { value: 'admin', label: 'Admin', hint: 'the organization’s administration' },
];

/** "Read, Write": a token's scopes by name, in the usual order. */
export function scopeNames(scopes: readonly TokenScope[]): string {
  return SCOPES.filter((s) => scopes.includes(s.value))
    .map((s) => s.label)
    .join(', ');
}

/** Query keys: invalidating `tokenKeys.all` refreshes both lists. */
export const tokenKeys = {
  all: ['tokens'] as const,
  mine: ['tokens', 'mine'] as const,
  organization: ['tokens', 'organization'] as const,
};

/** Whether the token has stopped working by age. */
export function isExpired(token: Pick<AccessToken, 'expires_at'>, now = new Date()): boolean {
  return token.expires_at !== null && new Date(token.expires_at).getTime() <= now.getTime();
}
