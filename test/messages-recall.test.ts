// admin_msgwithdraw (spec §4.5, §7; README decisions): every recall path, tombstones in place,
// content erased from the database file, unread counts, events, audit, concurrency, age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, T0, withServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import {
  BAD_JSON,
  MAX_U32,
  app,
  call,
  db,
  events,
  expectFail,
  expectOk,
  expectRejected,
  history,
  messageEvents,
  send,
  snapshot,
  unread,
  type RoamMsg,
} from './helpers/messages.js';
import { inDatabaseFiles } from './helpers/files.js';
import { text, unique } from './helpers/rest.js';

const withdraw = (s: TestServer, from: string, to: string, MsgKey: string) =>
  call(s, 'admin_msgwithdraw', { From_Account: from, To_Account: to, MsgKey });

/** What a recalled entry must look like: keys and times kept, content gone. */
function assertTombstone(m: RoamMsg | undefined, from: string, to: string, key: string): void {
  assert.ok(m, `no entry for ${key}`);
  const [seq, random, time] = key.split('_').map(Number);
  assert.deepEqual(m, {
    From_Account: from,
    To_Account: to,
    MsgSeq: seq,
    MsgRandom: random,
    MsgTimeStamp: time,
    MsgFlagBits: 8,
    IsPeerRead: m.IsPeerRead,
    MsgKey: key,
    MsgBody: [],
    CloudCustomData: '',
  });
}

test('recall of a sendmsg message: tombstone in place for both users, unread, events, audit, content gone from the file', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const secret = unique('recalled-text');
    const secretCloud = unique('recalled-cloud');
    const secretPush = unique('recalled-push');
    const kept = unique('kept-text');
    const before = await send(s, 'alice', 'bob', 'before', { MsgSeq: 1 });
    s.clock.advance(1000);
    const target = await send(
      s,
      'alice',
      'bob',
      [
        { MsgType: 'TIMTextElem', MsgContent: { Text: secret } },
        { MsgType: 'TIMCustomElem', MsgContent: { Data: `${secret}-data`, Desc: 'd' } },
      ],
      {
        MsgSeq: 2,
        CloudCustomData: secretCloud,
        OfflinePushInfo: { Desc: secretPush, Ext: secretPush },
        SyncOtherMachine: 1,
      },
    );
    s.clock.advance(1000);
    const after = await send(s, 'alice', 'bob', kept, { MsgSeq: 3 });
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 3);
    // Before the recall the content is in the file: the scan below can see it.
    assert.ok(inDatabaseFiles(s, secret), 'the scan finds stored text');
    assert.ok(inDatabaseFiles(s, secretCloud));
    assert.ok(inDatabaseFiles(s, secretPush));

    s.clock.advance(5000);
    const r = await withdraw(s, 'alice', 'bob', target.MsgKey);
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    const recallAt = T0 + 7;

    for (const [op, peer] of [
      ['bob', 'alice'],
      ['alice', 'bob'],
    ] as const) {
      const list = await history(s, op, peer);
      assert.deepEqual(
        list.map((m) => m.MsgKey),
        [before.MsgKey, target.MsgKey, after.MsgKey],
        `${op}: the entry keeps its place`,
      );
      assertTombstone(list[1], 'alice', 'bob', target.MsgKey);
      assert.equal(list[0]!.MsgFlagBits, 0);
      assert.deepEqual(list[0]!.MsgBody, text('before'));
      assert.deepEqual(list[2]!.MsgBody, text(kept));
    }
    const u = await unread(s, 'bob', ['alice']);
    assert.equal(u.total, 2);
    assert.equal(u.perPeer.alice, 2);

    // Offline queues: the message event is gone for the recipient and the synced sender; both got a recall.
    for (const user of ['bob', 'alice']) {
      assert.ok(!(await messageEvents(s, user)).includes(target.MsgKey), `${user}'s queue still holds the message`);
      const recalls = (await events(s, user)).filter((e) => e.kind === 'recall');
      assert.equal(recalls.length, 1, `${user} gets one recall event`);
      const { from, to, msgKey, by, via, at } = recalls[0]!.data!;
      assert.deepEqual(
        { from, to, msgKey, by, via, at },
        { from: 'alice', to: 'bob', msgKey: target.MsgKey, by: ADMIN, via: 'admin', at: recallAt },
      );
      assert.equal(recalls[0]!.at, recallAt);
      assert.deepEqual(recalls[0]!.message?.body ?? [], [], 'the recall event carries no content');
    }
    assert.deepEqual(await messageEvents(s, 'bob'), [before.MsgKey, after.MsgKey]);

    // The audit keeps who and when, not what.
    const audit = await s.parley.store.recallAudit(app(s), 10);
    assert.deepEqual(audit, [
      { from: 'alice', to: 'bob', msgKey: target.MsgKey, by: ADMIN, via: 'admin', at: recallAt },
    ]);

    // Erased from storage: not in the database file nor its WAL.
    for (const gone of [secret, secretCloud, secretPush])
      assert.ok(!inDatabaseFiles(s, gone), `${gone} is still in the database file`);
    assert.ok(inDatabaseFiles(s, kept), 'other messages are untouched');
    // And not anywhere in the rows either (belt and braces, e.g. a copy in another table).
    assert.ok(!JSON.stringify(snapshot(s)).includes(secret));
    // The conversation's last message is the later one, untouched.
    assert.deepEqual((await s.parley.store.conversation(app(s), 'bob', 'alice'))!.lastMessage!.body, text(kept));
  });
});

test('recall erases a large message (overflow pages) and a recalled last message leaves no content behind', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const secret = unique('big');
    const big = `${secret} ${'lorem ipsum '.repeat(900)} ${secret}`;
    const m = await send(s, 'alice', 'bob', big, { CloudCustomData: `${secret}${'c'.repeat(500)}` });
    assert.ok(inDatabaseFiles(s, secret));
    expectOk(await withdraw(s, 'alice', 'bob', m.MsgKey));
    assert.ok(!inDatabaseFiles(s, secret), 'the text is still in the file');
    assert.ok(!inDatabaseFiles(s, 'lorem ipsum lorem ipsum'), 'part of the text is still in the file');
    const conv = await s.parley.store.conversation(app(s), 'bob', 'alice');
    assert.deepEqual(conv!.lastMessage!.body, [], 'the conversation preview is the tombstone');
    assert.deepEqual(conv!.lastMessage!.recalled, { by: ADMIN, at: T0 });
    assertTombstone((await history(s, 'bob', 'alice'))[0], 'alice', 'bob', m.MsgKey);
  });
});

test('each copy of a batch message is recalled on its own', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const secret = unique('batch');
    const r = await call(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
      MsgRandom: 5,
      MsgSeq: 6,
      MsgBody: text(secret),
      CloudCustomData: 'cc',
    });
    expectOk(r);
    assert.equal((await unread(s, 'bob')).total, 1);
    assert.equal((await unread(s, 'carol')).total, 1);

    expectOk(await withdraw(s, 'alice', 'bob', r.MsgKey));
    assertTombstone((await history(s, 'bob', 'alice'))[0], 'alice', 'bob', r.MsgKey);
    assertTombstone((await history(s, 'alice', 'bob'))[0], 'alice', 'bob', r.MsgKey);
    const carols = await history(s, 'carol', 'alice');
    assert.equal(carols[0]!.MsgFlagBits, 0, "carol's copy is untouched");
    assert.deepEqual(carols[0]!.MsgBody, text(secret));
    assert.equal(carols[0]!.CloudCustomData, 'cc');
    assert.equal((await unread(s, 'bob')).total, 0);
    assert.equal((await unread(s, 'carol')).total, 1);
    assert.deepEqual(await messageEvents(s, 'carol'), [r.MsgKey]);
    assert.equal(
      (await events(s, 'carol')).filter((e) => e.kind === 'recall').length,
      0,
      "carol is not told about bob's copy",
    );
    assert.ok(inDatabaseFiles(s, secret), "carol's copy still holds the text");

    expectFail(await withdraw(s, 'alice', 'bob', r.MsgKey), 20023, "bob's copy again");
    expectOk(await withdraw(s, 'alice', 'carol', r.MsgKey));
    assertTombstone((await history(s, 'carol', 'alice'))[0], 'alice', 'carol', r.MsgKey);
    assert.equal((await unread(s, 'carol')).total, 0);
    assert.ok(!inDatabaseFiles(s, secret), 'both copies recalled: the text is gone');
    const audit = await s.parley.store.recallAudit(app(s), 10);
    assert.deepEqual(
      audit.map((a) => a.to),
      ['carol', 'bob'],
      'one audit entry per copy, newest first',
    );
  });
});

test('recall of imported messages: SyncFromOldSystem 5 (unread) and 2 (read)', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const t5 = unique('import5');
    const t2 = unique('import2');
    expectOk(
      await call(s, 'importmsg', {
        SyncFromOldSystem: 5,
        From_Account: 'alice',
        To_Account: 'bob',
        MsgSeq: 1,
        MsgRandom: 1,
        MsgTimeStamp: T0 - 100,
        MsgBody: text(t5),
      }),
    );
    expectOk(
      await call(s, 'importmsg', {
        SyncFromOldSystem: 2,
        From_Account: 'bob',
        To_Account: 'alice',
        MsgSeq: 2,
        MsgRandom: 2,
        MsgTimeStamp: T0 - 50,
        MsgBody: text(t2),
        CloudCustomData: t2,
      }),
    );
    await send(s, 'alice', 'bob', 'live');
    assert.equal((await unread(s, 'bob')).total, 2);
    assert.equal((await unread(s, 'alice')).total, 0);

    expectOk(await withdraw(s, 'alice', 'bob', `1_1_${T0 - 100}`));
    assert.equal((await unread(s, 'bob')).total, 1, 'the unread imported message no longer counts');
    assert.ok(!(await messageEvents(s, 'bob')).includes(`1_1_${T0 - 100}`));
    expectOk(await withdraw(s, 'bob', 'alice', `2_2_${T0 - 50}`));
    assert.equal((await unread(s, 'alice')).total, 0, 'a read message does not make the count negative');
    assert.equal((await unread(s, 'bob')).total, 1);
    const list = await history(s, 'alice', 'bob');
    assert.equal(list.length, 3);
    assertTombstone(list[0], 'alice', 'bob', `1_1_${T0 - 100}`);
    assertTombstone(list[1], 'bob', 'alice', `2_2_${T0 - 50}`);
    assert.equal(list[1]!.IsPeerRead, 1, 'read state survives the recall');
    assert.equal(list[2]!.MsgFlagBits, 0);
    assert.ok(!inDatabaseFiles(s, t5));
    assert.ok(!inDatabaseFiles(s, t2));
    for (const user of ['alice', 'bob'])
      assert.equal((await events(s, user)).filter((e) => e.kind === 'recall').length, 2);
  });
});

test('unread counts after recall: read, unread and NoUnread messages', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const read1 = await send(s, 'alice', 'bob', 'read');
    s.clock.advance(1000);
    expectOk(await call(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }));
    s.clock.advance(1000);
    const u1 = await send(s, 'alice', 'bob', 'unread 1');
    const u2 = await send(s, 'alice', 'bob', 'unread 2');
    const quiet = await send(s, 'alice', 'bob', 'not counted', { SendMsgControl: ['NoUnread'] });
    await send(s, 'carol', 'bob', 'from carol');
    const check = async (alice: number, total: number) => {
      const u = await unread(s, 'bob', ['alice', 'carol']);
      assert.deepEqual(u, { total, perPeer: { alice, carol: 1 } });
      assert.equal((await s.parley.store.conversation(app(s), 'bob', 'alice'))!.unread, alice);
    };
    await check(2, 3);
    expectOk(await withdraw(s, 'alice', 'bob', read1.MsgKey));
    await check(2, 3);
    expectOk(await withdraw(s, 'alice', 'bob', quiet.MsgKey));
    await check(2, 3);
    expectOk(await withdraw(s, 'alice', 'bob', u1.MsgKey));
    await check(1, 2);
    // A later read report does not count recalled messages back in.
    expectOk(
      await call(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice', MsgReadTime: String(T0) }),
    );
    await check(1, 2);
    expectOk(await withdraw(s, 'alice', 'bob', u2.MsgKey));
    await check(0, 1);
    expectOk(await call(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'carol' }));
    assert.deepEqual(await unread(s, 'bob', ['alice', 'carol']), { total: 0, perPeer: { alice: 0, carol: 0 } });
  });
});

test("a recall right after the send's answer always finds the message (50 pairs at once)", async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const pairs = Array.from({ length: 50 }, async (_, i) => {
      const sent = await call(s, 'sendmsg', {
        From_Account: i % 2 ? 'alice' : 'bob',
        To_Account: i % 2 ? 'bob' : 'alice',
        MsgSeq: i,
        MsgRandom: 7,
        MsgBody: text(`pair ${i}`),
      });
      expectOk(sent);
      const r = await withdraw(s, i % 2 ? 'alice' : 'bob', i % 2 ? 'bob' : 'alice', sent.MsgKey);
      return [sent.MsgKey as string, r] as const;
    });
    const results = await Promise.all(pairs);
    for (const [key, r] of results) assert.equal(r.ErrorCode, 0, `recall of ${key}: ${r.ErrorCode} ${r.ErrorInfo}`);
    const list = await history(s, 'alice', 'bob');
    assert.equal(list.length, 50);
    assert.ok(list.every((m) => m.MsgFlagBits === 8 && m.MsgBody.length === 0));
    assert.equal((await s.parley.store.recallAudit(app(s), 100)).length, 50);
    assert.equal((await unread(s, 'alice')).total + (await unread(s, 'bob')).total, 0);
  });
});

test('admin recall has no age limit: a 30-day-old message is recalled', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const secret = unique('old');
    const m = await send(s, 'alice', 'bob', secret);
    s.clock.advance(30 * 86400 * 1000);
    const r = await withdraw(s, 'alice', 'bob', m.MsgKey); // a UserSig minted now
    expectOk(r);
    assertTombstone((await history(s, 'bob', 'alice'))[0], 'alice', 'bob', m.MsgKey);
    const [audit] = await s.parley.store.recallAudit(app(s), 1);
    assert.equal(audit!.at, T0 + 30 * 86400);
    assert.ok(!inDatabaseFiles(s, secret));
    // The 7-day-old recall events are fresh: both users still get them.
    for (const user of ['alice', 'bob'])
      assert.equal((await events(s, user)).filter((e) => e.kind === 'recall').length, 1);
  });
});

test('a recalled message cannot be modified (20023) and stays erased', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'to recall', { CloudCustomData: 'cc' });
    expectOk(await withdraw(s, 'alice', 'bob', m.MsgKey));
    await expectRejected(
      s,
      'modify_c2c_msg',
      { From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey, MsgBody: text('resurrected') },
      20023,
      'body',
    );
    await expectRejected(
      s,
      'modify_c2c_msg',
      { From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey, CloudCustomData: 'x' },
      20023,
      'cloud data',
    );
    assertTombstone((await history(s, 'bob', 'alice'))[0], 'alice', 'bob', m.MsgKey);
  });
});

test('admin_msgwithdraw refuses bad requests with 20022, 20023, 90001, 90003, 90008, 90009, 90054 and writes nothing', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'target', { MsgSeq: 10, MsgRandom: 20 });
    const recalled = await send(s, 'alice', 'bob', 'already', { MsgSeq: 11, MsgRandom: 21 });
    expectOk(await withdraw(s, 'alice', 'bob', recalled.MsgKey));
    const ok = { From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey };
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['no such MsgKey', { ...ok, MsgKey: `10_20_${T0 + 1}` }, 20022],
      ['MsgKey with another MsgRandom', { ...ok, MsgKey: `10_21_${T0}` }, 20022],
      ['sender and recipient swapped', { ...ok, From_Account: 'bob', To_Account: 'alice' }, 20022],
      ['another recipient', { ...ok, To_Account: 'carol' }, 20022],
      ['another sender', { ...ok, From_Account: 'carol' }, 20022],
      ['already recalled', { ...ok, MsgKey: recalled.MsgKey }, 20023],
      ['To_Account missing', { ...ok, To_Account: undefined }, 90003],
      ['To_Account unknown', { ...ok, To_Account: 'ghost' }, 90003],
      ['To_Account a number', { ...ok, To_Account: 1 }, 90003],
      ['From_Account missing', { ...ok, From_Account: undefined }, 90008],
      ['From_Account unknown', { ...ok, From_Account: 'ghost' }, 90008],
      ['From_Account an object', { ...ok, From_Account: {} }, 90008],
      ['MsgKey missing', { ...ok, MsgKey: undefined }, 90054],
      ['MsgKey a number', { ...ok, MsgKey: 10 }, 90054],
      ['MsgKey empty', { ...ok, MsgKey: '' }, 90054],
      ['MsgKey not a key', { ...ok, MsgKey: 'abc' }, 90054],
      ['MsgKey with two parts', { ...ok, MsgKey: '10_20' }, 90054],
      ['MsgKey with four parts', { ...ok, MsgKey: `10_20_${T0}_1` }, 90054],
      ['MsgKey with a sign', { ...ok, MsgKey: `-10_20_${T0}` }, 90054],
      ['MsgKey with a fraction', { ...ok, MsgKey: `10.5_20_${T0}` }, 90054],
      ['MsgKey with spaces', { ...ok, MsgKey: ` ${m.MsgKey}` }, 90054],
      ['MsgKey MsgSeq over u32', { ...ok, MsgKey: `4294967296_20_${T0}` }, 90054],
      ['MsgKey MsgRandom over u32', { ...ok, MsgKey: `10_4294967296_${T0}` }, 90054],
      ['MsgKey time over u32', { ...ok, MsgKey: '10_20_4294967296' }, 90054],
      ['MsgKey of 11 digits', { ...ok, MsgKey: `10_20_0${T0}0` }, 90054],
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'admin_msgwithdraw', body, code, what);
    for (const raw of BAD_JSON) await expectRejected(s, 'admin_msgwithdraw', raw, 90001, `body ${JSON.stringify(raw)}`);
    const before = snapshot(s);
    expectFail(
      await s.call('openim/admin_msgwithdraw', ok, { identifier: 'alice', usersig: s.sig('alice') }),
      90009,
      'non-admin',
    );
    assert.deepEqual(snapshot(s), before);
    // u32 bounds themselves are fine (no such message, but a valid key).
    expectFail(await withdraw(s, 'alice', 'bob', `${MAX_U32}_${MAX_U32}_${MAX_U32}`), 20022, 'max key');
    expectFail(await withdraw(s, 'alice', 'bob', '0_0_0'), 20022, 'zero key');
    // None of that touched the message.
    expectOk(await withdraw(s, 'alice', 'bob', m.MsgKey));
    assertTombstone((await history(s, 'bob', 'alice'))[0], 'alice', 'bob', m.MsgKey);
  });
});

test('a recall that fails inside the store (91000) changes nothing and can be retried', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const secret = unique('retry');
    const m = await send(s, 'alice', 'bob', secret);
    db(s).exec(`CREATE TRIGGER fail_audit BEFORE INSERT ON recall_audit BEGIN SELECT RAISE(ABORT, 'injected'); END;`);
    // The content is erased, the events dropped and the unread count lowered before the audit insert fails.
    await expectRejected(
      s,
      'admin_msgwithdraw',
      { From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey },
      91000,
      'failing audit',
    );
    assert.deepEqual((await history(s, 'bob', 'alice'))[0]!.MsgBody, text(secret));
    assert.equal((await unread(s, 'bob')).total, 1);
    db(s).exec('DROP TRIGGER fail_audit');
    expectOk(await withdraw(s, 'alice', 'bob', m.MsgKey));
    assert.equal((await unread(s, 'bob')).total, 0);
    assert.ok(!inDatabaseFiles(s, secret));
  });
});
