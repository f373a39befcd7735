// The SDK's local state and every rule that changes it: events from the user's sequence (applied
// once each, in seq order), a snapshot, and the answers to this device's own requests. Nothing here
// does I/O: each change returns Effects, which the chat instance persists and then emits.
import type { CacheCommit, CacheData } from './cache/types.js';
import {
  buildConversation,
  conversationIDOf,
  newConversationRecord,
  sortConversations,
  type Conversation,
  type ConversationRecord,
} from './conversation.js';
import {
  eraseContent,
  fromRecord,
  mergeWire,
  messageFromWire,
  messageID,
  metaOf,
  peerOf,
  setElements,
  toRecord,
  wireMessageID,
  elementFromWire,
  type Message,
  type RevokerInfo,
} from './message.js';
import {
  parseMsgKey,
  type ConversationDeleteData,
  type DeleteData,
  type ExtensionData,
  type ReadData,
  type ReceiptData,
  type RecallData,
  type WireConversation,
  type WireEvent,
  type WireExtension,
  type WireMessage,
} from '@parley/protocol';

/** What MESSAGE_EXTENSIONS_UPDATED / _DELETED carry (Tencent's web SDK). */
export interface ExtensionsUpdated {
  messageID: string;
  extensions: Array<{ key: string; value: string }>;
}
export interface ExtensionsDeleted {
  messageID: string;
  keyList: string[];
}

/** What MESSAGE_REVOKED carries for a message this device never held. */
export interface RevokedStub {
  ID: string;
  conversationID: string;
  conversationType: 'C2C';
  from: string;
  to: string;
  sequence: number;
  random: number;
  time: number;
  isRevoked: true;
  revoker: string;
  revokeReason: string;
  revokerInfo: RevokerInfo;
}

/** One message's read receipt, as MESSAGE_READ_RECEIPT_RECEIVED lists it (C2C form). */
export interface ReadReceipt {
  conversationID: string;
  messageID: string;
  userID: string;
  isPeerRead: true;
  timestamp: number;
}

/** A receipt event names at most this many messages (the server's limit per receipt). */
const MAX_RECEIPT_KEYS = 30;

/** The outcome of one change: what to persist and what to tell the app. */
export class Effects {
  readonly received: Message[] = [];
  readonly revoked: Array<Message | RevokedStub> = [];
  readonly modified: Message[] = [];
  readonly readByPeer: Message[] = [];
  /** Per-message read receipts from peers, for MESSAGE_READ_RECEIPT_RECEIVED. */
  readonly receipts: ReadReceipt[] = [];
  readonly extensionsUpdated: ExtensionsUpdated[] = [];
  readonly extensionsDeleted: ExtensionsDeleted[] = [];
  /** Messages whose record must be (re)written. */
  readonly messages = new Set<Message>();
  /** Peers whose conversation record must be (re)written. */
  readonly conversations = new Set<string>();
  /** Message IDs deleted from this user's view: forgotten by the cache. */
  readonly deletedMessages = new Set<string>();
  /** Peers whose conversation was deleted: forgotten by the cache. */
  readonly deletedConversations = new Set<string>();
  /** The conversation list (or an unread count) changed. */
  listChanged = false;
  cursorChanged = false;
  /** A snapshot replaced everything. */
  reset = false;

  get persistable(): boolean {
    return (
      this.reset ||
      this.cursorChanged ||
      this.messages.size > 0 ||
      this.conversations.size > 0 ||
      this.deletedMessages.size > 0 ||
      this.deletedConversations.size > 0
    );
  }
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function validWire(w: unknown): w is WireMessage {
  const m = w as WireMessage | undefined;
  return !!m && isStr(m.from) && isStr(m.to) && isNum(m.seq) && isNum(m.random) && isNum(m.time);
}

export class ChatState {
  readonly messages = new Map<string, Message>();
  readonly conversations = new Map<string, ConversationRecord>();
  private readonly byPeer = new Map<string, Set<string>>();
  /** Recalls this instance made: their events update the cache without MESSAGE_REVOKED. */
  private readonly ownRecalls = new Set<string>();
  cursor = 0;
  /** Server time (s) of the last commit; 0 when nothing was ever synced. */
  syncedAt = 0;
  deviceId = '';

  constructor(readonly me: string) {}

  // ---- loading and persisting --------------------------------------------------------------

  load(d: CacheData): void {
    this.deviceId = d.deviceId;
    this.cursor = d.cursor;
    this.syncedAt = d.syncedAt;
    for (const r of d.conversations) this.conversations.set(r.peer, { ...newConversationRecord(r.peer), ...r });
    for (const r of d.messages) this.addMessage(fromRecord(r, this.me));
  }

  /** Nothing synced yet: the device starts from a snapshot. */
  get isEmpty(): boolean {
    return this.syncedAt === 0;
  }

  static persistable(m: Message): boolean {
    return m.status === 'success' && !metaOf(m).onlineOnly;
  }

  /** The cache commit for these effects: the cursor always travels with the state it produced. */
  commitFor(fx: Effects): CacheCommit {
    const c: CacheCommit = { cursor: this.cursor, syncedAt: this.syncedAt, deviceId: this.deviceId };
    if (fx.reset) c.reset = true;
    const convs = [...fx.conversations]
      .map((p) => this.conversations.get(p))
      .filter((r): r is ConversationRecord => !!r);
    if (convs.length) c.conversations = convs.map((r) => ({ ...r }));
    const msgs = [...fx.messages].filter(ChatState.persistable);
    if (msgs.length) c.messages = msgs.map(toRecord);
    if (fx.deletedMessages.size) c.deletedMessages = [...fx.deletedMessages];
    if (fx.deletedConversations.size) c.deletedConversations = [...fx.deletedConversations];
    return c;
  }

  // ---- lookups --------------------------------------------------------------------------

  addMessage(m: Message): void {
    this.messages.set(m.ID, m);
    const peer = peerOf(m, this.me);
    let ids = this.byPeer.get(peer);
    if (!ids) this.byPeer.set(peer, (ids = new Set()));
    ids.add(m.ID);
  }

  private dropMessage(m: Message): void {
    this.messages.delete(m.ID);
    this.byPeer.get(peerOf(m, this.me))?.delete(m.ID);
  }

  messagesOf(peer: string): Message[] {
    const out: Message[] = [];
    for (const id of this.byPeer.get(peer) ?? []) {
      const m = this.messages.get(id);
      if (m) out.push(m);
    }
    return out;
  }

  private ensureConversation(peer: string, fx: Effects): ConversationRecord {
    let c = this.conversations.get(peer);
    if (!c) this.conversations.set(peer, (c = newConversationRecord(peer)));
    fx.conversations.add(peer);
    fx.listChanged = true;
    return c;
  }

  conversationList(): Conversation[] {
    const updated = new Map<string, number>();
    const list = [...this.conversations.values()].map((r) => {
      const conv = buildConversation(r, r.lastMessageID ? this.messages.get(r.lastMessageID) : undefined);
      updated.set(conv.conversationID, r.updatedAt);
      return conv;
    });
    return sortConversations(list, (c) => updated.get(c.conversationID) ?? 0);
  }

  conversation(peer: string): Conversation | undefined {
    const r = this.conversations.get(peer);
    return r ? buildConversation(r, r.lastMessageID ? this.messages.get(r.lastMessageID) : undefined) : undefined;
  }

  totalUnread(): number {
    let n = 0;
    for (const c of this.conversations.values()) n += c.unread;
    return n;
  }

  // ---- events -----------------------------------------------------------------------------

  /** Applies events in seq order; any at or below the cursor has been applied already. */
  applyEvents(events: WireEvent[], fx = new Effects()): Effects {
    const sorted = events.filter((e) => e && Number.isSafeInteger(e.seq)).sort((a, b) => a.seq - b.seq);
    for (const e of sorted) {
      if (e.seq <= this.cursor) continue;
      switch (e.kind) {
        case 'message':
          this.onMessage(e, fx);
          break;
        case 'recall':
          this.onRecall(e, fx);
          break;
        case 'read':
          this.onRead(e, fx);
          break;
        case 'modify':
          this.onModify(e, fx);
          break;
        case 'receipt':
          this.onReceipt(e, fx);
          break;
        case 'delete':
          this.onDelete(e, fx);
          break;
        case 'conversation_delete':
          this.onConversationDelete(e, fx);
          break;
        case 'extension':
          this.onExtension(e, fx);
          break;
        default:
          break; // a kind this SDK does not know: skipped, but the cursor moves past it
      }
      this.cursor = e.seq;
      fx.cursorChanged = true;
    }
    return fx;
  }

  private onMessage(e: WireEvent, fx: Effects): void {
    const w = e.message;
    if (!validWire(w)) return;
    const id = wireMessageID(w);
    let m = this.messages.get(id);
    const known = m !== undefined;
    if (m) {
      if (w.recalled && !m.isRevoked) this.revoke(m, w.recalled.by, fx);
      mergeWire(m, w);
    } else {
      m = messageFromWire(w, this.me);
      this.addMessage(m);
    }
    metaOf(m).eventSeq = e.seq;
    const conv = this.ensureConversation(peerOf(m, this.me), fx);
    if (m.flow === 'in') this.countArrival(m, conv);
    this.maybeLast(conv, m);
    fx.messages.add(m);
    const fromThisDevice = e.originDevice !== undefined && e.originDevice === this.deviceId;
    if (!known && !fromThisDevice && !m.isRevoked) fx.received.push(m);
  }

  /**
   * A message that arrives after the conversation's read time was set is unread unless it is
   * older than that time: with the read event applied before it, this matches the server's
   * (time, id) read cursor.
   */
  private countArrival(m: Message, conv: ConversationRecord): void {
    const meta = metaOf(m);
    if (meta.unreadCounted) return;
    if (m.time < conv.readTime) {
      m.isRead = true;
      return;
    }
    m.isRead = false;
    if (meta.countsUnread && !m.isRevoked) {
      meta.unreadCounted = true;
      conv.unread += 1;
    }
  }

  private maybeLast(conv: ConversationRecord, m: Message): void {
    if (metaOf(m).onlineOnly) return;
    const cur = conv.lastMessageID ? this.messages.get(conv.lastMessageID) : undefined;
    if (!cur || m.time >= cur.time) conv.lastMessageID = m.ID;
    conv.updatedAt = Math.max(conv.updatedAt, m.time);
  }

  private onRecall(e: WireEvent, fx: Effects): void {
    const d = e.data as Partial<RecallData> | undefined;
    if (!d || !isStr(d.from) || !isStr(d.to) || !isStr(d.msgKey)) return;
    const key = parseMsgKey(d.msgKey);
    if (!key) return;
    const by = isStr(d.by) ? d.by : '';
    const id = messageID(d.from, d.to, key.seq, key.random);
    const m = this.messages.get(id);
    if (m) {
      this.revoke(m, by, fx);
      if (!this.ownRecalls.has(id)) fx.revoked.push(m);
      return;
    }
    // Never held here: either its message event was dropped by the recall before this device
    // synced it (never counted), or it predates this device's snapshot and is among the unread
    // messages the snapshot counted without sending them.
    const peer = d.from === this.me ? d.to : d.from;
    const conv = this.conversations.get(peer);
    if (
      conv &&
      d.to === this.me &&
      d.from !== this.me &&
      conv.uncachedUnread > 0 &&
      key.time <= conv.snapshotAt &&
      key.time > conv.readTime
    ) {
      conv.uncachedUnread -= 1;
      conv.unread = Math.max(0, conv.unread - 1);
      fx.conversations.add(peer);
      fx.listChanged = true;
    }
    // Every device ends with the same conversation: the recalled message's tombstone (keys, times,
    // who recalled it; no content) in the history and, if it is the newest, as the last message.
    const at = typeof d.at === 'number' ? d.at : key.time;
    const tombstone = messageFromWire(
      {
        from: d.from,
        to: d.to,
        seq: key.seq,
        random: key.random,
        time: key.time,
        msgKey: d.msgKey,
        body: [],
        cloudCustomData: '',
        recalled: { by, at },
        countsUnread: false,
      },
      this.me,
    );
    tombstone.isRead = true;
    this.addMessage(tombstone);
    this.maybeLast(this.ensureConversation(peer, fx), tombstone);
    fx.messages.add(tombstone);
    fx.revoked.push({
      ID: id,
      conversationID: conversationIDOf(peer),
      conversationType: 'C2C',
      from: d.from,
      to: d.to,
      sequence: key.seq,
      random: key.random,
      time: key.time,
      isRevoked: true,
      revoker: by,
      revokeReason: '',
      revokerInfo: { userID: by, nick: '', avatar: '' },
    });
  }

  /** Erases the content, marks it recalled and takes it out of the unread count. */
  private revoke(m: Message, by: string, fx: Effects): void {
    const meta = metaOf(m);
    const conv = this.conversations.get(peerOf(m, this.me));
    if (!m.isRevoked) eraseContent(m, by);
    // Extension values are content too.
    this.forgetExtensions(m.ID);
    if (meta.unreadCounted) {
      meta.unreadCounted = false;
      if (conv) conv.unread = Math.max(0, conv.unread - 1);
    }
    fx.messages.add(m);
    if (conv) {
      fx.conversations.add(conv.peer);
      fx.listChanged = true;
    }
  }

  /** The peer sent read receipts for messages I sent: they become peer-read, and the app is told. */
  private onReceipt(e: WireEvent, fx: Effects): void {
    const d = e.data as Partial<ReceiptData> | undefined;
    if (!d || d.from !== this.me || !isStr(d.reader) || !Array.isArray(d.msgKeys)) return;
    const at = isNum(d.at) ? d.at : e.at;
    for (const key of d.msgKeys.slice(0, MAX_RECEIPT_KEYS)) {
      const k = isStr(key) ? parseMsgKey(key) : undefined;
      if (!k) continue;
      const messageID = wireMessageID({ from: this.me, to: d.reader, seq: k.seq, random: k.random });
      const m = this.messages.get(messageID);
      if (m && m.flow === 'out') {
        m.isPeerRead = true;
        m.readReceiptInfo = { ...m.readReceiptInfo, isPeerRead: true, readCount: 1, unreadCount: 0, timestamp: at };
        fx.messages.add(m);
      }
      fx.receipts.push({
        conversationID: conversationIDOf(d.reader),
        messageID,
        userID: d.reader,
        isPeerRead: true,
        timestamp: at,
      });
    }
  }

  // ---- extensions -------------------------------------------------------------------------

  /**
   * Each message's extensions as this device last saw them, with their Seq (sent back on a
   * change, so a stale view fails with 23001 instead of overwriting). Kept in memory only: a
   * recall erases them, and getMessageExtensions reads them afresh.
   */
  private readonly extensionsOf = new Map<string, Map<string, WireExtension>>();

  extensionSeq(messageID: string, key: string): number {
    return this.extensionsOf.get(messageID)?.get(key)?.seq ?? 0;
  }

  /** Takes pairs as the server has them (an answer, a page); value '' after a delete is dropped. */
  noteExtensions(messageID: string, pairs: WireExtension[], replace = false): void {
    if (this.messages.get(messageID)?.isRevoked) return;
    let map = this.extensionsOf.get(messageID);
    if (!map || replace) {
      map = new Map();
      this.extensionsOf.set(messageID, map);
    }
    // An answer may arrive after the event of a later change: the higher Seq wins.
    for (const p of pairs) if (p.seq >= (map.get(p.key)?.seq ?? 0)) map.set(p.key, p);
  }

  forgetExtensions(messageID: string, keys?: string[]): void {
    if (!keys) this.extensionsOf.delete(messageID);
    else for (const k of keys) this.extensionsOf.get(messageID)?.delete(k);
  }

  extensionsHeld(messageID: string): WireExtension[] {
    return [...(this.extensionsOf.get(messageID)?.values() ?? [])];
  }

  private onExtension(e: WireEvent, fx: Effects): void {
    const d = e.data as Partial<ExtensionData> | undefined;
    if (!d || !isStr(d.from) || !isStr(d.to) || !isStr(d.msgKey) || !Array.isArray(d.extensions)) return;
    const key = parseMsgKey(d.msgKey);
    if (!key) return;
    const id = messageID(d.from, d.to, key.seq, key.random);
    if (this.messages.get(id)?.isRevoked) return;
    const pairs = d.extensions.filter((p): p is WireExtension => !!p && isStr(p.key) && isStr(p.value) && isNum(p.seq));
    if (d.operation === 'set') {
      this.noteExtensions(id, pairs);
      fx.extensionsUpdated.push({ messageID: id, extensions: pairs.map((p) => ({ key: p.key, value: p.value })) });
    } else if (d.operation === 'delete') {
      this.forgetExtensions(
        id,
        pairs.map((p) => p.key),
      );
      fx.extensionsDeleted.push({ messageID: id, keyList: pairs.map((p) => p.key) });
    } else if (d.operation === 'clear') {
      const keyList = this.extensionsHeld(id).map((p) => p.key);
      this.forgetExtensions(id);
      fx.extensionsDeleted.push({ messageID: id, keyList });
    }
  }

  private onRead(e: WireEvent, fx: Effects): void {
    const d = e.data as Partial<ReadData> | undefined;
    if (!d || !isStr(d.owner) || !isStr(d.peer) || !isNum(d.readTime)) return;
    if (d.owner === this.me) this.applyMyRead(d.peer, d.readTime, isNum(d.unread) ? d.unread : undefined, fx);
    else if (d.peer === this.me) this.applyPeerRead(d.owner, d.readTime, e.seq, fx);
  }

  /** I (on any device) read the conversation up to readTime. */
  private applyMyRead(peer: string, readTime: number, unread: number | undefined, fx: Effects): void {
    const conv = this.ensureConversation(peer, fx);
    conv.readTime = Math.max(conv.readTime, readTime);
    let counted = 0;
    for (const m of this.messagesOf(peer)) {
      if (m.flow !== 'in') continue;
      const meta = metaOf(m);
      if (m.time <= readTime && (!m.isRead || meta.unreadCounted)) {
        m.isRead = true;
        meta.unreadCounted = false;
        fx.messages.add(m);
      }
      if (meta.unreadCounted) counted += 1;
    }
    if (unread !== undefined) conv.uncachedUnread = Math.max(0, unread - counted);
    else if (readTime >= conv.snapshotAt) conv.uncachedUnread = 0;
    conv.unread = counted + conv.uncachedUnread;
  }

  /** The peer read my messages up to readTime (event `seq`). */
  private applyPeerRead(peer: string, readTime: number, seq: number, fx: Effects): void {
    const conv = this.ensureConversation(peer, fx);
    conv.peerReadTime = Math.max(conv.peerReadTime, readTime);
    for (const m of this.messagesOf(peer)) {
      if (m.flow !== 'out' || m.isPeerRead || m.status !== 'success') continue;
      const eventSeq = metaOf(m).eventSeq;
      // Same second as the read: only messages stored before it (their event came first).
      if (m.time < readTime || (m.time === readTime && eventSeq > 0 && eventSeq < seq)) {
        m.isPeerRead = true;
        m.readReceiptInfo = {
          ...m.readReceiptInfo,
          isPeerRead: true,
          readCount: 1,
          unreadCount: 0,
          timestamp: readTime,
        };
        fx.messages.add(m);
        fx.readByPeer.push(m);
      }
    }
  }

  private onModify(e: WireEvent, fx: Effects): void {
    const w = e.message;
    if (!validWire(w)) return;
    let m = this.messages.get(wireMessageID(w));
    if (!m) {
      m = messageFromWire(w, this.me);
      this.addMessage(m);
      const conv = this.ensureConversation(peerOf(m, this.me), fx);
      if (!conv.lastMessageID) this.maybeLast(conv, m);
    } else if (!m.isRevoked) {
      if (w.recalled) this.revoke(m, w.recalled.by, fx);
      else {
        setElements(m, (w.body ?? []).map(elementFromWire));
        m.cloudCustomData = isStr(w.cloudCustomData) ? w.cloudCustomData : '';
      }
    }
    fx.messages.add(m);
    if (!m.isRevoked) {
      m.isModified = true;
      m.version += 1;
      fx.modified.push(m);
    }
    const conv = this.conversations.get(peerOf(m, this.me));
    if (conv && conv.lastMessageID === m.ID) {
      fx.conversations.add(conv.peer);
      fx.listChanged = true;
    }
  }

  /** Messages I deleted (on any device): they leave this device's memory and cache. */
  private onDelete(e: WireEvent, fx: Effects): void {
    const d = e.data as Partial<DeleteData> | undefined;
    if (!d || d.owner !== this.me || !Array.isArray(d.messages)) return;
    for (const x of d.messages) {
      if (!x || !isStr(x.from) || !isStr(x.to) || !isStr(x.msgKey)) continue;
      const key = parseMsgKey(x.msgKey);
      const m = key ? this.messages.get(messageID(x.from, x.to, key.seq, key.random)) : undefined;
      if (m) this.forget(m, fx);
    }
  }

  private onConversationDelete(e: WireEvent, fx: Effects): void {
    const d = e.data as Partial<ConversationDeleteData> | undefined;
    if (!d || d.owner !== this.me || !isStr(d.peer)) return;
    this.forgetConversation(d.peer, d.clearHistory === true, fx);
  }

  /** A message deleted from my view: out of the unread count, memory and cache; flagged isDeleted. */
  private forget(m: Message, fx: Effects): void {
    const meta = metaOf(m);
    const conv = this.conversations.get(peerOf(m, this.me));
    if (conv) {
      if (meta.unreadCounted) conv.unread = Math.max(0, conv.unread - 1);
      // The conversation stays, without the deleted message's content (as on the server).
      if (conv.lastMessageID === m.ID) conv.lastMessageID = null;
      fx.conversations.add(conv.peer);
      fx.listChanged = true;
    }
    meta.unreadCounted = false;
    m.isDeleted = true;
    this.dropMessage(m);
    fx.messages.delete(m);
    fx.deletedMessages.add(m.ID);
  }

  /** My side of a conversation was deleted: it leaves the list, its messages count as read. */
  private forgetConversation(peer: string, clearHistory: boolean, fx: Effects): void {
    for (const m of this.messagesOf(peer)) {
      if (m.status !== 'success') continue;
      if (clearHistory) {
        this.forget(m, fx);
        continue;
      }
      const meta = metaOf(m);
      if (m.flow === 'in' && (!m.isRead || meta.unreadCounted)) {
        m.isRead = true;
        meta.unreadCounted = false;
        fx.messages.add(m);
      }
    }
    if (this.conversations.delete(peer)) fx.listChanged = true;
    fx.conversations.delete(peer);
    fx.deletedConversations.add(peer);
  }

  // ---- snapshot ------------------------------------------------------------------------------

  /** Replaces everything with the server's conversation list as of `lastSeq`. */
  applySnapshot(convs: WireConversation[], lastSeq: number, serverTime: number): Effects {
    const fx = new Effects();
    fx.reset = true;
    fx.listChanged = true;
    fx.cursorChanged = true;
    this.messages.clear();
    this.byPeer.clear();
    this.conversations.clear();
    for (const wc of convs) {
      if (!wc || !isStr(wc.peer)) continue;
      const r = newConversationRecord(wc.peer);
      r.unread = isNum(wc.unread) ? wc.unread : 0;
      r.readTime = isNum(wc.readTime) ? wc.readTime : 0;
      r.peerReadTime = isNum(wc.peerReadTime) ? wc.peerReadTime : 0;
      r.updatedAt = isNum(wc.updatedAt) ? wc.updatedAt : 0;
      r.snapshotAt = serverTime;
      let counted = 0;
      if (validWire(wc.lastMessage)) {
        const m = messageFromWire(wc.lastMessage, this.me);
        if (m.flow === 'in') {
          const meta = metaOf(m);
          // The server's read cursor covers a prefix of the conversation: with anything unread,
          // the newest message (if it counts) is unread.
          if (!m.isRevoked && meta.countsUnread && r.unread > 0 && m.time >= r.readTime) {
            meta.unreadCounted = true;
            m.isRead = false;
            counted = 1;
          } else {
            m.isRead = true;
          }
        }
        this.addMessage(m);
        r.lastMessageID = m.ID;
        fx.messages.add(m);
      }
      r.uncachedUnread = Math.max(0, r.unread - counted);
      this.conversations.set(r.peer, r);
      fx.conversations.add(r.peer);
    }
    this.cursor = lastSeq;
    return fx;
  }

  // ---- this device's own requests ---------------------------------------------------------

  /** A message handed to sendMessage: held in memory (not persisted) until the server has it. */
  registerOutgoing(m: Message): void {
    this.addMessage(m);
  }

  /** The send answer: the server's copy of the message. */
  applySent(m: Message, w: WireMessage, fx = new Effects()): Effects {
    const id = wireMessageID(w);
    if (id !== m.ID) {
      this.dropMessage(m);
      m.ID = id;
    }
    const held = this.messages.get(id);
    if (held && held !== m) {
      // An event built its own copy first: keep the app's object, with what the event knew.
      if (held.isRevoked && !m.isRevoked) eraseContent(m, held.revoker);
      Object.assign(metaOf(m), { eventSeq: metaOf(held).eventSeq });
      this.dropMessage(held);
    }
    if (w.recalled && !m.isRevoked) this.revoke(m, w.recalled.by, fx);
    mergeWire(m, w);
    this.addMessage(m);
    if (!metaOf(m).onlineOnly) {
      const conv = this.ensureConversation(peerOf(m, this.me), fx);
      this.maybeLast(conv, m);
    }
    fx.messages.add(m);
    return fx;
  }

  /** revokeMessage is asking the server: its recall event must not raise MESSAGE_REVOKED here. */
  expectOwnRecall(id: string): void {
    this.ownRecalls.add(id);
  }

  cancelOwnRecall(id: string): void {
    this.ownRecalls.delete(id);
  }

  /** revokeMessage succeeded: erase here; the recall event that follows stays silent. */
  applyOwnRecall(m: Message, fx = new Effects()): Effects {
    this.ownRecalls.add(m.ID);
    this.revoke(m, this.me, fx);
    return fx;
  }

  /** setMessageRead's answer. */
  applyOwnRead(peer: string, readTime: number, unread: number, fx = new Effects()): Effects {
    this.applyMyRead(peer, readTime, unread, fx);
    return fx;
  }

  /** deleteMessage succeeded: the messages leave here at once (their event, later, finds nothing). */
  applyOwnDelete(messages: Message[], fx = new Effects()): Effects {
    for (const m of messages) if (this.messages.get(m.ID) === m) this.forget(m, fx);
    return fx;
  }

  /** deleteConversation succeeded for this peer. */
  applyOwnConversationDelete(peer: string, clearHistory: boolean, fx = new Effects()): Effects {
    this.forgetConversation(peer, clearHistory, fx);
    return fx;
  }

  /** A history page from the server, oldest first: merged into what is held. */
  mergeHistory(peer: string, wires: WireMessage[], fx = new Effects()): Message[] {
    const conv = this.conversations.get(peer);
    const out: Message[] = [];
    for (const w of wires) {
      if (!validWire(w)) continue;
      let m = this.messages.get(wireMessageID(w));
      if (m) {
        if (w.recalled && !m.isRevoked) this.revoke(m, w.recalled.by, fx);
        mergeWire(m, w);
      } else {
        m = messageFromWire(w, this.me);
        if (m.flow === 'in') {
          m.isRead = conv ? m.time <= conv.readTime : true;
          const meta = metaOf(m);
          // An unread message the snapshot counted without sending it: now it is held.
          if (conv && !m.isRead && meta.countsUnread && !m.isRevoked && conv.uncachedUnread > 0) {
            conv.uncachedUnread -= 1;
            meta.unreadCounted = true;
            fx.conversations.add(peer);
          }
        }
        this.addMessage(m);
      }
      fx.messages.add(m);
      out.push(m);
    }
    return out;
  }

  /** Messages held for a conversation, oldest first, for paging without the server. */
  heldPage(peer: string, before: Message | undefined, count: number): { messages: Message[]; complete: boolean } {
    const all = this.messagesOf(peer)
      .filter((m) => m.status === 'success')
      .sort((a, b) => a.time - b.time || a.sequence - b.sequence || (a.ID < b.ID ? -1 : 1));
    const end = before ? all.indexOf(before) : all.length;
    const upto = end < 0 ? all.length : end;
    const start = Math.max(0, upto - count);
    return { messages: all.slice(start, upto), complete: start === 0 };
  }
}
