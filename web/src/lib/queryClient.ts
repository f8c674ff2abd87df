import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './errors';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // Client errors (403, 404, 422 ...) do not get better by asking again.
        retry: (count, error) =>
          count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
      mutations: { retry: false },
    },
  });
}

/** Query keys shared by several features, so each can update what the others show. */
export const keys = {
  me: ['me'] as const,
  organization: ['organization'] as const,
  users: ['users'] as const,
  online: ['users', 'online'] as const,
  channels: ['channels'] as const,
  channel: (id: number) => ['channel', id] as const,
  timeline: (id: number) => ['timeline', id] as const,
  thread: (rootId: number) => ['thread', rootId] as const,
  pins: (id: number) => ['pins', id] as const,
  members: (id: number) => ['members', id] as const,
  message: (id: number) => ['message', id] as const,
  /** The slash commands members may run (the composer's suggestions; admins add to them). */
  commands: ['commands'] as const,
  /** A channel's answers of commands for the caller only: client state, until dismissed or the channel is left. */
  commandNotices: (id: number) => ['commandNotices', id] as const,
};
