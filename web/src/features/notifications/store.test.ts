import { describe, expect, it } from 'vitest';
import { notification } from '../../test/fixtures';
import type { Notification, NotificationPage } from './api';
import { emptyCentre, listed, reduceCentre, type Centre, type CentreAction } from './store';

const apply = (state: Centre, ...actions: CentreAction[]) => actions.reduce(reduceCentre, state);
const AT = '2026-11-20T12:00:00.000Z';

function page(notifications: Notification[], next_cursor: number | null, unread: number, high_priority = 0): NotificationPage {
  return { notifications, next_cursor, unread, high_priority };
}

const unreadFirst = { unreadOnly: true, before: null };

describe('the notification centre', () => {
  it('takes its counts from the server, and counts what arrives live on top', () => {
    let s = apply(emptyCentre, { type: 'counts', counts: { unread: 2, high_priority: 1 } });
    s = apply(s, { type: 'notification', notification: notification(10, { kind: 'mention', priority: 'high' }) });
    s = apply(s, { type: 'notification', notification: notification(11, { kind: 'new_message' }) });
    expect(s.counts).toEqual({ unread: 4, high_priority: 2 });
    expect(s.items.map((n) => n.id)).toEqual([11, 10]);
  });

  it('counts the same live notification once', () => {
    const n = notification(10);
    const s = apply(emptyCentre, { type: 'counts', counts: { unread: 0, high_priority: 0 } }, { type: 'notification', notification: n }, { type: 'notification', notification: n });
    expect(s.counts?.unread).toBe(1);
    expect(s.items).toHaveLength(1);
  });

  it('does not guess counts before the server gave them', () => {
    const s = apply(emptyCentre, { type: 'notification', notification: notification(10) });
    expect(s.counts).toBeNull();
    expect(s.items).toHaveLength(1);
  });

  it('lists unread ones first, then read ones, each newest first', () => {
    const s = apply(emptyCentre, {
      type: 'page',
      cursor: { unreadOnly: false, before: null },
      page: page([notification(9), notification(8, { read_at: AT }), notification(7), notification(6, { read_at: AT }), notification(5)], null, 3),
    });
    expect(listed(s).map((n) => n.id)).toEqual([9, 7, 5, 8, 6]);
  });

  it('loads every unread page before the read ones, then pages the rest from the top', () => {
    let s = apply(emptyCentre, { type: 'page', cursor: unreadFirst, page: page([notification(30), notification(20)], 20, 3) });
    expect(s.next).toEqual({ unreadOnly: true, before: 20 });
    s = apply(s, { type: 'page', cursor: s.next!, page: page([notification(5)], null, 3) });
    expect(s.next).toEqual({ unreadOnly: false, before: null });
    // The first page of all of them repeats unread ones: each shows once.
    s = apply(s, { type: 'page', cursor: s.next!, page: page([notification(30), notification(25, { read_at: AT }), notification(20)], 20, 3) });
    expect(s.next).toEqual({ unreadOnly: false, before: 20 });
    s = apply(s, { type: 'page', cursor: s.next!, page: page([notification(10, { read_at: AT }), notification(5)], null, 3) });
    expect(s.next).toBeNull();
    expect(listed(s).map((n) => n.id)).toEqual([30, 20, 5, 25, 10]);
    expect(s.loaded).toBe(true);
  });

  it('applies a notifications_read frame by ids, with the counts it carries', () => {
    let s = apply(emptyCentre, { type: 'page', cursor: unreadFirst, page: page([notification(3), notification(2), notification(1)], null, 3) });
    s = apply(s, { type: 'read', ids: [2], upTo: null, counts: { unread: 2, high_priority: 0 }, at: AT });
    expect(s.items.find((n) => n.id === 2)!.read_at).toBe(AT);
    expect(s.items.filter((n) => !n.read_at).map((n) => n.id)).toEqual([3, 1]);
    expect(s.counts).toEqual({ unread: 2, high_priority: 0 });
    expect(listed(s).map((n) => n.id)).toEqual([3, 1, 2]);
  });

  it('applies a notifications_read frame up to an id', () => {
    let s = apply(emptyCentre, { type: 'page', cursor: unreadFirst, page: page([notification(3), notification(2), notification(1)], null, 3) });
    s = apply(s, { type: 'read', ids: null, upTo: 2, counts: { unread: 1, high_priority: 0 }, at: AT });
    expect(s.items.map((n) => [n.id, !!n.read_at])).toEqual([
      [3, false],
      [2, true],
      [1, true],
    ]);
    expect(s.counts?.unread).toBe(1);
  });

  it('keeps the first time something was read', () => {
    const earlier = '2026-11-20T09:00:00.000Z';
    let s = apply(emptyCentre, { type: 'page', cursor: unreadFirst, page: page([notification(2, { read_at: earlier }), notification(1)], null, 1) });
    s = apply(s, { type: 'read', ids: [1, 2], upTo: null, counts: { unread: 0, high_priority: 0 }, at: AT });
    expect(s.items.map((n) => n.read_at)).toEqual([earlier, AT]);
  });

  it('marks read here at once: the badge goes down before the server answers', () => {
    let s = apply(
      emptyCentre,
      { type: 'page', cursor: unreadFirst, page: page([notification(3, { priority: 'high', kind: 'mention' }), notification(2), notification(1)], null, 5, 2) },
    );
    s = apply(s, { type: 'mark_read', ids: [3], upTo: null, at: AT });
    expect(s.counts).toEqual({ unread: 4, high_priority: 1 });
    // Again (the frame of the same change): nothing more comes off.
    s = apply(s, { type: 'mark_read', ids: [3], upTo: null, at: AT });
    expect(s.counts).toEqual({ unread: 4, high_priority: 1 });
  });

  it('"mark all read" up to the newest clears both counts, even for pages not loaded yet', () => {
    let s = apply(emptyCentre, { type: 'page', cursor: unreadFirst, page: page([notification(9, { priority: 'high' }), notification(8)], 8, 70, 3) });
    s = apply(s, { type: 'mark_read', ids: null, upTo: 9, at: AT });
    expect(s.counts).toEqual({ unread: 0, high_priority: 0 });
    expect(listed(s).every((n) => n.read_at)).toBe(true);
  });

  it('a notification read elsewhere before its frame arrived is not counted', () => {
    let s = apply(emptyCentre, { type: 'counts', counts: { unread: 1, high_priority: 0 } });
    s = apply(s, { type: 'notification', notification: notification(4, { read_at: AT }) });
    expect(s.counts?.unread).toBe(1);
  });

  it('forgets the pages after a reconnection, but shows the last counts until fresh ones come', () => {
    let s = apply(emptyCentre, { type: 'page', cursor: unreadFirst, page: page([notification(3)], null, 1) });
    s = apply(s, { type: 'reset' });
    expect(s.items).toEqual([]);
    expect(s.loaded).toBe(false);
    expect(s.next).toEqual(unreadFirst);
    expect(s.counts).toEqual({ unread: 1, high_priority: 0 });
  });
});
