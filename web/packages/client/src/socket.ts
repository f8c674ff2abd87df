// A WebSocket that reconnects with backoff, pings, and reports its state. What it resumes from
// is up to the caller's `url()`, asked again at every connection.
import { channels, type ChannelName } from './generated/channels.js';
import type { ClientFrame, ServerFrame } from './types.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Close codes of the protocol (4000–4999 are Tandem's; crates/adapters/realtime/src/ws.rs). */
export const CLOSE = {
  /** No token, or one that expired or was revoked: renew it, then connect again. */
  unauthenticated: 4401,
  /** Not allowed here (not a member, deactivated, tokens switched off): do not retry. */
  forbidden: 4403,
  /** No such channel or person: do not retry. */
  notFound: 4404,
  /** The client read too slowly and fell behind: reconnect and resume. */
  slowConsumer: 4408,
  /** The client stopped answering pings: reconnect and resume. */
  heartbeatTimeout: 4410,
  /** Too many sockets for this person or address: retry later. */
  tooManyConnections: 4429,
  /** The server is shutting down or overloaded: reconnect (to another node) and resume. */
  unavailable: 4503,
} as const;

/** The WebSocket constructor to use: the global one (browsers, Node 22+) or e.g. the `ws` package's. */
export type WebSocketConstructor = new (url: string) => WebSocket;

export interface SocketOptions {
  /** Where to connect now, or null to wait (no token yet). Asked again at every connection. */
  url: () => string | null;
  onFrame: (frame: ServerFrame) => void;
  onState?: (state: ConnectionState, detail?: string) => void;
  onOpen?: () => void;
  /**
   * Called when the server closed the socket because the token expired or was revoked: true
   * when a new one is ready (the socket connects again), false to stay closed.
   */
  renew?: () => Promise<boolean>;
  /** The WebSocket implementation; by default the global `WebSocket`. */
  WebSocket?: WebSocketConstructor;
}

const PING_EVERY_MS = 20_000;
const SILENCE_LIMIT_MS = 50_000;
const OPEN = 1;

type Params<N extends ChannelName> = { [K in (typeof channels)[N]['parameters'][number]]: string | number };
type Query<N extends ChannelName> = { [K in (typeof channels)[N]['query'][number]]?: string | number };

/**
 * The address of a real-time channel of openapi/asyncapi.json: `ws(s)://` for sockets,
 * `http(s)://` for event streams, from the REST API's `baseUrl` (`''`: the page's origin).
 *
 * ```ts
 * realtimeUrl('https://chat.example.com', 'chat', { channel_id: 12 }, { token, after_seq: 40 });
 * // wss://chat.example.com/api/v1/ws/chat/12?token=…&after_seq=40
 * ```
 */
export function realtimeUrl<N extends ChannelName>(baseUrl: string, name: N, params: Params<N>, query: Query<N> = {}): string {
  const channel = channels[name];
  const path = channel.address.replace(/\{(\w+)\}/g, (_, key: string) =>
    encodeURIComponent(String((params as Record<string, string | number>)[key])),
  );
  const origin = baseUrl || globalThis.location?.origin;
  if (!origin) throw new Error('realtimeUrl: give the server\'s address as baseUrl');
  const url = new URL(path, origin);
  if (channel.transport === 'websocket') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

export class ReconnectingSocket {
  private ws: WebSocket | null = null;
  private attempts = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private readonly options: SocketOptions;
  private readonly online = () => this.reconnectNow();

  constructor(options: SocketOptions) {
    this.options = options;
  }

  start() {
    this.stopped = false;
    globalThis.addEventListener?.('online', this.online);
    this.connect();
  }

  stop() {
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.online);
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.ws?.close(1000, 'done');
    this.ws = null;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === OPEN;
  }

  send(frame: ClientFrame): boolean {
    if (!this.isOpen) return false;
    this.ws!.send(JSON.stringify(frame));
    return true;
  }

  private connect() {
    const url = this.options.url();
    if (!url || this.stopped) return;
    const Implementation = this.options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
    if (!Implementation) {
      throw new Error('No WebSocket here: pass one as the `WebSocket` option (on Node 20, the `ws` package\'s).');
    }
    this.options.onState?.(this.attempts ? 'reconnecting' : 'connecting');
    const ws = new Implementation(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.lastHeard = Date.now();
      this.options.onState?.('open');
      this.options.onOpen?.();
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.heartbeat(), PING_EVERY_MS);
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.options.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      clearInterval(this.pingTimer);
      this.ws = null;
      if (this.stopped) return;
      if (event.code === CLOSE.forbidden || event.code === CLOSE.notFound) {
        this.options.onState?.('closed', event.reason);
        return;
      }
      if (event.code === CLOSE.unauthenticated) {
        // The token expired while we were away: renew it, then connect again.
        const renew = this.options.renew ?? (() => Promise.resolve(false));
        renew()
          .then((renewed) => (renewed ? this.scheduleRetry() : this.options.onState?.('closed', event.reason)))
          .catch(() => this.scheduleRetry());
        return;
      }
      this.scheduleRetry();
    };
  }

  private heartbeat() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      this.ws?.close(4000, 'silent');
      return;
    }
    this.send({ type: 'ping' });
  }

  private scheduleRetry() {
    this.options.onState?.('reconnecting');
    const delay = Math.min(500 * 2 ** this.attempts, 8_000) * (0.75 + Math.random() / 2);
    this.attempts += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Drops the connection and opens a new one at once, from what `url()` says now. */
  reconnect() {
    if (this.stopped) return;
    const old = this.ws;
    this.ws = null;
    clearInterval(this.pingTimer);
    old?.close(4000, 'reconnecting');
    clearTimeout(this.retryTimer);
    this.attempts = 1;
    this.connect();
  }

  private reconnectNow() {
    if (this.stopped || this.isOpen) return;
    clearTimeout(this.retryTimer);
    this.attempts = 1;
    this.connect();
  }
}
