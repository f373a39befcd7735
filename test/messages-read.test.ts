// admin_set_msg_read (§4.6), get_c2c_unread_msg_num (§4.7), modify_c2c_msg (§4.8),
// query_online_status / querystate (§3.6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, withServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';
import {
  BAD_JSON,
  app,
  call,
  db,
  events,
  expectFail,
  expectOk,
  expectRejected,
  history,
  send,
  snapshot,
  unread,
} from './helpers/messages.js';
import { text } from './helpers/rest.js';

const setRead = (s: TestServer, owner: string, peer: string, MsgReadTime?: unknown) =>
  call(s, 'admin_set_msg_read', {
    Report_Account: owner,
    Peer_Account: peer,
    ...(MsgReadTime !== undefined ? { MsgReadTime } : {}),
  });

// ---- admin_set_msg_read -------------------------------------------------------------------

test('admin_set_msg_read without MsgReadTime reads everything so far; a message later in the same second stays unread', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    s.clock.advance(100);
    await send(s, 'alice', 'bob', 'one', { MsgSeq: 1 });
    s.clock.advance(1000);
    await send(s, 'alice', 'bob', 'two', { MsgSeq: 2 });
    await send(s, 'carol', 'bob', 'from carol');
    await send(s, 'bob', 'alice', 'bob to alice');
    assert.deepEqual(await unread(s, 'bob', ['alice', 'carol']), { total: 3, perPeer: { alice: 2, carol: 1 } });
    s.clock.advance(300); // still T0 + 1
    const r = await setRead(s, 'bob', 'alice');
    assert.deepEqual(r, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 });
    assert.deepEqual(
      await unread(s, 'bob', ['alice', 'carol']),
      { total: 1, perPeer: { alice: 0, carol: 1 } },
      'only the alice conversation is read',
    );
    assert.equal((await unread(s, 'alice')).total, 1, "the peer's own unread count is untouched");
    s.clock.advance(200); // still T0 + 1
    // Later arrivals in the same second stay unread whether their MsgSeq sorts them after 'two' or before it.
    const late = await send(s, 'alice', 'bob', 'later in the same second', { MsgSeq: 9 });
    const lateLow = await send(s, 'alice', 'bob', 'later, lower MsgSeq', { MsgSeq: 0 });
    assert.equal(late.MsgTime, T0 + 1);
    assert.equal(lateLow.MsgTime, T0 + 1);
    assert.deepEqual(await unread(s, 'bob', ['alice']), { total: 3, perPeer: { alice: 2 } });
    const list = await history(s, 'bob', 'alice');
    const fromAlice = list.filter((m) => m.From_Account === 'alice');
    assert.deepEqual(
      fromAlice.map((m) => m.MsgSeq),
      [1, 0, 2, 9],
    );
    assert.deepEqual(
      fromAlice.map((m) => m.IsPeerRead),
      [1, 0, 1, 0],
    );
    assert.equal((await s.parley.store.conversation(app(s), 'bob', 'alice'))!.readTime, T0 + 1);
    // Read events: the reader's devices and the peer's (read receipt).
    for (const u of ['bob', 'alice']) {
      const reads = (await events(s, u)).filter((e) => e.kind === 'read');
      assert.deepEqual(
        reads.map((e) => ({ owner: e.data!.owner, peer: e.data!.peer, readTime: e.data!.readTime })),
        [{ owner: 'bob', peer: 'alice', readTime: T0 + 1 }],
        `${u}'s read event`,
      );
    }
    assert.deepEqual(
      (await events(s, 'carol')).filter((e) => e.kind === 'read'),
      [],
    );
    // Reading again now covers the late one.
    expectOk(await setRead(s, 'bob', 'alice'));
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 0);
  });
});

test('admin_set_msg_read with MsgReadTime T (string or integer) reads messages with time ≤ T; the cursor never moves back', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    for (let i = 0; i < 6; i++) {
      s.clock.set((T0 + i * 10) * 1000);
      await send(s, 'alice', 'bob', `m${i}`); // at T0, T0+10, …, T0+50
    }
    assert.equal((await unread(s, 'bob')).total, 6);
    expectOk(await setRead(s, 'bob', 'alice', String(T0 + 10)));
    assert.equal((await unread(s, 'bob')).total, 4, 'T0 and T0+10 read (≤ T inclusive)');
    expectOk(await setRead(s, 'bob', 'alice', T0 + 29));
    assert.equal((await unread(s, 'bob')).total, 3, 'an integer works too');
    expectOk(await setRead(s, 'bob', 'alice', String(T0 + 5)));
    assert.equal((await unread(s, 'bob')).total, 3, 'an earlier time does not make messages unread again');
    assert.deepEqual(
      (await history(s, 'bob', 'alice')).map((m) => m.IsPeerRead),
      [1, 1, 1, 0, 0, 0],
    );
    expectOk(await setRead(s, 'bob', 'alice', '0'));
    assert.equal((await unread(s, 'bob')).total, 3);
    // A time in the future reads everything up to it, including what arrives before it.
    expectOk(await setRead(s, 'bob', 'alice', String(T0 + 100)));
    assert.equal((await unread(s, 'bob')).total, 0);
    s.clock.set((T0 + 100) * 1000);
    await send(s, 'alice', 'bob', 'at T0+100');
    assert.equal((await unread(s, 'bob')).total, 0);
    s.clock.set((T0 + 101) * 1000);
    await send(s, 'alice', 'bob', 'at T0+101');
    assert.equal((await unread(s, 'bob')).total, 1);
    // null counts as absent: everything so far.
    expectOk(await setRead(s, 'bob', 'alice', null));
    assert.equal((await unread(s, 'bob')).total, 0);
  });
});

test('admin_set_msg_read on a conversation without messages succeeds and later messages count', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    expectOk(await setRead(s, 'bob', 'alice'));
    s.clock.advance(1000);
    await send(s, 'alice', 'bob', 'first');
    assert.equal((await unread(s, 'bob', ['alice'])).perPeer.alice, 1);
  });
});

test('admin_set_msg_read refuses bad requests with 90001, 90003, 90008, 90009 and writes nothing', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    await send(s, 'alice', 'bob', 'x');
    const ok = { Report_Account: 'bob', Peer_Account: 'alice' };
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['Report_Account missing', { ...ok, Report_Account: undefined }, 90008],
      ['Report_Account unknown', { ...ok, Report_Account: 'ghost' }, 90008],
      ['Report_Account a number', { ...ok, Report_Account: 3 }, 90008],
      ['Peer_Account missing', { ...ok, Peer_Account: undefined }, 90003],
      ['Peer_Account unknown', { ...ok, Peer_Account: 'ghost' }, 90003],
      ['Peer_Account empty', { ...ok, Peer_Account: '' }, 90003],
      ['MsgReadTime not a number', { ...ok, MsgReadTime: 'yesterday' }, 90001],
      ['MsgReadTime empty', { ...ok, MsgReadTime: '' }, 90001],
      ['MsgReadTime negative integer', { ...ok, MsgReadTime: -1 }, 90001],
      ['MsgReadTime negative string', { ...ok, MsgReadTime: '-1' }, 90001],
      ['MsgReadTime fractional', { ...ok, MsgReadTime: T0 + 0.5 }, 90001],
      ['MsgReadTime fractional string', { ...ok, MsgReadTime: `${T0}.5` }, 90001],
      ['MsgReadTime with a space', { ...ok, MsgReadTime: ` ${T0}` }, 90001],
      ['MsgReadTime in milliseconds', { ...ok, MsgReadTime: String(T0 * 1000) }, 90001],
      ['MsgReadTime a boolean', { ...ok, MsgReadTime: true }, 90001],
      ['MsgReadTime an object', { ...ok, MsgReadTime: { t: T0 } }, 90001],
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'admin_set_msg_read', body, code, what);
    for (const raw of BAD_JSON)
      await expectRejected(s, 'admin_set_msg_read', raw, 90001, `body ${JSON.stringify(raw)}`);
    const before = snapshot(s);
    expectFail(
      await s.call('openim/admin_set_msg_read', ok, { identifier: 'alice', usersig: s.sig('alice') }),
      90009,
      'non-admin',
    );
    assert.deepEqual(snapshot(s), before);
    assert.equal((await unread(s, 'bob')).total, 1);
  });
});

// ---- get_c2c_unread_msg_num ---------------------------------------------------------------

test('get_c2c_unread_msg_num: the total alone, or with per-peer counts and an ErrorList for unknown peers', async () => {
  await withServer(['alice', 'bob', 'carol', 'dave'], async (s) => {
    for (let i = 0; i < 3; i++) await send(s, 'alice', 'bob', `a${i}`);
    for (let i = 0; i < 2; i++) await send(s, 'carol', 'bob', `c${i}`);
    await send(s, 'bob', 'alice', 'reply');
    const total = await call(s, 'get_c2c_unread_msg_num', { To_Account: 'bob' });
    assert.deepEqual(total, { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0, AllC2CUnreadMsgNum: 5 });
    const some = await call(s, 'get_c2c_unread_msg_num', {
      To_Account: 'bob',
      Peer_Account: ['carol', 'ghost', 'alice', 'dave'],
    });
    assert.deepEqual(some, {
      ActionStatus: 'OK',
      ErrorInfo: '',
      ErrorCode: 0,
      AllC2CUnreadMsgNum: 5,
      C2CUnreadMsgNumList: [
        { Peer_Account: 'carol', C2CUnreadMsgNum: 2 },
        { Peer_Account: 'alice', C2CUnreadMsgNum: 3 },
        { Peer_Account: 'dave', C2CUnreadMsgNum: 0 },
      ],
      ErrorList: [{ Peer_Account: 'ghost', ErrorCode: 70107 }],
    });
    const noErrors = await call(s, 'get_c2c_unread_msg_num', { To_Account: 'alice', Peer_Account: ['bob'] });
    assert.equal(noErrors.ErrorList, undefined, 'no ErrorList when every peer exists');
    assert.deepEqual(noErrors.C2CUnreadMsgNumList, [{ Peer_Account: 'bob', C2CUnreadMsgNum: 1 }]);
    const ten = await call(s, 'get_c2c_unread_msg_num', {
      To_Account: 'bob',
      Peer_Account: ['alice', 'carol', 'dave', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'],
    });
    expectOk(ten);
    assert.equal(ten.C2CUnreadMsgNumList.length, 3);
    assert.equal(ten.ErrorList.length, 7);
    const empty = await call(s, 'get_c2c_unread_msg_num', { To_Account: 'dave', Peer_Account: [] });
    assert.deepEqual(empty.C2CUnreadMsgNumList, []);
    assert.equal(empty.AllC2CUnreadMsgNum, 0);
  });
});

test('get_c2c_unread_msg_num refuses bad requests with 90001, 90003, 90009', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    await send(s, 'alice', 'bob', 'x');
    const eleven = Array.from({ length: 11 }, (_, i) => (i === 0 ? 'alice' : `p${i}`));
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['To_Account missing', {}, 90003],
      ['To_Account unknown', { To_Account: 'ghost' }, 90003],
      ['To_Account an array', { To_Account: ['bob'] }, 90003],
      ['11 peers', { To_Account: 'bob', Peer_Account: eleven }, 90001],
      ['Peer_Account a string', { To_Account: 'bob', Peer_Account: 'alice' }, 90001],
      ['Peer_Account holds a number', { To_Account: 'bob', Peer_Account: ['alice', 1] }, 90001],
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'get_c2c_unread_msg_num', body, code, what);
    for (const raw of BAD_JSON)
      await expectRejected(s, 'get_c2c_unread_msg_num', raw, 90001, `body ${JSON.stringify(raw)}`);
    expectFail(
      await s.call(
        'openim/get_c2c_unread_msg_num',
        { To_Account: 'bob' },
        { identifier: 'alice', usersig: s.sig('alice') },
      ),
      90009,
      'non-admin',
    );
  });
});

// ---- modify_c2c_msg -----------------------------------------------------------------------

test('modify_c2c_msg overwrites MsgBody and/or CloudCustomData for both users and tells their devices', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'original', { MsgSeq: 1, MsgRandom: 2, CloudCustomData: 'cc0' });
    const other = await send(s, 'alice', 'bob', 'other', { MsgSeq: 3, MsgRandom: 4, CloudCustomData: 'other' });
    const ref = { From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey };
    const both = await call(s, 'modify_c2c_msg', { ...ref, MsgBody: text('edited'), CloudCustomData: 'cc1' });
    assert.deepEqual(both, { ActionStatus: 'OK', ErrorInfo: 'succeed', ErrorCode: 0 });
    const view = async () =>
      (await history(s, 'bob', 'alice')).map((x) => [x.MsgKey, x.MsgBody, x.CloudCustomData, x.MsgFlagBits]);
    assert.deepEqual(await view(), [
      [m.MsgKey, text('edited'), 'cc1', 0],
      [other.MsgKey, text('other'), 'other', 0],
    ]);
    assert.deepEqual((await history(s, 'alice', 'bob'))[0]!.MsgBody, text('edited'));
    expectOk(await call(s, 'modify_c2c_msg', { ...ref, CloudCustomData: 'cc2' }));
    assert.deepEqual((await view())[0], [m.MsgKey, text('edited'), 'cc2', 0], 'CloudCustomData alone keeps the body');
    const custom = [
      { MsgType: 'TIMCustomElem', MsgContent: { Data: 'd' } },
      { MsgType: 'TIMTextElem', MsgContent: { Text: 't' } },
    ];
    expectOk(await call(s, 'modify_c2c_msg', { ...ref, MsgBody: custom }));
    assert.deepEqual((await view())[0], [m.MsgKey, custom, 'cc2', 0], 'MsgBody alone keeps CloudCustomData');
    expectOk(await call(s, 'modify_c2c_msg', { ...ref, CloudCustomData: '' }));
    assert.deepEqual((await view())[0], [m.MsgKey, custom, '', 0], 'CloudCustomData can be emptied');
    assert.deepEqual((await view())[1], [other.MsgKey, text('other'), 'other', 0], 'the other message is untouched');
    for (const u of ['alice', 'bob']) {
      const mods = (await events(s, u)).filter((e) => e.kind === 'modify');
      assert.equal(mods.length, 4, `${u} is told of each modification`);
      assert.deepEqual([mods[0]!.data!.from, mods[0]!.data!.to, mods[0]!.data!.msgKey], ['alice', 'bob', m.MsgKey]);
    }
    assert.equal((await unread(s, 'bob')).total, 2, 'modifying does not change unread counts');
  });
});

test('modify_c2c_msg refuses bad requests with 20022, 20023, 90001, 90002, 90003, 90007, 90008, 90009, 90010, 90054, 93000', async () => {
  await withServer(['alice', 'bob', 'carol'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'target', { MsgSeq: 1, MsgRandom: 2 });
    const recalled = await send(s, 'alice', 'bob', 'recalled', { MsgSeq: 3, MsgRandom: 4 });
    expectOk(await call(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: recalled.MsgKey }));
    const ok = { From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey, MsgBody: text('new') };
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['no such message', { ...ok, MsgKey: `1_2_${T0 + 1}` }, 20022],
      ['sender and recipient swapped', { ...ok, From_Account: 'bob', To_Account: 'alice' }, 20022],
      ['another conversation', { ...ok, To_Account: 'carol' }, 20022],
      ['recalled', { ...ok, MsgKey: recalled.MsgKey }, 20023],
      ['neither MsgBody nor CloudCustomData', { ...ok, MsgBody: undefined }, 90001],
      ['both null', { ...ok, MsgBody: null, CloudCustomData: null }, 90001],
      ['only a null CloudCustomData', { ...ok, MsgBody: undefined, CloudCustomData: null }, 90001],
      ['From_Account missing', { ...ok, From_Account: undefined }, 90008],
      ['From_Account unknown', { ...ok, From_Account: 'ghost' }, 90008],
      ['To_Account missing', { ...ok, To_Account: undefined }, 90003],
      ['To_Account unknown', { ...ok, To_Account: 'ghost' }, 90003],
      ['MsgKey missing', { ...ok, MsgKey: undefined }, 90054],
      ['MsgKey malformed', { ...ok, MsgKey: '1-2-3' }, 90054],
      ['MsgKey over u32', { ...ok, MsgKey: `1_2_99999999999` }, 90054],
      ['MsgBody not an array', { ...ok, MsgBody: 'new' }, 90007],
      ['MsgBody empty', { ...ok, MsgBody: [] }, 90002],
      ['MsgBody unknown type', { ...ok, MsgBody: [{ MsgType: 'TIMNope', MsgContent: {} }] }, 90002],
      [
        'MsgBody two custom elements',
        {
          ...ok,
          MsgBody: [
            { MsgType: 'TIMCustomElem', MsgContent: {} },
            { MsgType: 'TIMCustomElem', MsgContent: {} },
          ],
        },
        90002,
      ],
      ['MsgBody Text missing', { ...ok, MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: {} }] }, 90010],
      ['CloudCustomData a number', { ...ok, CloudCustomData: 1 }, 90010],
      ['request over 12 KB', { ...ok, MsgBody: text('z'.repeat(12 * 1024)) }, 93000],
    ];
    for (const [what, body, code] of cases) await expectRejected(s, 'modify_c2c_msg', body, code, what);
    for (const raw of BAD_JSON) await expectRejected(s, 'modify_c2c_msg', raw, 90001, `body ${JSON.stringify(raw)}`);
    const before = snapshot(s);
    expectFail(
      await s.call('openim/modify_c2c_msg', ok, { identifier: 'alice', usersig: s.sig('alice') }),
      90009,
      'non-admin',
    );
    assert.deepEqual(snapshot(s), before);
    assert.deepEqual(
      (await history(s, 'bob', 'alice'))[0]!.MsgBody,
      text('target'),
      'none of that changed the message',
    );
  });
});

// ---- query_online_status / querystate -----------------------------------------------------

for (const api of ['query_online_status', 'querystate']) {
  // query_online_status answers Status (current docs, real SDKs); the legacy querystate, State.
  const State = api === 'querystate' ? 'State' : 'Status';
  test(`${api}: everyone is Offline without a gateway; Detail only with IsNeedDetail 1; unknown users in ErrorList`, async () => {
    await withServer(['alice', 'bob'], async (s) => {
      const plain = await call(s, api, { To_Account: ['alice', 'bob'] });
      assert.deepEqual(plain, {
        ActionStatus: 'OK',
        ErrorInfo: '',
        ErrorCode: 0,
        QueryResult: [
          { To_Account: 'alice', [State]: 'Offline' },
          { To_Account: 'bob', [State]: 'Offline' },
        ],
      });
      const zero = await call(s, api, { To_Account: ['bob'], IsNeedDetail: 0 });
      assert.deepEqual(zero.QueryResult, [{ To_Account: 'bob', [State]: 'Offline' }]);
      const detail = await call(s, api, { To_Account: ['bob', 'ghost', 'alice', 'phantom'], IsNeedDetail: 1 });
      assert.deepEqual(detail, {
        ActionStatus: 'OK',
        ErrorInfo: '',
        ErrorCode: 0,
        QueryResult: [
          { To_Account: 'bob', [State]: 'Offline', Detail: [] },
          { To_Account: 'alice', [State]: 'Offline', Detail: [] },
        ],
        ErrorList: [
          { To_Account: 'ghost', ErrorCode: 70107 },
          { To_Account: 'phantom', ErrorCode: 70107 },
        ],
      });
      const none = await call(s, api, { To_Account: ['ghost', 'phantom'] });
      assert.equal(none.ActionStatus, 'FAIL');
      assert.equal(none.ErrorCode, 70107);
      assert.deepEqual(none.ErrorList, [
        { To_Account: 'ghost', ErrorCode: 70107 },
        { To_Account: 'phantom', ErrorCode: 70107 },
      ]);
      assert.equal(none.QueryResult, undefined);
    });
  });

  test(`${api}: 500 users at most (90011); 90001, 90003, 90009`, async () => {
    const users = Array.from({ length: 501 }, (_, i) => `user${i}`);
    await withServer(users, async (s) => {
      const r = await call(s, api, { To_Account: users.slice(0, 500) });
      expectOk(r);
      assert.equal(r.QueryResult.length, 500);
      assert.ok(r.QueryResult.every((q: Record<string, string>) => q[State] === 'Offline'));
      const cases: Array<[string, Record<string, unknown>, number]> = [
        ['501 users', { To_Account: users }, 90011],
        ['To_Account missing', {}, 90003],
        ['To_Account a string', { To_Account: 'user1' }, 90003],
        ['To_Account empty', { To_Account: [] }, 90001],
        ['To_Account holds a number', { To_Account: ['user1', 2] }, 90003],
        ['IsNeedDetail 2', { To_Account: ['user1'], IsNeedDetail: 2 }, 90001],
        ['IsNeedDetail a string', { To_Account: ['user1'], IsNeedDetail: '1' }, 90001],
      ];
      for (const [what, body, code] of cases) expectFail(await call(s, api, body), code, what);
      for (const raw of BAD_JSON)
        expectFail(await s.call(`openim/${api}`, raw, { raw: true }), 90001, `body ${JSON.stringify(raw)}`);
      expectFail(
        await s.call(`openim/${api}`, { To_Account: ['user1'] }, { identifier: 'user1', usersig: s.sig('user1') }),
        90009,
        'non-admin',
      );
    });
  });
}

test('admin_set_msg_read and modify_c2c_msg that fail inside the store (91000) change nothing', async () => {
  await withServer(['alice', 'bob'], async (s) => {
    const m = await send(s, 'alice', 'bob', 'x', { CloudCustomData: 'cc' });
    db(s).exec(`CREATE TRIGGER fail_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected'); END;`);
    // The read cursor and unread counts are updated before the read event fails; the body before the modify event.
    await expectRejected(
      s,
      'admin_set_msg_read',
      { Report_Account: 'bob', Peer_Account: 'alice' },
      91000,
      'failing read event',
    );
    await expectRejected(
      s,
      'modify_c2c_msg',
      { From_Account: 'alice', To_Account: 'bob', MsgKey: m.MsgKey, MsgBody: text('y'), CloudCustomData: 'dd' },
      91000,
      'failing modify event',
    );
    db(s).exec('DROP TRIGGER fail_events');
    assert.equal((await unread(s, 'bob')).total, 1);
    const [h] = await history(s, 'bob', 'alice');
    assert.deepEqual([h!.MsgBody, h!.CloudCustomData, h!.IsPeerRead], [text('x'), 'cc', 0]);
  });
});
