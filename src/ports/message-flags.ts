// How a stored message is laid out in a table row — its booleans packed into one integer column,
// its JSON in text columns — shared by every adapter, so the columns mean the same in each.
import type { NewMessage, StoredMessage } from './store.js';

export const FLAG = {
  senderRoams: 1,
  onlineOnly: 2,
  countsUnread: 4,
  needReadReceipt: 8,
  supportExtension: 16,
  /** importmsg SyncFromOldSystem 2: stored as already read by the recipient. */
  preRead: 32,
  /** Its recipient sent a read receipt for it. */
  receiptRead: 64,
  /** One-sided delete (delete_c2c_msg_ramble, recentcontact/delete with ClearRamble): gone from the sender's view. */
  deletedBySender: 128,
  /** Gone from the recipient's view. */
  deletedByRecipient: 256,
} as const;

// The flag tests as SQL over a row's `flags` column, built from FLAG so no adapter spells a mask.
/** Stored to count as unread: countsUnread and not onlineOnly (see "Counted unread" on Store). */
export const SQL_COUNTS_UNREAD = `(flags & ${FLAG.countsUnread | FLAG.onlineOnly}) = ${FLAG.countsUnread}`;
/** Sets the read-receipt flag (flags | receiptRead). */
export const SQL_WITH_RECEIPT = `flags | ${FLAG.receiptRead}`;
/** Not online-only: in roaming history. */
export const SQL_NOT_ONLINE_ONLY = `(flags & ${FLAG.onlineOnly}) = 0`;
/** In the sender's roaming history (SyncOtherMachine other than 2). */
export const SQL_SENDER_ROAMS = `(flags & ${FLAG.senderRoams}) <> 0`;

/** Not deleted from `owner`'s view; `$owner` stands for the bound parameter the adapter gives. */
export const sqlNotDeletedFor = (owner: string): string =>
  `(sender <> ${owner} OR (flags & ${FLAG.deletedBySender}) = 0) AND (recipient <> ${owner} OR (flags & ${FLAG.deletedByRecipient}) = 0)`;
/** Not deleted by its recipient (a deleted message no longer counts unread). */
export const SQL_NOT_DELETED_BY_RECIPIENT = `(flags & ${FLAG.deletedByRecipient}) = 0`;
/**
 * Held by nobody: the recipient deleted it and the sender either deleted it too or never had it in
 * roaming history (SyncOtherMachine 2, or online-only). Such content is erased, not hidden.
 */
export const SQL_HELD_BY_NOBODY = `(flags & ${FLAG.deletedByRecipient}) <> 0
  AND ((flags & ${FLAG.deletedBySender}) <> 0 OR (flags & ${FLAG.senderRoams}) = 0 OR (flags & ${FLAG.onlineOnly}) <> 0)`;

export function packFlags(m: NewMessage): number {
  return (
    (m.senderRoams ? FLAG.senderRoams : 0) |
    (m.onlineOnly ? FLAG.onlineOnly : 0) |
    (m.countsUnread ? FLAG.countsUnread : 0) |
    (m.needReadReceipt ? FLAG.needReadReceipt : 0) |
    (m.supportExtension ? FLAG.supportExtension : 0) |
    (m.markRead ? FLAG.preRead : 0)
  );
}

export function unpackFlags(
  flags: number,
): Pick<
  StoredMessage,
  'senderRoams' | 'onlineOnly' | 'countsUnread' | 'needReadReceipt' | 'supportExtension' | 'receiptRead'
> & { preRead: boolean; deletedBySender: boolean; deletedByRecipient: boolean } {
  return {
    deletedBySender: (flags & FLAG.deletedBySender) !== 0,
    deletedByRecipient: (flags & FLAG.deletedByRecipient) !== 0,
    senderRoams: (flags & FLAG.senderRoams) !== 0,
    onlineOnly: (flags & FLAG.onlineOnly) !== 0,
    countsUnread: (flags & FLAG.countsUnread) !== 0,
    needReadReceipt: (flags & FLAG.needReadReceipt) !== 0,
    supportExtension: (flags & FLAG.supportExtension) !== 0,
    preRead: (flags & FLAG.preRead) !== 0,
    receiptRead: (flags & FLAG.receiptRead) !== 0,
  };
}

/** The conversation a message belongs to: its two users in a stable order. */
export const conversationPair = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);

/** Is the message at (time, id) read under this cursor? */
export const isReadBy = (m: { time: number; id: number }, c: { time: number; id: number }): boolean =>
  m.time < c.time || (m.time === c.time && m.id <= c.id);

/** The columns of a message row, in every adapter's schema. */
export interface MessageRow {
  id: number;
  sender: string;
  recipient: string;
  seq: number;
  random: number;
  time: number;
  body: string;
  cloud_custom_data: string;
  offline_push_info: string | null;
  origin: string;
  flags: number;
  life_time: number;
  recalled_by: string | null;
  recalled_at: number | null;
}

export function toMessage(r: MessageRow): StoredMessage {
  const f = unpackFlags(r.flags);
  return {
    id: r.id,
    from: r.sender,
    to: r.recipient,
    seq: r.seq,
    random: r.random,
    time: r.time,
    body: JSON.parse(r.body),
    cloudCustomData: r.cloud_custom_data,
    ...(r.offline_push_info !== null ? { offlinePushInfo: JSON.parse(r.offline_push_info) } : {}),
    origin: r.origin as StoredMessage['origin'],
    senderRoams: f.senderRoams,
    onlineOnly: f.onlineOnly,
    countsUnread: f.countsUnread,
    needReadReceipt: f.needReadReceipt,
    supportExtension: f.supportExtension,
    preRead: f.preRead,
    receiptRead: f.receiptRead,
    lifeTime: r.life_time,
    ...(f.deletedBySender || f.deletedByRecipient
      ? { deletedBy: { sender: f.deletedBySender, recipient: f.deletedByRecipient } }
      : {}),
    ...(r.recalled_by !== null ? { recalled: { by: r.recalled_by, at: r.recalled_at ?? 0 } } : {}),
  };
}

/** The stored form of a message just written with this id: what reading its row back would give. */
export function storedMessageOf(m: NewMessage, id: number): StoredMessage {
  return {
    id,
    from: m.from,
    to: m.to,
    seq: m.seq,
    random: m.random,
    time: m.time,
    body: m.body,
    cloudCustomData: m.cloudCustomData,
    ...(m.offlinePushInfo ? { offlinePushInfo: m.offlinePushInfo } : {}),
    origin: m.origin,
    senderRoams: m.senderRoams,
    onlineOnly: m.onlineOnly,
    countsUnread: m.countsUnread,
    needReadReceipt: m.needReadReceipt,
    supportExtension: m.supportExtension,
    preRead: m.markRead,
    receiptRead: false,
    lifeTime: m.lifeTime,
  };
}

/** The tombstone a recall leaves of a message: keys, times and flags; no content. */
export function tombstoneOf(m: StoredMessage, by: string, at: number): StoredMessage {
  const { offlinePushInfo: _erased, ...rest } = m;
  return { ...rest, body: [], cloudCustomData: '', recalled: { by, at } };
}

/** Is a message at (time, id) after the read cursor (read_time, read_id) of a conversation row? */
export const isAfterCursor = (time: number, id: number, c: { read_time: number; read_id: number }): boolean =>
  !isReadBy({ time, id }, { time: c.read_time, id: c.read_id });

/** Nobody holds it any more (see SQL_HELD_BY_NOBODY): its content must be erased. */
export const isHeldByNobody = (m: Pick<StoredMessage, 'deletedBy' | 'senderRoams' | 'onlineOnly'>): boolean =>
  m.deletedBy?.recipient === true && (m.deletedBy.sender || !m.senderRoams || m.onlineOnly);

/** Has `owner` deleted the message from its own view? */
export const isDeletedFor = (m: Pick<StoredMessage, 'from' | 'to' | 'deletedBy'>, owner: string): boolean =>
  (owner === m.from && m.deletedBy?.sender === true) || (owner === m.to && m.deletedBy?.recipient === true);

/** The flag bits that delete a message from `owner`'s view (both for a message to oneself). */
export const deletedBitsFor = (m: Pick<StoredMessage, 'from' | 'to'>, owner: string): number =>
  (m.from === owner ? FLAG.deletedBySender : 0) | (m.to === owner ? FLAG.deletedByRecipient : 0);

/** The message as it is once `owner` deleted it. */
export function deletedFor(m: StoredMessage, owner: string): StoredMessage {
  const bits = deletedBitsFor(m, owner);
  return {
    ...m,
    deletedBy: {
      sender: m.deletedBy?.sender === true || (bits & FLAG.deletedBySender) !== 0,
      recipient: m.deletedBy?.recipient === true || (bits & FLAG.deletedByRecipient) !== 0,
    },
  };
}
