// The WebSocket to the gateway: requests answered by id, timeouts, a heartbeat, and reconnection
// with exponential backoff and jitter. Browsers use their WebSocket; Node 20 has none, so the
// `ws` package is imported on first use.
import { CloseCode } from '@parley/protocol';
import { ChatError, ERROR_CODE } from './errors.js';
import type { Logger } from './logger.js';
import type { NetState } from './constants.js';
import { unref } from './schedule.js';

/** The part of the WebSocket interface this transport uses (browsers and `ws` both have it). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type SocketFactory = new (url: string) => SocketLike;

export interface TransportOptions {
  url: string;
  log: Logger;
  /** A WebSocket class; default globalThis.WebSocket, else the `ws` package. */
  WebSocket?: SocketFactory;
  /** Milliseconds to wait for an answer (and for a socket to open). Default 15 000. */
  requestTimeout?: number;
  /** Milliseconds between pings. Default 25 000. */
  heartbeatInterval?: number;
  /** Reconnect delays: base × 2^attempt, at most max, with jitter. Defaults 1 000 and 30 000. */
  reconnectBase?: number;
  reconnectMax?: number;
}

export interface TransportHooks {
  /** A frame without an id (events, message, kicked, error). */
  onPush(op: string, data: Record<string, unknown>): void;
  onNetState(state: NetState): void;
  /** After a reconnect's socket opened: log in and sync. A throw closes it and retries later. */
  onReconnect(): Promise<void>;
  /** A reconnect failure that must not be retried (a kick, a UserSig that no longer works). */
  isFatal(err: unknown): boolean;
  onFatal(err: unknown): void;
  /** The server answered a ping. */
  onServerTime(serverTime: number): void;
  /** The session is logged in and synced (first time or after a reconnect). */
  onLive(): void;
}

interface Pending {
  resolve(data: Record<string, unknown>): void;
  reject(err: ChatError): void;
  timer: ReturnType<typeof setTimeout>;
  op: string;
}

let wsModule: Promise<SocketFactory> | undefined;

async function defaultFactory(): Promise<SocketFactory> {
  const g = (globalThis as { WebSocket?: SocketFactory }).WebSocket;
  if (g) return g;
  if (!wsModule) {
    const name = 'ws';
    wsModule = import(/* webpackIgnore: true */ /* @vite-ignore */ name).then(
      (mod: { WebSocket?: SocketFactory; default?: SocketFactory }) => {
        const ctor = mod.WebSocket ?? mod.default;
        if (!ctor) throw new Error('the ws package has no WebSocket export');
        return ctor;
      },
    );
    wsModule.catch(() => {
      wsModule = undefined;
    });
  }
  return wsModule;
}

const OPEN = 1;

export class Transport {
  private socket: SocketLike | undefined;
  /** Bumped for every socket: callbacks of older sockets are ignored. */
  private generation = 0;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = false;
  /** Logged in on the current socket: app requests may go. */
  private live = false;
  private state: NetState = 'disconnected';
  private readonly timeout: number;
  private readonly pingEvery: number;
  private readonly base: number;
  private readonly max: number;

  constructor(
    private readonly opts: TransportOptions,
    private readonly hooks: TransportHooks,
  ) {
    this.timeout = opts.requestTimeout ?? 15_000;
    this.pingEvery = opts.heartbeatInterval ?? 25_000;
    this.base = opts.reconnectBase ?? 1_000;
    this.max = opts.reconnectMax ?? 30_000;
  }

  get netState(): NetState {
    return this.state;
  }

  get isLive(): boolean {
    return this.live && !this.stopped;
  }

  private setState(s: NetState): void {
    if (this.state === s) return;
    this.state = s;
    this.hooks.onNetState(s);
  }

  /** Opens the first socket. No retry: the caller (login) reports the failure. */
  async connect(): Promise<void> {
    this.stopped = false;
    this.setState('connecting');
    try {
      await this.open();
    } catch (e) {
      this.setState('disconnected');
      throw e;
    }
  }

  /** The session on the current socket is logged in (and synced): start the heartbeat. */
  markLive(): void {
    this.live = true;
    this.attempt = 0;
    this.setState('connected');
    this.startHeartbeat();
    this.hooks.onLive();
  }

  /** Drops the current socket and goes through the reconnect path. */
  restart(): void {
    if (this.stopped) return;
    this.stopHeartbeat();
    this.dropSocket(CloseCode.CLIENT_RESTART, 'restart');
    this.onSocketClosed(CloseCode.CLIENT_RESTART, 'restart');
  }

  /** Closes for good: no reconnect, every pending request fails. */
  stop(code = 1000, reason = 'client closed'): void {
    this.stopped = true;
    this.live = false;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopHeartbeat();
    this.dropSocket(code, reason);
    this.failPending(new ChatError(ERROR_CODE.NETWORK_ERROR, 'the connection was closed'));
    this.setState('disconnected');
  }

  /** An app request: fails at once (2800) while the session is not logged in. */
  request<T = Record<string, unknown>>(op: string, data: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    if (!this.isLive) return Promise.reject(new ChatError(ERROR_CODE.NETWORK_ERROR, 'not connected to the server'));
    return this.send<T>(op, data, timeoutMs);
  }

  /** Any request on the current socket, logged in or not (login, sync during a reconnect). */
  send<T = Record<string, unknown>>(
    op: string,
    data: Record<string, unknown> = {},
    timeoutMs = this.timeout,
  ): Promise<T> {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN)
      return Promise.reject(new ChatError(ERROR_CODE.NETWORK_ERROR, 'not connected to the server'));
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ChatError(ERROR_CODE.NETWORK_TIMEOUT, `no answer to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (d: Record<string, unknown>) => void, reject, timer, op });
      try {
        socket.send(JSON.stringify({ op, id, data }));
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ChatError(ERROR_CODE.NETWORK_ERROR, e instanceof Error ? e.message : String(e)));
      }
    });
  }

  // ---- sockets ---------------------------------------------------------------------------

  private async open(): Promise<void> {
    const Ctor = this.opts.WebSocket ?? (await defaultFactory());
    if (this.stopped) throw new ChatError(ERROR_CODE.NETWORK_ERROR, 'the connection was closed');
    const gen = ++this.generation;
    this.live = false;
    await new Promise<void>((resolve, reject) => {
      let opened = false;
      let ws: SocketLike;
      try {
        ws = new Ctor(this.opts.url);
      } catch (e) {
        reject(new ChatError(ERROR_CODE.NETWORK_ERROR, e instanceof Error ? e.message : String(e)));
        return;
      }
      this.socket = ws;
      const timer = setTimeout(() => {
        if (opened || gen !== this.generation) return;
        this.dropSocket(CloseCode.CLIENT_RESTART, 'open timed out');
        reject(
          new ChatError(ERROR_CODE.NETWORK_TIMEOUT, `could not connect to ${this.opts.url} within ${this.timeout} ms`),
        );
      }, this.timeout);
      ws.onopen = () => {
        if (gen !== this.generation) return;
        opened = true;
        clearTimeout(timer);
        resolve();
      };
      ws.onerror = (ev) => {
        if (gen !== this.generation) return;
        this.opts.log.debug('websocket error', (ev as { message?: string })?.message ?? '');
      };
      ws.onclose = (ev) => {
        if (gen !== this.generation) return;
        clearTimeout(timer);
        if (!opened) {
          this.socket = undefined;
          reject(
            new ChatError(ERROR_CODE.NETWORK_ERROR, `could not connect to ${this.opts.url} (close ${ev?.code ?? ''})`),
          );
          return;
        }
        this.onSocketClosed(ev?.code ?? 1006, ev?.reason ?? '');
      };
      ws.onmessage = (ev) => {
        if (gen !== this.generation) return;
        this.onFrame(ev.data);
      };
    });
  }

  /** Detaches the current socket (its late callbacks are ignored) and closes it. */
  private dropSocket(code: number, reason: string): void {
    const ws = this.socket;
    this.socket = undefined;
    this.generation += 1;
    if (!ws) return;
    ws.onopen = ws.onclose = ws.onerror = ws.onmessage = null;
    // Keep an error listener: `ws` throws an unhandled 'error' if a late failure has no listener.
    ws.onerror = () => undefined;
    try {
      const terminate = (ws as { terminate?: () => void }).terminate;
      if (typeof terminate === 'function' && code !== 1000) terminate.call(ws);
      else ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  private onSocketClosed(code: number, reason: string): void {
    this.opts.log.info(`connection closed (${code}${reason ? ` ${reason}` : ''})`);
    this.socket = undefined;
    this.generation += 1;
    this.live = false;
    this.stopHeartbeat();
    this.failPending(new ChatError(ERROR_CODE.NETWORK_ERROR, `the connection was closed (${code})`));
    if (this.stopped) {
      this.setState('disconnected');
      return;
    }
    this.setState('disconnected');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer !== undefined) return;
    const exp = Math.min(this.max, this.base * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.round(exp / 2 + Math.random() * (exp / 2));
    this.opts.log.info(`reconnecting in ${delay} ms (attempt ${this.attempt})`);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    this.setState('connecting');
    try {
      await this.open();
      await this.hooks.onReconnect();
      if (this.stopped) return;
      this.markLive();
    } catch (e) {
      if (this.stopped) return;
      if (this.hooks.isFatal(e)) {
        this.stop(1000, 'session ended');
        this.hooks.onFatal(e);
        return;
      }
      this.opts.log.info('reconnect failed:', e instanceof Error ? e.message : String(e));
      this.stopHeartbeat();
      this.dropSocket(CloseCode.CLIENT_RESTART, 'reconnect failed');
      this.live = false;
      this.failPending(new ChatError(ERROR_CODE.NETWORK_ERROR, 'reconnect failed'));
      this.setState('disconnected');
      this.scheduleReconnect();
    }
  }

  private failPending(err: ChatError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  // ---- frames ----------------------------------------------------------------------------

  private onFrame(raw: unknown): void {
    let text: string;
    if (typeof raw === 'string') text = raw;
    else if (raw instanceof ArrayBuffer) text = new TextDecoder().decode(raw);
    else if (ArrayBuffer.isView(raw)) text = new TextDecoder().decode(raw as Uint8Array);
    else text = String(raw);
    let f: { op?: unknown; id?: unknown; code?: unknown; message?: unknown; data?: unknown };
    try {
      f = JSON.parse(text) as typeof f;
    } catch {
      this.opts.log.warn('a frame from the server is not JSON');
      return;
    }
    if (!f || typeof f !== 'object') return;
    const data = (f.data && typeof f.data === 'object' ? f.data : {}) as Record<string, unknown>;
    if (typeof f.id === 'number' && this.pending.has(f.id)) {
      const p = this.pending.get(f.id)!;
      this.pending.delete(f.id);
      clearTimeout(p.timer);
      const code = typeof f.code === 'number' ? f.code : 0;
      if (code === 0 && f.op !== 'error') p.resolve(data);
      else {
        const c = code || (typeof data.code === 'number' ? data.code : ERROR_CODE.UNCAUGHT_ERROR);
        const msg =
          typeof f.message === 'string' && f.message
            ? f.message
            : typeof data.message === 'string'
              ? data.message
              : `${p.op} failed`;
        p.reject(new ChatError(c, msg));
      }
      return;
    }
    if (typeof f.op === 'string') this.hooks.onPush(f.op, data);
  }

  // ---- heartbeat -------------------------------------------------------------------------

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      const gen = this.generation;
      this.send<{ serverTime?: number }>('ping', {}).then(
        (d) => {
          if (typeof d.serverTime === 'number') this.hooks.onServerTime(d.serverTime);
        },
        (e: ChatError) => {
          // No pong: the connection is dead even if the socket has not noticed. Start over.
          if (gen !== this.generation || this.stopped || !this.socket) return;
          this.opts.log.warn(`heartbeat failed (${e.code}); reconnecting`);
          this.dropSocket(CloseCode.CLIENT_RESTART, 'heartbeat failed');
          this.onSocketClosed(CloseCode.CLIENT_RESTART, 'heartbeat failed');
        },
      );
    }, this.pingEvery);
    unref(this.heartbeat);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
