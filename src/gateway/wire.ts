// The client protocol's object shapes (docs/client-protocol.md), built from domain records.
import { type WireMessage, msgKeyOf } from '@parley/protocol';
import type { ConversationRecord, StoredMessage, UserEvent } from '../ports/store.js';

// The protocol's constants and message shape are declared once, in @parley/protocol, which the
// SDK shares; building against that type checks that the gateway sends what the SDK expects.
export { GATEWAY_PATH, PROTOCOL_VERSION } from '@parley/protocol';

export function wireMessage(
  m: StoredMessage,
  isPeerRead?: boolean,
): Required<Omit<WireMessage, 'isPeerRead'>> & Pick<WireMessage, 'isPeerRead'> {
  return {
    from: m.from,
    to: m.to,
    seq: m.seq,
    random: m.random,
    time: m.time,
    msgKey: msgKeyOf(m),
    body: m.body,
    cloudCustomData: m.cloudCustomData,
    recalled: m.recalled ?? null,
    needReadReceipt: m.needReadReceipt,
    onlineOnly: m.onlineOnly,
    countsUnread: m.countsUnread,
    supportExtension: m.supportExtension,
    ...(isPeerRead !== undefined ? { isPeerRead } : {}),
  };
}

export function wireEvent(e: UserEvent): Record<string, unknown> {
  return {
    seq: e.seq,
    kind: e.kind,
    at: e.at,
    ...(e.message ? { message: wireMessage(e.message) } : {}),
    ...(e.data ? { data: e.data } : {}),
    ...(e.originDevice ? { originDevice: e.originDevice } : {}),
  };
}

export function wireConversation(c: ConversationRecord): Record<string, unknown> {
  const last = c.lastMessage;
  return {
    peer: c.peer,
    unread: c.unread,
    readTime: c.readTime,
    peerReadTime: c.peerReadTime,
    updatedAt: c.updatedAt,
    // A message the owner sent is peer-read when the peer's read time covers it.
    lastMessage: last ? wireMessage(last, last.from === c.owner ? last.time <= c.peerReadTime : undefined) : null,
  };
}
