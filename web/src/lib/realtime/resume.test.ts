import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSession } from '../session';
import type { ChannelFrame } from '../types';
import { ChannelSocket } from './channel';
import { SeqTracker } from './seq';
import { message, user } from '../../test/fixtures';

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
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

const frame = (seq: number): ChannelFrame => ({ type: 'chat_message', seq, message: message(seq, { id: seq }) });

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
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.useFakeTimers();
    startSession({ access_token: 'tok', refresh_token: 'r', token_type: 'bearer', expires_in: 900, user: user(1, 'ana') });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('resumes after the last applied seq on reconnect: no gap, no duplicate', async () => {
    const applied: number[] = [];
    const socket = new ChannelSocket(7, 10, { onChange: (f) => applied.push(f.seq) });
    socket.start();
    const first = FakeSocket.all[0]!;
    expect(first.url).toContain('/api/v1/ws/chat/7?');
    expect(first.url).toContain('token=tok');
    expect(first.url).toContain('after_seq=10');
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
    const socket = new ChannelSocket(7, 10, { onChange: (f) => applied.push(f.seq) });
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
    const socket = new ChannelSocket(7, 0, { onChange: () => {} });
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
});
