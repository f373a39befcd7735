// delete_c2c_msg_ramble (spec one-to-one-more §3, §10): the messages leave one party's view and
// devices, the peer keeps them; content nobody holds any more is erased; unread stays right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, withServer, type TestServer } from './helpers/server.js';
import {
  BAD_JSON,
  call,
  events,
  expectFail,
  expectOk,
  expectRejected,
  history,
  messageEvents,
  send,
  snapshot,
  unread,
} from './helpers/messages.js';
import { inDatabaseFiles } from './helpers/files.js';
import { unique } from './helpers/rest.js';

const del = (s: TestServer, op: string, peer: string, keys: unknown) =>
  call(s, 'delete_c2c_msg_ramble', { Operator_Account: op, Peer_Account: peer, MsgKeyList: keys });
const withdraw = (s: TestServer, from: string, to: string, MsgKey: string) =>
  call(s, 'admin_msgwithdraw', { From_Account: from, To_Account: to, MsgKey });
const keysOf = async (s: TestServer, op: string, peer: string) => (await history(s, op, peer)).map((m) => m.MsgKey);
const deleteEvents = async (s: TestServer, user: string) =>
  (await events(s, user)).filter((e) => e.kind === 'delete').map((e) => e.data);

test("one-sided delete: gone from the operator's history, queue and unread; the peer keeps everything; idempotent", async () => {
  await withServer(['alice', 'bob'], async (s) => {
    // A second apart: history is ordered by time, then by the (random) MsgSeq.
    const m1 = await send(s, 'alice', 'bob', 'one', { SyncOtherMachine: 1 });
    s.clock.advance(1000);
    const m2 = await send(s, 'alice', 'bob', 'two', { SyncOtherMachine: 1 });
    s.clock.advance(1000);
    const m3 = await send(s, 'bob', 'alice', 'three', { SyncOtherMachine: 1 });
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 2);
    const listBefore = await s.call('recentcontact/get_list', { From_Account: 'bob' }, { usersig: s.sig(ADMIN) });
    s.clock.advance(1000);

    const r = await del(s, 'bob', 'alice', [m1.MsgKey, m3.MsgKey]);
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    assert.deepEqual(await keysOf(s, 'bob', 'alice'), [m2.MsgKey], "both directions left bob's view");
    assert.deepEqual(await keysOf(s, 'alice', 'bob'), [m1.MsgKey, m2.MsgKey, m3.MsgKey], 'alice keeps all');
    assert.deepEqual(
      await unread(s, 'bob', ['alice']),
      { total: 1, perPeer: { alice: 1 } },
      'the unread one deleted no longer counts',
    );
    assert.deepEqual(await messageEvents(s, 'bob'), [m2.MsgKey], "bob's offline queue lost them");
    assert.deepEqual(await messageEvents(s, 'alice'), [m1.MsgKey, m2.MsgKey, m3.MsgKey], "alice's queue is untouched");
    assert.deepEqual(await deleteEvents(s, 'bob'), [
      {
        owner: 'bob',
        peer: 'alice',
        messages: [
          { from: 'alice', to: 'bob', msgKey: m1.MsgKey },
          { from: 'bob', to: 'alice', msgKey: m3.MsgKey },
        ],
      },
    ]);
    assert.deepEqual(await deleteEvents(s, 'alice'), [], "the peer's devices hear nothing");
    // The conversation stays, with its time.
    const listAfter = await s.call('recentcontact/get_list', { From_Account: 'bob' }, { usersig: s.sig(ADMIN) });
    assert.deepEqual(listAfter.SessionItem, listBefore.SessionItem);

    // Again, plus a key that names nothing: OK, nothing more happens.
    const again = snapshot(s);
    expectOk(await del(s, 'bob', 'alice', [m1.MsgKey, '1_2_3']));
    assert.deepEqual(snapshot(s), again, 'an idempotent delete writes nothing');
    // Reading everything recounts without the deleted ones.
    expectOk(await call(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }));
    assert.equal((await unread(s, 'bob')).total, 0);
  });
});

test('a read mark with a time recounts unread without the deleted messages', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const m1 = await send(s, 'alice', 'bob', 'one');
    s.clock.advance(2000);
    await send(s, 'alice', 'bob', 'two');
    await send(s, 'alice', 'bob', 'three');
    expectOk(await del(s, 'bob', 'alice', [m1.MsgKey]));
    assert.equal((await unread(s, 'bob')).total, 2);
    // A read mark before any message: the recount must not bring the deleted one back.
    expectOk(
      await call(s, 'admin_set_msg_read', {
        Report_Account: 'bob',
        Peer_Account: 'alice',
        MsgReadTime: m1.MsgTime - 1,
      }),
    );
    assert.equal((await unread(s, 'bob')).total, 2);
  });
});

test('deleted from both sides, or from the only side that had it: erased from storage; recall then answers 20022', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const both = unique('both-deleted');
    const unsynced = unique('unsynced');
    const online = unique('online-only');
    const stays = unique('one-side');
    const a = await send(s, 'alice', 'bob', both, { SyncOtherMachine: 1, CloudCustomData: `${both}-cloud` });
    const b = await send(s, 'alice', 'bob', unsynced, { SyncOtherMachine: 2 });
    const c = await send(s, 'alice', 'bob', online, { MsgLifeTime: 0, SyncOtherMachine: 1 });
    const d = await send(s, 'alice', 'bob', stays, { SyncOtherMachine: 1 });
    assert.ok(inDatabaseFiles(s, both), 'the scan sees stored text');

    expectOk(await del(s, 'alice', 'bob', [a.MsgKey, d.MsgKey]));
    assert.ok(inDatabaseFiles(s, both), 'bob still holds it: only hidden from alice');
    expectOk(await del(s, 'bob', 'alice', [a.MsgKey, b.MsgKey, c.MsgKey]));
    for (const t of [both, `${both}-cloud`, unsynced, online])
      assert.equal(inDatabaseFiles(s, t), false, `${t} erased from the file`);
    assert.ok(inDatabaseFiles(s, stays), 'bob still sees the message only alice deleted');
    assert.deepEqual(await keysOf(s, 'bob', 'alice'), [d.MsgKey]);
    assert.deepEqual(await keysOf(s, 'alice', 'bob'), []);
    for (const k of [a.MsgKey, b.MsgKey, c.MsgKey])
      expectFail(await withdraw(s, 'alice', 'bob', k), 20022, `recall of erased ${k}`);
    expectFail(
      await call(s, 'modify_c2c_msg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgKey: a.MsgKey,
        CloudCustomData: 'x',
      }),
      20022,
      'modify of erased',
    );
  });
});

test('recall interplay: a message one side deleted can be recalled; the other side gets the tombstone; a tombstone can be deleted', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const secret = unique('recall-after-delete');
    const m = await send(s, 'alice', 'bob', secret, { SyncOtherMachine: 1 });
    s.clock.advance(1000);
    const n = await send(s, 'alice', 'bob', 'second', { SyncOtherMachine: 1 });
    expectOk(await del(s, 'bob', 'alice', [m.MsgKey]));
    assert.equal((await unread(s, 'bob')).total, 1);
    expectOk(await withdraw(s, 'alice', 'bob', m.MsgKey));
    assert.equal((await unread(s, 'bob')).total, 1, 'no second uncount for a message already out of the count');
    assert.deepEqual(await keysOf(s, 'bob', 'alice'), [n.MsgKey], 'the side that deleted it keeps not seeing it');
    const aliceSide = await history(s, 'alice', 'bob');
    assert.equal(aliceSide[0]!.MsgFlagBits, 8);
    assert.deepEqual(aliceSide[0]!.MsgBody, []);
    assert.equal(inDatabaseFiles(s, secret), false);
    // The tombstone leaves alice's history too when she deletes it; bob is untouched.
    expectOk(await del(s, 'alice', 'bob', [m.MsgKey]));
    assert.deepEqual(await keysOf(s, 'alice', 'bob'), [n.MsgKey]);
    assert.deepEqual(await keysOf(s, 'bob', 'alice'), [n.MsgKey]);
    // Recalled, then deleted by both: recall again finds nothing.
    expectFail(await withdraw(s, 'alice', 'bob', m.MsgKey), 20022, 'nothing left to recall');
  });
});

test('delete_c2c_msg_ramble error codes', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'x');
    const api = 'delete_c2c_msg_ramble';
    for (const raw of BAD_JSON) await expectRejected(s, api, raw, 90001, `body ${JSON.stringify(raw)}`);
    await expectRejected(s, api, { Operator_Account: 'bob', Peer_Account: 'alice' }, 90001, 'MsgKeyList missing');
    await expectRejected(
      s,
      api,
      { Operator_Account: 'bob', Peer_Account: 'alice', MsgKeyList: m.MsgKey },
      90001,
      'MsgKeyList not an array',
    );
    await expectRejected(
      s,
      api,
      { Operator_Account: 'bob', Peer_Account: 'alice', MsgKeyList: [] },
      90001,
      'MsgKeyList empty',
    );
    await expectRejected(
      s,
      api,
      { Operator_Account: 'bob', Peer_Account: 'alice', MsgKeyList: [m.MsgKey, 5] },
      90001,
      'non-string entry',
    );
    await expectRejected(
      s,
      api,
      { Operator_Account: 'bob', Peer_Account: 'alice', MsgKeyList: Array(31).fill(m.MsgKey) },
      90001,
      '31 keys',
    );
    await expectRejected(s, api, { Peer_Account: 'alice', MsgKeyList: [m.MsgKey] }, 90008, 'Operator_Account missing');
    await expectRejected(
      s,
      api,
      { Operator_Account: 'nobody', Peer_Account: 'alice', MsgKeyList: [m.MsgKey] },
      90008,
      'Operator_Account unknown',
    );
    await expectRejected(s, api, { Operator_Account: 'bob', MsgKeyList: [m.MsgKey] }, 90003, 'Peer_Account missing');
    await expectRejected(
      s,
      api,
      { Operator_Account: 'bob', Peer_Account: 'nobody', MsgKeyList: [m.MsgKey] },
      90003,
      'Peer_Account unknown',
    );
    await expectRejected(
      s,
      api,
      { Operator_Account: 'bob', Peer_Account: 'alice', MsgKeyList: [m.MsgKey, 'not-a-key'] },
      90054,
      'malformed key',
    );
    // Shape before lookup: a malformed key is 90054 even for unknown accounts; nothing half-written.
    await expectRejected(
      s,
      api,
      { Operator_Account: 'nobody', Peer_Account: 'alice', MsgKeyList: ['1_2'] },
      90054,
      'malformed key, unknown operator',
    );
    const notAdmin = await s.call(
      `openim/${api}`,
      { Operator_Account: 'bob', Peer_Account: 'alice', MsgKeyList: [m.MsgKey] },
      { identifier: 'bob', usersig: s.sig('bob') },
    );
    expectFail(notAdmin, 90009, 'not an admin');
    assert.deepEqual(await keysOf(s, 'bob', 'alice'), [m.MsgKey], 'nothing was deleted');
    // 30 keys is the limit, not beyond it.
    expectOk(await del(s, 'bob', 'alice', Array(30).fill(m.MsgKey)));
    assert.deepEqual(await keysOf(s, 'bob', 'alice'), []);
  });
});
