// C2C.CallbackAfterMsgReadReceipt (spec §8.3) from REST and from a client, through the durable
// outbox; none for a refused receipt; and a muted client's send fires no before- or after-send
// callback (spec §6, §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@parley/protocol';
import { ADMIN, T0 } from '../helpers/server.js';
import { WsClient, baseQuery, expectFail, expectOk, openim, outbox, sendmsg, text, withCallbacks } from './helpers.js';

const RECEIPT = 'C2C.CallbackAfterMsgReadReceipt';
const BEFORE = 'C2C.CallbackBeforeSendMsg';
const AFTER = 'C2C.CallbackAfterSendMsg';

test('C2C.CallbackAfterMsgReadReceipt: reader, peer and the messages, from REST (RESTAPI) and from a client (its platform); none for a refused receipt', async () => {
  await withCallbacks({ callback: { commands: [RECEIPT] } }, async ({ r, s }) => {
    const m1 = await sendmsg(s, { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, IsNeedReadReceipt: 1 });
    const m2 = await sendmsg(s, { From_Account: 'alice', To_Account: 'bob', MsgRandom: 2, IsNeedReadReceipt: 1 });
    s.clock.advance(2000);
    expectFail(
      await openim(s, 'c2c_msg_read_receipt', {
        Operator_Account: 'bob',
        Peer_Account: 'alice',
        C2CMsgInfo: [{ From_Account: 'alice', To_Account: 'bob', MsgKey: '1_1_1' }],
      }),
      ErrorCode.MESSAGE_NOT_FOUND,
      'no such message',
    );
    assert.deepEqual(await outbox(s), [], 'a refused receipt enqueues nothing');
    expectOk(
      await openim(s, 'c2c_msg_read_receipt', {
        Operator_Account: 'bob',
        Peer_Account: 'alice',
        C2CMsgInfo: [m1, m2].map((m) => ({ From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey })),
      }),
    );
    const [h] = await r.waitForCommand(RECEIPT);
    assert.deepEqual(h!.query, baseQuery(RECEIPT));
    assert.deepEqual(h!.body, {
      CallbackCommand: RECEIPT,
      Operator_Account: 'bob',
      Peer_Account: 'alice',
      C2CMsgInfo: [m1, m2].map((m) => ({ From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey })),
      EventTime: (T0 + 2) * 1000,
    });

    const bob = await WsClient.login(s, 'bob', { platform: 'Android', deviceId: 'b1' });
    try {
      const ack = await bob.request('receipt', { peer: 'alice', msgKeys: [m2.MsgKey] });
      assert.equal(ack.code, 0, ack.message);
      const [, c] = await r.waitForCommand(RECEIPT, 2);
      assert.deepEqual(c!.query, baseQuery(RECEIPT, 'Android'));
      assert.deepEqual(c!.body.C2CMsgInfo, [{ From_Account: 'alice', To_Account: 'bob', MsgKey: m2.MsgKey }]);
    } finally {
      await bob.close();
    }
    assert.equal(r.hits.length, 2);
  });
});

test('a muted client send: 20012, no before-send and no after-send callback; a REST send as that user fires both', async () => {
  await withCallbacks({ callback: { commands: [BEFORE, AFTER] } }, async ({ r, s }) => {
    const mute = await s.call(
      'openconfigsvr/setnospeaking',
      { Set_Account: 'alice', C2CmsgNospeakingTime: 100 },
      { usersig: s.sig(ADMIN) },
    );
    expectOk(mute);
    const alice = await WsClient.login(s, 'alice');
    try {
      const refused = await alice.request('send', { to: 'bob', random: 5, body: text('muted') });
      assert.equal(refused.code, ErrorCode.SENDER_MUTED);
      const rest = await sendmsg(s, { From_Account: 'alice', To_Account: 'bob', MsgRandom: 6 });
      const [after] = await r.waitForCommand(AFTER);
      assert.equal(after!.body.MsgKey, rest.MsgKey);
      assert.deepEqual(
        r.hits.map((h) => h.command),
        [BEFORE, AFTER],
        'only the REST send called out',
      );
      assert.equal(r.hits[0]!.body.MsgRandom, 6);
    } finally {
      await alice.close();
    }
  });
});
