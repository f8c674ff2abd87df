// Slash commands from the composer: which text is one, the list the composer suggests from,
// running one in a channel, and the answers meant for the caller only ("ephemeral"), which
// nothing stores: they live in the query cache, per channel, until dismissed or the channel is
// left (a new session starts without them).
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { call, client } from '../../lib/api';
import { ApiError, errorMessage, waitMessage } from '../../lib/errors';
import type { components } from '@tandem/client';
import { newId } from '../../lib/format';
import { keys } from '../../lib/queryClient';
import { capitalized } from '../../lib/ui/Field';

export type CommandInfo = components['schemas']['CommandInfoResponse'];
export type CommandResponse = components['schemas']['CommandResponse'];

/** An answer of a command for the caller only, shown in the channel it was run in. */
export interface CommandNotice {
  id: string;
  /** What was typed (`/help`). */
  command: string;
  /** Markdown. */
  text: string;
  createdAt: string;
  /** Where it shows: after the messages up to this seq (the channel's as it was answered), before later ones. */
  afterSeq: number;
}

/**
 * Whether the composer's text runs a command: `/name…`, as the server reads it. `//` escapes
 * (the message is posted without its first `/`), and `/` alone or followed by a space is text.
 */
export function isCommand(text: string): boolean {
  return /^\/[^\s/]/.test(text.trimStart());
}

/** The message a text that is not a command posts: `//etc/hosts` is `/etc/hosts`. */
export function unescapeSlash(text: string): string {
  return text.startsWith('//') ? text.slice(1) : text;
}

/** The command's name as typed (`/Leave now` is `leave`), or null for text that is not one. */
export function commandName(text: string): string | null {
  if (!isCommand(text)) return null;
  return /^\/(\S+)/.exec(text.trimStart())![1]!.toLowerCase();
}

/**
 * The command name being typed, for suggestions: while the text is `/` and a name (the caret
 * at its end, nothing after it yet). Null otherwise, and for `//`.
 */
export function commandQuery(text: string, caret: number): { query: string } | null {
  const m = /^\/([^\s/]*)$/.exec(text.slice(0, caret));
  if (!m || /^\S/.test(text.slice(caret))) return null;
  return { query: m[1]!.toLowerCase() };
}

/** Commands whose name starts with what is typed (all of them for a bare `/`), in the server's order. */
export function matchCommands(commands: readonly CommandInfo[], query: string): CommandInfo[] {
  return commands.filter((c) => c.name.toLowerCase().startsWith(query));
}

/**
 * What to say when a command fails: the server's reason (its field message for a mistake:
 * "Usage: /me <action>.", "There is no /deploy command: /help lists them."), and when to try
 * again after too many.
 */
export function commandError(error: unknown): string {
  if (error instanceof ApiError) {
    const wait = waitMessage(error);
    if (wait) return `${capitalized(error.message)} ${wait}`;
    const detail = error.code === 'validation_failed' ? error.details?.[0]?.message : undefined;
    if (detail) return capitalized(detail);
    return capitalized(error.message);
  }
  return errorMessage(error);
}

/** The commands the caller may run (Tandem's own, then the organization's), for the composer. */
export function useCommands(): CommandInfo[] {
  const { data } = useQuery({
    queryKey: keys.commands,
    queryFn: async () => (await call(client.GET('/api/v1/commands'))).commands,
    staleTime: 5 * 60_000,
  });
  return data ?? [];
}

/** Runs `text` (a command, as typed) in the channel. */
export function runCommand(channelId: number, text: string): Promise<CommandResponse> {
  return call(client.POST('/api/v1/channels/{channel_id}/commands', { params: { path: { channel_id: channelId } }, body: { text } }));
}

const noticesKey = keys.commandNotices;
const NONE: CommandNotice[] = [];

/** Forgets the notices of a channel (dismissed all, or the channel left). */
export function forgetNotices(queryClient: QueryClient, channelId: number) {
  queryClient.removeQueries({ queryKey: noticesKey(channelId), exact: true });
}

/** The notices of a channel, oldest first, with adding and dismissing one. */
export function useCommandNotices(channelId: number) {
  const queryClient = useQueryClient();
  const key = useMemo(() => noticesKey(channelId), [channelId]);
  const { data } = useQuery<CommandNotice[]>({ queryKey: key, queryFn: () => NONE, staleTime: Infinity, gcTime: Infinity });
  const add = useCallback(
    (command: string, text: string, afterSeq: number) =>
      queryClient.setQueryData<CommandNotice[]>(key, (list = NONE) => [
        ...list,
        { id: newId(), command, text, createdAt: new Date().toISOString(), afterSeq },
      ]),
    [key, queryClient],
  );
  const dismiss = useCallback(
    (id: string) => queryClient.setQueryData<CommandNotice[]>(key, (list = NONE) => list.filter((n) => n.id !== id)),
    [key, queryClient],
  );
  return { notices: data ?? NONE, add, dismiss };
}
