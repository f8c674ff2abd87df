// The socket of one channel: resumes after the last applied `seq` on every connection, drops
// duplicates, reconnects from there on a gap, and answers requests by their `ack`.
import { ApiError } from './errors.js';
import { currentToken, type TokenSource } from './rest.js';
import { SeqTracker } from './seq.js';
import { ReconnectingSocket, realtimeUrl, type ConnectionState, type WebSocketConstructor } from './socket.js';
import { isChannelFrame, type Ack, type ChannelFrame, type ClientFrame, type ServerFrame } from './types.js';

type WithRef = Extract<ClientFrame, { ref?: string | null }>;

export interface ChannelSocketOptions {
  /** Where Tandem answers (`''`: the page's origin). */
  baseUrl: string;
  /** A token, or how to get the current one; sent as `?token=` at each connection. */
  token: TokenSource;
  channelId: number;
  /** The last `seq` already applied: changes after it are replayed first (0: only new ones). */
  afterSeq?: number;
  /** A stored change, in order, exactly once, across reconnections. */
  onChange: (frame: ChannelFrame) => void;
  /** Typing, joins and leaves, presence, `ready`: frames that are not stored changes. */
  onEvent?: (frame: ServerFrame) => void;
  onState?: (state: ConnectionState, detail?: string) => void;
  /** See `SocketOptions.renew`. */
  renew?: () => Promise<boolean>;
  /** See `SocketOptions.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** How long a request waits for its `ack` (10 s). */
  requestTimeoutMs?: number;
}

let refCounter = 0;

/**
 * ```ts
 * const general = new ChannelSocket({ baseUrl, token, channelId: 12, onChange: (f) => console.log(f) });
 * general.start();
 * await general.request({ type: 'message', content: 'Hello' }); // resolves with the ack
 * ```
 */
export class ChannelSocket {
  readonly channelId: number;
  private readonly tracker: SeqTracker;
  private readonly socket: ReconnectingSocket;
  private readonly options: ChannelSocketOptions;
  private readonly pending = new Map<string, { resolve: (ack: Ack) => void; reject: (e: ApiError) => void }>();

  constructor(options: ChannelSocketOptions) {
    this.options = options;
    this.channelId = options.channelId;
    this.tracker = new SeqTracker(options.afterSeq ?? 0);
    this.socket = new ReconnectingSocket({
      url: () => {
        const token = currentToken(options.token);
        if (!token) return null;
        return realtimeUrl(options.baseUrl, 'chat', { channel_id: options.channelId }, { token, after_seq: this.tracker.last });
      },
      onFrame: (frame) => this.receive(frame),
      onState: (state, detail) => {
        if (state !== 'open') this.failPending();
        options.onState?.(state, detail);
      },
      renew: options.renew,
      WebSocket: options.WebSocket,
    });
  }

  /** The last `seq` applied. */
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
      }, this.options.requestTimeoutMs ?? 10_000);
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

  /** What the socket does with one frame from the server (public for tests). */
  receive(frame: ServerFrame) {
    if (isChannelFrame(frame)) {
      const verdict = this.tracker.accept(frame.seq);
      if (verdict === 'apply') this.options.onChange(frame);
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
    this.options.onEvent?.(frame);
  }

  private failPending() {
    for (const [ref, waiting] of this.pending) {
      this.pending.delete(ref);
      waiting.reject(new ApiError(0, { code: 'network_error', message: 'The connection closed.' }));
    }
  }
}
