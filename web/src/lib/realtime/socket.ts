// A WebSocket that reconnects with backoff, pings, and reports its state. What it resumes from
// is up to the caller's `url()`, asked again at every connection.
import { refresh } from '../session';
import type { ClientFrame, ServerFrame } from '../types';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SocketOptions {
  url: () => string | null;
  onFrame: (frame: ServerFrame) => void;
  onState?: (state: ConnectionState, detail?: string) => void;
  onOpen?: () => void;
}

/** Close codes of the protocol (crates/adapters/realtime/src/session.rs). */
export const CLOSE = { unauthenticated: 4401, forbidden: 4403, notFound: 4404 } as const;

const PING_EVERY_MS = 20_000;
const SILENCE_LIMIT_MS = 50_000;

export function wsUrl(path: string, params: Record<string, string | number | undefined>): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, String(v));
  return `${proto}//${location.host}${path}?${query}`;
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
    window.addEventListener('online', this.online);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.online);
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.ws?.close(1000, 'done');
    this.ws = null;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  send(frame: ClientFrame): boolean {
    if (!this.isOpen) return false;
    this.ws!.send(JSON.stringify(frame));
    return true;
  }

  private connect() {
    const url = this.options.url();
    if (!url || this.stopped) return;
    this.options.onState?.(this.attempts ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(url);
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
        refresh()
          .then((session) => (session ? this.scheduleRetry() : this.options.onState?.('closed', event.reason)))
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
