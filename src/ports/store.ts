// The storage port. Every method is one atomic unit of work in the adapter's own transaction,
// expressed in the domain's words (account, message, conversation, recall, event). It is
// Promise-based so a networked database (PostgreSQL) fits the same contract as embedded SQLite;
// nothing above this file may assume a synchronous, in-process database.
// Every call is scoped by SDKAppID: apps never see each other's rows.
import type { MsgElement } from '@parley/protocol';

export type AppId = number;

export interface AccountInput {
  userId: string;
  nick?: string;
  faceUrl?: string;
}

/** A profile field's value: an integer for uint32 fields, a string otherwise. */
export type ProfileValue = string | number;

/** A user's profile as stored: nick and avatar (the account's own columns) and the other fields by tag. */
export interface StoredProfile {
  /** Undefined when never given. */
  nick?: string;
  faceUrl?: string;
  fields: Map<string, ProfileValue>;
}

/** One profile change, as the domain decided it: written all together or not at all. */
export interface ProfileWrite {
  userId: string;
  nick?: string;
  faceUrl?: string;
  /** Other fields to set, by tag; fields not named keep their values. */
  fields: Map<string, ProfileValue>;
  /** After-callbacks to write to the outbox in the same transaction. */
  callbacks?: CallbackEntry[];
}

/** A message's identity: sender, recipient and the three numbers of its MsgKey. */
export interface MessageRef {
  from: string;
  to: string;
  seq: number;
  random: number;
  time: number;
}

export type MessageOrigin = 'sendmsg' | 'batchsendmsg' | 'importmsg' | 'client';

export interface NewMessage extends MessageRef {
  body: MsgElement[];
  cloudCustomData: string;
  offlinePushInfo?: Record<string, unknown>;
  origin: MessageOrigin;
  /** Whether the message is in the sender's roaming history (SyncOtherMachine 2 leaves it out). */
  senderRoams: boolean;
  /** MsgLifeTime 0: pushed to online devices only; no history, no unread, no offline queue. */
  onlineOnly: boolean;
  /** Counted as unread for the recipient (false for NoUnread, import with SyncFromOldSystem 2). */
  countsUnread: boolean;
  /** Becomes the conversation's last message (false for NoLastMsg). */
  updatesLastMessage: boolean;
  /** importmsg SyncFromOldSystem 2: already read by the recipient. */
  markRead: boolean;
  needReadReceipt: boolean;
  supportExtension: boolean;
  /** Offline lifetime in seconds (0 for online-only). */
  lifeTime: number;
  /** Unix seconds until which the offline queue delivers it (its "message" events expire then). */
  queueUntil: number;
  /** Users whose event sequence gets a "message" event (the recipient; the sender when synced). */
  deliverTo: string[];
  /** The client device that sent it, so its own copy is not echoed back to it. */
  originDevice?: string;
  /** After-callbacks to write to the outbox in the same transaction. */
  callbacks?: CallbackEntry[];
}

export interface StoredMessage extends MessageRef {
  /** Storage id; internal, never on the wire. */
  id: number;
  body: MsgElement[];
  cloudCustomData: string;
  offlinePushInfo?: Record<string, unknown>;
  origin: MessageOrigin;
  senderRoams: boolean;
  onlineOnly: boolean;
  countsUnread: boolean;
  needReadReceipt: boolean;
  supportExtension: boolean;
  /** Imported as already read (importmsg SyncFromOldSystem 2). */
  preRead: boolean;
  /** Its recipient sent a read receipt for it (c2c_msg_read_receipt or a client's receipt). */
  receiptRead: boolean;
  lifeTime: number;
  recalled?: { by: string; at: number };
  /** Which parties deleted it from their own view (one-sided delete); absent when neither did. */
  deletedBy?: { sender: boolean; recipient: boolean };
}

export interface AppendResult {
  message: StoredMessage;
  /** True when the same message had been stored before; nothing was written. */
  duplicate: boolean;
  /** The recipient's total unread count after the write. */
  recipientUnread: number;
}

export interface RecallRequest {
  ref: MessageRef;
  /** Who recalled it: the admin identifier or the sender. */
  by: string;
  via: 'admin' | 'client';
  /** Unix seconds. */
  at: number;
  /** Take the message out of its recipient's unread counts if it is counted there (see "Counted unread" on Store). */
  uncountUnread: boolean;
  /** Appended, in this order, only if the message is recalled by this unit of work. */
  events: EventWrite[];
  /** After-callbacks to write to the outbox in the same transaction. */
  callbacks?: CallbackEntry[];
}

/** A third-party callback waiting in the durable outbox. */
export interface CallbackEntry {
  command: string;
  /** Entries with the same key are delivered in order (a conversation, or a user's state). */
  orderKey: string;
  body: Record<string, unknown>;
  /** ClientIP and OptPlatform query parameters. */
  query: Record<string, string>;
  /** When set, body.UnreadMsgNum becomes this user's total unread count as of the write. */
  unreadOf?: string;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface PendingCallback {
  id: number;
  app: AppId;
  command: string;
  body: Record<string, unknown>;
  query: Record<string, string>;
  /** Milliseconds since the epoch when it was written. */
  createdAt: number;
  attempts: number;
}

export type RecallResult =
  /** recipientUnread: the recipient's unread total after the write. */
  | { outcome: 'recalled'; message: StoredMessage; recipientUnread: number }
  | { outcome: 'not_found' }
  | { outcome: 'already_recalled'; message: StoredMessage };

export interface ModifyRequest {
  ref: MessageRef;
  body?: MsgElement[];
  cloudCustomData?: string;
  /** Appended, in this order, only if the message is modified by this unit of work. */
  events: EventWrite[];
}

export type ModifyResult =
  | { outcome: 'modified'; message: StoredMessage }
  | { outcome: 'not_found' }
  | { outcome: 'recalled' };

export interface HistoryQuery {
  owner: string;
  peer: string;
  minTime: number;
  maxTime: number;
  /** Rows to return at most. */
  limit: number;
  /** Continue strictly before this message in history order (time, seq, id descending). */
  before?: { time: number; seq: number; id: number };
}

export interface HistoryPage {
  /** Newest first. */
  messages: StoredMessage[];
  /** True when older messages in the range remain after these. */
  more: boolean;
  /** Read cursors of owner and peer in this conversation, for IsPeerRead. */
  ownerRead: ReadCursor;
  peerRead: ReadCursor;
}

/**
 * Where a user has read a conversation up to: a message at (time, id) is read when
 * (time, id) ≤ (time, id) of the cursor (isReadBy, src/ports/message-flags.ts; the adapters' SQL
 * mirrors it). The id half lets "read now" exclude messages that arrive later within the same second.
 */
export interface ReadCursor {
  time: number;
  id: number;
}

/**
 * A candidate read cursor, as the domain names it: 'second' reads every message whose time ≤
 * time (cursor (time, ∞)); 'stored' reads the messages stored so far whose time ≤ time, so one
 * arriving later within that second stays unread (cursor (time, the highest id stored so far)).
 */
export interface ReadMark {
  time: number;
  through: 'second' | 'stored';
}

/** Where a read mark left a conversation: its read time and what remains unread. */
export interface ReadOutcome {
  readTime: number;
  unread: number;
}

/**
 * Advances owner's read cursor of the conversation with peer to the later of the stored one and
 * `upTo` (isReadBy order): it never moves back. The conversation row is created (at `at`) if missing.
 */
export interface ReadRequest {
  owner: string;
  peer: string;
  upTo: ReadMark;
  at: number;
  /**
   * Called inside the unit of work only when the cursor moved, with where it is now; the events
   * it returns are appended in the same transaction.
   */
  eventsIfMoved: (outcome: ReadOutcome) => EventWrite[];
  /** After-callbacks to write to the outbox in the same transaction. */
  callbacks?: CallbackEntry[];
}

export interface ConversationRecord {
  owner: string;
  peer: string;
  /** Time of the last message that entered the owner's view; a recall or delete does not lower it. */
  lastTime: number;
  unread: number;
  /** Messages from the peer with time ≤ readTime are read. */
  readTime: number;
  /** The peer's read time, for read receipts. */
  peerReadTime: number;
  /** Absent when the owner deleted it (the conversation stays listed, without its content). */
  lastMessage?: StoredMessage;
  /** Unix seconds of the last change, for ordering. */
  updatedAt: number;
}

export interface ReadResult {
  unread: number;
  totalUnread: number;
  readTime: number;
}

export type UserEventKind =
  | 'message'
  | 'recall'
  | 'read'
  | 'modify'
  | 'receipt'
  | 'delete'
  | 'conversation_delete'
  | 'extension';

/** What a recall event tells a device: the message's key, who recalled it, how and when. */
export interface RecallNotice {
  from: string;
  to: string;
  msgKey: string;
  by: string;
  via: 'admin' | 'client';
  at: number;
}

/** What a modify event tells a device; the event also carries the message as it is now. */
export interface ModifyNotice {
  from: string;
  to: string;
  msgKey: string;
}

/** What a read event tells a device: the owner's new read time and what remains unread for it. */
export interface ReadNotice {
  owner: string;
  peer: string;
  readTime: number;
  unread: number;
}

/** What a receipt event tells a device: `reader` has read these messages `from` sent it. */
export interface ReceiptNotice {
  from: string;
  reader: string;
  msgKeys: string[];
  at: number;
}

/** What a delete event tells the owner's devices: these messages left the owner's view. */
export interface DeleteNotice {
  owner: string;
  peer: string;
  messages: Array<{ from: string; to: string; msgKey: string }>;
}

/** What a conversation-deleted event tells the owner's devices. */
export interface ConversationDeleteNotice {
  owner: string;
  peer: string;
  /** The history was cleared too (ClearRamble 1). */
  clearHistory: boolean;
}

/** What an extension event tells a device: the pairs one set/delete/clear wrote, at the message's new version. */
export interface ExtensionNotice {
  from: string;
  to: string;
  msgKey: string;
  operation: 'set' | 'delete' | 'clear';
  /** The message's extension version after the change. */
  seq: number;
  /** Set pairs with their value; deleted ones with value ''; [] for a clear. */
  extensions: ExtensionPair[];
}

/** An event's payload, keyed by its kind ('message' events carry the message, no payload). */
export type Notice =
  | { kind: 'recall'; payload: RecallNotice }
  | { kind: 'modify'; payload: ModifyNotice }
  | { kind: 'read'; payload: ReadNotice }
  | { kind: 'receipt'; payload: ReceiptNotice }
  | { kind: 'delete'; payload: DeleteNotice }
  | { kind: 'conversation_delete'; payload: ConversationDeleteNotice }
  | { kind: 'extension'; payload: ExtensionNotice };

/**
 * One event a unit of work appends to a user's sequence, as the domain decided it; the store
 * gives it the user's next seq. Recall and modify events reference the message of their unit of
 * work. A user without an account gets nothing.
 */
export type EventWrite = Notice & {
  user: string;
  /** Unix seconds the event is recorded. */
  at: number;
  /** Unix seconds after which eventsAfter no longer returns it. */
  expiresAt: number;
  originDevice?: string;
};

/** One entry of a user's event sequence: what every device of the user must eventually see. */
export interface UserEvent {
  seq: number;
  kind: UserEventKind;
  /** Unix seconds the event was recorded. */
  at: number;
  /** For 'message' and 'modify': the message as stored now (content already erased if recalled). */
  message?: StoredMessage;
  /** For 'recall', 'read': what happened. */
  data?: Record<string, unknown>;
  originDevice?: string;
}

/**
 * Read receipts for some messages: each gets receiptRead, all or none. The events and callbacks
 * are written only when every ref names a stored message that is not recalled.
 */
export interface ReceiptRequest {
  refs: MessageRef[];
  events: EventWrite[];
  callbacks?: CallbackEntry[];
}

/** One key/value pair attached to a message, with the version that last wrote it. */
export interface ExtensionPair {
  key: string;
  value: string;
  seq: number;
}

/** A message's extensions as stored: its version counter, its last clear, and its live pairs. */
export interface ExtensionState {
  message: StoredMessage;
  /** Raised by one on every change; 0 before any. */
  version: number;
  /** The version of the last clear (delete-all); 0 if none. */
  clearSeq: number;
  /** Live pairs, lowest seq first (then key). */
  pairs: ExtensionPair[];
}

/**
 * One change of a message's extensions as the domain decided it, applied only if the message is
 * still at `ifVersion` and not recalled (compare-and-set: the domain rereads and decides again).
 */
export interface ExtensionWrite {
  ref: MessageRef;
  ifVersion: number;
  version: number;
  /** Drop every pair first and record `version` as the clear. */
  clear: boolean;
  /** Pairs written at `version`. */
  set: Array<{ key: string; value: string }>;
  /** Keys removed. */
  remove: string[];
  events: EventWrite[];
  callbacks?: CallbackEntry[];
}

/** `ref`: the first of the request's refs that is missing or recalled; then nothing was written. */
export type ReceiptResult =
  | { outcome: 'marked' }
  | { outcome: 'not_found'; ref: MessageRef }
  | { outcome: 'recalled'; ref: MessageRef };

/**
 * A user's global mutes (setnospeaking), each as the Unix second it ends at: 0 for none. The
 * domain encodes a permanent mute as a time of its choosing; the store keeps the numbers.
 */
export interface MuteState {
  c2cUntil: number;
  groupUntil: number;
}

/**
 * One-sided delete: the messages leave `owner`'s view (history, last-message content, offline
 * queue); the peer's view is untouched. Refs may name either direction of the conversation.
 */
export interface DeleteMessagesRequest {
  owner: string;
  peer: string;
  refs: MessageRef[];
  /**
   * Called inside the unit of work with the messages that left the owner's view by it (not those
   * missing or already deleted); the events it returns are appended in the same transaction.
   */
  eventsFor: (deleted: MessageRef[]) => EventWrite[];
}

export interface DeleteMessagesResult {
  /** The messages this unit of work took out of the owner's view. */
  deleted: MessageRef[];
  /** The owner's unread total after the write. */
  ownerUnread: number;
}

/**
 * Deletes owner's side of a conversation: it leaves the owner's list until the next message of
 * the pair, and everything stored in it so far is read for the owner (so no old message can count
 * unread again). With clearHistory, every message of the pair also leaves the owner's view.
 */
export interface DeleteConversationRequest {
  owner: string;
  peer: string;
  clearHistory: boolean;
  at: number;
  /** Appended in the same transaction (the owner's conversation-deleted event). */
  events: EventWrite[];
  /** As ReadRequest.eventsIfMoved: called when marking the conversation read moved the cursor. */
  eventsIfReadMoved: (outcome: ReadOutcome) => EventWrite[];
}

/** A page of owner's conversation list: newest last-message time first, then by peer. */
export interface ConversationPageQuery {
  owner: string;
  /** Only conversations whose lastTime ≤ this, skipping the first `skip` of those at exactly it. */
  before?: { time: number; skip: number };
  limit: number;
}

export type ExtensionWriteResult = 'written' | 'moved' | 'not_found' | 'recalled';

export interface RecallAuditEntry {
  from: string;
  to: string;
  msgKey: string;
  by: string;
  via: 'admin' | 'client';
  at: number;
}

export interface Store {
  /** Creates or upgrades the schema. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // Accounts
  /** Idempotent: an existing account keeps its data, but Nick/FaceUrl given again are updated. */
  importAccount(app: AppId, account: AccountInput, now: number): Promise<void>;
  /** Idempotent; all or nothing. */
  importAccounts(app: AppId, userIds: string[], now: number): Promise<void>;
  /**
   * Imports in order, all or nothing: a new account is created, an existing one gets the
   * nick/faceUrl given for it (an absent one stays as it is).
   */
  importAccountList(app: AppId, accounts: AccountInput[], now: number): Promise<void>;
  /** Deletes those that exist, with their profiles; returns the ones that did. */
  deleteAccounts(app: AppId, userIds: string[]): Promise<string[]>;
  /** Which of these exist. */
  existingAccounts(app: AppId, userIds: string[]): Promise<Set<string>>;
  /** Records that sessions issued before `at` are invalid. False when the account does not exist. */
  kickAccount(app: AppId, userId: string, at: number): Promise<boolean>;
  /** Unix seconds of the last kick, if any. */
  kickedAt(app: AppId, userId: string): Promise<number | undefined>;
  /** Sets the mutes given (an absent one is left as it is). False when the account does not exist. */
  setMutes(app: AppId, userId: string, change: Partial<MuteState>): Promise<boolean>;
  /** The account's mutes as stored; undefined when the account does not exist. */
  mutesOf(app: AppId, userId: string): Promise<MuteState | undefined>;

  // Profiles
  /** The profiles of those of these users that exist. */
  profiles(app: AppId, userIds: string[]): Promise<Map<string, StoredProfile>>;
  /** Applies one change and its callbacks; false (nothing written) when the account does not exist. */
  writeProfile(app: AppId, write: ProfileWrite): Promise<boolean>;

  // Messages
  /** Stores a message (or finds its earlier copy) with its conversation, unread and event updates. */
  appendMessage(app: AppId, message: NewMessage): Promise<AppendResult>;
  /** Stores several copies in one transaction (batchsendmsg). */
  appendMessages(app: AppId, messages: NewMessage[]): Promise<AppendResult[]>;
  /** importmsg's duplicate: same (seq, random, time) between the two users in either direction. */
  findImported(app: AppId, ref: MessageRef): Promise<StoredMessage | undefined>;
  findMessage(app: AppId, ref: MessageRef): Promise<StoredMessage | undefined>;
  /**
   * Recalls a message in one transaction (see docs/design.md): erases its content for good
   * (body [], CloudCustomData '', no OfflinePushInfo, no extension pairs or version) leaving a
   * tombstone that records `by` and `at`; deletes its 'message' and 'extension' events from every queue; with `uncountUnread`, takes it out of
   * the recipient's unread counts if it is counted there; appends `events`; writes the audit row; erases the content of
   * its pending outbox entries (MsgBody, CloudCustomData, ExtensionList where present); enqueues `callbacks`. A message already recalled changes nothing.
   */
  recallMessage(app: AppId, req: RecallRequest): Promise<RecallResult>;
  /** The message's extensions; undefined when no such message (sender, recipient, MsgKey). */
  extensions(app: AppId, ref: MessageRef): Promise<ExtensionState | undefined>;
  /** Applies one extension change (see ExtensionWrite), its events and callbacks, in one transaction. */
  writeExtensions(app: AppId, w: ExtensionWrite): Promise<ExtensionWriteResult>;
  /**
   * Replaces the body and/or CloudCustomData given, and appends `events`, except to a party that
   * deleted the message from its view (it must not get the content back); a recalled message is left alone.
   */
  modifyMessage(app: AppId, req: ModifyRequest): Promise<ModifyResult>;
  /**
   * One-sided delete in one transaction: marks each found message deleted for the owner's side;
   * drops its 'message' and 'modify' events from the owner's queue; if the owner is its recipient
   * and it is counted unread, uncounts it; once nobody holds it (isHeldByNobody) erases its content
   * as a recall does (body [], CloudCustomData '', no OfflinePushInfo, off every queue, pending
   * outbox content erased) without making it a tombstone; appends `eventsFor(deleted)`.
   */
  deleteMessages(app: AppId, req: DeleteMessagesRequest): Promise<DeleteMessagesResult>;
  /** See DeleteConversationRequest. A conversation the owner does not have changes nothing but the events. */
  deleteConversation(app: AppId, req: DeleteConversationRequest): Promise<void>;
  /** Owner's listed conversations (those with a last message), a page at a time. */
  conversationPage(app: AppId, q: ConversationPageQuery): Promise<ConversationRecord[]>;
  history(app: AppId, q: HistoryQuery): Promise<HistoryPage>;
  /** Marks the messages of `req` read by their recipients (see ReceiptRequest), in one transaction. */
  markReceipts(app: AppId, req: ReceiptRequest): Promise<ReceiptResult>;
  recallAudit(app: AppId, limit: number): Promise<RecallAuditEntry[]>;

  // Conversations and unread counts
  //
  // Counted unread: a message counts in its recipient's unread counts (the conversation's and the
  // account's total) when it was stored with countsUnread and not onlineOnly, is not recalled,
  // is not deleted by its recipient, and is after the recipient's read cursor (not isReadBy). Every write keeps both counts equal
  // to that definition; it is the only unread rule a store knows.
  /** Advances the read cursor (see ReadRequest) and recounts the conversation's unread. */
  setRead(app: AppId, req: ReadRequest): Promise<ReadResult>;
  totalUnread(app: AppId, owner: string): Promise<number>;
  conversation(app: AppId, owner: string, peer: string): Promise<ConversationRecord | undefined>;
  /**
   * The conversation list together with the last event seq it reflects, read atomically, so a
   * client that starts from it and then applies events after `lastSeq` counts nothing twice.
   */
  conversationSnapshot(
    app: AppId,
    owner: string,
    limit: number,
  ): Promise<{ lastSeq: number; conversations: ConversationRecord[] }>;

  // Per-user event sequence (offline queue and multi-device sync)
  /** Events with seq > afterSeq, oldest first; expired offline messages are skipped. */
  eventsAfter(app: AppId, userId: string, afterSeq: number, limit: number, now: number): Promise<UserEvent[]>;
  /** The last seq handed out to this user (0 if none). */
  lastEventSeq(app: AppId, userId: string): Promise<number>;

  // Callback outbox (at-least-once, in order per orderKey, survives restarts)
  enqueueCallbacks(app: AppId, entries: CallbackEntry[]): Promise<void>;
  /**
   * Takes up to `limit` callbacks that are due at `now` (ms): for each orderKey only its oldest
   * entry, so a key's entries go out one after another. Each is leased until now + leaseMs, so
   * another dispatcher (another node) does not take it meanwhile.
   */
  claimCallbacks(now: number, limit: number, leaseMs: number): Promise<PendingCallback[]>;
  callbackDelivered(id: number): Promise<void>;
  /** Schedules another attempt at `nextAt` (ms). */
  callbackFailed(id: number, nextAt: number, error: string): Promise<void>;
  callbackGivenUp(id: number): Promise<void>;

  // Reading the callback outbox without claiming anything (operators, tests).
  /** The callbacks of `app` waiting in the outbox, oldest first, with their delivery state. */
  outboxOf(app: AppId): Promise<OutboxEntry[]>;
}

/** A callback waiting in the outbox, as `outboxOf` shows it. */
export interface OutboxEntry {
  id: number;
  command: string;
  orderKey: string;
  body: Record<string, unknown>;
  attempts: number;
  /** When the next attempt is due (ms). */
  nextAt: number;
  /** Claimed by a dispatcher until then (ms); 0 when not in flight. */
  leaseUntil: number;
  lastError: string | null;
}
