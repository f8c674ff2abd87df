import { describe, expect, it } from 'vitest';
import { created, message } from '../../test/fixtures';
import { emptyTimeline, reduceThread, reduceTimeline, type Timeline } from './timeline';

const ME = 1;
const apply = (t: Timeline, ...frames: Parameters<typeof reduceTimeline>[1][]) => frames.reduce((acc, a) => reduceTimeline(acc, a, ME), t);

describe('the realtime reducer', () => {
  it('appends new messages in seq order and advances lastSeq', () => {
    const a = message(11);
    const b = message(12);
    const t = apply(emptyTimeline(10), { type: 'change', frame: created(b) }, { type: 'change', frame: created(a) });
    expect(t.messages.map((m) => m.seq)).toEqual([11, 12]);
    expect(t.lastSeq).toBe(12);
  });

  it('applies the same message twice only once (REST answer, then the frame)', () => {
    const m = message(11, { client_msg_id: 'c1', user_id: ME });
    const t = apply(emptyTimeline(10), { type: 'upsert', message: m }, { type: 'change', frame: created(m) });
    expect(t.messages).toHaveLength(1);
  });

  it('replaces edited and deleted messages in place', () => {
    const m = message(11);
    let t = apply(emptyTimeline(10), { type: 'change', frame: created(m) });
    t = apply(t, { type: 'change', frame: { type: 'message_edited', seq: 12, message: { ...m, content: 'fixed', edited_at: '2026-11-20T10:00:00Z' } } });
    expect(t.messages[0]!.content).toBe('fixed');
    t = apply(t, { type: 'change', frame: { type: 'message_deleted', seq: 13, message_id: m.id, message: { ...m, content: '', is_deleted: true } } });
    expect(t.messages).toHaveLength(1);
    expect(t.messages[0]!.is_deleted).toBe(true);
    expect(t.lastSeq).toBe(13);
  });

  it('works out my own reactions from the event, not from the broadcast frame', () => {
    const m = message(11);
    let t = apply(emptyTimeline(10), { type: 'change', frame: created(m) });
    const reacted = { ...m, reactions: [{ emoji: '👍', count: 1, user_ids: [2], me: false }] };
    t = apply(t, { type: 'change', frame: { type: 'reaction_added', seq: 12, message_id: m.id, user_id: 2, emoji: '👍', message: reacted } });
    expect(t.messages[0]!.reactions[0]!.me).toBe(false);
    const both = { ...m, reactions: [{ emoji: '👍', count: 2, user_ids: [2], me: false }] };
    t = apply(t, { type: 'change', frame: { type: 'reaction_added', seq: 13, message_id: m.id, user_id: ME, emoji: '👍', message: both } });
    expect(t.messages[0]!.reactions[0]).toMatchObject({ count: 2, me: true });
    // Someone else's later change keeps what I know about mine.
    t = apply(t, { type: 'change', frame: { type: 'message_edited', seq: 14, message: { ...both, content: 'edited' } } });
    expect(t.messages[0]!.reactions[0]!.me).toBe(true);
    t = apply(t, { type: 'change', frame: { type: 'reaction_removed', seq: 15, message_id: m.id, user_id: ME, emoji: '👍', message: reacted } });
    expect(t.messages[0]!.reactions[0]).toMatchObject({ count: 1, me: false });
  });

  it('counts thread replies on their root and keeps them out of the channel', () => {
    const root = message(11);
    let t = apply(emptyTimeline(10), { type: 'change', frame: created(root) });
    t = apply(t, { type: 'change', frame: created(message(12, { reply_to_id: root.id })) });
    expect(t.messages).toHaveLength(1);
    expect(t.messages[0]!.reply_count).toBe(1);
  });

  it('merges older pages without duplicates', () => {
    let t = apply(emptyTimeline(10), { type: 'change', frame: created(message(11, { id: 5 })) });
    t = apply(t, { type: 'older', messages: [message(11, { id: 5 }), message(9, { id: 4 }), message(8, { id: 3 })], hasOlder: false });
    expect(t.messages.map((m) => m.id)).toEqual([3, 4, 5]);
    expect(t.hasOlder).toBe(false);
  });

  it('drops my pending message when its chat_message arrives', () => {
    let t = apply(emptyTimeline(10), {
      type: 'pending',
      pending: { clientMsgId: 'c1', content: 'hi', userId: ME, createdAt: '', state: 'sending' },
    });
    t = apply(t, { type: 'acked', clientMsgId: 'c1' });
    expect(t.pending[0]!.state).toBe('sent');
    t = apply(t, { type: 'change', frame: created(message(11, { client_msg_id: 'c1', user_id: ME, content: 'hi' })) });
    expect(t.pending).toHaveLength(0);
    expect(t.messages).toHaveLength(1);
  });

  it('updates an open thread: new replies, edits, and the root', () => {
    const root = message(11);
    const r1 = message(12, { reply_to_id: root.id });
    let th = { root, replies: [r1] };
    const r2 = message(13, { reply_to_id: root.id });
    th = reduceThread(th, created(r2), ME);
    th = reduceThread(th, created(r2), ME);
    expect(th.replies.map((r) => r.id)).toEqual([r1.id, r2.id]);
    expect(th.root.reply_count).toBe(1);
    th = reduceThread(th, { type: 'message_edited', seq: 14, message: { ...r1, content: 'changed' } }, ME);
    expect(th.replies[0]!.content).toBe('changed');
    th = reduceThread(th, created(message(15, { reply_to_id: 999 })), ME);
    expect(th.replies).toHaveLength(2);
  });
});
