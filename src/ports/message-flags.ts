// How a stored message's booleans pack into one integer column; shared by every adapter so a
// database moved between them means the same thing.
import type { NewMessage, StoredMessage } from './store.js';

export const FLAG = {
  senderRoams: 1,
  onlineOnly: 2,
  countsUnread: 4,
  needReadReceipt: 8,
  supportExtension: 16,
  /** importmsg SyncFromOldSystem 2: stored as already read by the recipient. */
  preRead: 32,
} as const;

export function packFlags(m: NewMessage): number {
  return (m.senderRoams ? FLAG.senderRoams : 0)
    | (m.onlineOnly ? FLAG.onlineOnly : 0)
    | (m.countsUnread ? FLAG.countsUnread : 0)
    | (m.needReadReceipt ? FLAG.needReadReceipt : 0)
    | (m.supportExtension ? FLAG.supportExtension : 0)
    | (m.markRead ? FLAG.preRead : 0);
}

export function unpackFlags(flags: number): Pick<StoredMessage, 'senderRoams' | 'onlineOnly' | 'countsUnread' | 'needReadReceipt' | 'supportExtension'> & { preRead: boolean } {
  return {
    senderRoams: (flags & FLAG.senderRoams) !== 0,
    onlineOnly: (flags & FLAG.onlineOnly) !== 0,
    countsUnread: (flags & FLAG.countsUnread) !== 0,
    needReadReceipt: (flags & FLAG.needReadReceipt) !== 0,
    supportExtension: (flags & FLAG.supportExtension) !== 0,
    preRead: (flags & FLAG.preRead) !== 0,
  };
}

/** The conversation a message belongs to: its two users in a stable order. */
export const conversationPair = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);

export const msgKeyOf = (r: { seq: number; random: number; time: number }): string => `${r.seq}_${r.random}_${r.time}`;

/** Offline events (and recall/read notices) live this long: Tencent's 7-day offline retention. */
export const EVENT_RETENTION_SECONDS = 7 * 86400;

/** Is the message at (time, id) read under this cursor? */
export const isReadBy = (m: { time: number; id: number }, c: { time: number; id: number }): boolean =>
  m.time < c.time || (m.time === c.time && m.id <= c.id);
