// The chat instance: Tencent's ChatSDK surface for one-to-one chat, over Parley's gateway.
// Login → (snapshot when the cache is empty or older than 7 days) → sync from the cursor →
// SDK_READY. Every change to local state runs through one serial queue: apply, persist (cursor
// and state together), then emit.
import {
  type DeleteMessagesAnswer,
  ErrorCode,
  type ExtensionGetAnswer,
  type ExtensionSetAnswer,
  type HistoryAnswer,
  type LoginAnswer,
  PROTOCOL_VERSION,
  type ProfilesAnswer,
  type ReadAnswer,
  type SendRequest,
  type SnapshotAnswer,
  type SyncAnswer,
  type WireEvent,
  type WireExtension,
  type WireMessage,
  type WireProfileItem,
} from '@parley/protocol';
import { MemoryCache } from './cache/memory.js';
import type { CacheScope, ChatCache } from './cache/types.js';
import { EVENT, TYPES, type KickedOutType, type NetState, type Platform } from './constants.js';
import { buildConversation, newConversationRecord, peerOfConversationID, type Conversation } from './conversation.js';
import { Emitter, type EventHandler } from './emitter.js';
import { ChatError, ERROR_CODE, errorText, isNetworkCode, toChatError } from './errors.js';
import { Logger } from './logger.js';
import {
  elementToWire,
  Message,
  messageFromWire,
  metaOf,
  msgKeyOfMessage,
  newOutgoingMessage,
  wireMessageID,
  type CreateMessageOptions,
  type CustomPayload,
  type FacePayload,
  type LocationPayload,
  type MessageElement,
  type TextPayload,
} from './message.js';
import { gatewayURL } from './gateway-url.js';
import { itemsOfUpdate, profileFromItems, type ProfileUpdate, type UserProfile } from './profile.js';
import { SerialQueue, Throttle } from './schedule.js';
import { ChatState, Effects } from './state.js';
import { Transport, type SocketFactory } from './transport.js';

export interface ChatOptions {
  SDKAppID: number;
  /** The Parley server's http(s) base URL (Parley's addition). */
  serverURL?: string;
  /** Accepted as an alias of serverURL, so option objects written for Tencent's SDK still fit. */
  proxyServer?: string;
  /** Where conversations, messages and the event cursor are kept; default a new MemoryCache. */
  cache?: ChatCache;
  /** The platform this device logs in as; default 'Web' in browsers, 'Node' in Node. */
  platform?: Platform;
  /**
   * Parley: `create` returns one instance per SDKAppID, as Tencent's does; instances with
   * different names are distinct (several users or devices in one process).
   */
  instanceName?: string;
  /** A WebSocket class to use instead of the global one or the `ws` package. */
  WebSocket?: SocketFactory;
  /** Milliseconds to wait for an answer. Default 15 000. */
  requestTimeout?: number;
  /** Milliseconds between heartbeats. Default 25 000. */
  heartbeatInterval?: number;
  /** Reconnect backoff: base × 2^attempt up to max, with jitter. Defaults 1 000 / 30 000 ms. */
  reconnectBase?: number;
  reconnectMax?: number;
  fileUploadProxy?: string;
  fileDownloadProxy?: string;
  scene?: string;
}

/** One pair's outcome in setMessageExtensions / deleteMessageExtensions. */
export interface ExtensionResult {
  /** 0, or 23001 when the pair changed since this device saw it (extension: as stored now). */
  errorCode: number;
  extension: { key: string; value: string };
}

/** getMessageExtensions reads at most this many pages (300 pairs fit in two). */
const MAX_EXTENSION_PAGES = 10;

export interface ChatResponse<T = Record<string, never>> {
  code: 0;
  data: T;
}

export interface LoginResult {
  actionStatus: 'OK';
  errorCode: 0;
  errorInfo: string;
  repeatLogin?: true;
}

export interface SendMessageOptions {
  onlineUserOnly?: boolean;
  offlinePushInfo?: Record<string, unknown>;
  messageControlInfo?: { excludedFromUnreadCount?: boolean; excludedFromLastMessage?: boolean };
}

export interface GetMessageListOptions {
  conversationID: string;
  nextReqMessageID?: string;
  count?: number;
}

export interface MessageListResult {
  messageList: Message[];
  nextReqMessageID: string;
  isCompleted: boolean;
}

export interface ConversationListFilter {
  type?: string;
  markType?: number;
  groupName?: string;
  hasUnreadCount?: boolean;
  hasGroupAtInfo?: boolean;
}

const STALE_CACHE_SECONDS = 7 * 86400;
/** Messages per `receipt` request (the server's limit). */
const RECEIPT_BATCH = 30;
/** History answers meaning "that peer has no account": the conversation is local only. */
const UNKNOWN_PEER_CODES = new Set<number>([ErrorCode.TO_ACCOUNT_INVALID, ErrorCode.ACCOUNT_NOT_FOUND]);

const KICK_REASON: Record<KickedOutType, number> = {
  multipleAccount: ERROR_CODE.KICKED_OUT_MULT_ACCOUNT,
  multipleDevice: ERROR_CODE.KICKED_OUT_MULT_DEVICE,
  userSigExpired: ERROR_CODE.KICKED_OUT_USERSIG_EXPIRED,
  REST_API_Kick: ERROR_CODE.KICKED_OUT_REST_API,
};

/** A login refused while reconnecting: the session cannot go on. */
class LoginRefused extends Error {
  constructor(readonly refusal: ChatError) {
    super(refusal.message);
  }
}

function defaultPlatform(): Platform {
  const g = globalThis as { window?: unknown; document?: unknown; process?: { versions?: { node?: string } } };
  if (g.window !== undefined && g.document !== undefined) return 'Web';
  return g.process?.versions?.node ? 'Node' : 'Web';
}

function newDeviceId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return Array.from({ length: 4 }, () =>
    Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0'),
  ).join('-');
}

function defaultServerURL(): string | undefined {
  const loc = (globalThis as { location?: { origin?: string } }).location;
  return typeof loc?.origin === 'string' && /^https?:/.test(loc.origin) ? loc.origin : undefined;
}

export class ChatSDK {
  readonly SDKAppID: number;
  private readonly log = new Logger('[parley/client]');
  private readonly emitter: Emitter;
  private readonly cache: ChatCache;
  private readonly queue = new SerialQueue();
  private readonly listThrottle: Throttle;
  private readonly unreadThrottle: Throttle;
  private transport: Transport | undefined;
  private state: ChatState | undefined;
  private user = '';
  private userSig = '';
  private phase: 'out' | 'loggingIn' | 'in' = 'out';
  private ready = false;
  private notReadyReason: number = ERROR_CODE.USER_NOT_LOGGED_IN;
  /** Bumped by every login and logout: async work of an older session is dropped. */
  private session = 0;
  private serverOffsetMs = 0;
  /** Until SDK_READY, message events are held back and emitted right after it. */
  private buffered: Array<[string, unknown]> | undefined;
  private lastUnread = -1;
  /** A push asked for more events while a sync was paging: page on. */
  private moreWanted = false;
  private catchingUp = false;
  private destroyed = false;

  constructor(
    private readonly options: ChatOptions,
    private readonly registryKey: string,
  ) {
    this.SDKAppID = Number(options?.SDKAppID) || 0;
    this.cache = options?.cache ?? new MemoryCache();
    this.emitter = new Emitter((name, err) => this.log.error(`a ${name} handler threw:`, err));
    this.listThrottle = new Throttle(() => this.emitConversationList(), 1000);
    this.unreadThrottle = new Throttle(() => this.emitUnreadCount(), 1000);
  }

  // ---- events ------------------------------------------------------------------------------

  on(eventName: string, handler: EventHandler, context?: unknown): void {
    this.emitter.on(eventName, handler, context);
  }

  off(eventName: string, handler: EventHandler, context?: unknown): void {
    this.emitter.off(eventName, handler, context);
  }

  once(eventName: string, handler: EventHandler, context?: unknown): void {
    this.emitter.on(eventName, handler, context, true);
  }

  setLogLevel(level: number): void {
    if (typeof level === 'number' && level >= 0) this.log.level = level;
  }

  // ---- login and readiness ----------------------------------------------------------------

  isReady(): boolean {
    return this.ready;
  }

  getLoginUser(): string {
    return this.phase === 'in' ? this.user : '';
  }

  async login(options: { userID: string; userSig: string }): Promise<ChatResponse<LoginResult>> {
    if (!this.SDKAppID) throw new ChatError(ERROR_CODE.NO_SDKAPPID);
    const userID = options?.userID;
    const userSig = options?.userSig;
    if (typeof userID !== 'string' || userID === '') throw new ChatError(ERROR_CODE.NO_IDENTIFIER);
    if (typeof userSig !== 'string' || userSig === '') throw new ChatError(ERROR_CODE.NO_USERSIG);
    if (this.phase === 'loggingIn') throw new ChatError(ERROR_CODE.REPEAT_LOGIN);
    if (this.phase === 'in') {
      if (userID === this.user) {
        return {
          code: 0,
          data: { actionStatus: 'OK', errorCode: 0, errorInfo: `${userID} is already logged in`, repeatLogin: true },
        };
      }
      await this.logout();
    }
    const url = this.options.serverURL ?? this.options.proxyServer ?? defaultServerURL();
    if (!url) throw new ChatError(ERROR_CODE.NETWORK_ERROR, 'serverURL is not set: create({ SDKAppID, serverURL })');
    let wsURL: string;
    try {
      wsURL = gatewayURL(url);
    } catch (e) {
      throw new ChatError(ERROR_CODE.NETWORK_ERROR, e instanceof Error ? e.message : String(e));
    }

    const session = ++this.session;
    this.phase = 'loggingIn';
    this.notReadyReason = ERROR_CODE.LOGGING_IN;
    this.user = userID;
    this.userSig = userSig;
    this.buffered = [];
    try {
      const state = new ChatState(userID);
      const data = await this.cache.load(this.scopeOf(userID)).catch((e: unknown) => {
        this.log.warn('the local cache could not be read; starting without it:', e);
        return undefined;
      });
      if (data) state.load(data);
      if (!state.deviceId) state.deviceId = newDeviceId();
      this.state = state;
      const transport = new Transport(
        {
          url: wsURL,
          log: this.log,
          ...(this.options.WebSocket ? { WebSocket: this.options.WebSocket } : {}),
          ...(this.options.requestTimeout ? { requestTimeout: this.options.requestTimeout } : {}),
          ...(this.options.heartbeatInterval ? { heartbeatInterval: this.options.heartbeatInterval } : {}),
          ...(this.options.reconnectBase ? { reconnectBase: this.options.reconnectBase } : {}),
          ...(this.options.reconnectMax ? { reconnectMax: this.options.reconnectMax } : {}),
        },
        {
          onPush: (op, d) => this.onPush(state, op, d),
          onNetState: (s) => this.onNetState(session, s),
          onReconnect: () => this.reopen(session, state),
          isFatal: (e) => e instanceof LoginRefused,
          onFatal: (e) => this.onLoginRefused(session, (e as LoginRefused).refusal),
          onServerTime: (t) => this.setServerTime(t),
          onLive: () => this.onLive(session),
        },
      );
      this.transport = transport;
      await transport.connect();
      this.assertSession(session);
      await this.loginOnSocket(transport, state);
      this.assertSession(session);
      this.phase = 'in';
      void this.firstSync(session, transport, state);
      return { code: 0, data: { actionStatus: 'OK', errorCode: 0, errorInfo: '' } };
    } catch (e) {
      if (session === this.session) {
        this.transport?.stop();
        this.transport = undefined;
        this.state = undefined;
        this.phase = 'out';
        this.user = '';
        this.buffered = undefined;
        this.notReadyReason = ERROR_CODE.LOGIN_FAILED;
      }
      throw toChatError(e, ERROR_CODE.LOGIN_FAILED);
    }
  }

  private assertSession(session: number): void {
    if (session !== this.session) throw new ChatError(ERROR_CODE.LOGIN_FAILED, 'the login was cancelled by logout');
  }

  private scopeOf(userId: string): CacheScope {
    return { sdkAppId: this.SDKAppID, userId };
  }

  private async loginOnSocket(transport: Transport, state: ChatState): Promise<void> {
    const ans = await transport.send<LoginAnswer>('login', {
      protocol: PROTOCOL_VERSION,
      sdkAppId: this.SDKAppID,
      userId: this.user,
      userSig: this.userSig,
      platform: this.options.platform ?? defaultPlatform(),
      deviceId: state.deviceId,
    });
    if (typeof ans.serverTime === 'number') this.setServerTime(ans.serverTime);
    if (typeof ans.deviceId === 'string' && ans.deviceId) state.deviceId = ans.deviceId;
  }

  /** After login: snapshot if needed, sync from the cursor, then SDK_READY (via onLive). */
  private async firstSync(session: number, transport: Transport, state: ChatState): Promise<void> {
    try {
      await this.syncFromCursor(state, transport);
      if (session !== this.session) return;
      transport.markLive();
    } catch (e) {
      if (session !== this.session) return;
      // The connection failed during the first sync: start over through the reconnect path.
      this.log.warn('the first sync failed; retrying:', e instanceof Error ? e.message : e);
      transport.restart();
    }
  }

  /** A reconnect: log in again on the new socket and catch up. */
  private async reopen(session: number, state: ChatState): Promise<void> {
    const transport = this.transport;
    if (session !== this.session || !transport) throw new ChatError(ERROR_CODE.NETWORK_ERROR, 'session ended');
    try {
      await this.loginOnSocket(transport, state);
    } catch (e) {
      const err = toChatError(e);
      if (isNetworkCode(err.code)) throw err;
      throw new LoginRefused(err);
    }
    await this.syncFromCursor(state, transport);
  }

  private async syncFromCursor(state: ChatState, transport: Transport): Promise<void> {
    await this.queue.drain();
    const now = this.serverNow();
    if (state.isEmpty || now - state.syncedAt > STALE_CACHE_SECONDS) {
      const snap = await transport.send<SnapshotAnswer>('snapshot', {});
      const conversations = Array.isArray(snap.conversations) ? snap.conversations : [];
      const lastSeq = typeof snap.lastSeq === 'number' ? snap.lastSeq : 0;
      await this.queue.run(() => this.commitAndEmit(state, state.applySnapshot(conversations, lastSeq, now)));
    }
    await this.syncPages(state, transport);
    // Every event pushed before the last answer has been queued: wait until it is applied.
    await this.queue.run(async () => {
      state.syncedAt = this.serverNow();
      await this.persist(state, { cursor: state.cursor, syncedAt: state.syncedAt, deviceId: state.deviceId });
    });
  }

  /**
   * Syncs page by page until the server says nothing more remains (and no push asked for more
   * meanwhile). Each page's events are pushed before its answer, and the next cursor is read
   * after they are applied, so every event is applied once.
   */
  private async syncPages(state: ChatState, transport: Transport): Promise<void> {
    for (;;) {
      this.moreWanted = false;
      const cursor = await this.queue.run(() => state.cursor);
      const ans = await transport.send<SyncAnswer>('sync', { cursor });
      if (ans.more !== true && !this.moreWanted) return;
    }
  }

  /** A push said more events wait on the server (a bounded page, or a backlog that drained). */
  private catchUp(state: ChatState): void {
    this.moreWanted = true;
    const transport = this.transport;
    if (this.catchingUp || !transport?.isLive || state !== this.state) return;
    this.catchingUp = true;
    void this.syncPages(state, transport)
      .catch((e: unknown) => this.log.warn('catching up failed:', e instanceof Error ? e.message : e))
      .finally(() => {
        this.catchingUp = false;
      });
  }

  private onLive(session: number): void {
    if (session !== this.session || this.phase !== 'in' || this.ready) return;
    this.ready = true;
    this.notReadyReason = 0;
    this.emitter.emit(EVENT.SDK_READY, undefined);
    const held = this.buffered ?? [];
    this.buffered = undefined;
    for (const [name, data] of held) this.emitter.emit(name, data);
    this.lastUnread = -1;
    this.listThrottle.call();
    this.unreadThrottle.call();
  }

  private onNetState(session: number, s: NetState): void {
    if (session !== this.session) return;
    this.emitter.emit(EVENT.NET_STATE_CHANGE, { state: s });
  }

  private onLoginRefused(session: number, err: ChatError): void {
    if (session !== this.session) return;
    this.log.warn(`logging in again was refused (${err.code}): ${err.message}`);
    if (err.code === ErrorCode.USERSIG_REJECTED) this.endSession(KICK_REASON.REST_API_Kick, 'REST_API_Kick');
    else if (err.code === ErrorCode.USERSIG_EXPIRED) this.endSession(KICK_REASON.userSigExpired, 'userSigExpired');
    else {
      this.emitter.emit(EVENT.ERROR, { code: err.code, message: err.message });
      this.endSession(ERROR_CODE.LOGIN_FAILED);
    }
  }

  async logout(): Promise<ChatResponse> {
    if (this.phase === 'out') return { code: 0, data: {} };
    const transport = this.transport;
    if (transport?.isLive) await transport.request('logout', {}, 5000).catch(() => undefined);
    await this.queue.drain();
    this.endSession(ERROR_CODE.LOGGED_OUT);
    return { code: 0, data: {} };
  }

  /** Logout, kick or a refused re-login: the session ends; KICKED_OUT (if kicked), then SDK_NOT_READY. */
  private endSession(reason: number, kicked?: KickedOutType): void {
    this.session += 1;
    this.transport?.stop();
    this.transport = undefined;
    this.state = undefined;
    this.phase = 'out';
    this.user = '';
    this.userSig = '';
    this.ready = false;
    this.notReadyReason = reason;
    this.buffered = undefined;
    this.listThrottle.cancel();
    this.unreadThrottle.cancel();
    this.lastUnread = -1;
    if (kicked) this.emitter.emit(EVENT.KICKED_OUT, { type: kicked });
    this.emitter.emit(EVENT.SDK_NOT_READY, undefined);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    await this.logout().catch(() => undefined);
    this.destroyed = true;
    if (instances.get(this.registryKey) === this) instances.delete(this.registryKey);
    this.emitter.emit(EVENT.SDK_DESTROY, { SDKAppID: this.SDKAppID });
    this.emitter.clear();
    await this.queue.drain();
    await this.cache.close?.().catch(() => undefined);
  }

  // ---- time -----------------------------------------------------------------------------

  private setServerTime(serverTime: number): void {
    this.serverOffsetMs = serverTime * 1000 - Date.now();
  }

  private serverNow(): number {
    return Math.floor((Date.now() + this.serverOffsetMs) / 1000);
  }

  getServerTime(): number {
    const nr = this.notReady<number>('getServerTime');
    if (nr) return nr as unknown as number;
    return this.serverNow();
  }

  // ---- not ready, validation ------------------------------------------------------------

  /** While not ready every API but a few rejects with the not-ready reason and emits ERROR. */
  private notReady<T>(api: string): Promise<T> | undefined {
    if (this.ready) return undefined;
    const code = this.notReadyReason || ERROR_CODE.SDK_IS_NOT_READY;
    const err = new ChatError(code, `${errorText(code)} | ${api} | ${errorText(ERROR_CODE.SDK_IS_NOT_READY)}`);
    this.emitter.emit(EVENT.ERROR, { code: err.code, message: err.message });
    const p = Promise.reject(err);
    // Synchronous APIs return this promise where a value was expected: do not let an app that
    // ignores it crash Node with an unhandled rejection. Awaiting it still throws.
    p.catch(() => undefined);
    return p;
  }

  private invalid(api: string, reason: string): never {
    this.log.error(`${api}: ${reason}`);
    throw new Error('Params validate failed.');
  }

  private checkCreate(api: string, options: CreateMessageOptions<unknown>): void {
    if (!options || typeof options !== 'object') this.invalid(api, 'options must be an object');
    if (typeof options.to !== 'string' || options.to === '') this.invalid(api, 'to must be a non-empty string');
    if (options.conversationType === undefined) this.invalid(api, 'conversationType is required');
    if (options.conversationType !== TYPES.CONV_C2C) {
      throw new ChatError(
        ERROR_CODE.MSG_INVALID_CONV_TYPE,
        `conversationType ${String(options.conversationType)} is not supported; use TYPES.CONV_C2C`,
      );
    }
    if (!options.payload || typeof options.payload !== 'object') this.invalid(api, 'payload must be an object');
    if (options.cloudCustomData !== undefined && typeof options.cloudCustomData !== 'string')
      this.invalid(api, 'cloudCustomData must be a string');
  }

  private build(options: CreateMessageOptions<unknown>, element: MessageElement): Message {
    return newOutgoingMessage(element, options, { me: this.user, now: this.serverNow() });
  }

  // ---- creating messages --------------------------------------------------------------------

  createTextMessage(options: CreateMessageOptions<TextPayload>): Message {
    const nr = this.notReady<Message>('createTextMessage');
    if (nr) return nr as unknown as Message;
    this.checkCreate('createTextMessage', options);
    const text = options.payload.text;
    if (typeof text !== 'string' || text === '')
      this.invalid('createTextMessage', 'payload.text must be a non-empty string');
    return this.build(options, { type: TYPES.MSG_TEXT, content: { text } });
  }

  createCustomMessage(options: CreateMessageOptions<Partial<CustomPayload>>): Message {
    const nr = this.notReady<Message>('createCustomMessage');
    if (nr) return nr as unknown as Message;
    this.checkCreate('createCustomMessage', options);
    const p = options.payload;
    for (const f of ['data', 'description', 'extension'] as const) {
      if (p[f] !== undefined && typeof p[f] !== 'string')
        this.invalid('createCustomMessage', `payload.${f} must be a string`);
    }
    const content = { data: p.data ?? '', description: p.description ?? '', extension: p.extension ?? '' };
    if (!content.data && !content.description && !content.extension)
      this.invalid('createCustomMessage', 'payload needs data, description or extension');
    return this.build(options, { type: TYPES.MSG_CUSTOM, content });
  }

  createFaceMessage(options: CreateMessageOptions<Partial<FacePayload>>): Message {
    const nr = this.notReady<Message>('createFaceMessage');
    if (nr) return nr as unknown as Message;
    this.checkCreate('createFaceMessage', options);
    const p = options.payload;
    if (typeof p.index !== 'number' || !Number.isInteger(p.index))
      this.invalid('createFaceMessage', 'payload.index must be a whole number');
    if (p.data !== undefined && typeof p.data !== 'string')
      this.invalid('createFaceMessage', 'payload.data must be a string');
    return this.build(options, { type: TYPES.MSG_FACE, content: { index: p.index, data: p.data ?? '' } });
  }

  createLocationMessage(options: CreateMessageOptions<Partial<LocationPayload>>): Message {
    const nr = this.notReady<Message>('createLocationMessage');
    if (nr) return nr as unknown as Message;
    this.checkCreate('createLocationMessage', options);
    const p = options.payload;
    if (typeof p.longitude !== 'number' || !Number.isFinite(p.longitude))
      this.invalid('createLocationMessage', 'payload.longitude must be a number');
    if (typeof p.latitude !== 'number' || !Number.isFinite(p.latitude))
      this.invalid('createLocationMessage', 'payload.latitude must be a number');
    if (p.description !== undefined && typeof p.description !== 'string')
      this.invalid('createLocationMessage', 'payload.description must be a string');
    return this.build(options, {
      type: TYPES.MSG_LOCATION,
      content: { description: p.description ?? '', longitude: p.longitude, latitude: p.latitude },
    });
  }

  // ---- sending and recalling --------------------------------------------------------------------

  async sendMessage(message: Message, options?: SendMessageOptions): Promise<ChatResponse<{ message: Message }>> {
    const nr = this.notReady<ChatResponse<{ message: Message }>>('sendMessage');
    if (nr) return nr;
    return this.send(message, options, false);
  }

  async resendMessage(message: Message, options?: SendMessageOptions): Promise<ChatResponse<{ message: Message }>> {
    const nr = this.notReady<ChatResponse<{ message: Message }>>('resendMessage');
    if (nr) return nr;
    return this.send(message, options, true);
  }

  private async send(
    message: Message,
    options: SendMessageOptions | undefined,
    resend: boolean,
  ): Promise<ChatResponse<{ message: Message }>> {
    if (!(message instanceof Message)) throw new ChatError(ERROR_CODE.MSG_INSTANCE_REQUIRED);
    if (message.from !== this.user || message.flow !== 'out')
      throw new ChatError(ERROR_CODE.MSG_SEND_FAIL, 'only messages created by this user can be sent', { message });
    if (message.status === 'success')
      throw new ChatError(ERROR_CODE.MSG_SEND_FAIL, 'the message has already been sent', { message });
    const state = this.state!;
    const transport = this.transport!;
    const control = options?.messageControlInfo;
    const req: SendRequest = {
      to: message.to,
      random: message.random,
      seq: message.sequence,
      body: message.getElements().map(elementToWire),
      cloudCustomData: message.cloudCustomData,
      onlineOnly: options?.onlineUserOnly === true,
      needReadReceipt: message.needReadReceipt,
      supportExtension: message.isSupportExtension,
      noUnread: control?.excludedFromUnreadCount === true,
      noLastMsg: control?.excludedFromLastMessage === true,
    };
    if (resend) message.isResend = true;
    message.status = 'unSend';
    state.registerOutgoing(message);
    let ans: { message?: WireMessage };
    try {
      ans = await transport.request<{ message?: WireMessage }>('send', req as unknown as Record<string, unknown>);
    } catch (e) {
      message.status = 'fail';
      const err = toChatError(e, ERROR_CODE.MSG_SEND_FAIL);
      if (err.code === ErrorCode.TEXT_SENSITIVE || err.code === ErrorCode.IMAGE_SENSITIVE)
        message.hasRiskContent = true;
      throw new ChatError(err.code, err.message, { message });
    }
    const wire: WireMessage = ans.message ?? {
      from: message.from,
      to: message.to,
      seq: message.sequence,
      random: message.random,
      time: this.serverNow(),
      msgKey: '',
      body: req.body,
      cloudCustomData: req.cloudCustomData,
      recalled: null,
      onlineOnly: req.onlineOnly,
    };
    await this.queue.run(() => this.commitAndEmit(state, state.applySent(message, wire)));
    return { code: 0, data: { message } };
  }

  async revokeMessage(message: Message): Promise<ChatResponse<{ message: Message }>> {
    const nr = this.notReady<ChatResponse<{ message: Message }>>('revokeMessage');
    if (nr) return nr;
    if (!(message instanceof Message)) throw new ChatError(ERROR_CODE.MSG_INSTANCE_REQUIRED);
    if (message.from !== this.user || message.status !== 'success') {
      throw new ChatError(ERROR_CODE.MSG_REVOKE_FAIL, 'only messages this user sent successfully can be recalled', {
        message,
      });
    }
    const state = this.state!;
    const transport = this.transport!;
    // Its recall event may arrive before the answer: it must not raise MESSAGE_REVOKED here.
    state.expectOwnRecall(message.ID);
    try {
      await transport.request('recall', { to: message.to, msgKey: msgKeyOfMessage(message) });
    } catch (e) {
      state.cancelOwnRecall(message.ID);
      const err = toChatError(e, ERROR_CODE.MSG_REVOKE_FAIL);
      throw new ChatError(err.code, err.message, { message });
    }
    await this.queue.run(() => this.commitAndEmit(state, state.applyOwnRecall(message)));
    return { code: 0, data: { message } };
  }

  /**
   * Tells the senders that this user has read these messages (Tencent's sendMessageReadReceipt):
   * received C2C messages of one conversation; those sent without needReadReceipt are skipped,
   * as Tencent's SDK does. Sent 30 at a time (the server's limit per receipt).
   */
  async sendMessageReadReceipt(messageList: Message[]): Promise<ChatResponse> {
    const nr = this.notReady<ChatResponse>('sendMessageReadReceipt');
    if (nr) return nr;
    if (!Array.isArray(messageList) || messageList.length === 0)
      throw new ChatError(ERROR_CODE.READ_RECEIPT_MSG_LIST_EMPTY);
    for (const m of messageList) if (!(m instanceof Message)) throw new ChatError(ERROR_CODE.MSG_INSTANCE_REQUIRED);
    const peer = messageList[0]!.from;
    if (messageList.some((m) => m.flow !== 'in' || m.to !== this.user || m.from !== peer)) {
      throw new ChatError(
        ERROR_CODE.MSG_INVALID_CONV_TYPE,
        'read receipts are for messages received in one C2C conversation',
      );
    }
    const keys = [...new Set(messageList.filter((m) => m.needReadReceipt).map(msgKeyOfMessage))];
    for (let i = 0; i < keys.length; i += RECEIPT_BATCH) {
      try {
        await this.transport!.request('receipt', { peer, msgKeys: keys.slice(i, i + RECEIPT_BATCH) });
      } catch (e) {
        throw toChatError(e, ERROR_CODE.UNCAUGHT_ERROR);
      }
    }
    return { code: 0, data: {} };
  }

  /**
   * Deletes messages for this user only (the peer keeps them): at most 30, all of the first one's
   * conversation (others are dropped, as in Tencent's SDK). They get isDeleted and leave this
   * device's cache; the user's other devices drop them when the server's delete event arrives.
   */
  async deleteMessage(messageList: Message[]): Promise<ChatResponse<{ messageList: Message[] }>> {
    const nr = this.notReady<ChatResponse<{ messageList: Message[] }>>('deleteMessage');
    if (nr) return nr;
    if (!Array.isArray(messageList) || messageList.length === 0 || !messageList.every((m) => m instanceof Message)) {
      throw new ChatError(ERROR_CODE.MSG_INSTANCE_REQUIRED, 'deleteMessage takes a non-empty array of Message');
    }
    const first = messageList[0]!;
    const list = messageList
      .slice(0, MAX_DELETE_MESSAGES)
      .filter((m) => m.conversationID === first.conversationID && m.status === 'success');
    if (list.length === 0)
      throw new ChatError(ERROR_CODE.MSG_DELETE_FAIL, 'only messages sent or received successfully can be deleted', {
        messageList,
      });
    const state = this.state!;
    const peer = first.flow === 'out' ? first.to : first.from;
    try {
      await this.transport!.request<DeleteMessagesAnswer>('deleteMessages', {
        peer,
        msgKeys: list.map(msgKeyOfMessage),
      });
    } catch (e) {
      const err = toChatError(e, ERROR_CODE.MSG_DELETE_FAIL);
      throw new ChatError(err.code, err.message, { messageList });
    }
    await this.queue.run(() => this.commitAndEmit(state, state.applyOwnDelete(list)));
    return { code: 0, data: { messageList: list } };
  }

  // ---- message extensions -------------------------------------------------------------------

  /**
   * Sets key/value pairs on a message sent with `isSupportExtension` (Tencent's
   * setMessageExtensions). Each pair goes with the Seq this device last saw of its key, so a pair
   * someone else changed meanwhile fails with errorCode 23001 (get the extensions again, retry).
   */
  async setMessageExtensions(
    message: Message,
    extensions: Array<{ key: string; value: string }>,
  ): Promise<ChatResponse<{ extensions: ExtensionResult[] }>> {
    const nr = this.notReady<ChatResponse<{ extensions: ExtensionResult[] }>>('setMessageExtensions');
    if (nr) return nr;
    this.extensible(message, 'setMessageExtensions');
    if (
      !Array.isArray(extensions) ||
      extensions.length === 0 ||
      extensions.some((e) => !e || typeof e.key !== 'string' || typeof e.value !== 'string')
    ) {
      this.invalid('setMessageExtensions', 'extensions must be a non-empty array of { key, value } strings');
    }
    return this.changeExtensions(message, 'set', extensions);
  }

  /** Deletes the keys given, or every pair when `keyList` is absent (Tencent's deleteMessageExtensions). */
  async deleteMessageExtensions(
    message: Message,
    keyList?: string[],
  ): Promise<ChatResponse<{ extensions: ExtensionResult[] }>> {
    const nr = this.notReady<ChatResponse<{ extensions: ExtensionResult[] }>>('deleteMessageExtensions');
    if (nr) return nr;
    this.extensible(message, 'deleteMessageExtensions');
    if (
      keyList !== undefined &&
      (!Array.isArray(keyList) || keyList.length === 0 || keyList.some((k) => typeof k !== 'string'))
    ) {
      this.invalid('deleteMessageExtensions', 'keyList must be a non-empty array of strings, or absent to delete all');
    }
    return keyList === undefined
      ? this.changeExtensions(message, 'clear', [])
      : this.changeExtensions(
          message,
          'delete',
          keyList.map((key) => ({ key, value: '' })),
        );
  }

  /** Every pair of a message as the server holds it now (Tencent's getMessageExtensions). */
  async getMessageExtensions(
    message: Message,
  ): Promise<ChatResponse<{ extensions: Array<{ key: string; value: string }>; isCompleted: boolean }>> {
    const nr =
      this.notReady<ChatResponse<{ extensions: Array<{ key: string; value: string }>; isCompleted: boolean }>>(
        'getMessageExtensions',
      );
    if (nr) return nr;
    this.extensible(message, 'getMessageExtensions');
    const state = this.state!;
    const transport = this.transport!;
    const all: WireExtension[] = [];
    // Pages end on a whole Seq (docs/client-protocol.md): the next starts after the last one.
    for (let startSeq = 0, pages = 0; pages < MAX_EXTENSION_PAGES; pages++) {
      let page: ExtensionGetAnswer;
      try {
        page = await transport.request<ExtensionGetAnswer>('extGet', {
          from: message.from,
          to: message.to,
          msgKey: msgKeyOfMessage(message),
          startSeq,
        });
      } catch (e) {
        throw toChatError(e);
      }
      all.push(...page.extensions);
      if (page.complete || page.extensions.length === 0) break;
      startSeq = page.extensions[page.extensions.length - 1]!.seq + 1;
    }
    await this.queue.run(async () => state.noteExtensions(message.ID, all, true));
    return { code: 0, data: { extensions: all.map((p) => ({ key: p.key, value: p.value })), isCompleted: true } };
  }

  private extensible(message: Message, api: string): void {
    if (!(message instanceof Message)) throw new ChatError(ERROR_CODE.MSG_INSTANCE_REQUIRED);
    if (message.status !== 'success' || !message.isSupportExtension || message.isRevoked) {
      this.invalid(api, 'the message must be sent, not recalled, and created with isSupportExtension: true');
    }
  }

  private async changeExtensions(
    message: Message,
    operation: 'set' | 'delete' | 'clear',
    pairs: Array<{ key: string; value: string }>,
  ): Promise<ChatResponse<{ extensions: ExtensionResult[] }>> {
    const state = this.state!;
    const transport = this.transport!;
    const extensions = pairs.map((p) => ({ key: p.key, value: p.value, seq: state.extensionSeq(message.ID, p.key) }));
    let ans: ExtensionSetAnswer;
    try {
      ans = await transport.request<ExtensionSetAnswer>('extSet', {
        from: message.from,
        to: message.to,
        msgKey: msgKeyOfMessage(message),
        operation,
        extensions,
      });
    } catch (e) {
      throw toChatError(e);
    }
    // Successes and conflicts both tell what the server holds now.
    await this.queue.run(async () => {
      if (operation === 'clear') state.forgetExtensions(message.ID);
      const done = ans.results.map((r) => r.extension);
      if (operation === 'delete')
        state.forgetExtensions(
          message.ID,
          ans.results.filter((r) => r.code === 0).map((r) => r.extension.key),
        );
      else state.noteExtensions(message.ID, done);
    });
    return {
      code: 0,
      data: {
        extensions: ans.results.map((r) => ({
          errorCode: r.code,
          extension: { key: r.extension.key, value: r.extension.value },
        })),
      },
    };
  }

  // ---- history ------------------------------------------------------------------------------

  async getMessageList(options: GetMessageListOptions): Promise<ChatResponse<MessageListResult>> {
    const nr = this.notReady<ChatResponse<MessageListResult>>('getMessageList');
    if (nr) return nr;
    const peer = peerOfConversationID(options?.conversationID);
    if (!peer)
      throw new ChatError(ERROR_CODE.INVALID_CONV_ID, `not a C2C conversationID: ${String(options?.conversationID)}`);
    const count =
      typeof options.count === 'number' && Number.isInteger(options.count) && options.count > 0 && options.count <= 15
        ? options.count
        : 15;
    const state = this.state!;
    const transport = this.transport!;
    let before: Message | undefined;
    if (options.nextReqMessageID) {
      before = state.messages.get(options.nextReqMessageID);
      if (!before)
        throw new ChatError(
          ERROR_CODE.UNCAUGHT_ERROR,
          `nextReqMessageID ${options.nextReqMessageID} is not a message of this instance`,
        );
    }
    let page: { messages: Message[]; complete: boolean };
    try {
      const ans = await transport.request<HistoryAnswer>('history', {
        peer,
        count,
        ...(before ? { before: msgKeyOfMessage(before) } : {}),
      });
      const wires = Array.isArray(ans.messages) ? ans.messages : [];
      const messages = await this.queue.run(async () => {
        const fx = new Effects();
        const list = state.mergeHistory(peer, wires, fx);
        await this.commitAndEmit(state, fx);
        return list;
      });
      page = { messages, complete: ans.complete === true || messages.length === 0 };
    } catch (e) {
      const err = toChatError(e);
      // No server, or no such peer account there: page through what this device holds.
      if (!isNetworkCode(err.code) && !UNKNOWN_PEER_CODES.has(err.code)) throw err;
      page = state.heldPage(peer, before, count);
    }
    const messageList = [...page.messages];
    if (!before) {
      const listed = new Set(messageList);
      const local = state
        .messagesOf(peer)
        .filter((m) => m.status !== 'success' && !listed.has(m))
        .sort((a, b) => a.time - b.time);
      messageList.push(...local);
    }
    const oldest = page.messages[0];
    return {
      code: 0,
      data: {
        messageList,
        nextReqMessageID: page.complete || !oldest ? '' : oldest.ID,
        isCompleted: page.complete || !oldest,
      },
    };
  }

  findMessage(messageID: string): Message | null {
    const nr = this.notReady<Message | null>('findMessage');
    if (nr) return nr as unknown as Message | null;
    return this.state?.messages.get(messageID) ?? null;
  }

  // ---- profiles -----------------------------------------------------------------------------

  async getMyProfile(): Promise<ChatResponse<UserProfile>> {
    const nr = this.notReady<ChatResponse<UserProfile>>('getMyProfile');
    if (nr) return nr;
    const [mine] = await this.profiles([this.user]);
    return { code: 0, data: mine ?? profileFromItems(this.user, []) };
  }

  /** The profiles of the users that exist; unknown ones are left out, as Tencent's SDK does. */
  async getUserProfile(options: { userIDList: string[] }): Promise<ChatResponse<UserProfile[]>> {
    const nr = this.notReady<ChatResponse<UserProfile[]>>('getUserProfile');
    if (nr) return nr;
    const ids = options?.userIDList;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== ''))
      this.invalid('getUserProfile', 'userIDList must be an array of UserIDs');
    if (ids.length === 0) return { code: 0, data: [] };
    return { code: 0, data: await this.profiles(ids) };
  }

  /** Changes my profile; resolves with the whole profile as it now stands. */
  async updateMyProfile(options: ProfileUpdate): Promise<ChatResponse<UserProfile>> {
    const nr = this.notReady<ChatResponse<UserProfile>>('updateMyProfile');
    if (nr) return nr;
    const items = itemsOfUpdate(options);
    if (typeof items === 'string') this.invalid('updateMyProfile', items);
    await this.transport!.request('setProfile', { items }).catch((e: unknown) => {
      throw toChatError(e, ERROR_CODE.UNCAUGHT_ERROR);
    });
    return this.getMyProfile();
  }

  private async profiles(userIds: string[]): Promise<UserProfile[]> {
    // The server reads at most 100 at a time.
    const out: UserProfile[] = [];
    for (let i = 0; i < userIds.length; i += 100) {
      const ans = await this.transport!.request<ProfilesAnswer>('getProfiles', {
        userIds: userIds.slice(i, i + 100),
      }).catch((e: unknown) => {
        throw toChatError(e, ERROR_CODE.UNCAUGHT_ERROR);
      });
      out.push(...ans.profiles.map((p) => profileFromItems(p.userID, p.items)));
    }
    return out;
  }

  // ---- conversations and unread ------------------------------------------------------------

  async getConversationList(
    options?: string[] | ConversationListFilter,
  ): Promise<ChatResponse<{ conversationList: Conversation[]; isSyncCompleted: boolean }>> {
    const nr =
      this.notReady<ChatResponse<{ conversationList: Conversation[]; isSyncCompleted: boolean }>>(
        'getConversationList',
      );
    if (nr) return nr;
    let list = this.state!.conversationList();
    if (Array.isArray(options)) {
      const ids = new Set(options);
      list = list.filter((c) => ids.has(c.conversationID));
    } else if (options && typeof options === 'object') {
      if (options.type !== undefined && options.type !== TYPES.CONV_C2C) list = [];
      if (options.hasUnreadCount) list = list.filter((c) => c.unreadCount > 0);
      if (options.markType !== undefined) list = list.filter((c) => c.markList.includes(options.markType!));
      if (options.groupName !== undefined)
        list = list.filter((c) => c.conversationGroupList.includes(options.groupName!));
      if (options.hasGroupAtInfo) list = list.filter((c) => c.groupAtInfoList.length > 0);
    }
    return { code: 0, data: { conversationList: list, isSyncCompleted: true } };
  }

  async getConversationProfile(conversationID: string): Promise<ChatResponse<{ conversation: Conversation }>> {
    const nr = this.notReady<ChatResponse<{ conversation: Conversation }>>('getConversationProfile');
    if (nr) return nr;
    const peer = peerOfConversationID(conversationID);
    if (!peer) throw new ChatError(ERROR_CODE.INVALID_CONV_ID, `not a C2C conversationID: ${String(conversationID)}`);
    const conversation = this.state!.conversation(peer) ?? buildConversation(newConversationRecord(peer), undefined);
    return { code: 0, data: { conversation } };
  }

  /**
   * Deletes conversations from this user's list (the peer keeps its own); with
   * clearHistoryMessage (the default) also this user's history of them. A string deletes one and
   * answers { conversationID }; the object form answers the conversationIDList deleted. At most
   * 100; none of them in the list → 2500.
   */
  async deleteConversation(
    options: string | { conversationIDList: string[]; clearHistoryMessage?: boolean },
  ): Promise<ChatResponse<{ conversationID: string } | { conversationIDList: string[] }>> {
    const nr = this.notReady<ChatResponse<{ conversationIDList: string[] }>>('deleteConversation');
    if (nr) return nr;
    const single = typeof options === 'string';
    const ids = single ? [options] : options?.conversationIDList;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_DELETE_CONVERSATIONS) {
      throw new ChatError(
        ERROR_CODE.INVALID_CONV_ID,
        `conversationIDList must hold 1 to ${MAX_DELETE_CONVERSATIONS} conversationIDs`,
      );
    }
    const clearHistory = single || options.clearHistoryMessage !== false;
    const state = this.state!;
    const deleted: string[] = [];
    for (const id of ids) {
      const peer = peerOfConversationID(id);
      if (!peer) throw new ChatError(ERROR_CODE.INVALID_CONV_ID, `not a C2C conversationID: ${String(id)}`);
      if (!state.conversations.has(peer) || deleted.includes(id)) continue;
      try {
        await this.transport!.request('deleteConversation', { peer, clearHistory });
      } catch (e) {
        throw toChatError(e);
      }
      await this.queue.run(() => this.commitAndEmit(state, state.applyOwnConversationDelete(peer, clearHistory)));
      deleted.push(id);
    }
    if (deleted.length === 0)
      throw new ChatError(ERROR_CODE.CONV_NOT_FOUND, 'none of these conversations is in the list');
    return { code: 0, data: single ? { conversationID: deleted[0]! } : { conversationIDList: deleted } };
  }

  async setMessageRead(options: { conversationID: string }): Promise<ChatResponse> {
    const nr = this.notReady<ChatResponse>('setMessageRead');
    if (nr) return nr;
    const peer = peerOfConversationID(options?.conversationID);
    if (!peer)
      throw new ChatError(ERROR_CODE.INVALID_CONV_ID, `not a C2C conversationID: ${String(options?.conversationID)}`);
    await this.readConversation(peer);
    return { code: 0, data: {} };
  }

  private async readConversation(peer: string): Promise<void> {
    const state = this.state!;
    const ans = await this.transport!.request<ReadAnswer>('read', { peer });
    await this.queue.run(() => this.commitAndEmit(state, state.applyOwnRead(peer, ans.readTime, ans.unread)));
  }

  async setAllMessageRead(options?: { scope?: string }): Promise<ChatResponse> {
    const nr = this.notReady<ChatResponse>('setAllMessageRead');
    if (nr) return nr;
    const scope = options?.scope ?? TYPES.READ_ALL_MSG;
    if (scope === TYPES.READ_ALL_GROUP_MSG) return { code: 0, data: {} };
    const peers = [...this.state!.conversations.values()].filter((c) => c.unread > 0).map((c) => c.peer);
    try {
      for (const peer of peers) await this.readConversation(peer);
    } catch (e) {
      const err = toChatError(e, ERROR_CODE.MSG_UNREAD_ALL_FAIL);
      throw new ChatError(isNetworkCode(err.code) ? err.code : ERROR_CODE.MSG_UNREAD_ALL_FAIL, err.message);
    }
    return { code: 0, data: {} };
  }

  getTotalUnreadMessageCount(): number {
    const nr = this.notReady<number>('getTotalUnreadMessageCount');
    if (nr) return nr as unknown as number;
    return this.state!.totalUnread();
  }

  // ---- pushes, persistence, emission ---------------------------------------------------------------

  private onPush(state: ChatState, op: string, data: Record<string, unknown>): void {
    switch (op) {
      case 'events': {
        const events = (Array.isArray(data.events) ? data.events : []) as WireEvent[];
        void this.queue
          .run(() => this.commitAndEmit(state, state.applyEvents(events)))
          .catch((e: unknown) => this.log.error('applying events failed:', e));
        if (data.more === true) this.catchUp(state);
        return;
      }
      case 'message': {
        const w = data.message as WireMessage | undefined;
        void this.queue.run(() => this.onOnlineMessage(state, w));
        return;
      }
      case 'profile': {
        // My profile changed (here or on another device, or by the admin): the whole profile.
        if (state !== this.state || typeof data.userID !== 'string' || !Array.isArray(data.items)) return;
        this.emitApp(EVENT.PROFILE_UPDATED, [profileFromItems(data.userID, data.items as WireProfileItem[])]);
        return;
      }
      case 'kicked': {
        if (state !== this.state) return;
        const reason = String(data.reason ?? '') as KickedOutType;
        const type: KickedOutType = reason in KICK_REASON ? reason : 'REST_API_Kick';
        this.log.warn(`kicked out: ${type}`);
        this.endSession(KICK_REASON[type], type);
        return;
      }
      case 'error': {
        const code = typeof data.code === 'number' ? data.code : ERROR_CODE.UNCAUGHT_ERROR;
        const message = typeof data.message === 'string' ? data.message : 'the server refused a frame';
        this.log.warn(`server error ${code}: ${message}`);
        if (state === this.state) this.emitter.emit(EVENT.ERROR, { code, message });
        return;
      }
      default:
        this.log.debug(`ignored push ${op}`);
    }
  }

  /** An online-only message: shown, never stored, not counted. */
  private onOnlineMessage(state: ChatState, w: WireMessage | undefined): void {
    if (!w || typeof w.from !== 'string' || typeof w.to !== 'string') return;
    if (state.messages.has(wireMessageID(w))) return;
    const m = messageFromWire(w, state.me);
    metaOf(m).onlineOnly = true;
    metaOf(m).countsUnread = false;
    m.isRead = true;
    state.addMessage(m);
    if (state === this.state) this.emitApp(EVENT.MESSAGE_RECEIVED, [m]);
  }

  private async persist(state: ChatState, commit: Parameters<ChatCache['commit']>[1]): Promise<void> {
    try {
      await this.cache.commit(this.scopeOf(state.me), commit);
    } catch (e) {
      this.log.error('writing the local cache failed:', e);
      if (state === this.state)
        this.emitter.emit(EVENT.ERROR, {
          code: ERROR_CODE.UNCAUGHT_ERROR,
          message: `local cache write failed: ${e instanceof Error ? e.message : String(e)}`,
        });
    }
  }

  /** Persists a change (cursor with the state it produced), then tells the app. */
  private async commitAndEmit(state: ChatState, fx: Effects): Promise<void> {
    if (fx.persistable) {
      state.syncedAt = Math.max(state.syncedAt, this.serverNow());
      await this.persist(state, state.commitFor(fx));
    }
    if (state !== this.state) return;
    if (fx.received.length) this.emitApp(EVENT.MESSAGE_RECEIVED, [...fx.received]);
    if (fx.modified.length) this.emitApp(EVENT.MESSAGE_MODIFIED, [...fx.modified]);
    if (fx.revoked.length) this.emitApp(EVENT.MESSAGE_REVOKED, [...fx.revoked]);
    if (fx.readByPeer.length) this.emitApp(EVENT.MESSAGE_READ_BY_PEER, [...fx.readByPeer]);
    if (fx.receipts.length) this.emitApp(EVENT.MESSAGE_READ_RECEIPT_RECEIVED, [...fx.receipts]);
    for (const u of fx.extensionsUpdated) this.emitApp(EVENT.MESSAGE_EXTENSIONS_UPDATED, u);
    for (const d of fx.extensionsDeleted) this.emitApp(EVENT.MESSAGE_EXTENSIONS_DELETED, d);
    if (fx.listChanged && this.ready) {
      this.listThrottle.call();
      this.unreadThrottle.call();
    }
  }

  private emitApp(name: string, data: unknown): void {
    if (this.buffered) this.buffered.push([name, data]);
    else this.emitter.emit(name, data);
  }

  private emitConversationList(): void {
    const state = this.state;
    if (!state || !this.ready) return;
    this.emitter.emit(EVENT.CONVERSATION_LIST_UPDATED, state.conversationList(), { isSyncCompleted: true });
  }

  private emitUnreadCount(): void {
    const state = this.state;
    if (!state || !this.ready) return;
    const n = state.totalUnread();
    if (n === this.lastUnread) return;
    this.lastUnread = n;
    this.emitter.emit(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, n);
  }
}

/** Tencent's web SDK: deleteMessage takes at most 30 messages, deleteConversation 100 IDs. */
const MAX_DELETE_MESSAGES = 30;
const MAX_DELETE_CONVERSATIONS = 100;

const instances = new Map<string, ChatSDK>();

/**
 * One instance per SDKAppID, as Tencent's `create` (a second call returns the first instance
 * until it is destroyed); `instanceName` (Parley's addition) keeps several apart.
 */
export function create(options: ChatOptions): ChatSDK {
  const key = `${Number(options?.SDKAppID) || 0}|${options?.instanceName ?? ''}`;
  const existing = instances.get(key);
  if (existing) return existing;
  const chat = new ChatSDK(options ?? ({} as ChatOptions), key);
  instances.set(key, chat);
  return chat;
}
