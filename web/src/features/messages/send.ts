// Optimistic sending: a message shows at once as pending, goes over the socket when it is open
// (answered by `ack`) or over REST otherwise, and on failure stays, marked, for a retry. The
// `client_msg_id` makes every retry idempotent: the server never stores it twice.
import { errorMessage } from '../../lib/errors';
import { newId } from '../../lib/format';
import type { Message } from '../../lib/types';
import type { Pending, TimelineAction } from './timeline';

export interface Transport {
  /** Sends over the socket; resolves on `ack`. `null` when the socket is not open. */
  viaSocket: (content: string, clientMsgId: string) => Promise<unknown> | null;
  viaRest: (content: string, clientMsgId: string) => Promise<Message>;
}

export function createSender(dispatch: (action: TimelineAction) => void, transport: Transport, me: number) {
  const contents = new Map<string, string>();

  async function deliver(clientMsgId: string) {
    const content = contents.get(clientMsgId);
    if (content === undefined) return;
    try {
      const overSocket = transport.viaSocket(content, clientMsgId);
      if (overSocket) {
        await overSocket;
        dispatch({ type: 'acked', clientMsgId });
      } else {
        const message = await transport.viaRest(content, clientMsgId);
        dispatch({ type: 'upsert', message });
      }
      contents.delete(clientMsgId);
    } catch (error) {
      dispatch({ type: 'failed', clientMsgId, error: errorMessage(error) });
    }
  }

  return {
    send(content: string, clientMsgId = newId()): Promise<void> {
      const pending: Pending = { clientMsgId, content, userId: me, createdAt: new Date().toISOString(), state: 'sending' };
      contents.set(clientMsgId, content);
      dispatch({ type: 'pending', pending });
      return deliver(clientMsgId);
    },
    retry(pending: Pending): Promise<void> {
      contents.set(pending.clientMsgId, pending.content);
      dispatch({ type: 'retrying', clientMsgId: pending.clientMsgId });
      return deliver(pending.clientMsgId);
    },
    discard(clientMsgId: string) {
      contents.delete(clientMsgId);
      dispatch({ type: 'discard', clientMsgId });
    },
  };
}

export type Sender = ReturnType<typeof createSender>;
