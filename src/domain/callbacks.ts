// Third-party callbacks (spec §6): what is sent when, how it is signed, what a before-send reply
// means, and the background delivery of after-callbacks from the durable outbox.
import { CALLBACK_ERROR_RANGE, ErrorCode, MESSAGE_BODY_BYTES, msgKeyOf } from '@parley/protocol';
import { createHash } from 'node:crypto';
import type { AppConfig, CallbackCommand, CallbackConfig } from './app-settings.js';
import type { Clock } from '../ports/clock.js';
import { conversationPair } from '../ports/message-flags.js';
import type { CallbackEntry, ExtensionNotice, PendingCallback, Store, StoredMessage } from '../ports/store.js';
import type { WebhookTransport } from '../ports/webhooks.js';
import type { Metrics } from '../observability/metrics.js';
import type { AppDirectory } from './apps.js';
import { ApiError } from './errors.js';
import { validateMsgBody, type MsgElement } from './message-body.js';

/** The webhook's OperateType for each extension change. */
const OPERATE_TYPE = { set: 1, delete: 2, clear: 3 } as const;

/** Where a call came from: the ClientIP and OptPlatform query parameters. */
export interface CallOrigin {
  clientIp: string;
  /** RESTAPI, Web, Android, iOS, Windows, Mac, iPad, Unknown. */
  optPlatform: string;
}

/** The most a rewritten MsgBody + CloudCustomData may take as JSON: a message's 12 KB (spec §4.1, 93000). */

export const REST_ORIGIN: CallOrigin = { clientIp: '127.0.0.1', optPlatform: 'RESTAPI' };

/** Sign = lowercase hex SHA-256 of the token followed by RequestTime (spec §6.2). */
export const callbackSign = (token: string, requestTime: number | string): string =>
  createHash('sha256').update(`${token}${requestTime}`).digest('hex');

export type BeforeSendDecision =
  | { action: 'deliver'; body: MsgElement[]; cloudCustomData: string }
  | { action: 'drop' }
  | { action: 'reject'; code: number; info: string };

/** The message fields every C2C send callback carries. */
function messageFields(m: {
  from: string;
  to: string;
  seq: number;
  random: number;
  time: number;
  body: MsgElement[];
  cloudCustomData: string;
  onlineOnly: boolean;
}) {
  return {
    From_Account: m.from,
    To_Account: m.to,
    MsgSeq: m.seq,
    MsgRandom: m.random,
    MsgTime: m.time,
    MsgKey: msgKeyOf(m),
    OnlineOnlyFlag: m.onlineOnly ? 1 : 0,
    MsgBody: m.body,
    CloudCustomData: m.cloudCustomData,
  };
}

/** Client platforms as the callback's OptPlatform names them. */
export const optPlatformOf = (platform: string): string =>
  (
    ({ Web: 'Web', Node: 'Web', Android: 'Android', iPhone: 'iOS', iPad: 'iPad', PC: 'Windows', Mac: 'Mac' }) as Record<
      string,
      string
    >
  )[platform] ?? 'Unknown';

/** The idle poll of the outbox (ms): a backstop, since writes wake the dispatcher. */
export const DEFAULT_CALLBACK_POLL_MS = 1000;

export class CallbackService {
  constructor(
    private readonly apps: AppDirectory,
    private readonly store: Store,
    private readonly transport: WebhookTransport,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {}

  private readonly writeListeners = new Set<() => void>();

  /** Calls `listener` after each commit that wrote callbacks to the outbox; returns the unsubscribe. */
  onWritten(listener: () => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** Called after a commit that wrote callbacks: this node's dispatcher delivers them at once. */
  written(): void {
    for (const l of this.writeListeners) l();
  }

  private config(app: number, command: CallbackCommand): CallbackConfig | undefined {
    const c = this.apps.get(app)?.callback;
    return c?.commands.includes(command) ? c : undefined;
  }

  enabled(app: number, command: CallbackCommand): boolean {
    return this.config(app, command) !== undefined;
  }

  /** The query string of one attempt; Sign and RequestTime are made fresh per attempt. */
  query(app: AppConfig | number, command: string, origin: Record<string, string>): Record<string, string> {
    const a = typeof app === 'number' ? this.apps.get(app) : app;
    const q: Record<string, string> = {
      SdkAppid: String(a?.sdkAppId ?? app),
      CallbackCommand: command,
      contenttype: 'json',
      ...origin,
    };
    if (a?.callback?.token) {
      const requestTime = String(Math.floor(this.clock.nowMs() / 1000));
      q.RequestTime = requestTime;
      q.Sign = callbackSign(a.callback.token, requestTime);
    }
    return q;
  }

  /**
   * C2C.CallbackBeforeSendMsg: may deliver (possibly rewritten), drop silently or reject. A reply
   * that fails, times out or carries an invalid MsgBody follows the app's failure policy.
   */
  async beforeSend(
    app: number,
    m: Parameters<typeof messageFields>[0],
    origin: CallOrigin,
  ): Promise<BeforeSendDecision> {
    const command = 'C2C.CallbackBeforeSendMsg';
    const c = this.config(app, command);
    const original: BeforeSendDecision = { action: 'deliver', body: m.body, cloudCustomData: m.cloudCustomData };
    if (!c) return original;
    const res = await this.transport.post({
      url: c.url,
      timeoutMs: c.timeoutMs,
      query: this.query(app, command, { ClientIP: origin.clientIp, OptPlatform: origin.optPlatform }),
      body: { CallbackCommand: command, ...messageFields(m) },
    });
    const failed = (reason: string): BeforeSendDecision => {
      this.metrics.callbacks.inc({ command, outcome: 'failed' });
      this.log.warn({ command, app, reason }, 'before-send callback failed');
      return c.beforeSendFailure === 'reject'
        ? {
            action: 'reject',
            code: ErrorCode.BEFORE_SEND_CALLBACK_FAILED,
            info: `the before-send callback failed (${reason}) and this app rejects messages then`,
          }
        : original;
    };
    if (!res.ok) return failed(res.reason);
    // Counted as sent only once the reply is usable: an unknown code or a bad rewrite is a failure.
    const sent = (d: BeforeSendDecision): BeforeSendDecision => {
      this.metrics.callbacks.inc({ command, outcome: 'sent' });
      return d;
    };
    const r = res.reply;
    const code = r.ErrorCode as number;
    const info = typeof r.ErrorInfo === 'string' ? r.ErrorInfo : '';
    if (code === 1)
      return sent({
        action: 'reject',
        code: ErrorCode.BEFORE_SEND_CALLBACK_REJECTED,
        info: info || 'the app backend refused this message',
      });
    if (code === 2) return sent({ action: 'drop' });
    if (code >= CALLBACK_ERROR_RANGE.from && code <= CALLBACK_ERROR_RANGE.to)
      return sent({ action: 'reject', code, info });
    if (code !== 0) return failed(`reply ErrorCode ${code}`);
    let body = m.body;
    let cloud = m.cloudCustomData;
    if (r.MsgBody !== undefined) {
      try {
        body = validateMsgBody(r.MsgBody);
      } catch (e) {
        return failed(`reply MsgBody is invalid: ${e instanceof ApiError ? e.info : String(e)}`);
      }
    }
    if (r.CloudCustomData !== undefined) {
      if (typeof r.CloudCustomData !== 'string') return failed('reply CloudCustomData is not a string');
      cloud = r.CloudCustomData;
    }
    // A rewrite is held to the size a sender may send (93000 beyond 12 KB), or it would store
    // and push what no API accepts.
    if (
      (r.MsgBody !== undefined || r.CloudCustomData !== undefined) &&
      Buffer.byteLength(JSON.stringify({ MsgBody: body, CloudCustomData: cloud })) > MESSAGE_BODY_BYTES
    ) {
      return failed(`reply makes the message larger than ${MESSAGE_BODY_BYTES} bytes`);
    }
    return sent({ action: 'deliver', body, cloudCustomData: cloud });
  }

  private conversationKey(app: number, a: string, b: string): string {
    const [lo, hi] = conversationPair(a, b);
    return `${app}:c2c:${lo}:${hi}`;
  }

  private originQuery(origin: CallOrigin): Record<string, string> {
    return { ClientIP: origin.clientIp, OptPlatform: origin.optPlatform };
  }

  /** C2C.CallbackAfterSendMsg, to be written with the message; undefined when not enabled. */
  afterSend(
    app: number,
    m: StoredMessage | Parameters<typeof messageFields>[0],
    origin: CallOrigin,
  ): CallbackEntry | undefined {
    const command = 'C2C.CallbackAfterSendMsg';
    if (!this.enabled(app, command)) return undefined;
    return {
      command,
      orderKey: this.conversationKey(app, m.from, m.to),
      query: this.originQuery(origin),
      unreadOf: m.to,
      at: this.clock.nowMs(),
      body: {
        CallbackCommand: command,
        ...messageFields(m),
        SendMsgResult: 0,
        ErrorInfo: 'send msg succeed',
        UnreadMsgNum: 0,
      },
    };
  }

  /** C2C.CallbackAfterMsgWithDraw, written with the recall. */
  afterRecall(
    app: number,
    ref: { from: string; to: string; seq: number; random: number; time: number },
    origin: CallOrigin,
  ): CallbackEntry | undefined {
    const command = 'C2C.CallbackAfterMsgWithDraw';
    if (!this.enabled(app, command)) return undefined;
    return {
      command,
      orderKey: this.conversationKey(app, ref.from, ref.to),
      query: this.originQuery(origin),
      unreadOf: ref.to,
      at: this.clock.nowMs(),
      body: {
        CallbackCommand: command,
        From_Account: ref.from,
        To_Account: ref.to,
        MsgKey: msgKeyOf(ref),
        UnreadMsgNum: 0,
      },
    };
  }

  /** C2C.CallbackAfterC2CMsgExtension, written with the extension change (spec §8.2). */
  afterExtension(app: number, n: ExtensionNotice, origin: CallOrigin): CallbackEntry | undefined {
    const command = 'C2C.CallbackAfterC2CMsgExtension';
    if (!this.enabled(app, command)) return undefined;
    return {
      command,
      orderKey: this.conversationKey(app, n.from, n.to),
      query: this.originQuery(origin),
      at: this.clock.nowMs(),
      body: {
        CallbackCommand: command,
        From_Account: n.from,
        To_Account: n.to,
        MsgKey: n.msgKey,
        OperateType: OPERATE_TYPE[n.operation],
        ExtensionList: n.extensions.map((p) => ({ Key: p.key, Value: p.value, Seq: p.seq })),
        Seq: n.seq,
        EventTime: this.clock.nowMs(),
      },
    };
  }

  /** C2C.CallbackAfterMsgReport, written with the read mark. */
  afterRead(
    app: number,
    owner: string,
    peer: string,
    lastReadTime: number,
    origin: CallOrigin,
  ): CallbackEntry | undefined {
    const command = 'C2C.CallbackAfterMsgReport';
    if (!this.enabled(app, command)) return undefined;
    return {
      command,
      orderKey: this.conversationKey(app, owner, peer),
      query: this.originQuery(origin),
      unreadOf: owner,
      at: this.clock.nowMs(),
      body: {
        CallbackCommand: command,
        Report_Account: owner,
        Peer_Account: peer,
        LastReadTime: lastReadTime,
        UnreadMsgNum: 0,
      },
    };
  }

  /** Profile.CallbackPortraitSet (spec §8.1), written with the profile change. */
  afterPortraitSet(
    app: number,
    operator: string,
    user: string,
    items: Array<{ Tag: string; Value: string | number }>,
    origin: CallOrigin,
  ): CallbackEntry | undefined {
    const command = 'Profile.CallbackPortraitSet';
    if (!this.enabled(app, command)) return undefined;
    const at = this.clock.nowMs();
    return {
      command,
      orderKey: `${app}:profile:${user}`,
      query: this.originQuery(origin),
      at,
      body: {
        CallbackCommand: command,
        Operator_Account: operator,
        From_Account: user,
        EventTime: at,
        ProfileItem: items,
      },
    };
  }

  /**
   * C2C.CallbackAfterMsgReadReceipt, written with the receipts. Parley has no MsgId (spec: optional),
   * so each item names its message by MsgKey alone.
   */
  afterReceipt(
    app: number,
    reader: string,
    peer: string,
    refs: Array<{ from: string; to: string; seq: number; random: number; time: number }>,
    origin: CallOrigin,
  ): CallbackEntry | undefined {
    const command = 'C2C.CallbackAfterMsgReadReceipt';
    if (!this.enabled(app, command)) return undefined;
    return {
      command,
      orderKey: this.conversationKey(app, reader, peer),
      query: this.originQuery(origin),
      at: this.clock.nowMs(),
      body: {
        CallbackCommand: command,
        Operator_Account: reader,
        Peer_Account: peer,
        C2CMsgInfo: refs.map((r) => ({ From_Account: r.from, To_Account: r.to, MsgKey: msgKeyOf(r) })),
        EventTime: this.clock.nowMs(),
      },
    };
  }

  /** State.StateChange: login, logout, disconnect of a client session. */
  async stateChange(
    app: number,
    user: string,
    change: {
      action: 'Login' | 'Logout' | 'Disconnect';
      reason: 'Register' | 'Unregister' | 'LinkClose' | 'TimeOut';
      platform: string;
      clientIp: string;
      kicked?: string[];
    },
  ): Promise<void> {
    const command = 'State.StateChange';
    if (!this.enabled(app, command)) return;
    const platform = change.platform === 'iPhone' ? 'IOS' : optPlatformOf(change.platform);
    await this.store.enqueueCallbacks(app, [
      {
        command,
        orderKey: `${app}:state:${user}`,
        at: this.clock.nowMs(),
        query: { ClientIP: change.clientIp, OptPlatform: platform },
        body: {
          CallbackCommand: command,
          EventTime: this.clock.nowMs(),
          Info: { Action: change.action, To_Account: user, Reason: change.reason },
          ...(change.kicked && change.kicked.length > 0
            ? { KickedDevice: change.kicked.map((p) => ({ Platform: optPlatformOf(p) })) }
            : {}),
        },
      },
    ]);
    this.written();
  }

  // ---- delivery of the outbox ------------------------------------------------------------

  private readonly inFlight = new Set<Promise<void>>();
  private full = false;

  /**
   * One pass: starts sending what is due, without waiting for the replies, so a receiver that
   * hangs on one conversation's callback holds back that conversation only (its later entries
   * wait behind it), not the others. At most `limit` callbacks are in flight at once.
   * Returns how many were started (the caller polls again at once when any were).
   */
  async deliverDue(limit = 64): Promise<number> {
    const room = limit - this.inFlight.size;
    if (room <= 0) {
      this.full = true;
      return 0;
    }
    const due = await this.store.claimCallbacks(this.clock.nowMs(), room, 60_000);
    for (const p of due) {
      const run: Promise<void> = this.deliver(p)
        .catch((err) =>
          this.log.warn(
            { err: String(err), command: p.command },
            'callback delivery failed; its lease will expire and it will be tried again',
          ),
        )
        .finally(() => {
          this.inFlight.delete(run);
          // A pass found no room: wake the dispatcher now rather than at the next idle poll.
          if (this.full) {
            this.full = false;
            this.written();
          }
        });
      this.inFlight.add(run);
    }
    return due.length;
  }

  /** Waits for the callbacks in flight (on shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async deliver(p: PendingCallback): Promise<void> {
    const app = this.apps.get(p.app);
    const c = app?.callback;
    const command = p.command;
    const ageSeconds = (this.clock.nowMs() - p.createdAt) / 1000;
    if (!app || !c?.commands.includes(command as CallbackCommand) || ageSeconds > c.maxAgeSeconds) {
      this.metrics.callbacks.inc({ command, outcome: 'given_up' });
      this.log.warn(
        { command, app: p.app, attempts: p.attempts, ageSeconds: Math.round(ageSeconds) },
        'callback given up',
      );
      await this.store.callbackGivenUp(p.id);
      return;
    }
    const res = await this.transport.post({
      url: c.url,
      timeoutMs: c.timeoutMs,
      query: this.query(app, command, p.query),
      body: p.body,
    });
    if (res.ok) {
      this.metrics.callbacks.inc({ command, outcome: 'sent' });
      await this.store.callbackDelivered(p.id);
      return;
    }
    this.metrics.callbacks.inc({ command, outcome: 'failed' });
    this.metrics.callbacks.inc({ command, outcome: 'retried' });
    this.log.warn({ command, app: p.app, attempt: p.attempts + 1, reason: res.reason }, 'callback failed; will retry');
    // Exponential backoff from 1 s, at most a minute between attempts.
    const delay = Math.min(60_000, 1000 * 2 ** Math.min(p.attempts, 6));
    await this.store.callbackFailed(p.id, this.clock.nowMs() + delay, res.reason);
  }
}

/**
 * Delivers the outbox in the background. A commit that wrote callbacks wakes it at once (the
 * node that wrote them delivers them); the idle poll is only a backstop, for retries that fall
 * due and for entries another node wrote but could not deliver.
 */
export class CallbackDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A wake-up came during a pass, which may have claimed before that commit: pass again. */
  private again = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly callbacks: CallbackService,
    private readonly log: { error(obj: object, msg: string): void },
    private readonly intervalMs = DEFAULT_CALLBACK_POLL_MS,
  ) {}

  start(): void {
    this.unsubscribe = this.callbacks.onWritten(() => this.kick());
    this.schedule(0);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.again = false;
      this.running = this.pass().finally(() => {
        this.running = undefined;
      });
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    let started = 0;
    try {
      started = await this.callbacks.deliverDue();
    } catch (e) {
      this.log.error({ err: e }, 'callback delivery pass failed');
    }
    this.schedule(started > 0 || this.again ? 0 : this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    await this.running;
    await this.callbacks.settle();
  }
}
