// Through the SDK against a real server: delivery to every device in order, read state across
// devices, payload types, history paging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, TYPES, type Conversation, type Message } from '@parley/client';
import { device, importAccounts, sendText, untilEvent, withDevices, type Device } from './helpers.js';

const T = { timeout: 60_000 };

test(
  "two users with three devices each: every message reaches all recipient devices and the sender's other devices, in order",
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const A: Device[] = [];
      const B: Device[] = [];
      for (let i = 0; i < 3; i++) A.push(track(await device(s, 'alice')));
      for (let i = 0; i < 3; i++) B.push(track(await device(s, 'bob')));
      const m1 = await sendText(A[0]!, 'bob', 'm1');
      const m2 = await sendText(A[0]!, 'bob', 'm2');
      const m3 = await sendText(A[1]!, 'bob', 'm3');
      const r1 = await sendText(B[2]!, 'alice', 'r1');
      const expected: Array<[Device, Message[]]> = [
        [A[0]!, [m3, r1]],
        [A[1]!, [m1, m2, r1]],
        [A[2]!, [m1, m2, m3, r1]],
        [B[0]!, [m1, m2, m3, r1]],
        [B[1]!, [m1, m2, m3, r1]],
        [B[2]!, [m1, m2, m3]],
      ];
      for (const [d, want] of expected) {
        await untilEvent(d.rec, [EVENT.MESSAGE_RECEIVED], () => d.rec.receivedIDs().length >= want.length);
        assert.deepEqual(
          d.rec.receivedIDs(),
          want.map((m) => m.ID),
          `${d.user} device`,
        );
      }
      // What arrived is the message, seen from the right side.
      const onB = B[0]!.rec.all(EVENT.MESSAGE_RECEIVED).flatMap((e) => e.data as Message[]);
      assert.deepEqual(
        onB.map((m) => [m.payload.text, m.flow, m.from, m.conversationID]),
        [
          ['m1', 'in', 'alice', 'C2Calice'],
          ['m2', 'in', 'alice', 'C2Calice'],
          ['m3', 'in', 'alice', 'C2Calice'],
          ['r1', 'out', 'bob', 'C2Calice'],
        ],
      );
      const onA2 = A[2]!.rec.all(EVENT.MESSAGE_RECEIVED).flatMap((e) => e.data as Message[]);
      assert.deepEqual(
        onA2.map((m) => m.flow),
        ['out', 'out', 'out', 'in'],
      );
      assert.equal(m1.status, 'success');
      assert.equal(A[0]!.chat.findMessage(m1.ID), m1, 'the sender keeps the very object it sent');

      // Unread: 3 on every bob device; reading on one clears it on all and tells alice's devices.
      for (const d of B) await d.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 3);
      const listed = await B[1]!.rec.waitFor(
        EVENT.CONVERSATION_LIST_UPDATED,
        (e) => (e.data as Conversation[])[0]?.unreadCount === 3,
      );
      assert.equal(listed.isSyncCompleted, true);
      const conv = (await B[1]!.chat.getConversationList()).data.conversationList as Conversation[];
      assert.deepEqual(
        conv.map((c) => [c.conversationID, c.unreadCount, c.lastMessage.messageForShow, c.lastMessage.fromAccount]),
        [['C2Calice', 3, 'r1', 'bob']],
      );
      const marks = A.map((d) => d.rec.mark());
      await B[0]!.chat.setMessageRead({ conversationID: 'C2Calice' });
      assert.equal(B[0]!.chat.getTotalUnreadMessageCount(), 0);
      for (const d of B.slice(1)) await d.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 0);
      for (const [i, d] of A.entries()) {
        const ev = await d.rec.waitFor(EVENT.MESSAGE_READ_BY_PEER, () => true, marks[i]);
        assert.deepEqual(
          (ev.data as Message[]).map((m) => m.ID).sort(),
          [m1.ID, m2.ID, m3.ID].sort(),
          `alice device ${i}`,
        );
        assert.ok((ev.data as Message[]).every((m) => m.isPeerRead));
      }
      const incoming = B[2]!.chat.findMessage(m2.ID)!;
      assert.equal(incoming.isRead, true);
    }),
);

test('custom, face and location messages arrive with their payloads and cloudCustomData', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const b = track(await device(s, 'bob'));
    const custom = a.chat.createCustomMessage({
      to: 'bob',
      conversationType: TYPES.CONV_C2C,
      payload: { data: '{"k":1}', description: 'desc', extension: 'ext' },
      cloudCustomData: 'cc',
    });
    const face = a.chat.createFaceMessage({
      to: 'bob',
      conversationType: TYPES.CONV_C2C,
      payload: { index: 5, data: 'tt00' },
    });
    const loc = a.chat.createLocationMessage({
      to: 'bob',
      conversationType: TYPES.CONV_C2C,
      payload: { description: 'Shenzhen', longitude: 113.93, latitude: 22.54 },
    });
    for (const m of [custom, face, loc]) {
      await a.chat.sendMessage(m);
      s.clock.advance(1000); // distinct times: the REST history orders same-second messages by MsgSeq
    }
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().length >= 3);
    const got = b.rec.all(EVENT.MESSAGE_RECEIVED).flatMap((e) => e.data as Message[]);
    assert.deepEqual(
      got.map((m) => [m.type, m.payload]),
      [
        [TYPES.MSG_CUSTOM, { data: '{"k":1}', description: 'desc', extension: 'ext' }],
        [TYPES.MSG_FACE, { index: 5, data: 'tt00' }],
        [TYPES.MSG_LOCATION, { description: 'Shenzhen', longitude: 113.93, latitude: 22.54 }],
      ],
    );
    assert.equal(got[0]!.cloudCustomData, 'cc');
    const list = (await b.chat.getConversationList()).data.conversationList as Conversation[];
    assert.equal(list[0]!.lastMessage.messageForShow, '[Location]');
    // The server stored what the SDK sent, in REST form.
    const roam = await s.call('openim/admin_getroammsg', {
      Operator_Account: 'bob',
      Peer_Account: 'alice',
      MaxCnt: 10,
      MinTime: 0,
      MaxTime: 4294967295,
    });
    assert.deepEqual(
      roam.MsgList.map((m: { MsgBody: unknown }) => m.MsgBody),
      [
        [{ MsgType: 'TIMCustomElem', MsgContent: { Data: '{"k":1}', Desc: 'desc', Ext: 'ext' } }],
        [{ MsgType: 'TIMFaceElem', MsgContent: { Index: 5, Data: 'tt00' } }],
        [{ MsgType: 'TIMLocationElem', MsgContent: { Desc: 'Shenzhen', Longitude: 113.93, Latitude: 22.54 } }],
      ],
    );
    assert.equal(roam.MsgList[0].MsgKey, `${custom.sequence}_${custom.random}_${custom.time}`);
  }),
);

test('getMessageList pages 15 at a time, oldest first, back to isCompleted', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const b = track(await device(s, 'bob'));
    const sent: Message[] = [];
    for (let i = 0; i < 20; i++) {
      sent.push(await sendText(a, 'bob', `n${i}`));
      s.clock.advance(1000);
    }
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().length >= 20);
    const p1 = (await b.chat.getMessageList({ conversationID: 'C2Calice' })).data;
    assert.deepEqual(
      p1.messageList.map((m) => m.payload.text),
      sent.slice(5).map((m) => m.payload.text),
    );
    assert.equal(p1.isCompleted, false);
    assert.equal(p1.nextReqMessageID, sent[5]!.ID);
    assert.equal(
      p1.messageList[14],
      b.chat.findMessage(sent[19]!.ID),
      'history returns the objects MESSAGE_RECEIVED delivered',
    );
    const p2 = (await b.chat.getMessageList({ conversationID: 'C2Calice', nextReqMessageID: p1.nextReqMessageID }))
      .data;
    assert.deepEqual(
      p2.messageList.map((m) => m.payload.text),
      ['n0', 'n1', 'n2', 'n3', 'n4'],
    );
    assert.equal(p2.isCompleted, true);
    assert.equal(p2.nextReqMessageID, '');
    const small = (await b.chat.getMessageList({ conversationID: 'C2Calice', count: 4 })).data;
    assert.deepEqual(
      small.messageList.map((m) => m.payload.text),
      ['n16', 'n17', 'n18', 'n19'],
    );
    // The sender's view of the same conversation.
    const mine = (await a.chat.getMessageList({ conversationID: 'C2Cbob', count: 2 })).data;
    assert.deepEqual(
      mine.messageList.map((m) => [m.flow, m.ID]),
      [
        ['out', sent[18]!.ID],
        ['out', sent[19]!.ID],
      ],
    );
    await assert.rejects(b.chat.getMessageList({ conversationID: 'GROUPx' }), (e: { code: number }) => e.code === 2503);
  }),
);

test("a failed send rejects with the server's code and keeps the message as failed", T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice');
    const a = track(await device(s, 'alice'));
    const rest = await s.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'nobody',
      MsgRandom: 1,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'x' } }],
    });
    assert.notEqual(rest.ErrorCode, 0);
    const m = a.chat.createTextMessage({ to: 'nobody', conversationType: TYPES.CONV_C2C, payload: { text: 'x' } });
    await assert.rejects(a.chat.sendMessage(m), (e: { code: number; data: { message: Message } }) => {
      assert.equal(e.code, rest.ErrorCode);
      assert.equal(e.data.message, m);
      return true;
    });
    assert.equal(m.status, 'fail');
    const list = (await a.chat.getMessageList({ conversationID: 'C2Cnobody' })).data.messageList;
    assert.deepEqual(list, [m], 'the failed message stays in the local list for a resend');
  }),
);

test(
  'REST changes reach the SDK: modify → MESSAGE_MODIFIED, NoUnread is not counted, admin_set_msg_read clears unread',
  T,
  () =>
    withDevices(async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const a = track(await device(s, 'alice'));
      const b = track(await device(s, 'bob'));
      const m = await sendText(a, 'bob', 'original');
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(m.ID));
      const r = await s.call('openim/modify_c2c_msg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgKey: `${m.sequence}_${m.random}_${m.time}`,
        MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'edited' } }],
      });
      assert.equal(r.ErrorCode, 0);
      for (const d of [a, b]) {
        const ev = await d.rec.waitFor(EVENT.MESSAGE_MODIFIED);
        const [changed] = ev.data as Message[];
        assert.equal(changed!.ID, m.ID);
        assert.equal(changed!.payload.text, 'edited');
        assert.equal(changed!.isModified, true);
        assert.ok(!d.stored().includes('original'), 'the cache holds the new content only');
      }
      assert.equal(m.payload.text, 'edited', "the sender's object changed in place");

      const quiet = await s.call('openim/sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: 77,
        SendMsgControl: ['NoUnread'],
        MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'not counted' } }],
      });
      assert.equal(quiet.ErrorCode, 0);
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().length >= 2);
      const [, second] = b.rec.all(EVENT.MESSAGE_RECEIVED).flatMap((e) => e.data as Message[]);
      assert.equal(second!.payload.text, 'not counted');
      assert.equal(b.chat.getTotalUnreadMessageCount(), 1, 'only the first message counts');
      const rest = await s.call('openim/get_c2c_unread_msg_num', { To_Account: 'bob' });
      assert.equal(rest.AllC2CUnreadMsgNum, 1, 'the same count as the server');

      await s.call('openim/admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' });
      await b.rec.waitFor(EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => e.data === 0);
      assert.equal(b.chat.findMessage(m.ID)!.isRead, true);
      const readByPeer = await a.rec.waitFor(EVENT.MESSAGE_READ_BY_PEER);
      assert.deepEqual(
        (readByPeer.data as Message[]).map((x) => x.ID),
        [m.ID],
      );
    }),
);

test('an online-only message is shown to online devices and kept nowhere', T, () =>
  withDevices(async (s, track) => {
    await importAccounts(s, 'alice', 'bob');
    const a = track(await device(s, 'alice'));
    const a2 = track(await device(s, 'alice'));
    const b = track(await device(s, 'bob'));
    const m = a.chat.createTextMessage({ to: 'bob', conversationType: TYPES.CONV_C2C, payload: { text: 'typing…' } });
    await a.chat.sendMessage(m, { onlineUserOnly: true });
    assert.equal(m.status, 'success');
    const got = await b.rec.waitFor(EVENT.MESSAGE_RECEIVED);
    assert.equal((got.data as Message[])[0]!.payload.text, 'typing…');
    await a2.rec.waitFor(EVENT.MESSAGE_RECEIVED, (e) => (e.data as Message[])[0]!.ID === m.ID);
    const after = await sendText(a, 'bob', 'stored');
    await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => b.rec.receivedIDs().includes(after.ID));
    assert.deepEqual(a.rec.receivedIDs(), [], 'the sending instance is not told about its own message');
    assert.equal(b.stored().includes('typing'), false);
    assert.equal(b.chat.getTotalUnreadMessageCount(), 1);
    const history = (await b.chat.getMessageList({ conversationID: 'C2Calice' })).data.messageList;
    assert.deepEqual(
      history.map((x) => x.payload.text),
      ['stored'],
    );
  }),
);
