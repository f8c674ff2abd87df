// The notification centre's state: the stored notifications loaded so far and the unread
// counts the server keeps. Every change goes through the pure `reduceCentre`; the React side
// keeps the state in the query cache (so a new session starts empty) and feeds it pages,
// live frames and the answers of "mark read".
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useRef } from 'react';
import { notificationsApi, PAGE_SIZE, type Notification, type NotificationPage, type UnreadCounts } from './api';

/** Which page comes next: the unread ones first (older and older), then all from the top. */
export interface Cursor {
  unreadOnly: boolean;
  before: number | null;
}

export interface Centre {
  /** Unique by id, newest first. */
  items: Notification[];
  /** The next page to load; null when everything is loaded. */
  next: Cursor | null;
  /** Whether a first page came (the panel says "loading" until then). */
  loaded: boolean;
  /** The server's counts; null until the first answer. */
  counts: UnreadCounts | null;
}

export const emptyCentre: Centre = { items: [], next: { unreadOnly: true, before: null }, loaded: false, counts: null };

export type CentreAction =
  | { type: 'page'; cursor: Cursor; page: NotificationPage }
  | { type: 'notification'; notification: Notification }
  /** Marked read here, before the server answers: counts go down by what turns read. */
  | { type: 'mark_read'; ids: number[] | null; upTo: number | null; at: string }
  /** Marked read anywhere, with the server's counts after it. */
  | { type: 'read'; ids: number[] | null; upTo: number | null; counts: UnreadCounts; at: string }
  | { type: 'counts'; counts: UnreadCounts }
  /** Frames may have been missed (a reconnection): forget the pages, keep the counts until fresh ones come. */
  | { type: 'reset' };

const byNewest = (a: Notification, b: Notification) => b.id - a.id;

function merge(items: Notification[], incoming: Notification[]): Notification[] {
  const known = new Map(items.map((n) => [n.id, n]));
  for (const n of incoming) {
    const had = known.get(n.id);
    // What was marked read here stays read even when an older copy of it comes back.
    known.set(n.id, had?.read_at && !n.read_at ? { ...n, read_at: had.read_at } : n);
  }
  return [...known.values()].sort(byNewest);
}

function markItems(items: Notification[], ids: number[] | null, upTo: number | null, at: string) {
  const chosen = (n: Notification) => (ids?.includes(n.id) ?? false) || (upTo !== null && n.id <= upTo);
  let unread = 0;
  let high = 0;
  const next = items.map((n) => {
    if (n.read_at || !chosen(n)) return n;
    unread += 1;
    if (n.priority === 'high') high += 1;
    return { ...n, read_at: at };
  });
  return { items: next, unread, high };
}

export function reduceCentre(state: Centre, action: CentreAction): Centre {
  switch (action.type) {
    case 'page': {
      const { cursor, page } = action;
      let next: Cursor | null;
      if (page.next_cursor != null) next = { unreadOnly: cursor.unreadOnly, before: page.next_cursor };
      else next = cursor.unreadOnly ? { unreadOnly: false, before: null } : null;
      return {
        ...state,
        items: merge(state.items, page.notifications),
        next,
        loaded: true,
        counts: { unread: page.unread, high_priority: page.high_priority },
      };
    }
    case 'notification': {
      const n = action.notification;
      if (state.items.some((x) => x.id === n.id)) return state;
      const counts =
        state.counts && !n.read_at
          ? { unread: state.counts.unread + 1, high_priority: state.counts.high_priority + (n.priority === 'high' ? 1 : 0) }
          : state.counts;
      return { ...state, items: merge(state.items, [n]), counts };
    }
    case 'mark_read': {
      const { items, unread, high } = markItems(state.items, action.ids, action.upTo, action.at);
      const everything = action.upTo !== null && action.upTo >= (state.items[0]?.id ?? 0) && action.ids === null;
      const counts = state.counts && {
        unread: everything ? 0 : Math.max(0, state.counts.unread - unread),
        high_priority: everything ? 0 : Math.max(0, state.counts.high_priority - high),
      };
      return { ...state, items, counts };
    }
    case 'read': {
      const { items } = markItems(state.items, action.ids, action.upTo, action.at);
      return { ...state, items, counts: action.counts };
    }
    case 'counts':
      return { ...state, counts: action.counts };
    case 'reset':
      return { ...emptyCentre, counts: state.counts };
  }
}

/** What the panel lists: unread ones first, then read ones, each newest first. */
export function listed(state: Centre): Notification[] {
  return [...state.items.filter((n) => !n.read_at), ...state.items.filter((n) => n.read_at)];
}

const KEY = ['notifications', 'centre'] as const;

export function useCentre(): Centre {
  return useQuery<Centre>({ queryKey: KEY, queryFn: () => emptyCentre, staleTime: Infinity, gcTime: Infinity }).data ?? emptyCentre;
}

/** Changes to the centre: the loading of pages, marking read, and what the socket says. */
export function useCentreActions() {
  const queryClient = useQueryClient();
  const loading = useRef<Promise<void> | null>(null);
  const dispatch = useCallback(
    (action: CentreAction) => queryClient.setQueryData<Centre>(KEY, (state = emptyCentre) => reduceCentre(state, action)),
    [queryClient],
  );
  const current = useCallback(() => queryClient.getQueryData<Centre>(KEY) ?? emptyCentre, [queryClient]);

  return useMemo(() => {
    const loadPage = async () => {
      const cursor = current().next;
      if (!cursor) return;
      const page = await notificationsApi.list({ unread_only: cursor.unreadOnly, before: cursor.before ?? undefined, limit: PAGE_SIZE });
      // A reset while this page was on its way: it belongs to the forgotten list.
      if (current().next !== cursor) return;
      dispatch({ type: 'page', cursor, page });
    };
    /** One more page; once the unread ones are all in, the first page of the others follows at once. */
    const loadMore = () => {
      loading.current ??= (async () => {
        const wasUnread = current().next?.unreadOnly;
        await loadPage();
        const next = current().next;
        if (wasUnread && next && !next.unreadOnly && next.before === null) await loadPage();
      })().finally(() => {
        loading.current = null;
      });
      return loading.current;
    };
    const markRead = async (ids: number[] | null, upTo: number | null) => {
      if (!ids?.length && upTo === null) return;
      dispatch({ type: 'mark_read', ids, upTo, at: new Date().toISOString() });
      const counts = await notificationsApi.markRead(upTo !== null ? { up_to: upTo } : { ids: ids! });
      dispatch({ type: 'counts', counts });
    };
    return {
      dispatch,
      loadMore,
      refreshCounts: async () => dispatch({ type: 'counts', counts: await notificationsApi.counts() }),
      markRead: (ids: number[]) => markRead(ids, null),
      markAllRead: () => {
        const newest = current().items[0]?.id;
        return newest === undefined ? Promise.resolve() : markRead(null, newest);
      },
    };
  }, [dispatch, current]);
}
