// One client connection: login, then requests and pushed events (docs/client-protocol.md).
// Events leave a page at a time from the connection's cursor, one page step at a time, so they
// leave in seq order and none twice; nothing more is produced for a client that is not reading.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { App } from '../domain/app-settings.js';
import { CloseCode, ErrorCode, MESSAGE_BODY_BYTES, U32_MAX, parseMsgKey } from '@parley/protocol';
import { ApiError, type FieldNames } from '../domain/errors.js';
import { validateMsgBody } from '../domain/message-body.js';
import { MAX_RECEIPT_MESSAGES } from '../domain/read-receipts.js';
import type { Services } from '../domain/services.js';
import { userIdProblem } from '../domain/user-id.js';
import { nowSeconds } from '../ports/clock.js';
import type { MessageRef, StoredMessage } from '../ports/store.js';
import { EXTENSION_LIMITS, type ExtensionItem, type ExtensionOperation } from '../domain/extensions.js';
import type { DirectoryEntry } from '../ports/presence.js';
import type { Authenticator } from '../auth/authenticator.js';
import { PROTOCOL_VERSION, wireConversation, wireEvent, wireMessage } from './wire.js';
import { MAX_PROFILE_USERS } from '../domain/profiles.js';
import { optPlatformOf, type CallOrigin } from '../domain/callbacks.js';

/** The op field that names each role of a domain error; the logged-in user is `userId`. */
const WS_FIELD_NAMES: FieldNames = {
  sender: 'from',
  recipient: 'to',
  operator: 'userId',
  peer: 'peer',
  reporter: 'userId',
  owner: 'userId',
  account: 'userId',
  msgKey: 'msgKey',
  lastMsgKey: 'before',
};

export const MAX_FRAME_BYTES = 64 * 1024;
export const PLATFORMS = ['Web', 'PC', 'Mac', 'Android', 'iPhone', 'iPad', 'Node'] as const;

/** WebSocket close codes of the protocol (docs/client-protocol.md). */
export type KickReason = 'REST_API_Kick' | 'multipleAccount' | 'userSigExpired';

/** The bounds one connection lives within (GatewayLimits, docs/client-protocol.md). */
export interface SessionLimits {
  /** Events in one page. */
  pageEvents: number;
  /** Bytes of events in one page (at least one event is sent, however large). */
  pageBytes: number;
  /** Bytes queued for the connection past which the server produces nothing more for it. */
  sendBufferBytes: number;
  /** Queued bytes past which the connection is closed at once (4004). */
  sendBufferHardBytes: number;
  /** Over sendBufferBytes this long: closed (4004). */
  backlogMs: number;
  /** A connection must log in this soon after it opens (else 4001). */
  loginDeadlineMs: number;
  /** Bytes queued for all connections together past which the gateway is under pressure. */
  maxQueuedBytes: number;
  /** Under pressure, a connection with this much queued counts as backlogged. */
  pressureShareBytes: number;
}

export interface SessionHost {
  services: Services;
  auth: Authenticator;
  limits: SessionLimits;
  /** Are all connections together past maxQueuedBytes? */
  underPressure(): boolean;
  /** Counts bytes just queued for a connection toward the total. */
  sent(bytes: number): void;
  /** The user's devices connected to other nodes (none in the embedded mode), for the device policy. */
  elsewhere(app: number, user: string): Promise<DirectoryEntry[]>;
  /** Registers a logged-in session and applies the device policy across `elsewhere` too. */
  register(s: Session, elsewhere: DirectoryEntry[]): void;
  unregister(s: Session): void;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

type Data = Record<string, unknown>;

const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A closing connection that does not read its close frame is cut off after this long. */
const CLOSE_GRACE_MS = 5_000;

export class Session {
  app?: App;
  user = '';
  deviceId = '';
  platform = '';
  since = 0;
  /** UserSig TLS.time and expiry (Unix s). */
  sigTime = 0;
  sigExpires = 0;
  /** Last real-time ms a frame arrived, for the idle timeout. */
  lastSeen = Date.now();
  /** The last seq sent on this connection (undefined until the first sync or login cursor). */
  private cursor: number | undefined;
  /** The last page sent said "more": live pages wait for the client's next sync. */
  private awaitingSync = false;
  /** A page was withheld while the connection was backlogged: say "sync" once it drains. */
  private syncNeeded = false;
  private backlogTimer: NodeJS.Timeout | undefined;
  private readonly loginTimer: NodeJS.Timeout;
  private closed = false;

  /** Why the session ended, for the State.StateChange callback. */
  endReason: 'Unregister' | 'LinkClose' | 'TimeOut' | 'Kicked' | 'Replaced' = 'LinkClose';

  constructor(
    private readonly ws: WebSocket,
    readonly host: SessionHost,
    readonly clientIp: string,
  ) {
    this.loginTimer = setTimeout(() => {
      if (!this.loggedIn) this.close(CloseCode.NOT_LOGGED_IN, 'no login in time');
    }, host.limits.loginDeadlineMs);
    this.loginTimer.unref();
  }

  caller(): CallOrigin {
    return { clientIp: this.clientIp, optPlatform: optPlatformOf(this.platform) };
  }

  get loggedIn(): boolean {
    return this.app !== undefined;
  }

  /** Bytes written for this connection that the client has not taken yet. */
  get queuedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** Past its send-buffer bound (or its share, under pressure): nothing more is produced for it until it reads. */
  get backlogged(): boolean {
    const queued = this.queuedBytes;
    const { sendBufferBytes, pressureShareBytes } = this.host.limits;
    // Under pressure, the connections holding a share of the queue stop too; light readers go on.
    return queued >= sendBufferBytes || (queued >= pressureShareBytes && this.host.underPressure());
  }

  send(frame: Data): void {
    this.sendText(JSON.stringify(frame));
  }

  private sendText(text: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text, this.flushed);
    this.host.sent(text.length);
    this.watchBacklog();
  }

  /** Called as each frame reaches the socket: the client is reading again. */
  private readonly flushed = (): void => {
    if (this.closed || this.backlogged) return;
    clearTimeout(this.backlogTimer);
    this.backlogTimer = undefined;
    if (this.syncNeeded) {
      this.syncNeeded = false;
      this.awaitingSync = true;
      this.sendText('{"op":"events","data":{"events":[],"more":true}}');
    }
  };

  /** A client that stops reading is closed: at once far past the bound, else after a while over it. */
  private watchBacklog(): void {
    const { sendBufferBytes, sendBufferHardBytes, backlogMs } = this.host.limits;
    const queued = this.queuedBytes;
    if (queued >= sendBufferHardBytes) return this.dropBacklogged();
    if (queued >= sendBufferBytes && this.backlogTimer === undefined) {
      this.backlogTimer = setTimeout(() => {
        if (this.queuedBytes >= sendBufferBytes) this.dropBacklogged();
        else this.backlogTimer = undefined;
      }, backlogMs);
      this.backlogTimer.unref();
    }
  }

  private dropBacklogged(): void {
    this.host.log.warn({ user: this.user, queuedBytes: this.queuedBytes }, 'closing a connection that does not read');
    this.close(CloseCode.NOT_READING, 'not reading; reconnect and sync');
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // The close frame waits behind whatever is queued: a client that never reads it is cut off.
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
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
    this.close(CloseCode.KICKED, reason);
  }

  /** Called once the socket is gone, whoever closed it. */
  ended(): void {
    this.closed = true;
    clearTimeout(this.loginTimer);
    clearTimeout(this.backlogTimer);
    if (this.loggedIn) this.host.unregister(this);
  }

  async onFrame(raw: Buffer, isBinary: boolean): Promise<void> {
    this.lastSeen = Date.now();
    if (raw.length > MAX_FRAME_BYTES) {
      const message = `frame is ${raw.length} bytes; at most ${MAX_FRAME_BYTES} are accepted`;
      if (!this.loggedIn) return this.protocolError(ErrorCode.MSG_TOO_LONG, message);
      this.send({ op: 'error', data: { code: ErrorCode.MSG_TOO_LONG, message } });
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(isBinary ? raw.toString('utf8') : raw.toString());
    } catch {
      return this.protocolError(ErrorCode.MSG_JSON_INVALID, 'frame is not JSON');
    }
    if (!isObject(frame) || typeof frame.op !== 'string')
      return this.protocolError(ErrorCode.MSG_JSON_INVALID, 'a frame is an object with a string "op"');
    const id = typeof frame.id === 'number' || typeof frame.id === 'string' ? frame.id : undefined;
    const op = frame.op;
    const data = frame.data === undefined ? {} : frame.data;
    if (!this.loggedIn && op !== 'login') {
      this.send({ op, ...(id !== undefined ? { id } : {}), code: 2024, message: 'log in first', data: {} });
      this.close(CloseCode.NOT_LOGGED_IN, 'not logged in');
      return;
    }
    const handler = OPS.get(op);
    if (!handler) {
      this.answer(op, id, new ApiError(ErrorCode.UNKNOWN_API, `unknown op ${JSON.stringify(op.slice(0, 40))}`));
      return;
    }
    if (!isObject(data)) {
      this.answer(op, id, new ApiError(ErrorCode.MSG_JSON_INVALID, '"data" must be an object'));
      if (op === 'login' && !this.loggedIn) this.close(CloseCode.NOT_LOGGED_IN, 'login failed');
      return;
    }
    try {
      const result = await handler(this, data);
      this.answer(op, id, result);
    } catch (e) {
      if (!(e instanceof ApiError)) this.host.log.error({ err: e, op }, 'gateway op failed');
      this.answer(
        op,
        id,
        e instanceof ApiError
          ? e
          : new ApiError(ErrorCode.MSG_INTERNAL_ERROR, 'internal server error; the request was not applied'),
      );
      if (op === 'login' && !this.loggedIn) this.close(CloseCode.NOT_LOGGED_IN, 'login failed');
    }
  }

  private protocolError(code: number, message: string): void {
    this.send({ op: 'error', data: { code, message } });
    if (!this.loggedIn) this.close(CloseCode.NOT_LOGGED_IN, message);
  }

  private answer(op: string, id: unknown, result: Data | ApiError): void {
    const base = { op, ...(id !== undefined ? { id } : {}) };
    if (result instanceof ApiError)
      this.send({ ...base, code: result.code, message: result.infoWith(WS_FIELD_NAMES), data: {} });
    else this.send({ ...base, code: 0, message: '', data: result });
  }

  // ---- login and event delivery ----------------------------------------------------------

  async login(d: Data): Promise<Data> {
    if (this.loggedIn || this.loggingIn)
      throw new ApiError(2025, 'already logged in (or logging in) on this connection');
    this.loggingIn = true;
    try {
      return await this.doLogin(d);
    } finally {
      this.loggingIn = false;
    }
  }

  private loggingIn = false;

  private async doLogin(d: Data): Promise<Data> {
    if (d.protocol !== undefined && d.protocol !== PROTOCOL_VERSION)
      throw new ApiError(
        ErrorCode.HTTP_REQUEST_INVALID,
        `protocol ${String(d.protocol)} is not supported; this server speaks ${PROTOCOL_VERSION}`,
      );
    const { services, auth } = this.host;
    // The login frame names the app itself (REST calls do it in the URL): say so when it does not.
    if (d.sdkAppId === undefined || d.sdkAppId === null || d.sdkAppId === '')
      throw new ApiError(ErrorCode.SDKAPPID_MISSING, "the login frame's data.sdkAppId is missing");
    if (typeof d.sdkAppId !== 'number' && typeof d.sdkAppId !== 'string')
      throw new ApiError(ErrorCode.SDKAPPID_INVALID, "the login frame's data.sdkAppId must be a number");
    const app = auth.app(String(d.sdkAppId));
    const problem = userIdProblem(d.userId);
    if (problem) throw new ApiError(ErrorCode.ACCOUNT_NOT_FOUND, `the login frame's data.userId ${problem}`);
    const user = d.userId as string;
    if (typeof d.userSig !== 'string')
      throw new ApiError(ErrorCode.USERSIG_EMPTY, "the login frame's data.userSig is missing");
    const sig = auth.verify(app, user, d.userSig);
    await services.accounts.authorizeLogin(app.sdkAppId, user, sig.time);
    const elsewhere = await this.host.elsewhere(app.sdkAppId, user);
    if (this.closed) throw new ApiError(2024, 'the connection closed during login');
    const platform =
      typeof d.platform === 'string' && (PLATFORMS as readonly string[]).includes(d.platform) ? d.platform : 'Web';
    const deviceId = typeof d.deviceId === 'string' && /^[\w.:-]{1,64}$/.test(d.deviceId) ? d.deviceId : randomUUID();
    this.app = app;
    this.user = user;
    this.platform = platform;
    this.deviceId = deviceId;
    this.since = Date.now();
    this.sigTime = sig.time;
    this.sigExpires = sig.time + sig.expire;
    clearTimeout(this.loginTimer);
    this.host.register(this, elsewhere);
    const lastSeq = await services.sync.lastSeq(app.sdkAppId, user);
    if (typeof d.cursor === 'number' && Number.isSafeInteger(d.cursor) && d.cursor >= 0) {
      this.cursor = d.cursor;
      queueMicrotask(() => void this.pump());
    }
    return { serverTime: nowSeconds(services.clock), deviceId, lastSeq };
  }

  /** The last page step scheduled, and the live one scheduled but not started yet (if any). */
  private tail: Promise<unknown> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  /** The sync being answered: a second one meanwhile shares its answer instead of redoing it. */
  private syncing: Promise<Data> | undefined;

  /** Runs page steps one after another, so pages leave in seq order and none twice. */
  private step<T>(f: () => Promise<T>): Promise<T> {
    const run = this.tail.then(f, f);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * New events were committed: send the next page, unless the client is paging (it will ask) or
   * not reading (it is told to sync once it reads again). Calls while one is scheduled share it;
   * it starts after them and so sees everything committed before them.
   */
  pump(): Promise<void> {
    if (this.cursor === undefined || !this.app || this.closed || this.awaitingSync) return Promise.resolve();
    if (this.backlogged) {
      this.syncNeeded = true;
      return Promise.resolve();
    }
    if (this.waiting) return this.waiting;
    const run = this.step(async () => {
      this.waiting = undefined;
      if (this.awaitingSync || this.closed) return;
      try {
        await this.sendPage();
      } catch (e) {
        this.host.log.error({ err: e, user: this.user }, 'event delivery failed');
      }
    });
    this.waiting = run;
    return run;
  }

  /**
   * The client's sync: one page after `cursor`, then the answer. A second sync while one is
   * answered shares that answer (and its page).
   */
  sync(cursor: number): Promise<Data> {
    if (this.syncing) return this.syncing;
    const run = (async () => {
      const lastSeq = await this.host.services.sync.lastSeq(this.app!.sdkAppId, this.user);
      // Read lastSeq first: a page that is not full then covers every event up to it.
      const more = await this.step(async () => {
        if (this.closed) return false;
        this.cursor = cursor;
        this.awaitingSync = false;
        if (this.backlogged) {
          // Not reading: send no page; the client asks again once it has read.
          this.awaitingSync = true;
          return true;
        }
        return this.sendPage();
      });
      return { lastSeq, more };
    })().finally(() => {
      this.syncing = undefined;
    });
    this.syncing = run;
    return run;
  }

  /** Sends the page after the cursor (bounded by count and bytes); true when more may remain. */
  private async sendPage(): Promise<boolean> {
    const { pageEvents, pageBytes } = this.host.limits;
    const page = await this.host.services.sync.eventsAfter(this.app!.sdkAppId, this.user, this.cursor!, pageEvents);
    if (this.closed) return false;
    const parts: string[] = [];
    let bytes = 0;
    let last = this.cursor!;
    for (const e of page.events) {
      const text = JSON.stringify(wireEvent(e));
      if (parts.length > 0 && bytes + text.length > pageBytes) break;
      parts.push(text);
      bytes += text.length;
      last = e.seq;
    }
    const more = page.full || parts.length < page.events.length;
    if (parts.length > 0) this.sendText(`{"op":"events","data":{"events":[${parts.join(',')}],"more":${more}}}`);
    this.cursor = last;
    this.awaitingSync = more;
    return more;
  }

  pushOnline(message: StoredMessage, originDevice?: string): void {
    if (originDevice !== undefined && originDevice === this.deviceId) return;
    // Online-only messages are never queued: a client that is not reading misses them.
    if (this.backlogged) return;
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
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > U32_MAX)
      throw new ApiError(code, `${name} must be an integer from 0 to ${U32_MAX}`);
    return v;
  },
  bool(v: unknown, name: string): boolean {
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new ApiError(ErrorCode.MSG_JSON_INVALID, `${name} must be true or false`);
    return v;
  },
};

type Op = (s: Session, d: Data) => Promise<Data>;

const EXT_OPERATIONS: ReadonlyMap<unknown, ExtensionOperation> = new Map<unknown, ExtensionOperation>([
  ['set', 'set'],
  ['delete', 'delete'],
  ['clear', 'clear'],
]);

/** The message an extension op names; only its two parties reach it (anyone else: no such message). */
function extensionRef(s: Session, d: Data): MessageRef {
  const from = need.userId(d.from, 'from', ErrorCode.EXT_INVALID_PARAMETER);
  const to = need.userId(d.to, 'to', ErrorCode.EXT_INVALID_PARAMETER);
  const key = typeof d.msgKey === 'string' ? parseMsgKey(d.msgKey) : undefined;
  if (!key) throw new ApiError(ErrorCode.EXT_INVALID_PARAMETER, 'msgKey must be "{seq}_{random}_{time}"');
  if (s.user !== from && s.user !== to)
    throw new ApiError(ErrorCode.EXT_MESSAGE_NOT_FOUND, "no such message in this user's conversations");
  return { from, to, ...key };
}

// A Map: an op name is client input, and must not reach Object.prototype.
const OPS = new Map<string, Op>(
  Object.entries({
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
      if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0)
        throw new ApiError(ErrorCode.MSG_JSON_INVALID, 'cursor must be a whole number');
      // Answered after its page: with "more" false, every event up to lastSeq has gone out.
      return s.sync(cursor);
    },

    async snapshot(s) {
      const snap = await s.host.services.sync.snapshot(s.app!.sdkAppId, s.user, 100);
      return { lastSeq: snap.lastSeq, conversations: snap.conversations.map(wireConversation) };
    },

    async send(s, d) {
      if (Buffer.byteLength(JSON.stringify(d)) > MESSAGE_BODY_BYTES)
        throw new ApiError(ErrorCode.MSG_TOO_LONG, `the message is larger than ${MESSAGE_BODY_BYTES} bytes`);
      const to = need.userId(d.to, 'to', ErrorCode.TO_ACCOUNT_INVALID);
      const random = need.u32(d.random, 'random', ErrorCode.MSG_RANDOM_INVALID)!;
      const seq = need.u32(d.seq, 'seq', ErrorCode.MSG_SEQ_INVALID, true);
      const body = validateMsgBody(d.body);
      if (d.cloudCustomData !== undefined && typeof d.cloudCustomData !== 'string')
        throw new ApiError(ErrorCode.MSG_ELEMENT_INVALID, 'cloudCustomData must be a string');
      const onlineOnly = need.bool(d.onlineOnly, 'onlineOnly');
      const r = await s.host.services.messages.send(s.app!.sdkAppId, {
        from: s.user,
        to,
        random,
        ...(seq !== undefined ? { seq } : {}),
        body,
        ...(typeof d.cloudCustomData === 'string' ? { cloudCustomData: d.cloudCustomData } : {}),
        ...(onlineOnly ? { lifeTime: 0 } : {}),
        needReadReceipt: need.bool(d.needReadReceipt, 'needReadReceipt'),
        noUnread: need.bool(d.noUnread, 'noUnread'),
        noLastMsg: need.bool(d.noLastMsg, 'noLastMsg'),
        supportExtension: need.bool(d.supportExtension, 'supportExtension'),
        origin: 'client',
        originDevice: s.deviceId,
        caller: s.caller(),
      });
      return { message: wireMessage(r.message) };
    },

    async recall(s, d) {
      const to = need.userId(d.to, 'to', ErrorCode.TO_ACCOUNT_INVALID);
      const key = typeof d.msgKey === 'string' ? parseMsgKey(d.msgKey) : undefined;
      if (!key) throw new ApiError(ErrorCode.MSG_KEY_INVALID, 'msgKey must be "{seq}_{random}_{time}"');
      const window = s.app!.recallWindowSeconds;
      await s.host.services.messages.recallAsSender(s.app!.sdkAppId, { from: s.user, to, ...key }, window, s.caller());
      return {};
    },

    /** One-sided delete: the messages leave this user's view and devices; the peer keeps them. */
    async deleteMessages(s, d) {
      const peer = need.userId(d.peer, 'peer', ErrorCode.TO_ACCOUNT_INVALID);
      if (!Array.isArray(d.msgKeys) || d.msgKeys.length === 0 || !d.msgKeys.every((k) => typeof k === 'string')) {
        throw new ApiError(ErrorCode.MSG_JSON_INVALID, 'msgKeys must be a non-empty array of MsgKeys');
      }
      const deleted = await s.host.services.conversations.deleteMessages(
        s.app!.sdkAppId,
        s.user,
        peer,
        d.msgKeys as string[],
        {
          owner: { role: 'owner', unknownCode: ErrorCode.FROM_ACCOUNT_INVALID },
          peer: { role: 'peer', unknownCode: ErrorCode.TO_ACCOUNT_INVALID },
          msgKey: ErrorCode.MSG_KEY_INVALID,
          request: ErrorCode.MSG_JSON_INVALID,
        },
      );
      return { deleted: deleted.map((r) => ({ from: r.from, to: r.to, msgKey: `${r.seq}_${r.random}_${r.time}` })) };
    },

    /** Deletes this user's side of a conversation, and with clearHistory its history on this side. */
    async deleteConversation(s, d) {
      const peer = need.userId(d.peer, 'peer', ErrorCode.TO_ACCOUNT_INVALID);
      await s.host.services.conversations.delete(
        s.app!.sdkAppId,
        s.user,
        peer,
        need.bool(d.clearHistory, 'clearHistory'),
        {
          owner: { role: 'owner', unknownCode: ErrorCode.FROM_ACCOUNT_INVALID },
          peer: { role: 'peer', unknownCode: ErrorCode.TO_ACCOUNT_INVALID },
        },
      );
      return {};
    },

    async extSet(s, d) {
      const ref = extensionRef(s, d);
      const operation = EXT_OPERATIONS.get(d.operation);
      if (!operation)
        throw new ApiError(ErrorCode.EXT_INVALID_PARAMETER, 'operation must be "set", "delete" or "clear"');
      let items: ExtensionItem[] | undefined;
      if (operation !== 'clear') {
        if (!Array.isArray(d.extensions))
          throw new ApiError(ErrorCode.EXT_INVALID_PARAMETER, 'extensions must be an array');
        if (d.extensions.length > EXTENSION_LIMITS.pairsPerRequest)
          throw new ApiError(
            ErrorCode.EXT_INVALID_PARAMETER,
            `at most ${EXTENSION_LIMITS.pairsPerRequest} extensions per request`,
          );
        items = d.extensions.map((e: unknown, i: number) => {
          if (!isObject(e) || typeof e.key !== 'string' || (operation === 'set' && typeof e.value !== 'string')) {
            throw new ApiError(
              ErrorCode.EXT_INVALID_PARAMETER,
              `extensions[${i}] needs a string key${operation === 'set' ? ' and value' : ''}`,
            );
          }
          const seq =
            e.seq === undefined ? 0 : need.u32(e.seq, `extensions[${i}].seq`, ErrorCode.EXT_INVALID_PARAMETER)!;
          return { key: e.key, value: typeof e.value === 'string' ? e.value : '', seq };
        });
      }
      const results = await s.host.services.extensions.change(
        s.app!.sdkAppId,
        ref,
        operation,
        items,
        { kind: 'user', userId: s.user, originDevice: s.deviceId },
        s.caller(),
      );
      return { results: results.map((r) => ({ code: r.errorCode, extension: r.extension })) };
    },

    async extGet(s, d) {
      const ref = extensionRef(s, d);
      const startSeq =
        d.startSeq === undefined ? 0 : need.u32(d.startSeq, 'startSeq', ErrorCode.EXT_INVALID_PARAMETER)!;
      const page = await s.host.services.extensions.get(s.app!.sdkAppId, ref, startSeq);
      return { extensions: page.pairs, complete: page.complete, latestSeq: page.latestSeq, clearSeq: page.clearSeq };
    },

    async read(s, d) {
      const peer = need.userId(d.peer, 'peer', ErrorCode.TO_ACCOUNT_INVALID);
      let readTime: number | undefined;
      if (d.readTime !== undefined) readTime = need.u32(d.readTime, 'readTime', ErrorCode.MSG_JSON_INVALID);
      const r = await s.host.services.messages.setRead(s.app!.sdkAppId, s.user, peer, readTime, s.caller());
      return { unread: r.unread, totalUnread: r.totalUnread, readTime: r.readTime };
    },

    // Profiles (one-to-one spec §5): the same rules and codes as portrait_get / portrait_set.
    async getProfiles(s, d) {
      const ids = d.userIds;
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > MAX_PROFILE_USERS ||
        !ids.every((u) => typeof u === 'string')
      ) {
        throw new ApiError(ErrorCode.PROFILE_INVALID_PARAMETER, `userIds must be 1 to ${MAX_PROFILE_USERS} UserIDs`);
      }
      const found = await s.host.services.profiles.whole(s.app!.sdkAppId, ids as string[]);
      return { profiles: found.map((p) => ({ userID: p.userId, items: p.items })) };
    },

    async setProfile(s, d) {
      const items = d.items;
      if (!Array.isArray(items) || items.length === 0)
        throw new ApiError(ErrorCode.PROFILE_INVALID_PARAMETER, 'items must hold at least one {tag, value}');
      const parsed = items.map((item, i) => {
        if (!isObject(item) || typeof item.tag !== 'string' || item.value === undefined || item.value === null) {
          throw new ApiError(ErrorCode.PROFILE_INVALID_PARAMETER, `items[${i}] must be {tag: string, value}`);
        }
        return { tag: item.tag, value: item.value };
      });
      const written = await s.host.services.profiles.set(s.app!.sdkAppId, s.user, s.user, parsed, s.caller());
      return { items: written };
    },

    async receipt(s, d) {
      const peer = need.userId(d.peer, 'peer', ErrorCode.REQUEST_PACKET_INVALID);
      const list = d.msgKeys;
      if (!Array.isArray(list))
        throw new ApiError(ErrorCode.REQUEST_PACKET_INVALID, 'msgKeys must be an array of MsgKeys');
      // Counted before parsing: a hostile list is refused for its length, not walked.
      if (list.length === 0 || list.length > MAX_RECEIPT_MESSAGES)
        throw new ApiError(ErrorCode.REQUEST_PACKET_INVALID, `msgKeys must hold 1 to ${MAX_RECEIPT_MESSAGES} MsgKeys`);
      const keys = list.map((k) => {
        const key = typeof k === 'string' ? parseMsgKey(k) : undefined;
        if (!key) throw new ApiError(ErrorCode.MSG_KEY_INVALID, 'each of msgKeys must be "{seq}_{random}_{time}"');
        return key;
      });
      await s.host.services.receipts.send(s.app!.sdkAppId, s.user, peer, keys, s.caller());
      return {};
    },

    async history(s, d) {
      const peer = need.userId(d.peer, 'peer', ErrorCode.TO_ACCOUNT_INVALID);
      const count = d.count === undefined ? 15 : need.u32(d.count, 'count', ErrorCode.MSG_JSON_INVALID)!;
      if (d.before !== undefined && typeof d.before !== 'string')
        throw new ApiError(ErrorCode.MSG_JSON_INVALID, 'before must be a MsgKey');
      const r = await s.host.services.messages.history(s.app!.sdkAppId, {
        owner: s.user,
        peer,
        maxCnt: Math.max(1, Math.min(count, 15)),
        minTime: 0,
        maxTime: U32_MAX,
        ...(d.before !== undefined ? { lastMsgKey: d.before as string } : {}),
      });
      return {
        messages: r.messages.map((m) => wireMessage(m.message, m.message.from === s.user ? m.isPeerRead : undefined)),
        complete: r.complete,
      };
    },
  } satisfies Record<string, Op>),
);
