// The chat socket of one channel: resumes after the last applied `seq` on every connection,
// drops duplicates, reconnects from there on a gap, and answers requests by their `ack`.
import { ApiError } from '../errors';
import { getSession } from '../session';
import { isChannelFrame, type ChannelFrame, type ClientFrame, type ServerFrame } from '../types';
import { SeqTracker } from './seq';
import { ReconnectingSocket, wsUrl, type ConnectionState } from './socket';

export type Ack = Extract<ServerFrame, { type: 'ack' }>;
type WithRef = Extract<ClientFrame, { ref?: string | null }>;

export interface ChannelSocketHandlers {
  /** A stored change, in order, exactly once. */
  onChange: (frame: ChannelFrame) => void;
  /** Typing, joins and leaves, presence: frames that are not stored changes. */
  onEvent?: (frame: ServerFrame) => void;
  onState?: (state: ConnectionState, detail?: string) => void;
}

const REQUEST_TIMEOUT_MS = 10_000;
let refCounter = 0;

export class ChannelSocket {
  readonly channelId: number;
  private readonly tracker: SeqTracker;
  private readonly socket: ReconnectingSocket;
  private readonly handlers: ChannelSocketHandlers;
  private readonly pending = new Map<string, { resolve: (ack: Ack) => void; reject: (e: ApiError) => void }>();

  constructor(channelId: number, afterSeq: number, handlers: ChannelSocketHandlers) {
    this.channelId = channelId;
    this.tracker = new SeqTracker(afterSeq);
    this.handlers = handlers;
    this.socket = new ReconnectingSocket({
      url: () => {
        const token = getSession()?.accessToken;
        if (!token) return null;
        return wsUrl(`/api/v1/ws/chat/${channelId}`, { token, after_seq: this.tracker.last });
      },
      onFrame: (frame) => this.receive(frame),
      onState: (state, detail) => {
        if (state !== 'open') this.failPending();
        handlers.onState?.(state, detail);
      },
    });
  }

  get lastSeq(): number {
    return this.tracker.last;
  }

  start() {
    this.socket.start();
  }

  stop() {
    this.socket.stop();
    this.failPending();
  }

  get isOpen(): boolean {
    return this.socket.isOpen;
  }

  typing(state: 'start' | 'stop') {
    this.socket.send({ type: 'typing', state });
  }

  /** Sends a frame that the server answers with `ack` (resolved) or `error` (rejected). */
  request(frame: WithRef): Promise<Ack> {
    const ref = `r${++refCounter}`;
    return new Promise<Ack>((resolve, reject) => {
      if (!this.socket.send({ ...frame, ref })) {
        reject(new ApiError(0, { code: 'network_error', message: 'Not connected.' }));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new ApiError(0, { code: 'network_error', message: 'The server did not answer in time.' }));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(ref, {
        resolve: (ack) => {
          clearTimeout(timer);
          resolve(ack);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  /** Exposed for tests: what the socket does with one frame from the server. */
  receive(frame: ServerFrame) {
    if (isChannelFrame(frame)) {
      const verdict = this.tracker.accept(frame.seq);
      if (verdict === 'apply') this.handlers.onChange(frame);
      else if (verdict === 'gap') this.socket.reconnect();
      return;
    }
    if (frame.type === 'ack' || frame.type === 'error') {
      const waiting = frame.ref ? this.pending.get(frame.ref) : undefined;
      if (waiting && frame.ref) {
        this.pending.delete(frame.ref);
        if (frame.type === 'ack') waiting.resolve(frame);
        else waiting.reject(new ApiError(0, { code: frame.code as never, message: frame.message }));
      }
      return;
    }
    this.handlers.onEvent?.(frame);
  }

  private failPending() {
    for (const [ref, waiting] of this.pending) {
      this.pending.delete(ref);
      waiting.reject(new ApiError(0, { code: 'network_error', message: 'The connection closed.' }));
    }
  }
}
