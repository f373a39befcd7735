// openim/c2c_msg_read_receipt: IsPeerRead 1 for exactly the messages named (both sides' history),
// a receipt event for the sender, unread counts untouched, all or nothing, every code of its
// table (the spec's decisions), and the interplay with recall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@parley/protocol';
import { T0, withServer, type TestServer } from './helpers/server.js';
import {
  BAD_JSON,
  call,
  events,
  expectFail,
  expectOk,
  expectRejected,
  history,
  send,
  unread,
} from './helpers/messages.js';
import { WsClient } from './helpers/ws.js';

const receipt = (s: TestServer, body: unknown) => call(s, 'c2c_msg_read_receipt', body);
const item = (MsgKey: string, From_Account = 'alice', To_Account = 'bob') => ({ From_Account, To_Account, MsgKey });
const body = (keys: string[], o: Record<string, unknown> = {}) => ({
  Operator_Account: 'bob',
  Peer_Account: 'alice',
  C2CMsgInfo: keys.map((k) => item(k)),
  ...o,
});
const peerRead = async (s: TestServer, op: string, peer: string) =>
  Object.fromEntries((await history(s, op, peer)).map((m) => [m.MsgKey, m.IsPeerRead]));

test('a receipt marks exactly the messages named: IsPeerRead 1 from both sides, unread unchanged, the sender gets a receipt event', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const m1 = await send(s, 'alice', 'bob', 'one', { IsNeedReadReceipt: 1 });
    const m2 = await send(s, 'alice', 'bob', 'two', { IsNeedReadReceipt: 1 });
    const reply = await send(s, 'bob', 'alice', 'reply');
    s.clock.advance(3000);
    const r = await receipt(s, body([m1.MsgKey]));
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    for (const [op, peer] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      assert.deepEqual(
        await peerRead(s, op, peer),
        { [m1.MsgKey]: 1, [m2.MsgKey]: 0, [reply.MsgKey]: 0 },
        `${op}'s view`,
      );
    }
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 2, 'a receipt is not a read mark');
    const receipts = (await events(s, 'alice')).filter((e) => e.kind === 'receipt');
    assert.equal(receipts.length, 1);
    assert.deepEqual(receipts[0]!.data, { from: 'alice', reader: 'bob', msgKeys: [m1.MsgKey], at: T0 + 3 });
    assert.equal(receipts[0]!.message, undefined, 'the event carries keys, not content');
    assert.deepEqual(
      (await events(s, 'bob')).filter((e) => e.kind === 'receipt'),
      [],
      'the reader is not told',
    );

    // Again, with m1 named twice and m2: OK; m1 stays read, m2 becomes read; one event listing each once.
    expectOk(await receipt(s, body([m1.MsgKey, m2.MsgKey, m1.MsgKey])));
    assert.deepEqual(await peerRead(s, 'alice', 'bob'), { [m1.MsgKey]: 1, [m2.MsgKey]: 1, [reply.MsgKey]: 0 });
    const all = (await events(s, 'alice')).filter((e) => e.kind === 'receipt');
    assert.deepEqual(
      all.map((e) => (e.data as { msgKeys: string[] }).msgKeys),
      [[m1.MsgKey], [m1.MsgKey, m2.MsgKey]],
    );
  });
});

test('a message sent without IsNeedReadReceipt still takes a REST receipt', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'plain');
    expectOk(await receipt(s, body([m.MsgKey])));
    assert.deepEqual(await peerRead(s, 'alice', 'bob'), { [m.MsgKey]: 1 });
  });
});

test('c2c_msg_read_receipt: every code of its table, each refused call writing nothing', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'hello');
    const toCarol = await send(s, 'alice', 'carol', "not bob's");
    const back = await send(s, 'bob', 'alice', 'other direction');
    const bad = ErrorCode.REQUEST_PACKET_INVALID;
    const cases: Array<[unknown, number, string]> = [
      [{ Peer_Account: 'alice', C2CMsgInfo: [item(m.MsgKey)] }, bad, 'Operator_Account missing'],
      [body([m.MsgKey], { Operator_Account: 5 }), bad, 'Operator_Account not a string'],
      [{ Operator_Account: 'bob', C2CMsgInfo: [item(m.MsgKey)] }, bad, 'Peer_Account missing'],
      [body([m.MsgKey], { Peer_Account: null }), bad, 'Peer_Account null'],
      [{ Operator_Account: 'bob', Peer_Account: 'alice' }, bad, 'C2CMsgInfo missing'],
      [body([], { C2CMsgInfo: item(m.MsgKey) }), bad, 'C2CMsgInfo not an array'],
      [body([]), bad, 'C2CMsgInfo empty'],
      [body(Array(31).fill(m.MsgKey)), bad, '31 items'],
      [body([], { C2CMsgInfo: ['x'] }), bad, 'an item not an object'],
      [body([], { C2CMsgInfo: [item(m.MsgKey, 'carol')] }), bad, 'From_Account is not Peer_Account'],
      [body([], { C2CMsgInfo: [item(m.MsgKey, 'alice', 'carol')] }), bad, 'To_Account is not Operator_Account'],
      [body([], { C2CMsgInfo: [{ From_Account: 'alice', To_Account: 'bob' }] }), bad, 'MsgKey missing'],
      [body([], { C2CMsgInfo: [{ From_Account: 'alice', MsgKey: m.MsgKey }] }), bad, 'To_Account missing'],
      [
        body([m.MsgKey], { Operator_Account: 'nobody', C2CMsgInfo: [item(m.MsgKey, 'alice', 'nobody')] }),
        ErrorCode.USER_NOT_FOUND,
        'unknown Operator_Account',
      ],
      [
        body([m.MsgKey], { Peer_Account: 'nobody', C2CMsgInfo: [item(m.MsgKey, 'nobody')] }),
        ErrorCode.USER_NOT_FOUND,
        'unknown Peer_Account',
      ],
      [body(['1_2']), ErrorCode.MSG_KEY_INVALID, 'malformed MsgKey'],
      [body(['1_2_99999999999']), ErrorCode.MSG_KEY_INVALID, 'MsgKey beyond u32'],
      [
        body([`${m.MsgKey}`, '1_1_1']),
        ErrorCode.MESSAGE_NOT_FOUND,
        'a well-formed key naming nothing (with a good one)',
      ],
      [body([toCarol.MsgKey]), ErrorCode.MESSAGE_NOT_FOUND, 'a message of another conversation'],
      [body([back.MsgKey]), ErrorCode.MESSAGE_NOT_FOUND, "bob's own message: bob is not its recipient"],
    ];
    for (const [b, code, what] of cases) await expectRejected(s, 'c2c_msg_read_receipt', b, code, what);
    // The shape is checked before any account: an over-long list naming nobody is 20001, not 20003.
    await expectRejected(
      s,
      'c2c_msg_read_receipt',
      {
        Operator_Account: 'ghost',
        Peer_Account: 'phantom',
        C2CMsgInfo: Array(31).fill(item('1_1_1', 'phantom', 'ghost')),
      },
      bad,
      'shape before accounts',
    );
    for (const raw of BAD_JSON)
      await expectRejected(s, 'c2c_msg_read_receipt', raw, ErrorCode.MSG_JSON_INVALID, `body ${JSON.stringify(raw)}`);
    const asBob = await s.call('openim/c2c_msg_read_receipt', body([m.MsgKey]), {
      identifier: 'bob',
      usersig: s.sig('bob'),
    });
    expectFail(asBob, ErrorCode.MSG_NOT_ADMIN, 'not an admin');
    assert.deepEqual(await peerRead(s, 'alice', 'bob'), { [m.MsgKey]: 0, [back.MsgKey]: 0 });
    // ErrorInfo names the message that failed.
    const missing = await receipt(s, body([m.MsgKey, '1_1_1']));
    assert.match(missing.ErrorInfo, /1_1_1/);
    assert.match(missing.ErrorInfo, /Peer_Account/);
  });
});

test('recall interplay: a receipt for a recalled message is 20023 and marks none; a recall after a receipt leaves the tombstone only', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const gone = await send(s, 'alice', 'bob', 'SECRET-GONE', { IsNeedReadReceipt: 1 });
    const kept = await send(s, 'alice', 'bob', 'SECRET-KEPT', { IsNeedReadReceipt: 1 });
    expectOk(await call(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: gone.MsgKey }));
    await expectRejected(
      s,
      'c2c_msg_read_receipt',
      body([kept.MsgKey, gone.MsgKey]),
      ErrorCode.MESSAGE_ALREADY_RECALLED,
      'recalled, with a good one',
    );
    assert.deepEqual(await peerRead(s, 'alice', 'bob'), { [gone.MsgKey]: 0, [kept.MsgKey]: 0 }, 'all or nothing');

    expectOk(await receipt(s, body([kept.MsgKey])));
    expectOk(await call(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: kept.MsgKey }));
    for (const [op, peer] of [
      ['alice', 'bob'],
      ['bob', 'alice'],
    ] as const) {
      const stone = (await history(s, op, peer)).find((m) => m.MsgKey === kept.MsgKey)!;
      assert.deepEqual(
        [stone.MsgFlagBits, stone.MsgBody, stone.CloudCustomData, stone.IsPeerRead],
        [8, [], '', 1],
        `${op}: a tombstone, still read`,
      );
    }
    for (const user of ['alice', 'bob']) {
      assert.ok(!JSON.stringify(await events(s, user)).includes('SECRET-KEPT'), `${user}'s events keep no content`);
    }
    await expectRejected(
      s,
      'c2c_msg_read_receipt',
      body([kept.MsgKey]),
      ErrorCode.MESSAGE_ALREADY_RECALLED,
      'a receipt after the recall',
    );
  });
});

test('c2c_msg_read_receipt is rate-limited like the other openim APIs (60007, not executed)', async () => {
  await withServer(
    ['alice', 'bob'],
    async (s) => {
      const a = await send(s, 'alice', 'bob', 'a');
      const b = await send(s, 'alice', 'bob', 'b');
      expectOk(await receipt(s, body([a.MsgKey])));
      expectFail(await receipt(s, body([b.MsgKey])), 60007, 'second call in the second');
      assert.deepEqual(await peerRead(s, 'alice', 'bob'), { [a.MsgKey]: 1, [b.MsgKey]: 0 });
    },
    { rateLimits: { 'openim/c2c_msg_read_receipt': 1 } },
  );
});

test("the gateway receipt op: the reader's client acknowledges, the sender's devices get the event at once, codes as over REST", async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const alice = await WsClient.login(s, 'alice');
    const bob = await WsClient.login(s, 'bob');
    try {
      // Caught up, so later events are pushed as they happen.
      assert.equal((await alice.request('sync', { cursor: 0 })).code, 0);
      const sent = await alice.request('send', {
        to: 'bob',
        random: 9,
        body: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'read me' } }],
        needReadReceipt: true,
      });
      const key = sent.data.message.msgKey as string;
      const r = await bob.request('receipt', { peer: 'alice', msgKeys: [key] });
      assert.equal(r.code, 0, r.message);
      const pushed = await alice.next(
        (f) => f.op === 'events' && f.data.events.some((e: { kind: string }) => e.kind === 'receipt'),
        'a receipt event',
      );
      const ev = pushed.data.events.find((e: { kind: string }) => e.kind === 'receipt');
      assert.deepEqual(ev.data, { from: 'alice', reader: 'bob', msgKeys: [key], at: T0 });
      const hist = await alice.request('history', { peer: 'bob' });
      assert.equal(hist.data.messages[0].isPeerRead, true);

      const fails: Array<[unknown, number, string]> = [
        [{ peer: 'alice', msgKeys: [] }, ErrorCode.REQUEST_PACKET_INVALID, 'empty'],
        [{ peer: 'alice', msgKeys: key }, ErrorCode.REQUEST_PACKET_INVALID, 'not an array'],
        [{ peer: 'alice', msgKeys: Array(31).fill(key) }, ErrorCode.REQUEST_PACKET_INVALID, '31 keys'],
        [{ msgKeys: [key] }, ErrorCode.REQUEST_PACKET_INVALID, 'no peer'],
        [{ peer: 'alice', msgKeys: ['nope'] }, ErrorCode.MSG_KEY_INVALID, 'malformed key'],
        [{ peer: 'nobody', msgKeys: [key] }, ErrorCode.USER_NOT_FOUND, 'unknown peer'],
        [{ peer: 'alice', msgKeys: ['1_1_1'] }, ErrorCode.MESSAGE_NOT_FOUND, 'no such message'],
      ];
      for (const [d, code, what] of fails) {
        const f = await bob.request('receipt', d);
        assert.equal(f.code, code, `${what}: ${f.message}`);
      }
      // The sender cannot acknowledge its own message: it is not the recipient.
      assert.equal((await alice.request('receipt', { peer: 'bob', msgKeys: [key] })).code, ErrorCode.MESSAGE_NOT_FOUND);
      const unknown = await bob.request('receipt', { peer: 'nobody', msgKeys: [key] });
      assert.match(unknown.message ?? '', /^peer nobody/, 'the op names its own fields');
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
