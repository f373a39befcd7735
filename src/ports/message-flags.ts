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

export function packFlags(m: NewMessage): number {
  return (m.senderRoams ? FLAG.senderRoams : 0)
    | (m.onlineOnly ? FLAG.onlineOnly : 0)
    | (m.countsUnread ? FLAG.countsUnread : 0)
    | (m.needReadReceipt ? FLAG.needReadReceipt : 0)
    | (m.supportExtension ? FLAG.supportExtension : 0)
    | (m.markRead ? FLAG.preRead : 0);
}

export function unpackFlags(flags: number): Pick<StoredMessage, 'senderRoams' | 'onlineOnly' | 'countsUnread' | 'needReadReceipt' | 'supportExtension' | 'receiptRead'> & { preRead: boolean } {
  return {
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

export const msgKeyOf = (r: { seq: number; random: number; time: number }): string => `${r.seq}_${r.random}_${r.time}`;

/** Is the message at (time, id) read under this cursor? */
export const isReadBy = (m: { time: number; id: number }, c: { time: number; id: number }): boolean =>
  m.time < c.time || (m.time === c.time && m.id <= c.id);

/** The columns of a message row, in every adapter's schema. */
export interface MessageRow {
  id: number; sender: string; recipient: string; seq: number; random: number; time: number; body: string;
  cloud_custom_data: string; offline_push_info: string | null; origin: string; flags: number; life_time: number;
  recalled_by: string | null; recalled_at: number | null;
}

export function toMessage(r: MessageRow): StoredMessage {
  const f = unpackFlags(r.flags);
  return {
    id: r.id, from: r.sender, to: r.recipient, seq: r.seq, random: r.random, time: r.time,
    body: JSON.parse(r.body), cloudCustomData: r.cloud_custom_data,
    ...(r.offline_push_info !== null ? { offlinePushInfo: JSON.parse(r.offline_push_info) } : {}),
    origin: r.origin as StoredMessage['origin'],
    senderRoams: f.senderRoams, onlineOnly: f.onlineOnly, countsUnread: f.countsUnread,
    needReadReceipt: f.needReadReceipt, supportExtension: f.supportExtension, preRead: f.preRead,
    receiptRead: f.receiptRead, lifeTime: r.life_time,
    ...(r.recalled_by !== null ? { recalled: { by: r.recalled_by, at: r.recalled_at ?? 0 } } : {}),
  };
}

/** The stored form of a message just written with this id: what reading its row back would give. */
export function storedMessageOf(m: NewMessage, id: number): StoredMessage {
  return {
    id, from: m.from, to: m.to, seq: m.seq, random: m.random, time: m.time,
    body: m.body, cloudCustomData: m.cloudCustomData,
    ...(m.offlinePushInfo ? { offlinePushInfo: m.offlinePushInfo } : {}),
    origin: m.origin, senderRoams: m.senderRoams, onlineOnly: m.onlineOnly, countsUnread: m.countsUnread,
    needReadReceipt: m.needReadReceipt, supportExtension: m.supportExtension, preRead: m.markRead, receiptRead: false, lifeTime: m.lifeTime,
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
