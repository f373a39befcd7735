// Recall through the SDK against a real server: the content leaves every device's cache, online or
// not, and a device that never synced the message never gets its content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, MemoryCache, type Conversation, type Message, type RevokedStub } from '@parley/client';
import { device, importAccounts, relogin, sendText, untilEvent, withDevices, type Device } from './helpers.js';

const T = { timeout: 60_000 };
const keyOf = (m: Message): string => `${m.sequence}_${m.random}_${m.time}`;

async function sixDevices(
  s: Parameters<typeof device>[0],
  track: <D extends Device>(d: D) => D,
): Promise<{ A: Device[]; B: Device[] }> {
  await importAccounts(s, 'alice', 'bob');
  const A: Device[] = [];
  const B: Device[] = [];
  for (let i = 0; i < 3; i++) A.push(track(await device(s, 'alice')));
  for (let i = 0; i < 3; i++) B.push(track(await device(s, 'bob')));
  return { A, B };
}

/** Waits until every device has received the message, then checks its cache holds the text. */
async function everyoneHas(devices: Device[], m: Message, text: string, except: Device): Promise<void> {
  for (const d of devices) {
    if (d !== except) await untilEvent(d.rec, [EVENT.MESSAGE_RECEIVED], () => d.rec.receivedIDs().includes(m.ID));
    assert.ok(d.stored().includes(text), `the ${d.user} device cached the message`);
  }
}

test(
  'an admin recall (REST) while everyone is online: MESSAGE_REVOKED on all six devices, content gone from every cache',
  T,
  () =>
    withDevices(async (s, track) => {
      const { A, B } = await sixDevices(s, track);
      const keep = await sendText(A[0]!, 'bob', 'harmless');
      const m = await sendText(A[0]!, 'bob', 'SECRET-ADMIN-7');
      await everyoneHas([...A, ...B], m, 'SECRET-ADMIN-7', A[0]!);
      for (const d of B) await d.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 2);
      const r = await s.call('openim/admin_msgwithdraw', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgKey: keyOf(m),
      });
      assert.equal(r.ErrorCode, 0);
      for (const d of [...A, ...B]) {
        const ev = await d.rec.waitFor(EVENT.MESSAGE_REVOKED);
        const [revoked] = ev.data as Message[];
        assert.equal(revoked!.ID, m.ID);
        assert.equal(revoked!.isRevoked, true);
        assert.equal(revoked!.revoker, 'administrator');
        assert.deepEqual(revoked!.revokerInfo, { userID: 'administrator', nick: '', avatar: '' });
        assert.deepEqual(revoked!.payload, { text: '' });
        assert.equal(d.stored().includes('SECRET-ADMIN-7'), false, `the ${d.user} device's cache lost the content`);
        assert.ok(d.stored().includes('harmless'), 'other messages stay');
        const conv = ((await d.chat.getConversationList()).data.conversationList as Conversation[])[0]!;
        assert.equal(conv.lastMessage.isRevoked, true);
        assert.equal(conv.lastMessage.messageForShow.includes('SECRET'), false);
      }
      assert.equal(A[0]!.chat.findMessage(m.ID), m, "the sender's own object was erased in place");
      assert.deepEqual(m.payload, { text: '' });
      for (const d of B) await d.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 1);
      assert.equal(B[0]!.chat.findMessage(keep.ID)!.payload.text, 'harmless');
    }),
);

test(
  'the sender recalls with revokeMessage: every other device gets MESSAGE_REVOKED, every cache loses the content',
  T,
  () =>
    withDevices(async (s, track) => {
      const { A, B } = await sixDevices(s, track);
      const m = await sendText(A[1]!, 'bob', 'SECRET-SENDER-9');
      await everyoneHas([...A, ...B], m, 'SECRET-SENDER-9', A[1]!);
      const res = await A[1]!.chat.revokeMessage(m);
      assert.equal(res.data.message, m);
      assert.equal(m.isRevoked, true);
      assert.equal(
        A[1]!.stored().includes('SECRET-SENDER-9'),
        false,
        'the recalling device erased its cache before answering',
      );
      for (const d of [...A, ...B]) {
        if (d === A[1]) continue;
        const [revoked] = (await d.rec.waitFor(EVENT.MESSAGE_REVOKED)).data as Message[];
        assert.equal(revoked!.ID, m.ID);
        assert.equal(revoked!.revoker, 'alice');
        assert.equal(d.stored().includes('SECRET-SENDER-9'), false);
      }
      // The recalling instance saw its own recall event (applied, cursor moved) without MESSAGE_REVOKED:
      // a message sent afterwards arrives on it, and still no MESSAGE_REVOKED was raised there.
      const after = await sendText(B[0]!, 'alice', 'after');
      await untilEvent(A[1]!.rec, [EVENT.MESSAGE_RECEIVED], () => A[1]!.rec.receivedIDs().includes(after.ID));
      assert.deepEqual(A[1]!.rec.revokedIDs(), []);
      for (const d of B) await d.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 0);
      await assert.rejects(A[1]!.chat.revokeMessage(m), (e: { code: number }) => e.code === 20023);
    }),
);

test('the recall window: after 120 s the sender gets 20016 and nothing changes; an admin can still recall', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const b = track(await device(s, 'bob'));
    const m = await sendText(a, 'bob', 'too late');
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(m.ID));
    s.clock.advance(121_000);
    await assert.rejects(a.chat.revokeMessage(m), (e: { code: number; data: { message: Message } }) => {
      assert.equal(e.code, 20016);
      assert.equal(e.data.message, m);
      return true;
    });
    assert.equal(m.isRevoked, false);
    assert.equal(m.payload.text, 'too late');
    assert.ok(a.stored().includes('too late'));
    const r = await s.call('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: keyOf(m) });
    assert.equal(r.ErrorCode, 0);
    await b.rec.waitFor(EVENT.MESSAGE_REVOKED);
    await a.rec.waitFor(EVENT.MESSAGE_REVOKED);
    assert.equal(m.isRevoked, true);
    // Someone else's message: the server says there is no such message of mine.
    const other = await sendText(b, 'alice', 'bob says');
    await untilEvent(a.rec, [EVENT.MESSAGE_RECEIVED], () => a.rec.receivedIDs().includes(other.ID));
    await assert.rejects(a.chat.revokeMessage(a.chat.findMessage(other.ID)!), (e: { code: number }) => e.code === 2110);
  }),
);

test('recalled while the recipient is offline: at the next login the recall is applied before SDK_READY', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const cache = new MemoryCache();
    const b = track(await device(s, 'bob', { cache }));
    const m = await sendText(a, 'bob', 'SECRET-OFFLINE-3');
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(m.ID));
    assert.ok(b.stored().includes('SECRET-OFFLINE-3'));
    await b.chat.logout();
    assert.equal(b.chat.isReady(), false);
    await s.call('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: keyOf(m) });
    // At SDK_READY the cache and the conversation list must already be clean.
    let atReady:
      | { stored: string; list: Promise<{ data: { conversationList: Conversation[] } }>; unread: number }
      | undefined;
    b.chat.on(EVENT.SDK_READY, () => {
      // getConversationList reads the state when called; the promise only carries it.
      atReady = { stored: b.stored(), list: b.chat.getConversationList(), unread: b.chat.getTotalUnreadMessageCount() };
    });
    const from = await relogin(s, b);
    assert.ok(atReady);
    assert.equal(atReady.stored.includes('SECRET-OFFLINE-3'), false);
    assert.equal(atReady.unread, 0);
    const convAtReady = (await atReady.list).data.conversationList[0]!;
    assert.equal(convAtReady.lastMessage.isRevoked, true);
    assert.equal(JSON.stringify(convAtReady).includes('SECRET'), false);
    const revoked = await b.rec.waitFor(EVENT.MESSAGE_REVOKED, () => true, from);
    assert.equal((revoked.data as Message[])[0]!.ID, m.ID);
    const list = (await b.chat.getMessageList({ conversationID: 'C2Calice' })).data.messageList;
    assert.deepEqual(
      list.map((x) => [x.ID, x.isRevoked, x.payload.text]),
      [[m.ID, true, '']],
    );
  }),
);

test('sent and recalled while the recipient was offline: it only ever sees the recall', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const b = track(await device(s, 'bob'));
    const first = await sendText(a, 'bob', 'before');
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(first.ID));
    await b.chat.logout();
    s.clock.advance(1000); // distinct times keep the history order the send order
    const m = await sendText(a, 'bob', 'SECRET-NEVER-SEEN');
    await a.chat.revokeMessage(m);
    s.clock.advance(1000);
    const later = await sendText(a, 'bob', 'later');
    const from = await relogin(s, b);
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(later.ID));
    const received = b.rec.log
      .slice(from)
      .filter((r) => r.name === EVENT.MESSAGE_RECEIVED)
      .flatMap((r) => r.envelope.data as Message[]);
    assert.deepEqual(
      received.map((x) => x.payload.text),
      ['later'],
    );
    const stub = (await b.rec.waitFor(EVENT.MESSAGE_REVOKED, () => true, from)).data as RevokedStub[];
    assert.equal(stub[0]!.ID, m.ID);
    assert.equal(stub[0]!.revoker, 'alice');
    assert.equal('payload' in stub[0]!, false);
    assert.equal(b.stored().includes('SECRET-NEVER-SEEN'), false);
    assert.equal(b.chat.getTotalUnreadMessageCount(), 2, 'before and later; the recalled one never counted');
    const list = (await b.chat.getMessageList({ conversationID: 'C2Calice' })).data.messageList;
    assert.deepEqual(
      list.map((x) => [x.ID, x.isRevoked, x.payload.text]),
      [
        [first.ID, false, 'before'],
        [m.ID, true, ''],
        [later.ID, false, 'later'],
      ],
    );
    assert.equal(JSON.stringify(list).includes('SECRET-NEVER-SEEN'), false);
  }),
);

test('recalled before the recipient ever logged in: its first sync (a snapshot) never carries the content', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const m = await sendText(a, 'bob', 'SECRET-FIRST-LOGIN');
    await a.chat.revokeMessage(m);
    const b = track(await device(s, 'bob'));
    assert.deepEqual(b.rec.receivedIDs(), []);
    assert.equal(b.stored().includes('SECRET-FIRST-LOGIN'), false);
    assert.equal(b.chat.getTotalUnreadMessageCount(), 0);
    const conv = ((await b.chat.getConversationList()).data.conversationList as Conversation[])[0]!;
    assert.equal(conv.conversationID, 'C2Calice');
    assert.equal(conv.lastMessage.isRevoked, true);
    assert.equal(conv.lastMessage.revoker, 'alice');
    assert.equal(JSON.stringify(conv).includes('SECRET'), false);
    const list = (await b.chat.getMessageList({ conversationID: 'C2Calice' })).data.messageList;
    assert.deepEqual(
      list.map((x) => [x.ID, x.isRevoked]),
      [[m.ID, true]],
    );
    assert.equal(JSON.stringify(list).includes('SECRET'), false);
  }),
);
