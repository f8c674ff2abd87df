// The channel socket against a scripted WebSocket: resuming after the last applied seq, exactly
// once across reconnections and gaps, requests answered by their ack, renewal after a 4401.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelSocket, CLOSE, SeqTracker, type ChannelFrame, type ChannelSocketOptions, type Message } from '../src/index.js';

class FakeSocket {
  static all: FakeSocket[] = [];
  static OPEN = 1;
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {}
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const message = (seq: number): Message => ({
  id: seq,
  content: `message ${seq}`,
  channel_id: 7,
  user_id: 2,
  message_type: 'text',
  created_at: new Date(Date.UTC(2026, 10, 20, 9, 0, seq)).toISOString(),
  is_deleted: false,
  seq,
  mentions: [],
  reactions: [],
  reply_count: 0,
  attachments: [],
});
const frame = (seq: number): ChannelFrame => ({ type: 'chat_message', seq, message: message(seq) });

/** A channel socket of channel 7 on the scripted WebSocket, after `afterSeq`. */
const open = (afterSeq: number, extra: Partial<ChannelSocketOptions> = {}) =>
  new ChannelSocket({
    baseUrl: 'https://chat.example.com',
    token: 'tok',
    channelId: 7,
    afterSeq,
    onChange: () => {},
    WebSocket: FakeSocket as unknown as ChannelSocketOptions['WebSocket'],
    ...extra,
  });

describe('SeqTracker', () => {
  it('applies in order, drops duplicates, reports every gap', () => {
    const t = new SeqTracker(10);
    expect(t.accept(11)).toBe('apply');
    expect(t.accept(11)).toBe('duplicate');
    expect(t.accept(9)).toBe('duplicate');
    expect(t.accept(14)).toBe('gap');
    expect(t.accept(14)).toBe('gap');
    expect(t.last).toBe(11);
    expect(t.accept(12)).toBe('apply');
  });
});

describe('ChannelSocket resume', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('resumes after the last applied seq on reconnect: no gap, no duplicate', async () => {
    const applied: number[] = [];
    const socket = open(10, { onChange: (f) => applied.push(f.seq) });
    socket.start();
    const first = FakeSocket.all[0]!;
    expect(first.url).toBe('wss://chat.example.com/api/v1/ws/chat/7?token=tok&after_seq=10');
    first.open();
    first.receive({ type: 'ready', channel_id: 7, seq: 10, user_id: 1 });
    first.receive(frame(11));
    first.receive(frame(12));
    first.drop();

    await vi.advanceTimersByTimeAsync(10_000);
    const second = FakeSocket.all[1]!;
    expect(second.url).toContain('after_seq=12');
    second.open();
    // The server replays from 13, but a live copy of 12 may still arrive: it is dropped.
    second.receive(frame(12));
    second.receive(frame(13));
    second.receive(frame(14));
    expect(applied).toEqual([11, 12, 13, 14]);
    expect(socket.lastSeq).toBe(14);
    socket.stop();
  });

  it('reconnects after the last applied seq on a gap and applies the replay in order', () => {
    const applied: number[] = [];
    const socket = open(10, { onChange: (f) => applied.push(f.seq) });
    socket.start();
    const ws = FakeSocket.all[0]!;
    ws.open();
    ws.receive(frame(11));
    ws.receive(frame(13));
    expect(applied).toEqual([11]);
    // A new connection at once, from 11; the old one is closed and ignored from now on.
    const again = FakeSocket.all[1]!;
    expect(again.url).toContain('after_seq=11');
    ws.receive(frame(12));
    expect(applied).toEqual([11]);
    again.open();
    again.receive(frame(12));
    again.receive(frame(13));
    expect(applied).toEqual([11, 12, 13]);
    socket.stop();
  });

  it('answers requests with their ack, and fails them when the connection drops', async () => {
    const socket = open(0);
    socket.start();
    const ws = FakeSocket.all[0]!;
    ws.open();
    const sent = socket.request({ type: 'chat_message', content: 'hi', client_msg_id: 'c1' });
    const { ref } = ws.sent[0] as { ref: string };
    ws.receive({ type: 'ack', ref, client_msg_id: 'c1', id: 5, seq: 1 });
    await expect(sent).resolves.toMatchObject({ id: 5 });

    const refused = socket.request({ type: 'chat_message', content: '' });
    const second = (ws.sent[1] as { ref: string }).ref;
    ws.receive({ type: 'error', ref: second, code: 'validation_failed', message: 'content: empty' });
    await expect(refused).rejects.toMatchObject({ code: 'validation_failed' });

    const lost = socket.request({ type: 'chat_message', content: 'x' });
    ws.drop();
    await expect(lost).rejects.toMatchObject({ code: 'network_error' });
    socket.stop();
  });

  it('renews the token after a 4401 close and connects again with the new one; stays closed on 4403', async () => {
    let token = 'old';
    const states: string[] = [];
    const renew = vi.fn(async () => {
      token = 'new';
      return true;
    });
    const socket = open(3, { token: () => token, renew, onState: (s, detail) => states.push(detail ? `${s}: ${detail}` : s) });
    socket.start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop(CLOSE.unauthenticated);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(renew).toHaveBeenCalledTimes(1);
    const again = FakeSocket.all[1]!;
    expect(again.url).toContain('token=new');
    expect(again.url).toContain('after_seq=3');
    again.open();
    again.drop(CLOSE.forbidden, 'you left this channel');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(states.at(-1)).toBe('closed: you left this channel');
    socket.stop();
  });

  it('without a way to renew, a 4401 close stays closed', async () => {
    const states: string[] = [];
    const socket = open(0, { onState: (s) => states.push(s) });
    socket.start();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop(CLOSE.unauthenticated);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
  });
});
