// The people of the organization, who is online, and who "I" am: shared by every feature.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { call, client } from './api';
import { keys } from './queryClient';
import { useNotificationFrames } from './realtime/notifications';
import { getSession, subscribe, type Session } from './session';
import type { User, UserStatus } from './types';

export function useSession(): Session | null {
  return useSyncExternalStore(
    (cb) => subscribe(() => cb()),
    getSession,
    getSession,
  );
}

/** The signed-in user (the app shell renders features only when there is one). */
export function useMe(): User {
  const session = useSession();
  if (!session) throw new Error('useMe outside a session');
  return session.user;
}

async function allUsers(): Promise<User[]> {
  const users: User[] = [];
  let after: number | undefined;
  for (let page = 0; page < 50; page++) {
    const data = await call(client.GET('/api/v1/users', { params: { query: { after, limit: 100 } } }));
    users.push(...data.users);
    if (data.next_cursor == null) break;
    after = data.next_cursor;
  }
  return users;
}

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: allUsers, staleTime: 60_000 });
}

export function useUserMap(): Map<number, User> {
  const { data } = useUsers();
  return useMemo(() => new Map((data ?? []).map((u) => [u.id, u])), [data]);
}

export function displayName(user: Pick<User, 'username' | 'display_name'> | undefined, fallback = 'Someone'): string {
  if (!user) return fallback;
  return user.display_name?.trim() || user.username;
}

/** Reloads the people of the organization when some of `ids` are not among them (newcomers). */
export function useEnsureUsers(ids: readonly number[]) {
  const queryClient = useQueryClient();
  const users = useUserMap();
  const missing = users.size > 0 && ids.some((id) => !users.has(id));
  useEffect(() => {
    if (!missing) return;
    const updated = queryClient.getQueryState(keys.users)?.dataUpdatedAt ?? 0;
    const wait = Math.max(0, updated + 3_000 - Date.now());
    const timer = setTimeout(() => void queryClient.invalidateQueries({ queryKey: keys.users, exact: true }), wait);
    return () => clearTimeout(timer);
  }, [missing, queryClient, users]);
}

/**
 * The people connected right now, by id, with the status they show (`online` unless they
 * chose `away` or `busy`); kept current by presence frames. I count as online while signed in.
 */
export function useOnline(): Map<number, UserStatus> {
  const queryClient = useQueryClient();
  const me = useSession()?.user;
  const { data } = useQuery({
    queryKey: keys.online,
    queryFn: async () =>
      (await call(client.GET('/api/v1/users/online', { params: { query: { limit: 100 } } }))).users.map(
        (u) => [u.id, u.status] as [number, UserStatus],
      ),
    staleTime: 60_000,
  });
  useNotificationFrames((frame) => {
    if (frame.type !== 'presence') return;
    queryClient.setQueryData<[number, UserStatus][]>(keys.online, (list = []) => {
      const without = list.filter(([id]) => id !== frame.user_id);
      if (frame.status === 'offline') return without;
      const status = (['away', 'busy'].includes(frame.status) ? frame.status : 'online') as UserStatus;
      return [...without, [frame.user_id, status]];
    });
  });
  return useMemo(() => {
    const online = new Map(data ?? []);
    if (me) online.set(me.id, shownStatus(me.status));
    return online;
  }, [data, me]);
}

/** `offline` as a chosen status means "automatic": connected people show as online. */
export function shownStatus(status: UserStatus): UserStatus {
  return status === 'offline' ? 'online' : status;
}

/** A direct conversation's name for me: the other people in it (its stored name is `dm-1-2`). */
export function directName(name: string, me: number, users: Map<number, User>): string {
  const ids = name.replace(/^dm-/, '').split('-').map(Number).filter((id) => id && id !== me);
  if (!ids.length) return displayName(users.get(me), 'Just you');
  return ids.map((id) => displayName(users.get(id), `user ${id}`)).join(', ');
}
