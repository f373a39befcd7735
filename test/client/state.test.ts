// Event application and conversation bookkeeping, without a server: exactly once, in seq order,
// recall erasure, unread counts, last messages, read receipts, snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatState } from '@parley/client/internal/state';
import { RECALLED_LABEL, type Message } from '@parley/client/internal/message';
import type { WireEvent, WireMessage } from '@parley/protocol';

const T = 1700000000;
let seqCounter = 100;

function wm(from: string, to: string, text: string, o: Partial<WireMessage> = {}): WireMessage {
  const seq = o.seq ?? ++seqCounter;
  const random = o.random ?? seq * 7;
  const time = o.time ?? T;
  return {
    from,
    to,
    seq,
    random,
    time,
    msgKey: `${seq}_${random}_${time}`,
    body: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text } }],
    cloudCustomData: `ccd-${text}`,
    recalled: null,
    needReadReceipt: false,
    onlineOnly: false,
    ...o,
  };
}
const msgEv = (seq: number, message: WireMessage, originDevice?: string): WireEvent => ({
  seq,
  kind: 'message',
  at: message.time,
  message,
  ...(originDevice ? { originDevice } : {}),
});
const recallEv = (seq: number, m: WireMessage, by: string): WireEvent => ({
  seq,
  kind: 'recall',
  at: T + 5,
  data: { from: m.from, to: m.to, msgKey: m.msgKey, by, via: by === m.from ? 'client' : 'admin', at: T + 5 },
});
const readEv = (seq: number, owner: string, peer: string, readTime: number, unread?: number): WireEvent => ({
  seq,
  kind: 'read',
  at: readTime,
  data: { owner, peer, readTime, ...(unread !== undefined ? { unread } : {}) },
});

function bob(): ChatState {
  const s = new ChatState('bob');
  s.deviceId = 'bob-dev-1';
  s.syncedAt = T;
  return s;
}

test('events apply once each, in seq order, whatever order and however often they arrive', () => {
  const s = bob();
  const m1 = wm('alice', 'bob', 'one');
  const m2 = wm('alice', 'bob', 'two');
  const m3 = wm('alice', 'bob', 'three');
  const fx = s.applyEvents([msgEv(3, m3), msgEv(1, m1), msgEv(2, m2), msgEv(2, m2), msgEv(1, m1)]);
  assert.deepEqual(
    fx.received.map((m) => m.payload.text),
    ['one', 'two', 'three'],
  );
  assert.equal(s.cursor, 3);
  assert.equal(s.conversations.get('alice')!.unread, 3);
  // Redelivery after a reconnect: nothing happens again.
  const again = s.applyEvents([msgEv(1, m1), msgEv(2, m2), msgEv(3, m3)]);
  assert.equal(again.received.length, 0);
  assert.equal(again.cursorChanged, false);
  assert.equal(s.conversations.get('alice')!.unread, 3);
  // An old event arriving after a newer one is ignored (it is at or below the cursor).
  const m4 = wm('alice', 'bob', 'four');
  s.applyEvents([msgEv(5, m4)]);
  const late = s.applyEvents([msgEv(4, wm('alice', 'bob', 'late'))]);
  assert.equal(late.received.length, 0);
  assert.equal(s.cursor, 5);
  assert.equal(s.totalUnread(), 4);
});

test("this device's own send comes back as an event without MESSAGE_RECEIVED; another device's does raise it", () => {
  const s = bob();
  const mine = wm('bob', 'alice', 'from this device');
  const other = wm('bob', 'alice', 'from my phone');
  const fx = s.applyEvents([msgEv(1, mine, 'bob-dev-1'), msgEv(2, other, 'bob-dev-2')]);
  assert.deepEqual(
    fx.received.map((m) => m.payload.text),
    ['from my phone'],
  );
  assert.equal(fx.received[0]!.flow, 'out');
  assert.equal(s.conversations.get('alice')!.unread, 0, 'my own messages are never unread');
  assert.equal(s.messages.size, 2, 'both are in the cache');
});

test('a recall erases the content, drops it from unread, marks the last message, and is reported', () => {
  const s = bob();
  const m1 = wm('alice', 'bob', 'keep');
  const m2 = wm('alice', 'bob', 'secret');
  s.applyEvents([msgEv(1, m1), msgEv(2, m2)]);
  const held = s.messages.get(`alice_bob_${m2.seq}_${m2.random}`)!;
  assert.equal(s.conversationList()[0]!.lastMessage.messageForShow, 'secret');
  const fx = s.applyEvents([recallEv(3, m2, 'administrator')]);
  assert.deepEqual(fx.revoked, [held]);
  assert.equal(held.isRevoked, true);
  assert.equal(held.revoker, 'administrator');
  assert.deepEqual(held.payload, { text: '' });
  assert.equal(held.cloudCustomData, '');
  const conv = s.conversationList()[0]!;
  assert.equal(conv.unreadCount, 1);
  assert.equal(conv.lastMessage.isRevoked, true);
  assert.equal(conv.lastMessage.revoker, 'administrator');
  assert.equal(conv.lastMessage.messageForShow, RECALLED_LABEL);
  // What gets written to the cache has no trace of it.
  const commit = JSON.stringify(s.commitFor(fx));
  assert.equal(commit.includes('secret'), false);
  assert.equal(s.commitFor(fx).cursor, 3, 'the cursor travels with the state it produced');
  // A recall of a message already read leaves the unread count alone.
  s.applyEvents([readEv(4, 'bob', 'alice', T, 0)]);
  assert.equal(s.conversations.get('alice')!.unread, 0);
  s.applyEvents([recallEv(5, m1, 'alice')]);
  assert.equal(s.conversations.get('alice')!.unread, 0);
});

test('a recall of a message this device never held is reported as a stub, and nothing is counted', () => {
  const s = bob();
  const gone = wm('alice', 'bob', 'never seen');
  const fx = s.applyEvents([recallEv(1, gone, 'alice')]);
  assert.equal(fx.received.length, 0);
  assert.equal(fx.revoked.length, 1);
  const stub = fx.revoked[0]!;
  assert.deepEqual(
    {
      ID: stub.ID,
      conversationID: stub.conversationID,
      sequence: stub.sequence,
      time: stub.time,
      isRevoked: stub.isRevoked,
      revoker: stub.revoker,
    },
    {
      ID: `alice_bob_${gone.seq}_${gone.random}`,
      conversationID: 'C2Calice',
      sequence: gone.seq,
      time: T,
      isRevoked: true,
      revoker: 'alice',
    },
  );
  assert.equal('payload' in stub, false);
  assert.equal(s.totalUnread(), 0);
});

test('the recalling instance updates itself without MESSAGE_REVOKED; its recall event stays silent', () => {
  const s = new ChatState('alice');
  s.deviceId = 'a1';
  const m = wm('alice', 'bob', 'oops');
  s.applyEvents([msgEv(1, m, 'a1')]);
  const held = s.messages.get(`alice_bob_${m.seq}_${m.random}`)!;
  s.expectOwnRecall(held.ID);
  const own = s.applyOwnRecall(held);
  assert.equal(held.isRevoked, true);
  assert.equal(own.revoked.length, 0);
  assert.equal(own.listChanged, true);
  const ev = s.applyEvents([recallEv(2, m, 'alice')]);
  assert.equal(ev.revoked.length, 0);
  assert.equal(s.cursor, 2);
});

test('reads: my other device takes the unread count; the peer reading flips isPeerRead of what it covered', () => {
  const s = bob();
  const a1 = wm('alice', 'bob', 'a1', { time: T });
  const a2 = wm('alice', 'bob', 'a2', { time: T + 10 });
  s.applyEvents([msgEv(1, a1), msgEv(2, a2)]);
  s.applyEvents([readEv(3, 'bob', 'alice', T, 1)]);
  const conv = s.conversations.get('alice')!;
  assert.equal(conv.unread, 1);
  const [x1, x2] = s.messagesOf('alice').sort((p, q) => p.time - q.time) as [Message, Message];
  assert.equal(x1.isRead, true);
  assert.equal(x2.isRead, false);
  // Messages arriving after a read at the same second are unread (stored after the read).
  s.applyEvents([msgEv(4, wm('alice', 'bob', 'same second', { time: T + 10 }))]);
  assert.equal(s.conversations.get('alice')!.unread, 2);
  // bob's messages to alice, then alice reads.
  const b1 = wm('bob', 'alice', 'b1', { time: T + 10 });
  s.applyEvents([msgEv(5, b1, 'bob-dev-1')]);
  const fx = s.applyEvents([readEv(6, 'alice', 'bob', T + 10, 0)]);
  assert.deepEqual(
    fx.readByPeer.map((m) => m.payload.text),
    ['b1'],
  );
  assert.equal(fx.readByPeer[0]!.isPeerRead, true);
  assert.equal(s.conversationList()[0]!.peerReadTime, T + 10);
  // A message stored after that read (its event after the read event) is not covered.
  const b2 = wm('bob', 'alice', 'b2', { time: T + 10 });
  s.applyEvents([msgEv(7, b2, 'bob-dev-1')]);
  assert.equal(s.messages.get(`bob_alice_${b2.seq}_${b2.random}`)!.isPeerRead, false);
});

test('a modify event replaces the content; a recalled message stays erased', () => {
  const s = bob();
  const m = wm('alice', 'bob', 'first');
  s.applyEvents([msgEv(1, m)]);
  const fx = s.applyEvents([
    {
      seq: 2,
      kind: 'modify',
      at: T,
      message: { ...m, body: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'edited' } }] },
    },
  ]);
  assert.equal(fx.modified.length, 1);
  assert.equal(fx.modified[0]!.payload.text, 'edited');
  assert.equal(fx.modified[0]!.isModified, true);
  assert.equal(s.conversationList()[0]!.lastMessage.messageForShow, 'edited');
  s.applyEvents([recallEv(3, m, 'alice')]);
  const late = s.applyEvents([{ seq: 4, kind: 'modify', at: T, message: m }]);
  assert.equal(late.modified.length, 0);
  assert.deepEqual(s.messages.get(`alice_bob_${m.seq}_${m.random}`)!.payload, { text: '' });
});

test('a snapshot replaces everything; recalls of messages it counted but did not send fix the unread count', () => {
  const s = bob();
  s.applyEvents([msgEv(1, wm('carol', 'bob', 'stale'))]);
  const last = wm('alice', 'bob', 'newest', { time: T - 50 });
  const older = wm('alice', 'bob', 'older', { time: T - 100 });
  const fx = s.applySnapshot(
    [
      { peer: 'alice', unread: 3, readTime: 0, peerReadTime: 0, lastMessage: last, updatedAt: T - 50 },
      {
        peer: 'dave',
        unread: 0,
        readTime: 0,
        peerReadTime: T,
        lastMessage: wm('bob', 'dave', 'mine', { time: T - 10, isPeerRead: true }),
        updatedAt: T - 10,
      },
    ],
    40,
    T,
  );
  assert.equal(fx.reset, true);
  assert.equal(s.cursor, 40);
  assert.equal(s.conversations.has('carol'), false, 'what the snapshot does not list is gone');
  assert.equal(s.messages.size, 2);
  assert.equal(s.totalUnread(), 3);
  const list = s.conversationList();
  assert.deepEqual(
    list.map((c) => c.conversationID),
    ['C2Cdave', 'C2Calice'],
  );
  assert.equal(list[0]!.lastMessage.isPeerRead, true);
  const alice = s.conversations.get('alice')!;
  assert.equal(alice.uncachedUnread, 2);
  // The held last message is unread; its recall takes one off.
  s.applyEvents([recallEv(41, last, 'alice')]);
  assert.equal(alice.unread, 2);
  // One the snapshot only counted.
  s.applyEvents([recallEv(42, older, 'administrator')]);
  assert.equal(alice.unread, 1);
  assert.equal(alice.uncachedUnread, 1);
  // Reading everything clears what was only counted.
  s.applyEvents([readEv(43, 'bob', 'alice', T, 0)]);
  assert.equal(s.totalUnread(), 0);
});

test('history merges keep one object per message and never revive recalled content', () => {
  const s = bob();
  const m = wm('alice', 'bob', 'hist');
  s.applyEvents([msgEv(1, m)]);
  const held = s.messages.get(`alice_bob_${m.seq}_${m.random}`)!;
  const older = wm('alice', 'bob', 'older', { time: T - 100 });
  const page = s.mergeHistory('alice', [older, m]);
  assert.equal(page[1], held, 'the same object as MESSAGE_RECEIVED delivered');
  assert.equal(page[0]!.payload.text, 'older');
  s.applyEvents([recallEv(2, m, 'alice')]);
  const again = s.mergeHistory('alice', [older, m]);
  assert.equal(again[1]!.isRevoked, true);
  assert.deepEqual(again[1]!.payload, { text: '' });
  // A held page (no server) is oldest first and pages backwards.
  const p1 = s.heldPage('alice', undefined, 1);
  assert.deepEqual(
    p1.messages.map((x) => x.ID),
    [held.ID],
  );
  assert.equal(p1.complete, false);
  const p2 = s.heldPage('alice', p1.messages[0], 15);
  assert.deepEqual(
    p2.messages.map((x) => x.payload.text),
    ['older'],
  );
  assert.equal(p2.complete, true);
});

test('a loaded cache gives back the same state', () => {
  const s = bob();
  const m1 = wm('alice', 'bob', 'one');
  const m2 = wm('alice', 'bob', 'two');
  const fx1 = s.applyEvents([msgEv(1, m1), msgEv(2, m2)]);
  const fx2 = s.applyEvents([recallEv(3, m2, 'alice')]);
  const c1 = s.commitFor(fx1);
  const c2 = s.commitFor(fx2);
  const messages = new Map<string, unknown>();
  for (const r of [...(c1.messages ?? []), ...(c2.messages ?? [])]) messages.set(r.ID, r);
  const t = new ChatState('bob');
  t.load({
    format: 1,
    deviceId: c2.deviceId!,
    cursor: c2.cursor!,
    syncedAt: c2.syncedAt!,
    conversations: c2.conversations!,
    messages: [...messages.values()] as never,
  });
  assert.equal(t.cursor, 3);
  assert.equal(t.deviceId, 'bob-dev-1');
  assert.equal(t.totalUnread(), 1);
  assert.equal(t.conversationList()[0]!.lastMessage.isRevoked, true);
  assert.equal(t.messages.get(`alice_bob_${m2.seq}_${m2.random}`)!.isRevoked, true);
  assert.equal(t.messages.get(`alice_bob_${m1.seq}_${m1.random}`)!.payload.text, 'one');
  // Events already applied before the restart stay applied once.
  assert.equal(t.applyEvents([msgEv(2, m2)]).received.length, 0);
});
