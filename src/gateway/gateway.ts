// The real-time client gateway: WebSocket connections on the server's own port at /v1/ws.
// It turns bus notices into pushes to the right sessions, applies the device policy and
// keeps presence for query_online_status.
import { CloseCode } from '@parley/protocol';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services } from '../domain/services.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { BusNotice } from '../ports/bus.js';
import type { DirectoryEntry } from '../ports/presence.js';
import type { ClusterPresence } from './cluster-presence.js';
import { Session, type SessionHost, type SessionLimits } from './session.js';
import { GATEWAY_PATH } from './wire.js';

/** A connection with no frame for this long is closed (clients ping every 25–30 s). */
export const IDLE_TIMEOUT_MS = 90_000;

export type GatewayLimits = SessionLimits;

/**
 * Defaults: a page is at most 100 events and 256 KiB; a connection may have 1 MiB queued before
 * the server stops producing for it, and is closed (4004) after 10 s over it or at once past 4 MiB.
 * Past 256 MiB queued in all, connections with 64 KiB or more queued stop too.
 */
export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  pageEvents: 100,
  pageBytes: 256 * 1024,
  sendBufferBytes: 1024 * 1024,
  sendBufferHardBytes: 4 * 1024 * 1024,
  backlogMs: 10_000,
  loginDeadlineMs: 10_000,
  maxQueuedBytes: 256 * 1024 * 1024,
  pressureShareBytes: 64 * 1024,
};

/** How long a sum of the connections' queued bytes is reused (summing is O(connections)). */
const PRESSURE_CHECK_MS = 50;

interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class Gateway implements SessionHost {
  readonly limits: GatewayLimits;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Session>();
  private readonly unsubscribe: () => void;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly services: Services,
    readonly auth: Authenticator,
    readonly log: Logger,
    readonly presence: ClusterPresence<Session>,
    limits: Partial<GatewayLimits> = {},
  ) {
    this.limits = { ...DEFAULT_GATEWAY_LIMITS, ...limits };
    // No per-message deflate: it costs tens of KB per connection, and frames are small.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 1024 * 1024,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.unsubscribe = services.bus.subscribe((n) => this.onNotice(n));
    this.sweeper = setInterval(() => this.sweep(), 15_000);
    this.sweeper.unref();
  }

  /** Attach to the HTTP server's upgrade event; other paths are refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== GATEWAY_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req.socket.remoteAddress ?? ''));
  }

  private accept(ws: WebSocket, clientIp: string): void {
    const session = new Session(ws, this, clientIp.replace(/^::ffff:/, ''));
    this.sockets.add(session);
    this.services.metrics.wsSessions.inc();
    this.log.debug({ clientIp: session.clientIp }, 'websocket session opened');
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data as ArrayBuffer);
      void session.onFrame(buf, isBinary);
    });
    ws.on('close', () => {
      this.sockets.delete(session);
      this.services.metrics.wsSessions.dec();
      this.log.debug(
        {
          clientIp: session.clientIp,
          user: session.user || undefined,
          deviceId: session.deviceId || undefined,
          platform: session.platform || undefined,
        },
        'websocket session closed',
      );
      session.ended();
    });
    ws.on('error', (err) => this.log.warn({ err: err.message }, 'websocket error'));
  }

  elsewhere(app: number, user: string): Promise<DirectoryEntry[]> {
    return this.presence.elsewhere(app, user);
  }

  register(s: Session, elsewhere: DirectoryEntry[]): void {
    const app = s.app!;
    const local = this.presence.local;
    const kicked: string[] = [];
    // Same device again: the new connection replaces the old one, on this node or another.
    const same = local.session(app.sdkAppId, s.user, s.deviceId);
    if (same) {
      same.kick('multipleAccount');
      kicked.push(same.platform);
    }
    for (const e of elsewhere) {
      if (e.deviceId !== s.deviceId) continue;
      this.evict(app.sdkAppId, s.user, e);
      kicked.push(e.platform);
    }
    // The platform's limit counts the user's devices on every node; the oldest go first.
    const limit = app.maxDevicesPerPlatform;
    const samePlatform = [
      ...local
        .sessions(app.sdkAppId, s.user)
        .filter((o) => o !== same && o.platform === s.platform)
        .map((o) => ({ since: o.since, end: () => o.kick('multipleAccount') })),
      ...elsewhere
        .filter((e) => e.deviceId !== s.deviceId && e.platform === s.platform)
        .map((e) => ({ since: e.since, end: () => this.evict(app.sdkAppId, s.user, e) })),
    ].sort((a, b) => a.since - b.since);
    while (limit > 0 && samePlatform.length >= limit) {
      samePlatform.shift()!.end();
      kicked.push(s.platform);
    }
    // Kicked sessions leave presence now, not when their sockets finish closing.
    for (const o of local.sessions(app.sdkAppId, s.user))
      if (o.endReason === 'Replaced') this.presence.remove(app.sdkAppId, s.user, o);
    this.presence.add(app.sdkAppId, s.user, s);
    this.stateChange(s, 'Login', 'Register', kicked);
  }

  /** Asks the node holding a device to end it (its session reports no Disconnect: it was replaced). */
  private evict(app: number, user: string, e: DirectoryEntry): void {
    this.services.bus.publish({ kind: 'evict', app, user, node: e.node, deviceId: e.deviceId, since: e.since });
  }

  unregister(s: Session): void {
    this.presence.remove(s.app!.sdkAppId, s.user, s);
    // A session replaced by a newer login is reported in that login's KickedDevice only (as
    // Tencent does), not as a Disconnect that would make the user look offline.
    if (s.endReason === 'Replaced') return;
    const reason = s.endReason === 'Unregister' ? 'Unregister' : s.endReason === 'TimeOut' ? 'TimeOut' : 'LinkClose';
    this.stateChange(s, reason === 'Unregister' ? 'Logout' : 'Disconnect', reason);
  }

  private readonly pendingStateChanges = new Set<Promise<void>>();

  private stateChange(
    s: Session,
    action: 'Login' | 'Logout' | 'Disconnect',
    reason: 'Register' | 'Unregister' | 'LinkClose' | 'TimeOut',
    kicked?: string[],
  ): void {
    const p: Promise<void> = this.services.callbacks
      .stateChange(s.app!.sdkAppId, s.user, {
        action,
        reason,
        platform: s.platform,
        clientIp: s.clientIp,
        ...(kicked ? { kicked } : {}),
      })
      .catch((err) => this.log.error({ err }, 'state change callback could not be queued'))
      .finally(() => this.pendingStateChanges.delete(p));
    this.pendingStateChanges.add(p);
  }

  private onNotice(n: BusNotice): void {
    if (n.kind === 'resume') {
      for (const s of this.sockets) if (s.loggedIn) void s.pump();
      return;
    }
    const sessions = this.presence.local.sessions(n.app, n.user);
    switch (n.kind) {
      case 'events':
        for (const s of sessions) void s.pump();
        return;
      case 'online-message':
        for (const s of sessions) s.pushOnline(n.message, n.originDevice);
        return;
      case 'kick':
        for (const s of sessions) s.kick('REST_API_Kick');
        return;
      case 'profile':
        // Live only, like an online message: a device that was offline reads the profile at login.
        for (const s of sessions) s.send({ op: 'profile', data: { userID: n.user, items: n.items } });
        return;
      case 'evict': {
        if (n.node !== this.presence.node) return;
        const s = this.presence.local.session(n.app, n.user, n.deviceId);
        if (!s || s.since !== n.since) return;
        s.kick('multipleAccount');
        this.presence.remove(n.app, n.user, s);
        return;
      }
    }
  }

  private sweep(): void {
    const idleBefore = Date.now() - IDLE_TIMEOUT_MS;
    for (const s of this.sockets) {
      if (s.lastSeen < idleBefore) {
        s.endReason = 'TimeOut';
        s.close(CloseCode.IDLE, 'idle');
      } else s.checkExpiry();
    }
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Bytes queued for all connections together (ws bufferedAmount). */
  get queuedBytes(): number {
    let n = 0;
    for (const s of this.sockets) n += s.queuedBytes;
    return n;
  }

  private queuedCheckedAt = 0;
  /** The last sum of queued bytes plus what was sent since (an upper bound until the next sum). */
  private queuedEstimate = 0;

  underPressure(): boolean {
    const now = Date.now();
    if (now - this.queuedCheckedAt >= PRESSURE_CHECK_MS) {
      this.queuedCheckedAt = now;
      this.queuedEstimate = this.queuedBytes;
    }
    return this.queuedEstimate >= this.limits.maxQueuedBytes;
  }

  sent(bytes: number): void {
    this.queuedEstimate += bytes;
  }

  /**
   * Closes every connection and waits for their ends to be recorded (presence, Disconnect
   * callbacks) before the store may close; a client that does not finish the closing handshake
   * within a few seconds is cut off.
   */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const s of this.sockets) s.close(1001, 'server shutting down');
    const deadline = Date.now() + 3000;
    while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of this.sockets) s.terminate();
    while (this.sockets.size > 0 && Date.now() < deadline + 1000) await new Promise((r) => setTimeout(r, 20));
    this.unsubscribe();
    await Promise.all([...this.pendingStateChanges]);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
