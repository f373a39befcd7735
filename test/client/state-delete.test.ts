// The SDK's handling of delete and conversation_delete events, without a server: what leaves
// memory and the cache commit, unread counts, last messages, re-creation by a later message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatState } from '@parley/client/internal/state';
import { MemoryCache } from '@parley/client';
import type { WireEvent, WireMessage } from '@parley/protocol';

const T = 1700000000;
let seqCounter = 500;

function wm(from: string, to: string, text: string, o: Partial<WireMessage> = {}): WireMessage {
  const seq = o.seq ?? ++seqCounter;
  const random = o.random ?? seq * 3;
  const time = o.time ?? T;
  return {
    from,
    to,
    seq,
    random,
    time,
    msgKey: `${seq}_${random}_${time}`,
    body: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text } }],
    cloudCustomData: '',
    recalled: null,
    needReadReceipt: false,
    onlineOnly: false,
    ...o,
  };
}
const msgEv = (seq: number, message: WireMessage): WireEvent => ({ seq, kind: 'message', at: message.time, message });
const deleteEv = (seq: number, owner: string, peer: string, ms: WireMessage[]): WireEvent => ({
  seq,
  kind: 'delete',
  at: T + 5,
  data: { owner, peer, messages: ms.map((m) => ({ from: m.from, to: m.to, msgKey: m.msgKey })) },
});
const convDeleteEv = (seq: number, owner: string, peer: string, clearHistory: boolean): WireEvent => ({
  seq,
  kind: 'conversation_delete',
  at: T + 5,
  data: { owner, peer, clearHistory },
});
const SCOPE = { sdkAppId: 1, userId: 'bob' };

function bob(): ChatState {
  const s = new ChatState('bob');
  s.deviceId = 'bob-dev';
  s.syncedAt = T;
  return s;
}

test('a delete event drops the messages from memory and the cache, uncounts them, and leaves the conversation without them', async () => {
  const s = bob();
  const cache = new MemoryCache();
  const m1 = wm('alice', 'bob', 'keep');
  const m2 = wm('alice', 'bob', 'DROP-1', { time: T + 1 });
  await cache.commit(SCOPE, s.commitFor(s.applyEvents([msgEv(1, m1), msgEv(2, m2)])));
  assert.equal(s.totalUnread(), 2);
  assert.ok(cache.dump(SCOPE).includes('DROP-1'));
  const fx = s.applyEvents([deleteEv(3, 'bob', 'alice', [m2])]);
  assert.equal(fx.listChanged, true, 'the list (unread, last message) changed');
  await cache.commit(SCOPE, s.commitFor(fx));
  assert.equal(cache.dump(SCOPE).includes('DROP-1'), false, 'the cache forgot it');
  assert.ok(cache.dump(SCOPE).includes('keep'));
  assert.equal(s.messagesOf('alice').length, 1);
  assert.equal(s.totalUnread(), 1);
  assert.equal(s.conversation('alice')?.lastMessage.messageForShow ?? '', '', 'the deleted last message is not shown');
  assert.equal(s.cursor, 3);
  // Someone else's delete (not mine), or one naming nothing held, changes nothing but the cursor.
  const other = s.applyEvents([
    deleteEv(4, 'alice', 'bob', [m1]),
    deleteEv(5, 'bob', 'alice', [wm('alice', 'bob', 'never held')]),
  ]);
  assert.equal(other.listChanged, false);
  assert.equal(s.messagesOf('alice').length, 1);
});

test('a conversation_delete event removes the conversation; with clearHistory its messages too; a new message brings it back', async () => {
  const s = bob();
  const cache = new MemoryCache();
  const a1 = wm('alice', 'bob', 'ALICE-SECRET');
  const c1 = wm('carol', 'bob', 'from carol');
  await cache.commit(SCOPE, s.commitFor(s.applyEvents([msgEv(1, a1), msgEv(2, c1)])));
  await cache.commit(SCOPE, s.commitFor(s.applyEvents([convDeleteEv(3, 'bob', 'alice', true)])));
  assert.deepEqual(
    s.conversationList().map((c) => c.conversationID),
    ['C2Ccarol'],
  );
  assert.equal(s.totalUnread(), 1);
  assert.equal(cache.dump(SCOPE).includes('ALICE-SECRET'), false);
  const loaded = await cache.load(SCOPE);
  assert.deepEqual(
    loaded?.conversations.map((c) => c.peer),
    ['carol'],
    'the cache forgot the conversation',
  );
  // Without clearHistory: messages stay, read.
  const c2 = wm('carol', 'bob', 'second from carol', { time: T + 1 });
  s.applyEvents([msgEv(4, c2)]);
  await cache.commit(SCOPE, s.commitFor(s.applyEvents([convDeleteEv(5, 'bob', 'carol', false)])));
  assert.deepEqual(s.conversationList(), []);
  assert.equal(s.totalUnread(), 0);
  assert.equal(
    s.messagesOf('carol').every((m) => m.isRead),
    true,
  );
  // The next message re-creates it, counting only itself; delete and re-creation in one batch end with it listed.
  const a2 = wm('alice', 'bob', 'again', { time: T + 2 });
  const fx = s.applyEvents([convDeleteEv(6, 'bob', 'alice', false), msgEv(7, a2)]);
  await cache.commit(SCOPE, s.commitFor(fx));
  assert.deepEqual(
    s.conversationList().map((c) => c.conversationID),
    ['C2Calice'],
  );
  assert.equal(s.totalUnread(), 1);
  assert.deepEqual(
    (await cache.load(SCOPE))?.conversations.map((c) => c.peer),
    ['alice'],
  );
});
