// One-to-one messages: send, batch send, import, history, recall, modify, read marks, unread.
// Inputs arrive shape-checked; this service owns the rules (who gets what, MsgKey, lifetimes)
// and hands each unit of work to the store in one call, so it commits or fails whole.
import {
  ErrorCode,
  MAX_MESSAGE_LIFETIME_SECONDS,
  type MsgKeyParts,
  U32_MAX,
  msgKeyOf,
  parseMsgKey,
} from '@parley/protocol';
import { randomInt } from 'node:crypto';
import type { Bus } from '../ports/bus.js';
import { nowSeconds, type Clock } from '../ports/clock.js';
import { isReadBy } from '../ports/message-flags.js';
import type {
  AppId,
  AppendResult,
  HistoryPage,
  MessageOrigin,
  MessageRef,
  NewMessage,
  ReadResult,
  Store,
  StoredMessage,
} from '../ports/store.js';
import { ApiError, type FieldRole } from './errors.js';
import { EVENT_RETENTION_SECONDS, modifyRequest, readRequest, recallRequest } from './message-events.js';
import type { MsgElement } from '@parley/protocol';
import { REST_ORIGIN, type CallOrigin, type CallbackService } from './callbacks.js';
import type { Metrics } from '../observability/metrics.js';
import { requireC2cSpeaking } from './mutes.js';

export interface SendInput {
  from: string;
  to: string;
  seq?: number;
  random: number;
  body: MsgElement[];
  cloudCustomData?: string;
  offlinePushInfo?: Record<string, unknown>;
  /** 1: sync to the sender's devices and roaming; 2: neither; undefined: roaming only. */
  syncOtherMachine?: 1 | 2;
  /** Seconds; undefined = 7 days; 0 = online only; clamped at 7 days. */
  lifeTime?: number;
  noUnread?: boolean;
  noLastMsg?: boolean;
  needReadReceipt?: boolean;
  supportExtension?: boolean;
  origin?: MessageOrigin;
  originDevice?: string;
  /** ForbidCallbackControl: skip the before-send / after-send callback for this message. */
  forbidBeforeCallback?: boolean;
  forbidAfterCallback?: boolean;
  /** Where the call came from, for the callbacks' ClientIP and OptPlatform. */
  caller?: CallOrigin;
}

export interface SendResult {
  message: StoredMessage;
  msgKey: string;
  duplicate: boolean;
  recipientUnread: number;
}

export interface ImportInput {
  from: string;
  to: string;
  seq?: number;
  random: number;
  time: number;
  body: MsgElement[];
  cloudCustomData?: string;
  /** 2: history, read and not pushed; 5: real time, unread and pushed. */
  syncFromOldSystem: 2 | 5;
}

export interface HistoryInput {
  owner: string;
  peer: string;
  maxCnt: number;
  minTime: number;
  maxTime: number;
  lastMsgKey?: string;
}

export interface RoamMessage {
  message: StoredMessage;
  msgKey: string;
  isPeerRead: boolean;
}

export interface HistoryResult {
  messages: RoamMessage[]; // ascending by time
  complete: boolean;
}

/** Rows fetched per history page at most; the wire size cap usually ends a page first. */
const MAX_PAGE_ROWS = 1000;
/** Tencent caps an admin_getroammsg answer at about 13 KB. */
const PAGE_BYTES = 13 * 1024;
/** What the answer holds besides MsgList (envelope, Complete, MsgCnt, LastMsgTime, LastMsgKey). */
const PAGE_ENVELOPE_BYTES = 200;

/** UTF-8 bytes of a message as admin_getroammsg writes it (plus its separating comma). */
function wireBytes(m: StoredMessage): number {
  return (
    Buffer.byteLength(
      JSON.stringify({
        From_Account: m.from,
        To_Account: m.to,
        MsgSeq: m.seq,
        MsgRandom: m.random,
        MsgTimeStamp: m.time,
        MsgFlagBits: 8,
        IsPeerRead: 0,
        MsgKey: msgKeyOf(m),
        MsgBody: m.body,
        CloudCustomData: m.cloudCustomData,
      }),
    ) + 1
  );
}

export class MessageService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly bus?: Bus,
    private readonly callbacks?: CallbackService,
    private readonly metrics?: Pick<Metrics, 'recalls'>,
  ) {}

  private notify(app: AppId, users: Iterable<string>): void {
    if (!this.bus) return;
    for (const user of new Set(users)) this.bus.publish({ kind: 'events', app, user });
  }

  /** Builds the stored form of a one-to-one send (sendmsg, batch copy, client send). */
  private newMessage(input: SendInput, to: string, time: number, seq: number, origin: MessageOrigin): NewMessage {
    const lifeTime = Math.min(input.lifeTime ?? MAX_MESSAGE_LIFETIME_SECONDS, MAX_MESSAGE_LIFETIME_SECONDS);
    const onlineOnly = lifeTime === 0;
    const senderRoams = input.syncOtherMachine !== 2;
    const deliverTo = onlineOnly ? [] : [to];
    // SyncOtherMachine 1 (and client sends) also reach the sender's other devices.
    if (!onlineOnly && (input.syncOtherMachine === 1 || origin === 'client') && input.from !== to)
      deliverTo.push(input.from);
    return {
      from: input.from,
      to,
      seq,
      random: input.random,
      time,
      body: input.body,
      cloudCustomData: input.cloudCustomData ?? '',
      ...(input.offlinePushInfo ? { offlinePushInfo: input.offlinePushInfo } : {}),
      origin,
      senderRoams,
      onlineOnly,
      countsUnread: !onlineOnly && !input.noUnread,
      updatesLastMessage: !input.noLastMsg,
      markRead: false,
      needReadReceipt: input.needReadReceipt ?? false,
      supportExtension: input.supportExtension ?? false,
      lifeTime,
      queueUntil: time + lifeTime,
      deliverTo,
      ...(input.originDevice ? { originDevice: input.originDevice } : {}),
    };
  }

  /** After commit: wake the recipients' connections; online-only messages go to them directly. */
  private published(app: AppId, m: NewMessage, r: AppendResult, onlineTo: string[]): void {
    if (r.duplicate) return;
    if (m.onlineOnly && this.bus) {
      for (const user of onlineTo) {
        this.bus.publish({
          kind: 'online-message',
          app,
          user,
          message: r.message,
          ...(m.originDevice ? { originDevice: m.originDevice } : {}),
        });
      }
    }
    this.notify(app, m.deliverTo);
  }

  async send(app: AppId, input: SendInput): Promise<SendResult> {
    await this.requireAccounts(
      app,
      ['sender', input.from, ErrorCode.FROM_ACCOUNT_INVALID],
      ['recipient', input.to, ErrorCode.TO_ACCOUNT_NOT_FOUND],
    );
    // A muted account's clients may not send (no callback either); REST sends are not checked (Tencent).
    if (input.origin === 'client') await requireC2cSpeaking(this.store, this.clock, app, input.from);
    const time = nowSeconds(this.clock);
    const seq = input.seq ?? randomInt(0, U32_MAX);
    const caller = input.caller ?? REST_ORIGIN;
    const lifeTime = Math.min(input.lifeTime ?? MAX_MESSAGE_LIFETIME_SECONDS, MAX_MESSAGE_LIFETIME_SECONDS);
    if (this.callbacks && !input.forbidBeforeCallback) {
      const d = await this.callbacks.beforeSend(
        app,
        {
          from: input.from,
          to: input.to,
          seq,
          random: input.random,
          time,
          body: input.body,
          cloudCustomData: input.cloudCustomData ?? '',
          onlineOnly: lifeTime === 0,
        },
        caller,
      );
      if (d.action === 'reject') throw new ApiError(d.code, d.info);
      if (d.action === 'drop') {
        // The sender is told it went; nothing is stored or delivered.
        return {
          message: this.unsent(input, seq, time, lifeTime),
          msgKey: msgKeyOf({ seq, random: input.random, time }),
          duplicate: false,
          recipientUnread: 0,
        };
      }
      input = { ...input, body: d.body, cloudCustomData: d.cloudCustomData };
    }
    const m = this.newMessage(input, input.to, time, seq, input.origin ?? 'sendmsg');
    const after = input.forbidAfterCallback ? undefined : this.callbacks?.afterSend(app, m, caller);
    if (after) m.callbacks = [after];
    const r = await this.store.appendMessage(app, m);
    if (after) this.callbacks?.written();
    const syncSender = (input.syncOtherMachine === 1 || m.origin === 'client') && input.from !== input.to;
    this.published(app, m, r, syncSender ? [input.to, input.from] : [input.to]);
    return {
      message: r.message,
      msgKey: msgKeyOf(r.message),
      duplicate: r.duplicate,
      recipientUnread: r.recipientUnread,
    };
  }

  /** A message dropped by the before-send callback, as the sender's answer describes it. */
  private unsent(input: SendInput, seq: number, time: number, lifeTime: number): StoredMessage {
    return {
      id: 0,
      from: input.from,
      to: input.to,
      seq,
      random: input.random,
      time,
      body: input.body,
      cloudCustomData: input.cloudCustomData ?? '',
      origin: input.origin ?? 'sendmsg',
      senderRoams: false,
      onlineOnly: lifeTime === 0,
      countsUnread: false,
      needReadReceipt: input.needReadReceipt ?? false,
      supportExtension: input.supportExtension ?? false,
      preRead: false,
      receiptRead: false,
      lifeTime,
    };
  }

  /** One MsgKey, one stored copy per recipient; unknown recipients are returned, not fatal. */
  async sendBatch(
    app: AppId,
    input: Omit<SendInput, 'to'>,
    to: string[],
  ): Promise<{ msgKey: string; unknown: string[] }> {
    const recipients = [...new Set(to)];
    const existing = await this.store.existingAccounts(app, [input.from, ...recipients]);
    if (!existing.has(input.from))
      throw new ApiError(ErrorCode.FROM_ACCOUNT_INVALID, (n) => `${n.sender} ${input.from} does not exist`, 'sender');
    const known = recipients.filter((u) => existing.has(u));
    const unknown = recipients.filter((u) => !existing.has(u));
    if (known.length === 0)
      throw new ApiError(
        ErrorCode.TO_ACCOUNT_NOT_FOUND,
        (n) => `invalid ${n.recipient}: none of the recipients exist`,
        'recipient',
      );
    const time = nowSeconds(this.clock);
    const seq = input.seq ?? randomInt(0, U32_MAX);
    const ms = known.map((u) => this.newMessage({ ...input, to: u }, u, time, seq, 'batchsendmsg'));
    const results = await this.store.appendMessages(app, ms);
    ms.forEach((m, i) => this.published(app, m, results[i]!, [m.to]));
    return { msgKey: msgKeyOf({ seq, random: input.random, time }), unknown };
  }

  async import(app: AppId, input: ImportInput): Promise<{ msgKey: string; duplicate: boolean }> {
    await this.requireAccounts(
      app,
      ['sender', input.from, ErrorCode.FROM_ACCOUNT_INVALID],
      ['recipient', input.to, ErrorCode.TO_ACCOUNT_NOT_FOUND],
    );
    const seq = input.seq ?? randomInt(0, U32_MAX);
    const ref = { from: input.from, to: input.to, seq, random: input.random, time: input.time };
    // Imported messages are de-duplicated by their key in either direction and never overwritten.
    const earlier = await this.store.findImported(app, ref);
    if (earlier) return { msgKey: msgKeyOf(earlier), duplicate: true };
    const realTime = input.syncFromOldSystem === 5;
    const now = nowSeconds(this.clock);
    const m: NewMessage = {
      ...ref,
      body: input.body,
      cloudCustomData: input.cloudCustomData ?? '',
      origin: 'importmsg',
      senderRoams: true,
      onlineOnly: false,
      countsUnread: realTime,
      updatesLastMessage: true,
      markRead: !realTime,
      needReadReceipt: false,
      supportExtension: false,
      lifeTime: MAX_MESSAGE_LIFETIME_SECONDS,
      queueUntil: now + MAX_MESSAGE_LIFETIME_SECONDS,
      deliverTo: realTime ? [input.to] : [],
    };
    const r = await this.store.appendMessage(app, m);
    this.published(app, m, r, []);
    return { msgKey: msgKeyOf(r.message), duplicate: r.duplicate };
  }

  async history(app: AppId, q: HistoryInput): Promise<HistoryResult> {
    await this.requireAccounts(
      app,
      ['operator', q.owner, ErrorCode.FROM_ACCOUNT_INVALID],
      ['peer', q.peer, ErrorCode.TO_ACCOUNT_INVALID],
    );
    let before: { time: number; seq: number; id: number } | undefined;
    if (q.lastMsgKey !== undefined && q.lastMsgKey !== '') {
      const k = parseMsgKey(q.lastMsgKey);
      if (!k)
        throw new ApiError(
          ErrorCode.MSG_JSON_INVALID,
          (n) => `${n.lastMsgKey} ${JSON.stringify(q.lastMsgKey!.slice(0, 60))} is not a MsgKey`,
          'lastMsgKey',
        );
      const anchor = await this.continuationAnchor(app, q.owner, q.peer, k);
      if (!anchor)
        throw new ApiError(
          ErrorCode.MSG_JSON_INVALID,
          (n) => `${n.lastMsgKey} does not name a message of this conversation`,
          'lastMsgKey',
        );
      before = { time: anchor.time, seq: anchor.seq, id: anchor.id };
    }
    if (q.minTime > q.maxTime) return { messages: [], complete: true };
    const page: HistoryPage = await this.store.history(app, {
      owner: q.owner,
      peer: q.peer,
      minTime: q.minTime,
      maxTime: q.maxTime,
      limit: Math.min(q.maxCnt, MAX_PAGE_ROWS),
      ...(before ? { before } : {}),
    });
    const roam = (m: StoredMessage): RoamMessage => {
      const readerCursor = m.to === q.owner ? page.ownerRead : page.peerRead;
      return { message: m, msgKey: msgKeyOf(m), isPeerRead: m.preRead || m.receiptRead || isReadBy(m, readerCursor) };
    };
    // Keep the answer within Tencent's size cap; always at least one message.
    const out: RoamMessage[] = []; // newest first until the end
    let bytes = 0;
    let cut = false;
    for (const m of page.messages) {
      // Counted in UTF-8 bytes of the wire form: counting UTF-16 units of the body alone let a page
      // of CJK text grow to twice the cap.
      const size = wireBytes(m);
      if (out.length > 0 && bytes + size > PAGE_BYTES - PAGE_ENVELOPE_BYTES) {
        cut = true;
        break;
      }
      bytes += size;
      out.push(roam(m));
    }
    let complete = !cut && !page.more;
    if (!complete) complete = await this.settlePageEnd(app, q, out, roam);
    return { messages: out.reverse(), complete };
  }

  /**
   * The message a LastMsgKey continues below. A MsgKey names no direction, so alice→bob and
   * bob→alice may share one within a second: of those, the earlier in history order.
   */
  private async continuationAnchor(
    app: AppId,
    owner: string,
    peer: string,
    k: MsgKeyParts,
  ): Promise<StoredMessage | undefined> {
    const key = { seq: k.seq, random: k.random, time: k.time };
    const [a, b] = await Promise.all([
      this.store.findMessage(app, { from: owner, to: peer, ...key }),
      this.store.findMessage(app, { from: peer, to: owner, ...key }),
    ]);
    return a && b ? (a.id < b.id ? a : b) : (a ?? b);
  }

  /**
   * An incomplete page must not end on a message whose key also names an earlier one (the other
   * direction's twin): the next page would continue below the twin and skip what lies between.
   * Such a page ends above that group instead, or, when the group is all it holds, takes the group
   * down to the twin (then it may hold more than MaxCnt). `out` is newest first; returns Complete.
   */
  private async settlePageEnd(
    app: AppId,
    q: HistoryInput,
    out: RoamMessage[],
    roam: (m: StoredMessage) => RoamMessage,
  ): Promise<boolean> {
    const inGroup = (m: StoredMessage, x: StoredMessage, anchorId: number) =>
      m.time === x.time && m.seq === x.seq && m.id >= anchorId;
    for (;;) {
      const oldest = out[out.length - 1]!.message;
      const anchor = await this.continuationAnchor(app, q.owner, q.peer, oldest);
      if (!anchor || anchor.id >= oldest.id) return false;
      let keep = out.length;
      while (keep > 0 && inGroup(out[keep - 1]!.message, oldest, anchor.id)) keep--;
      if (keep > 0) {
        out.length = keep; // end above the group; the next page starts with it
        continue;
      }
      const rest = await this.store.history(app, {
        owner: q.owner,
        peer: q.peer,
        minTime: q.minTime,
        maxTime: q.maxTime,
        limit: MAX_PAGE_ROWS,
        before: { time: oldest.time, seq: oldest.seq, id: oldest.id },
      });
      const group = rest.messages.filter((m) => inGroup(m, oldest, anchor.id));
      if (group.length === 0) return false; // nothing visible between: continuing below the twin skips nothing
      out.push(...group.map(roam));
      if (group.length === rest.messages.length && !rest.more) return true;
    }
  }

  async recall(
    app: AppId,
    ref: MessageRef,
    by: string,
    via: 'admin' | 'client',
    caller: CallOrigin = REST_ORIGIN,
  ): Promise<{ message: StoredMessage; recipientUnread: number }> {
    await this.requireAccounts(
      app,
      ['sender', ref.from, ErrorCode.FROM_ACCOUNT_INVALID],
      ['recipient', ref.to, ErrorCode.TO_ACCOUNT_INVALID],
    );
    const after = this.callbacks?.afterRecall(app, ref, caller);
    const r = await this.store.recallMessage(
      app,
      recallRequest({ ref, by, via, at: nowSeconds(this.clock), ...(after ? { callbacks: [after] } : {}) }),
    );
    if (after) this.callbacks?.written();
    if (r.outcome === 'not_found') throw noSuchMessage();
    if (r.outcome === 'already_recalled')
      throw new ApiError(ErrorCode.MESSAGE_ALREADY_RECALLED, 'the message has already been recalled');
    this.metrics?.recalls.inc({ via });
    this.notify(app, [ref.from, ref.to]);
    return { message: r.message, recipientUnread: r.recipientUnread };
  }

  /**
   * A client recalling its own message: only the sender, only within the window (20016 after).
   * Someone else's message is "no such message" for this sender (20022).
   */
  async recallAsSender(
    app: AppId,
    ref: MessageRef,
    windowSeconds: number,
    caller: CallOrigin = REST_ORIGIN,
  ): Promise<{ message: StoredMessage; recipientUnread: number }> {
    const m = await this.store.findMessage(app, ref);
    if (!m) {
      const reverse = await this.store.findMessage(app, { ...ref, from: ref.to, to: ref.from });
      throw new ApiError(
        ErrorCode.MESSAGE_NOT_FOUND,
        reverse ? 'only the sender may recall a message' : 'no such message: check the peer and MsgKey',
        'msgKey',
      );
    }
    if (m.recalled) throw new ApiError(ErrorCode.MESSAGE_ALREADY_RECALLED, 'the message has already been recalled');
    if (nowSeconds(this.clock) - m.time > windowSeconds) {
      throw new ApiError(
        ErrorCode.RECALL_WINDOW_PASSED,
        `the recall window of ${windowSeconds} s has passed; an admin can still recall it`,
      );
    }
    return this.recall(app, ref, ref.from, 'client', caller);
  }

  async modify(
    app: AppId,
    ref: MessageRef,
    change: { body?: MsgElement[]; cloudCustomData?: string },
  ): Promise<StoredMessage> {
    await this.requireAccounts(
      app,
      ['sender', ref.from, ErrorCode.FROM_ACCOUNT_INVALID],
      ['recipient', ref.to, ErrorCode.TO_ACCOUNT_INVALID],
    );
    const r = await this.store.modifyMessage(app, modifyRequest(ref, change, nowSeconds(this.clock)));
    if (r.outcome === 'not_found') throw noSuchMessage();
    if (r.outcome === 'recalled')
      throw new ApiError(ErrorCode.MESSAGE_ALREADY_RECALLED, 'a recalled message cannot be modified');
    this.notify(app, [ref.from, ref.to]);
    return r.message;
  }

  async setRead(
    app: AppId,
    owner: string,
    peer: string,
    readTime?: number,
    caller: CallOrigin = REST_ORIGIN,
  ): Promise<ReadResult> {
    await this.requireAccounts(
      app,
      ['reporter', owner, ErrorCode.FROM_ACCOUNT_INVALID],
      ['peer', peer, ErrorCode.TO_ACCOUNT_INVALID],
    );
    const now = nowSeconds(this.clock);
    const after = this.callbacks?.afterRead(app, owner, peer, readTime ?? now, caller);
    const r = await this.store.setRead(app, readRequest(owner, peer, readTime, now, after ? [after] : undefined));
    if (after) this.callbacks?.written();
    this.notify(app, [owner, peer]);
    return r;
  }

  async unread(
    app: AppId,
    owner: string,
    peers?: string[],
  ): Promise<{ total: number; perPeer: Array<{ peer: string; unread: number }>; unknown: string[] }> {
    const uniquePeers = [...new Set(peers ?? [])];
    const existing = await this.store.existingAccounts(app, [owner, ...uniquePeers]);
    if (!existing.has(owner))
      throw new ApiError(ErrorCode.TO_ACCOUNT_INVALID, (n) => `${n.owner} ${owner} does not exist`, 'owner');
    const total = await this.store.totalUnread(app, owner);
    const perPeer: Array<{ peer: string; unread: number }> = [];
    const unknown: string[] = [];
    for (const p of peers ?? []) {
      if (!existing.has(p)) unknown.push(p);
      else perPeer.push({ peer: p, unread: (await this.store.conversation(app, owner, p))?.unread ?? 0 });
    }
    return { total, perPeer, unknown };
  }

  /** Each [role, UserID, code]: the code of the first account that does not exist. */
  private async requireAccounts(app: AppId, ...checks: Array<[FieldRole, string, number]>): Promise<void> {
    const existing = await this.store.existingAccounts(
      app,
      checks.map((c) => c[1]),
    );
    for (const [role, user, code] of checks) {
      if (!existing.has(user)) throw new ApiError(code, (n) => `${n[role]} ${user} does not exist`, role);
    }
  }
}

export { EVENT_RETENTION_SECONDS };

/** 20022 for a message that is not there as (sender, recipient, MsgKey). */
const noSuchMessage = (): ApiError =>
  new ApiError(
    ErrorCode.MESSAGE_NOT_FOUND,
    (n) => `no such message: check ${n.sender}, ${n.recipient} and ${n.msgKey}`,
    'msgKey',
  );
