// deleteMessage and deleteConversation through the SDK against a real server: the user's other
// devices drop what was deleted from their caches; the peer's devices keep everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, MemoryCache, type Conversation, type Message } from '@parley/client';
import { device, importAccounts, relogin, sendText, untilEvent, withDevices, type Device } from './helpers.js';

const T = { timeout: 60_000 };
const listOf = async (d: Device): Promise<Conversation[]> =>
  (await d.chat.getConversationList()).data.conversationList as Conversation[];
const convIDs = async (d: Device): Promise<string[]> => (await listOf(d)).map((c) => c.conversationID);

/** Waits until the device has received the message. */
const receives = (d: Device, m: Message): Promise<void> =>
  untilEvent(d.rec, [EVENT.MESSAGE_RECEIVED], () => d.rec.receivedIDs().includes(m.ID));

test(
  "deleteMessage: gone from this device and from my other devices' caches; the peer keeps it; unread follows",
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const a = track(await device(s, 'alice'));
      const b1 = track(await device(s, 'bob'));
      const b2 = track(await device(s, 'bob'));
      const keep = await sendText(a, 'bob', 'KEEP-ME');
      const gone = await sendText(a, 'bob', 'DELETE-ME-4');
      for (const d of [b1, b2]) {
        await receives(d, gone);
        await d.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 2);
      }
      const mine = b1.chat.findMessage(gone.ID)!;
      const res = await b1.chat.deleteMessage([mine]);
      assert.deepEqual(res.data.messageList, [mine]);
      assert.equal(mine.isDeleted, true);
      assert.equal(b1.chat.findMessage(gone.ID), null);
      assert.equal(b1.stored().includes('DELETE-ME-4'), false, "this device's cache dropped it before answering");
      assert.equal(b1.chat.getTotalUnreadMessageCount(), 1, 'the deleted unread message no longer counts');
      // bob's other device drops it when the delete event arrives.
      await untilEvent(
        b2.rec,
        [EVENT.CONVERSATION_LIST_UPDATED, EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED],
        () => b2.chat.findMessage(gone.ID) === null,
      );
      assert.equal(b2.stored().includes('DELETE-ME-4'), false);
      assert.ok(b2.stored().includes('KEEP-ME'));
      await b2.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 1);
      // History from the server no longer has it for bob; alice still has both.
      const hist = (await b2.chat.getMessageList({ conversationID: 'C2Calice' })).data.messageList as Message[];
      assert.deepEqual(
        hist.map((m) => m.ID),
        [keep.ID],
      );
      assert.ok(a.chat.findMessage(gone.ID), 'the sender keeps it');
      const aliceHist = (await a.chat.getMessageList({ conversationID: 'C2Cbob' })).data.messageList as Message[];
      assert.deepEqual(aliceHist.map((m) => m.ID).sort(), [keep.ID, gone.ID].sort());
      // The conversation stays in bob's list.
      assert.deepEqual(await convIDs(b1), ['C2Calice']);
    }),
);

test('deleteMessage by both parties: the server erases the message, nothing is left to recall; failures', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const b = track(await device(s, 'bob'));
    const m = await sendText(a, 'bob', 'hello');
    await receives(b, m);
    // A message not sent successfully cannot be deleted.
    const unsent = a.chat.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text: 'draft' } });
    await assert.rejects(a.chat.deleteMessage([unsent]), (e: { code: number }) => e.code === 2111);
    await assert.rejects(a.chat.deleteMessage([]), (e: { code: number }) => e.code === 2105);
    // Both sides delete it: nobody holds it, the server erases it; the REST history of both is empty.
    await a.chat.deleteMessage([m]);
    await b.chat.deleteMessage([b.chat.findMessage(m.ID)!]);
    for (const [op, peer] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ]) {
      const r = await s.call('openim/admin_getroammsg', {
        Operator_Account: op,
        Peer_Account: peer,
        MaxCnt: 100,
        MinTime: 0,
        MaxTime: 4294967295,
      });
      assert.deepEqual(r.MsgList, []);
    }
    const recall = await s.call('openim/admin_msgwithdraw', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: `${m.sequence}_${m.random}_${m.time}`,
    });
    assert.equal(recall.ErrorCode, 20022, 'nothing left to recall');
  }),
);

test(
  'deleteConversation: leaves my list on every device, history cleared by default; the peer keeps its side; a new message brings it back',
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob', 'carol');
      const a = track(await device(s, 'alice'));
      const b1 = track(await device(s, 'bob'));
      const b2 = track(await device(s, 'bob'));
      const c = track(await device(s, 'carol'));
      const m = await sendText(a, 'bob', 'CONV-SECRET-1');
      const n = await sendText(c, 'bob', 'from carol');
      for (const d of [b1, b2]) {
        await receives(d, m);
        await receives(d, n);
      }
      const from = b2.rec.mark();
      const res = await b1.chat.deleteConversation('C2Calice');
      assert.deepEqual(res.data, { conversationID: 'C2Calice' });
      assert.deepEqual(await convIDs(b1), ['C2Ccarol']);
      assert.equal(b1.stored().includes('CONV-SECRET-1'), false);
      assert.equal(b1.chat.getTotalUnreadMessageCount(), 1);
      await untilEvent(b2.rec, [EVENT.CONVERSATION_LIST_UPDATED], () => b2.chat.findMessage(m.ID) === null);
      const ev = await b2.rec.waitFor(
        EVENT.CONVERSATION_LIST_UPDATED,
        (e) => (e.data as Conversation[]).every((x) => x.conversationID !== 'C2Calice'),
        from,
      );
      assert.deepEqual(
        (ev.data as Conversation[]).map((x) => x.conversationID),
        ['C2Ccarol'],
      );
      assert.equal(b2.stored().includes('CONV-SECRET-1'), false, "the other device's cache dropped the history");
      assert.deepEqual(await convIDs(a), ['C2Cbob'], 'alice keeps her side');
      assert.ok(a.chat.findMessage(m.ID));
      const r = await s.call('openim/admin_getroammsg', {
        Operator_Account: 'bob',
        Peer_Account: 'alice',
        MaxCnt: 100,
        MinTime: 0,
        MaxTime: 4294967295,
      });
      assert.deepEqual(r.MsgList, [], 'cleared on the server for bob');
      // Nothing left to delete: 2500.
      await assert.rejects(
        b1.chat.deleteConversation({ conversationIDList: ['C2Calice'] }),
        (e: { code: number }) => e.code === 2500,
      );
      await assert.rejects(
        b1.chat.deleteConversation({ conversationIDList: ['nope'] }),
        (e: { code: number }) => e.code === 2503,
      );
      // A new message from alice brings it back on both devices.
      const again = await sendText(a, 'bob', 'again');
      for (const d of [b1, b2]) {
        await receives(d, again);
        assert.deepEqual((await convIDs(d)).sort(), ['C2Calice', 'C2Ccarol']);
      }
    }),
);

test(
  'deleteConversation with clearHistoryMessage false keeps the history; a device that was offline catches up',
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const a = track(await device(s, 'alice'));
      const cache = new MemoryCache();
      const b1 = track(await device(s, 'bob'));
      const b2 = track(await device(s, 'bob', { cache }));
      const m = await sendText(a, 'bob', 'KEPT-HISTORY');
      await receives(b1, m);
      await receives(b2, m);
      await b2.chat.logout();
      const res = await b1.chat.deleteConversation({ conversationIDList: ['C2Calice'], clearHistoryMessage: false });
      assert.deepEqual(res.data, { conversationIDList: ['C2Calice'] });
      assert.deepEqual(await convIDs(b1), []);
      assert.equal(b1.chat.getTotalUnreadMessageCount(), 0);
      // The history stays on the server for bob.
      const hist = (await b1.chat.getMessageList({ conversationID: 'C2Calice' })).data.messageList as Message[];
      assert.deepEqual(
        hist.map((x) => x.ID),
        [m.ID],
      );
      // The offline device applies the event when it comes back.
      await relogin(s, b2);
      await untilEvent(
        b2.rec,
        [EVENT.CONVERSATION_LIST_UPDATED, EVENT.SDK_READY],
        () => b2.chat.getTotalUnreadMessageCount() === 0,
      );
      assert.deepEqual(await convIDs(b2), []);
    }),
);
