import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../lib/errors';
import { message } from '../../test/fixtures';
import { createSender } from './send';
import { emptyTimeline, reduceTimeline, type Timeline, type TimelineAction } from './timeline';

function harness(transport: Parameters<typeof createSender>[1]) {
  let t: Timeline = emptyTimeline(0);
  const dispatch = (a: TimelineAction) => (t = reduceTimeline(t, a, 1));
  const sender = createSender(dispatch, transport, 1);
  return { sender, get t() { return t; } };
}

describe('optimistic sending', () => {
  it('shows the message at once, then as sent when the socket acknowledges it', async () => {
    let ack!: () => void;
    const viaSocket = vi.fn(() => new Promise<void>((resolve) => (ack = resolve)));
    const h = harness({ viaSocket, viaRest: vi.fn() });
    const done = h.sender.send('hello', 'c1');
    expect(h.t.pending).toMatchObject([{ clientMsgId: 'c1', content: 'hello', state: 'sending' }]);
    ack();
    await done;
    expect(h.t.pending[0]!.state).toBe('sent');
    expect(viaSocket).toHaveBeenCalledWith('hello', 'c1');
  });

  it('marks a failed send, and a retry sends the same client_msg_id again', async () => {
    const viaSocket = vi.fn(() => Promise.reject(new ApiError(0, { code: 'network_error', message: 'The connection closed.' })));
    const viaRest = vi.fn((content: string, id: string) => Promise.resolve(message(5, { content, client_msg_id: id, user_id: 1 })));
    const h = harness({ viaSocket, viaRest });
    await h.sender.send('hello', 'c1');
    expect(h.t.pending).toMatchObject([{ clientMsgId: 'c1', state: 'failed', error: 'The connection closed.' }]);
    expect(h.t.messages).toHaveLength(0);

    // Now the socket is down: the retry goes over REST, with the same idempotency key.
    viaSocket.mockImplementation(() => null as never);
    await h.sender.retry(h.t.pending[0]!);
    expect(viaRest).toHaveBeenCalledWith('hello', 'c1');
    expect(h.t.pending).toHaveLength(0);
    expect(h.t.messages.map((m) => m.client_msg_id)).toEqual(['c1']);
  });

  it('shows the server error of a refused message, and discard removes it', async () => {
    const h = harness({
      viaSocket: () => null,
      viaRest: () => Promise.reject(new ApiError(422, { code: 'validation_failed', message: 'content: too long' })),
    });
    await h.sender.send('x'.repeat(5000), 'c2');
    expect(h.t.pending[0]).toMatchObject({ state: 'failed', error: 'content: too long' });
    h.sender.discard('c2');
    expect(h.t.pending).toHaveLength(0);
  });
});
