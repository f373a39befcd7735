// Per-message read receipts and global mute through the SDK against a real server:
// sendMessageReadReceipt reaches every device of the sender as MESSAGE_READ_RECEIPT_RECEIVED with
// the message turned peer-read; its refusals; a muted sender's sendMessage fails with 20012 until
// the mute runs out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, TYPES, type ChatError, type Message } from '@parley/client';
import { ErrorCode } from '@parley/protocol';
import { device, importAccounts, untilEvent, withDevices, type Device } from './helpers.js';

const T = { timeout: 60_000 };
const keyOf = (m: Message): string => `${m.sequence}_${m.random}_${m.time}`;

async function sendText(d: Device, to: string, text: string, needReadReceipt = false): Promise<Message> {
  const m = d.chat.createTextMessage({ to, conversationType: TYPES.CONV_C2C, payload: { text }, needReadReceipt });
  await d.chat.sendMessage(m);
  return m;
}

/** The receiving device's copy of a message, once it has arrived. */
async function received(d: Device, m: Message): Promise<Message> {
  await untilEvent(d.rec, [EVENT.MESSAGE_RECEIVED], () => d.rec.receivedIDs().includes(m.ID));
  return d.chat.findMessage(m.ID)!;
}

const rejection = async (p: Promise<unknown>): Promise<ChatError> => {
  try {
    await p;
  } catch (e) {
    return e as ChatError;
  }
  assert.fail('expected a rejection');
};

test(
  'sendMessageReadReceipt: every device of the sender gets MESSAGE_READ_RECEIPT_RECEIVED and the message becomes peer-read',
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const a1 = track(await device(s, 'alice'));
      const a2 = track(await device(s, 'alice'));
      const b = track(await device(s, 'bob'));
      const asked = await sendText(a1, 'bob', 'did you read this?', true);
      const plain = await sendText(a1, 'bob', 'no receipt wanted');
      const inB = await received(b, asked);
      const plainInB = await received(b, plain);
      assert.equal(inB.needReadReceipt, true);
      await received(a2, asked);
      s.clock.advance(2000);

      const res = await b.chat.sendMessageReadReceipt([inB, plainInB]);
      assert.equal(res.code, 0);
      for (const d of [a1, a2]) {
        const ev = await d.rec.waitFor(EVENT.MESSAGE_READ_RECEIPT_RECEIVED);
        assert.deepEqual(ev.data, [
          {
            conversationID: 'C2Cbob',
            messageID: asked.ID,
            userID: 'bob',
            isPeerRead: true,
            timestamp: Math.floor(s.clock.nowMs() / 1000),
          },
        ]);
        const mine = d.chat.findMessage(asked.ID)!;
        assert.equal(mine.isPeerRead, true);
        assert.equal(mine.readReceiptInfo.isPeerRead, true);
        assert.equal(
          d.chat.findMessage(plain.ID)?.isPeerRead ?? false,
          false,
          'a message that asked for no receipt is skipped',
        );
      }
      assert.equal(asked.isPeerRead, true, 'the sending object itself is updated');
      assert.equal(b.rec.all(EVENT.MESSAGE_READ_RECEIPT_RECEIVED).length, 0, 'the reader is not told');
      // Over REST the sender's history shows it, and the unread count is the reader's business.
      const h = await s.call('openim/admin_getroammsg', {
        Operator_Account: 'alice',
        Peer_Account: 'bob',
        MaxCnt: 10,
        MinTime: 0,
        MaxTime: 4294967295,
      });
      // Both in one second: history orders them by MsgSeq, so compare by key.
      assert.deepEqual(
        Object.fromEntries(h.MsgList.map((m: { MsgKey: string; IsPeerRead: number }) => [m.MsgKey, m.IsPeerRead])),
        { [keyOf(asked)]: 1, [keyOf(plain)]: 0 },
      );
      const u = await s.call('openim/get_c2c_unread_msg_num', { To_Account: 'bob' });
      assert.equal(u.AllC2CUnreadMsgNum, 2);

      // A device that logs in later learns it from history.
      const a3 = track(await device(s, 'alice'));
      const list = (await a3.chat.getMessageList({ conversationID: 'C2Cbob' })).data.messageList as Message[];
      assert.deepEqual(Object.fromEntries(list.map((m) => [m.ID, m.isPeerRead])), {
        [asked.ID]: true,
        [plain.ID]: false,
      });
    }),
);

test(
  "sendMessageReadReceipt refuses an empty list (2114), messages not received in one conversation (2106), and passes the server's 20023 for a recalled message",
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob', 'carol');
      const a = track(await device(s, 'alice'));
      const c = track(await device(s, 'carol'));
      const b = track(await device(s, 'bob'));
      const fromAlice = await received(b, await sendText(a, 'bob', 'from alice', true));
      const fromCarol = await received(b, await sendText(c, 'bob', 'from carol', true));
      const own = await sendText(b, 'alice', 'mine', true);
      assert.equal((await rejection(b.chat.sendMessageReadReceipt([]))).code, 2114);
      assert.equal((await rejection(b.chat.sendMessageReadReceipt([fromAlice, fromCarol]))).code, 2106);
      assert.equal((await rejection(b.chat.sendMessageReadReceipt([own]))).code, 2106);
      const gone = await sendText(a, 'bob', 'to be recalled', true);
      const goneInB = await received(b, gone);
      assert.equal(
        (await s.call('openim/admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: keyOf(gone) }))
          .ErrorCode,
        0,
      );
      assert.equal(
        (await rejection(b.chat.sendMessageReadReceipt([fromAlice, goneInB]))).code,
        ErrorCode.MESSAGE_ALREADY_RECALLED,
      );
      const h = await s.call('openim/admin_getroammsg', {
        Operator_Account: 'alice',
        Peer_Account: 'bob',
        MaxCnt: 10,
        MinTime: 0,
        MaxTime: 4294967295,
      });
      assert.deepEqual(
        h.MsgList.filter((m: { From_Account: string }) => m.From_Account === 'alice').map(
          (m: { IsPeerRead: number }) => m.IsPeerRead,
        ),
        [0, 0],
        'all or nothing',
      );
    }),
);

test(
  'a muted user: sendMessage fails with 20012 (status fail) until the mute runs out; REST sends as that user still arrive',
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const a = track(await device(s, 'alice'));
      const b = track(await device(s, 'bob'));
      const mute = await s.call('openconfigsvr/setnospeaking', { Set_Account: 'alice', C2CmsgNospeakingTime: 30 });
      assert.equal(mute.ErrorCode, 0);
      const m = a.chat.createTextMessage({ to: 'bob', conversationType: TYPES.CONV_C2C, payload: { text: 'hush' } });
      const err = await rejection(a.chat.sendMessage(m));
      assert.equal(err.code, ErrorCode.SENDER_MUTED);
      assert.equal(m.status, 'fail');
      const rest = await s.call('openim/sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: 1,
        MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'via REST' } }],
      });
      assert.equal(rest.ErrorCode, 0);
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.all(EVENT.MESSAGE_RECEIVED).length === 1);
      s.clock.advance(30_000);
      const again = await a.chat.resendMessage(m);
      assert.equal(again.code, 0);
      assert.equal(m.status, 'success');
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(m.ID));
    }),
);
