// One client connection: login, then requests and pushed events (docs/client-protocol.md).
// Events are pushed from the device's cursor by one pump at a time, so they leave in seq order
// and none is sent twice on this connection.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { AppConfig } from '../config/config.js';
import { DEFAULT_RECALL_WINDOW_SECONDS } from '../config/config.js';
import { ApiError, type FieldNames } from '../domain/errors.js';
import { validateMsgBody } from '../domain/message-body.js';
import { parseMsgKey } from '../domain/messages.js';
import type { Services } from '../domain/services.js';
import { userIdProblem } from '../api/fields.js';
import { nowSeconds } from '../ports/clock.js';
import type { StoredMessage } from '../ports/store.js';
import type { Authenticator } from '../http/auth.js';
import { PROTOCOL_VERSION, wireConversation, wireEvent, wireMessage } from './wire.js';
import { optPlatformOf, type CallOrigin } from '../domain/callbacks.js';

/** The op field that names each role of a domain error; the logged-in user is `userId`. */
const WS_FIELD_NAMES: FieldNames = {
  sender: 'from', recipient: 'to', operator: 'userId', peer: 'peer', reporter: 'userId', owner: 'userId',
  account: 'userId', msgKey: 'msgKey', lastMsgKey: 'before',
};

export const MAX_FRAME_BYTES = 64 * 1024;
const MESSAGE_BYTES = 12 * 1024;
const EVENT_BATCH = 200;
const U32_MAX = 4294967295;
export const PLATFORMS = ['Web', 'PC', 'Mac', 'Android', 'iPhone', 'iPad', 'Node'] as const;

export const CLOSE = { notLoggedIn: 4001, idle: 4002, kicked: 4003 } as const;
export type KickReason = 'REST_API_Kick' | 'multipleAccount' | 'userSigExpired';

export interface SessionHost {
  services: Services;
  auth: Authenticator;
  /** Registers a logged-in session (applies the device policy); returns false to refuse. */
  register(s: Session): void;
  unregister(s: Session): void;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

type Data = Record<string, unknown>;

const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

export class Session {
  app?: AppConfig;
  user = '';
  deviceId = '';
  platform = '';
  since = 0;
  /** UserSig TLS.time and expiry (Unix s). */
  sigTime = 0;
  sigExpires = 0;
  /** Last real-time ms a frame arrived, for the idle timeout. */
  lastSeen = Date.now();
  private cursor: number | undefined;
  private closed = false;

  /** Why the session ended, for the State.StateChange callback. */
  endReason: 'Unregister' | 'LinkClose' | 'TimeOut' | 'Kicked' | 'Replaced' = 'LinkClose';

  constructor(private readonly ws: WebSocket, readonly host: SessionHost, readonly clientIp: string) {}

  caller(): CallOrigin {
    return { clientIp: this.clientIp, optPlatform: optPlatformOf(this.platform) };
  }

  get loggedIn(): boolean {
    return this.app !== undefined;
  }

  send(frame: Data): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(frame));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
  }

  /** Cuts the connection without the closing handshake. */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }

  kick(reason: KickReason): void {
    // Replaced by a newer login: that login's State.StateChange names it in KickedDevice.
    this.endReason = reason === 'multipleAccount' ? 'Replaced' : 'Kicked';
    this.send({ op: 'kicked', data: { reason } });
    this.close(CLOSE.kicked, reason);
  }

  /** Called once the socket is gone, whoever closed it. */
  ended(): void {
    this.closed = true;
    if (this.loggedIn) this.host.unregister(this);
  }

  async onFrame(raw: Buffer, isBinary: boolean): Promise<void> {
    this.lastSeen = Date.now();
    if (raw.length > MAX_FRAME_BYTES) {
      this.send({ op: 'error', data: { code: 93000, message: `frame is ${raw.length} bytes; at most ${MAX_FRAME_BYTES} are accepted` } });
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(isBinary ? raw.toString('utf8') : raw.toString());
    } catch {
      return this.protocolError(90001, 'frame is not JSON');
    }
    if (!isObject(frame) || typeof frame.op !== 'string') return this.protocolError(90001, 'a frame is an object with a string "op"');
    const id = typeof frame.id === 'number' || typeof frame.id === 'string' ? frame.id : undefined;
    const op = frame.op;
    const data = frame.data === undefined ? {} : frame.data;
    if (!this.loggedIn && op !== 'login') {
      this.send({ op, ...(id !== undefined ? { id } : {}), code: 2024, message: 'log in first', data: {} });
      this.close(CLOSE.notLoggedIn, 'not logged in');
      return;
    }
    const handler = OPS[op];
    if (!handler) {
      this.answer(op, id, new ApiError(60009, `unknown op ${JSON.stringify(op.slice(0, 40))}`));
      return;
    }
    if (!isObject(data)) {
      this.answer(op, id, new ApiError(90001, '"data" must be an object'));
      return;
    }
    try {
      const result = await handler(this, data);
      this.answer(op, id, result);
    } catch (e) {
      if (!(e instanceof ApiError)) this.host.log.error({ err: e, op }, 'gateway op failed');
      this.answer(op, id, e instanceof ApiError ? e : new ApiError(91000, 'internal server error; the request was not applied'));
      if (op === 'login' && !this.loggedIn) this.close(CLOSE.notLoggedIn, 'login failed');
    }
  }

  private protocolError(code: number, message: string): void {
    this.send({ op: 'error', data: { code, message } });
    if (!this.loggedIn) this.close(CLOSE.notLoggedIn, message);
  }

  private answer(op: string, id: unknown, result: Data | ApiError): void {
    const base = { op, ...(id !== undefined ? { id } : {}) };
    if (result instanceof ApiError) this.send({ ...base, code: result.code, message: result.infoWith(WS_FIELD_NAMES), data: {} });
    else this.send({ ...base, code: 0, message: '', data: result });
  }

  // ---- login and event delivery ----------------------------------------------------------

  async login(d: Data): Promise<Data> {
    if (this.loggedIn || this.loggingIn) throw new ApiError(2025, 'already logged in (or logging in) on this connection');
    this.loggingIn = true;
    try {
      return await this.doLogin(d);
    } finally {
      this.loggingIn = false;
    }
  }

  private loggingIn = false;

  private async doLogin(d: Data): Promise<Data> {
    if (d.protocol !== undefined && d.protocol !== PROTOCOL_VERSION) throw new ApiError(60002, `protocol ${String(d.protocol)} is not supported; this server speaks ${PROTOCOL_VERSION}`);
    const { services, auth } = this.host;
    const app = auth.app(d.sdkAppId === undefined ? undefined : String(d.sdkAppId));
    if (userIdProblem(d.userId)) throw new ApiError(70107, `userId ${userIdProblem(d.userId)}`);
    const user = d.userId as string;
    const sig = auth.verify(app, user, typeof d.userSig === 'string' ? d.userSig : '');
    if (!(await services.accounts.exists(app.sdkAppId, user))) throw new ApiError(70107, `UserID ${user} does not exist`);
    const kickedAt = await services.store.kickedAt(app.sdkAppId, user);
    if (kickedAt !== undefined && sig.time < kickedAt) throw new ApiError(20002, 'this UserSig was issued before the account was kicked; make a new one');
    const platform = typeof d.platform === 'string' && (PLATFORMS as readonly string[]).includes(d.platform) ? d.platform : 'Web';
    const deviceId = typeof d.deviceId === 'string' && /^[\w.:-]{1,64}$/.test(d.deviceId) ? d.deviceId : randomUUID();
    this.app = app;
    this.user = user;
    this.platform = platform;
    this.deviceId = deviceId;
    this.since = Date.now();
    this.sigTime = sig.time;
    this.sigExpires = sig.time + sig.expire;
    this.host.register(this);
    const lastSeq = await services.store.lastEventSeq(app.sdkAppId, user);
    if (typeof d.cursor === 'number' && Number.isSafeInteger(d.cursor) && d.cursor >= 0) {
      this.cursor = d.cursor;
      queueMicrotask(() => void this.pump());
    }
    return { serverTime: nowSeconds(services.clock), deviceId, lastSeq };
  }

  /** The last drain scheduled, and the one scheduled but not started yet (if any). */
  private tail: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;

  /**
   * Sends every event after the cursor. Drains run one after another; a call while one runs
   * schedules one more (calls meanwhile share it), which starts after the call and so sees
   * everything committed before it. Resolves when that drain is done, so `sync` can answer
   * after its events.
   */
  pump(): Promise<void> {
    if (this.cursor === undefined || !this.app || this.closed) return Promise.resolve();
    if (this.waiting) return this.waiting;
    const run = this.tail.then(() => {
      this.waiting = undefined;
      return this.drain();
    });
    this.waiting = run;
    this.tail = run;
    return run;
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.closed) return;
        const now = nowSeconds(this.host.services.clock);
        const events = await this.host.services.store.eventsAfter(this.app!.sdkAppId, this.user, this.cursor!, EVENT_BATCH, now);
        if (events.length === 0 || this.closed) return;
        this.send({ op: 'events', data: { events: events.map(wireEvent) } });
        this.cursor = events[events.length - 1]!.seq;
        if (events.length < EVENT_BATCH) return;
      }
    } catch (e) {
      this.host.log.error({ err: e, user: this.user }, 'event delivery failed');
    }
  }

  pushOnline(message: StoredMessage, originDevice?: string): void {
    if (originDevice !== undefined && originDevice === this.deviceId) return;
    this.send({ op: 'message', data: { message: wireMessage(message) } });
  }

  /** A heartbeat also notices a UserSig that expired while connected. */
  checkExpiry(): boolean {
    if (this.loggedIn && nowSeconds(this.host.services.clock) > this.sigExpires) {
      this.kick('userSigExpired');
      return true;
    }
    return false;
  }

  /** Restarts delivery after `cursor`; resolves once everything up to now has been pushed. */
  async setCursor(cursor: number): Promise<void> {
    this.cursor = cursor;
    await this.pump();
  }
}

// ---- operations ---------------------------------------------------------------------------

const need = {
  userId(v: unknown, name: string, code: number): string {
    const p = userIdProblem(v);
    if (p) throw new ApiError(code, `${name} ${p}`);
    return v as string;
  },
  u32(v: unknown, name: string, code: number, optional = false): number | undefined {
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > U32_MAX) throw new ApiError(code, `${name} must be an integer from 0 to ${U32_MAX}`);
    return v;
  },
  bool(v: unknown, name: string): boolean {
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new ApiError(90001, `${name} must be true or false`);
    return v;
  },
};

const OPS: Record<string, (s: Session, d: Data) => Promise<Data>> = {
  login: (s, d) => s.login(d),

  async ping(s) {
    s.checkExpiry();
    return { serverTime: nowSeconds(s.host.services.clock) };
  },

  async logout(s) {
    s.endReason = 'Unregister';
    setImmediate(() => s.close(1000, 'logout'));
    return {};
  },

  async sync(s, d) {
    const cursor = d.cursor;
    if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0) throw new ApiError(90001, 'cursor must be a whole number');
    const lastSeq = await s.host.services.store.lastEventSeq(s.app!.sdkAppId, s.user);
    // Answer after the events up to lastSeq have gone out on this connection (see the protocol).
    await s.setCursor(cursor);
    return { lastSeq };
  },

  async snapshot(s) {
    const snap = await s.host.services.store.conversationSnapshot(s.app!.sdkAppId, s.user, 100);
    return { lastSeq: snap.lastSeq, conversations: snap.conversations.map(wireConversation) };
  },

  async send(s, d) {
    if (Buffer.byteLength(JSON.stringify(d)) > MESSAGE_BYTES) throw new ApiError(93000, `the message is larger than ${MESSAGE_BYTES} bytes`);
    const to = need.userId(d.to, 'to', 90003);
    const random = need.u32(d.random, 'random', 90005)!;
    const seq = need.u32(d.seq, 'seq', 90004, true);
    const body = validateMsgBody(d.body);
    if (d.cloudCustomData !== undefined && typeof d.cloudCustomData !== 'string') throw new ApiError(90010, 'cloudCustomData must be a string');
    const onlineOnly = need.bool(d.onlineOnly, 'onlineOnly');
    const r = await s.host.services.messages.send(s.app!.sdkAppId, {
      from: s.user, to, random, ...(seq !== undefined ? { seq } : {}), body,
      ...(typeof d.cloudCustomData === 'string' ? { cloudCustomData: d.cloudCustomData } : {}),
      ...(onlineOnly ? { lifeTime: 0 } : {}),
      needReadReceipt: need.bool(d.needReadReceipt, 'needReadReceipt'),
      noUnread: need.bool(d.noUnread, 'noUnread'),
      noLastMsg: need.bool(d.noLastMsg, 'noLastMsg'),
      origin: 'client', originDevice: s.deviceId, caller: s.caller(),
    });
    return { message: wireMessage(r.message) };
  },

  async recall(s, d) {
    const to = need.userId(d.to, 'to', 90003);
    const key = typeof d.msgKey === 'string' ? parseMsgKey(d.msgKey) : undefined;
    if (!key) throw new ApiError(90054, 'msgKey must be "{seq}_{random}_{time}"');
    const window = s.app!.recallWindowSeconds ?? DEFAULT_RECALL_WINDOW_SECONDS;
    await s.host.services.messages.recallAsSender(s.app!.sdkAppId, { from: s.user, to, ...key }, window, s.caller());
    return {};
  },

  async read(s, d) {
    const peer = need.userId(d.peer, 'peer', 90003);
    let readTime: number | undefined;
    if (d.readTime !== undefined) readTime = need.u32(d.readTime, 'readTime', 90001);
    const r = await s.host.services.messages.setRead(s.app!.sdkAppId, s.user, peer, readTime, s.caller());
    return { unread: r.unread, totalUnread: r.totalUnread, readTime: r.readTime };
  },

  async history(s, d) {
    const peer = need.userId(d.peer, 'peer', 90003);
    const count = d.count === undefined ? 15 : need.u32(d.count, 'count', 90001)!;
    if (d.before !== undefined && typeof d.before !== 'string') throw new ApiError(90001, 'before must be a MsgKey');
    const r = await s.host.services.messages.history(s.app!.sdkAppId, {
      owner: s.user, peer, maxCnt: Math.max(1, Math.min(count, 15)), minTime: 0, maxTime: U32_MAX,
      ...(d.before !== undefined ? { lastMsgKey: d.before as string } : {}),
    });
    return {
      messages: r.messages.map((m) => wireMessage(m.message, m.message.from === s.user ? m.isPeerRead : undefined)),
      complete: r.complete,
    };
  },
};
