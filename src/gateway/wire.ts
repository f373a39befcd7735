// The client protocol's object shapes (docs/client-protocol.md), built from domain records.
import { msgKeyOf } from '../ports/message-flags.js';
import type { ConversationRecord, StoredMessage, UserEvent } from '../ports/store.js';

export const PROTOCOL_VERSION = 1;

export interface WireMessage {
  from: string;
  to: string;
  seq: number;
  random: number;
  time: number;
  msgKey: string;
  body: unknown[];
  cloudCustomData: string;
  recalled: { by: string; at: number } | null;
  needReadReceipt: boolean;
  onlineOnly: boolean;
  countsUnread: boolean;
  isPeerRead?: boolean;
}

export function wireMessage(m: StoredMessage, isPeerRead?: boolean): WireMessage {
  return {
    from: m.from, to: m.to, seq: m.seq, random: m.random, time: m.time, msgKey: msgKeyOf(m),
    body: m.body, cloudCustomData: m.cloudCustomData, recalled: m.recalled ?? null,
    needReadReceipt: m.needReadReceipt, onlineOnly: m.onlineOnly, countsUnread: m.countsUnread,
    ...(isPeerRead !== undefined ? { isPeerRead } : {}),
  };
}

export function wireEvent(e: UserEvent): Record<string, unknown> {
  return {
    seq: e.seq, kind: e.kind, at: e.at,
    ...(e.message ? { message: wireMessage(e.message) } : {}),
    ...(e.data ? { data: e.data } : {}),
    ...(e.originDevice ? { originDevice: e.originDevice } : {}),
  };
}

export function wireConversation(c: ConversationRecord): Record<string, unknown> {
  const last = c.lastMessage;
  return {
    peer: c.peer, unread: c.unread, readTime: c.readTime, peerReadTime: c.peerReadTime, updatedAt: c.updatedAt,
    // A message the owner sent is peer-read when the peer's read time covers it.
    lastMessage: last ? wireMessage(last, last.from === c.owner ? last.time <= c.peerReadTime : undefined) : null,
  };
}
