// After-callbacks (spec §6.4–6.6): C2C.CallbackAfterSendMsg, C2C.CallbackAfterMsgWithDraw and
// C2C.CallbackAfterMsgReport — their bodies and query parameters from REST and from clients, order
// per conversation, a hanging receiver never holding up the API, and a recall erasing the content
// a still-pending after-send callback carries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, T0 } from '../helpers/server.js';
import {
  WsClient,
  baseQuery,
  expectOk,
  failedAttempts,
  hang,
  headsFailed,
  storedAnywhere,
  ok,
  openim,
  outbox,
  sendmsg,
  status500,
  text,
  withCallbacks,
} from './helpers.js';

const AFTER = 'C2C.CallbackAfterSendMsg';
const WITHDRAW = 'C2C.CallbackAfterMsgWithDraw';
const REPORT = 'C2C.CallbackAfterMsgReport';
const AFTERS = [AFTER, WITHDRAW, REPORT];

test("C2C.CallbackAfterSendMsg: the message fields, SendMsgResult, ErrorInfo and the recipient's total unread", async () => {
  await withCallbacks({ users: ['alice', 'bob', 'carol'], callback: { commands: [AFTER] } }, async ({ r, s }) => {
    await sendmsg(s, { From_Account: 'carol', MsgRandom: 1 });
    s.clock.advance(2000);
    const body = [
      ...text('hello'),
      { MsgType: 'TIMLocationElem', MsgContent: { Desc: 'here', Latitude: 1.5, Longitude: 2.5 } },
    ];
    const sent = await sendmsg(s, { MsgSeq: 42, MsgRandom: 4242, MsgBody: body, CloudCustomData: 'cc' });
    const hits = await r.waitForCommand(AFTER, 2);
    const h = hits.find((x) => x.body.MsgKey === sent.MsgKey)!;
    assert.deepEqual(h.body, {
      CallbackCommand: AFTER,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 42,
      MsgRandom: 4242,
      MsgTime: T0 + 2,
      MsgKey: `42_4242_${T0 + 2}`,
      OnlineOnlyFlag: 0,
      MsgBody: body,
      CloudCustomData: 'cc',
      SendMsgResult: 0,
      ErrorInfo: 'send msg succeed',
      UnreadMsgNum: 2,
    });
    assert.deepEqual(h.query, baseQuery(AFTER));
    assert.equal(hits.find((x) => x.body.From_Account === 'carol')!.body.UnreadMsgNum, 1, 'unread as of that message');
    // Online-only messages are reported too, flagged.
    const online = await sendmsg(s, { MsgRandom: 5, MsgLifeTime: 0 });
    const [, , o] = await r.waitForCommand(AFTER, 3);
    assert.equal(o!.body.MsgKey, online.MsgKey);
    assert.equal(o!.body.OnlineOnlyFlag, 1);
    assert.equal(o!.body.UnreadMsgNum, 2, 'an online-only message is not unread');
  });
});

test('a repeated sendmsg of the same MsgKey is stored once and reported once', async () => {
  await withCallbacks({ callback: { commands: [AFTER] } }, async ({ r, s }) => {
    const a = await sendmsg(s, { MsgSeq: 5, MsgRandom: 6 });
    const b = await sendmsg(s, { MsgSeq: 5, MsgRandom: 6 });
    assert.equal(b.MsgKey, a.MsgKey);
    const marker = await sendmsg(s, { MsgSeq: 7, MsgRandom: 8 });
    const hits = await r.waitForCommand(AFTER, 2);
    assert.deepEqual(
      hits.map((h) => h.body.MsgKey),
      [a.MsgKey, marker.MsgKey],
      'the duplicate sent no second callback',
    );
  });
});

test("C2C.CallbackAfterMsgWithDraw after an admin recall: From/To, MsgKey, the recipient's unread after it", async () => {
  await withCallbacks({ callback: { commands: [WITHDRAW] } }, async ({ r, s }) => {
    const a = await sendmsg(s, { MsgRandom: 1 });
    await sendmsg(s, { MsgRandom: 2 });
    expectOk(await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: a.MsgKey }));
    const [h] = await r.waitForCommand(WITHDRAW);
    assert.deepEqual(h!.body, {
      CallbackCommand: WITHDRAW,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: a.MsgKey,
      UnreadMsgNum: 1,
    });
    assert.deepEqual(h!.query, baseQuery(WITHDRAW));
    assert.equal(r.hits.length, 1, 'only the enabled command');
    // A recall that fails (already recalled) sends nothing more.
    const again = await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: a.MsgKey });
    assert.equal(again.ErrorCode, 20023);
    assert.deepEqual(await outbox(s), []);
  });
});

test("C2C.CallbackAfterMsgReport after admin_set_msg_read: LastReadTime and the reporter's total unread", async () => {
  await withCallbacks({ users: ['alice', 'bob', 'carol'], callback: { commands: [REPORT] } }, async ({ r, s }) => {
    await sendmsg(s, { MsgRandom: 1 });
    await sendmsg(s, { MsgRandom: 2 });
    await sendmsg(s, { From_Account: 'carol', MsgRandom: 3 });
    s.clock.advance(10_000);
    expectOk(await openim(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }));
    const [h] = await r.waitForCommand(REPORT);
    assert.deepEqual(h!.body, {
      CallbackCommand: REPORT,
      Report_Account: 'bob',
      Peer_Account: 'alice',
      LastReadTime: T0 + 10,
      UnreadMsgNum: 1,
    });
    assert.deepEqual(h!.query, baseQuery(REPORT));
    // MsgReadTime given (as the documented string): reported as an integer.
    expectOk(
      await openim(s, 'admin_set_msg_read', {
        Report_Account: 'bob',
        Peer_Account: 'carol',
        MsgReadTime: String(T0 + 5),
      }),
    );
    const [, h2] = await r.waitForCommand(REPORT, 2);
    assert.deepEqual(h2!.body, {
      CallbackCommand: REPORT,
      Report_Account: 'bob',
      Peer_Account: 'carol',
      LastReadTime: T0 + 5,
      UnreadMsgNum: 0,
    });
  });
});

test("client sends, recalls and read reports send their after-callbacks with the client's OptPlatform (Android, Web)", async () => {
  await withCallbacks({ callback: { commands: AFTERS as never } }, async ({ r, s }) => {
    const alice = await WsClient.login(s, 'alice', { platform: 'Android', deviceId: 'a1' });
    const bob = await WsClient.login(s, 'bob', { platform: 'Web', deviceId: 'b1' });
    try {
      const sent = await alice.request('send', {
        to: 'bob',
        random: 7,
        seq: 8,
        body: text('from a phone'),
        cloudCustomData: 'x',
      });
      assert.equal(sent.code, 0);
      const key = sent.data.message.msgKey as string;
      assert.equal(key, `8_7_${T0}`);
      const [a] = await r.waitForCommand(AFTER);
      assert.deepEqual(a!.query, baseQuery(AFTER, 'Android'));
      assert.deepEqual(a!.body, {
        CallbackCommand: AFTER,
        From_Account: 'alice',
        To_Account: 'bob',
        MsgSeq: 8,
        MsgRandom: 7,
        MsgTime: T0,
        MsgKey: key,
        OnlineOnlyFlag: 0,
        MsgBody: text('from a phone'),
        CloudCustomData: 'x',
        SendMsgResult: 0,
        ErrorInfo: 'send msg succeed',
        UnreadMsgNum: 1,
      });

      s.clock.advance(1000);
      const read = await bob.request('read', {});
      assert.notEqual(read.code, 0, 'read needs a peer');
      const ok1 = await bob.request('read', { peer: 'alice' });
      assert.equal(ok1.code, 0);
      const [rep] = await r.waitForCommand(REPORT);
      assert.deepEqual(rep!.query, baseQuery(REPORT, 'Web'));
      assert.deepEqual(rep!.body, {
        CallbackCommand: REPORT,
        Report_Account: 'bob',
        Peer_Account: 'alice',
        LastReadTime: T0 + 1,
        UnreadMsgNum: 0,
      });

      const recalled = await alice.request('recall', { to: 'bob', msgKey: key });
      assert.equal(recalled.code, 0);
      const [w] = await r.waitForCommand(WITHDRAW);
      assert.deepEqual(w!.query, baseQuery(WITHDRAW, 'Android'));
      assert.deepEqual(w!.body, {
        CallbackCommand: WITHDRAW,
        From_Account: 'alice',
        To_Account: 'bob',
        MsgKey: key,
        UnreadMsgNum: 0,
      });
      assert.equal(r.hits.length, 3, 'a refused read sent nothing');
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});

test('after-callbacks of one conversation arrive in the order of their events, whatever their command', async () => {
  await withCallbacks(
    { users: ['alice', 'bob', 'carol', 'dave'], callback: { commands: AFTERS as never } },
    async ({ r, s }) => {
      // Receiver down: everything queues, then goes out in one go.
      await r.down();
      const m1 = await sendmsg(s, { MsgRandom: 1 });
      const other = await sendmsg(s, { From_Account: 'carol', To_Account: 'dave', MsgRandom: 100 });
      const m2 = await sendmsg(s, { From_Account: 'bob', To_Account: 'alice', MsgRandom: 2 });
      const m3 = await sendmsg(s, { MsgRandom: 3 });
      expectOk(await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: m1.MsgKey }));
      expectOk(await openim(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }));
      const m4 = await sendmsg(s, { MsgRandom: 4 });
      await headsFailed(s);
      await r.up();
      s.clock.advance(60_000);
      await r.waitFor(7, () => true, 'all seven callbacks');
      const conv = r.hits.filter((h) => h.body.From_Account !== 'carol' && h.body.To_Account !== 'dave');
      assert.deepEqual(
        conv.map((h) => `${h.command} ${h.body.MsgKey ?? h.body.Report_Account}`),
        [
          `${AFTER} ${m1.MsgKey}`,
          `${AFTER} ${m2.MsgKey}`,
          `${AFTER} ${m3.MsgKey}`,
          `${WITHDRAW} ${m1.MsgKey}`,
          `${REPORT} bob`,
          `${AFTER} ${m4.MsgKey}`,
        ],
      );
      assert.equal(r.hits.filter((h) => h.body.MsgKey === other.MsgKey).length, 1);
    },
  );
});

test('a failing head holds back its own conversation only; the rest of it follows once the head is through', async () => {
  await withCallbacks(
    { users: ['alice', 'bob', 'carol', 'dave'], callback: { commands: [AFTER] } },
    async ({ r, s }) => {
      const failing = new Set<string>();
      r.script = (h) => (failing.has(h.body.MsgKey) ? status500 : ok);
      // m1 fails once; m2 and m3 (same conversation) must wait for it.
      const m1 = await sendmsg(s, { MsgRandom: 1 });
      failing.add(m1.MsgKey);
      const first = await r.waitFor(1, (h) => h.body.MsgKey === m1.MsgKey);
      assert.equal(first.length, 1);
      const entry = (await outbox(s)).find((o) => o.body.MsgKey === m1.MsgKey)!;
      await failedAttempts(s, entry.id, 1);
      const m2 = await sendmsg(s, { MsgRandom: 2 });
      const m3 = await sendmsg(s, { From_Account: 'bob', To_Account: 'alice', MsgRandom: 3 });
      // Another conversation goes through meanwhile …
      const x = await sendmsg(s, { From_Account: 'carol', To_Account: 'dave', MsgRandom: 9 });
      await r.waitFor(1, (h) => h.body.MsgKey === x.MsgKey, "the other conversation's callback");
      // … while nothing of alice↔bob went past the failed head (the dispatcher passed over them).
      assert.deepEqual(
        r.hits.map((h) => h.body.MsgKey),
        [m1.MsgKey, x.MsgKey],
      );
      assert.equal((await outbox(s)).find((o) => o.id === entry.id)!.attempts, 1, 'the head waits for its backoff');
      failing.clear();
      s.clock.advance(1000);
      await r.waitFor(5, () => true, 'the head again, then the rest');
      assert.deepEqual(
        r.hits.map((h) => h.body.MsgKey),
        [m1.MsgKey, x.MsgKey, m1.MsgKey, m2.MsgKey, m3.MsgKey],
      );
      assert.deepEqual(
        r.hits.map((h) => (h.body.MsgKey === m1.MsgKey ? h.n : -1)).filter((n) => n >= 0),
        [0, 2],
        'm1 was delivered at least once, after its failure',
      );
    },
  );
});

test('a receiver that holds a callback does not hold up sendmsg, recall or read: they answer while it still holds', async () => {
  await withCallbacks({ callback: { commands: AFTERS as never, timeoutMs: 60_000 } }, async ({ r, s }) => {
    r.script = () => hang;
    const m1 = await sendmsg(s, { MsgRandom: 1 });
    await r.waitFor(1);
    r.script = () => ok;
    // The API calls run and answer …
    const m2 = await sendmsg(s, { MsgRandom: 2 });
    expectOk(await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: m2.MsgKey }));
    expectOk(await openim(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }));
    const other = await openim(s, 'sendmsg', {
      From_Account: ADMIN,
      To_Account: 'bob',
      MsgRandom: 3,
      MsgBody: text('x'),
    });
    expectOk(other);
    // … and the receiver still holds the first callback: they did not wait for it.
    assert.deepEqual(
      r.heldOpen().map((h) => h.body.MsgKey),
      [m1.MsgKey],
    );
    assert.equal(r.hits[0]!.settled, false);
    assert.equal(r.release(), 1, 'the held request was still open when released');
    await r.waitFor(5);
    const alicebob = r.hits.filter((h) => h.body.From_Account !== ADMIN);
    assert.deepEqual(
      alicebob.map((h) => h.command),
      [AFTER, AFTER, WITHDRAW, REPORT],
    );
    assert.equal(alicebob[1]!.body.MsgKey, m2.MsgKey);
  });
});

test('a recall erases the content a still-pending after-send callback carries', async () => {
  await withCallbacks({ callback: { commands: AFTERS as never } }, async ({ r, s }) => {
    await r.down();
    const secret = 'pending-secret-5d1e0c';
    const sent = await sendmsg(s, {
      MsgSeq: 3,
      MsgRandom: 11,
      MsgBody: text(secret),
      CloudCustomData: `${secret}-cloud`,
    });
    await failedAttempts(s, (await outbox(s))[0]!.id, 1);
    assert.equal((await outbox(s))[0]!.body.MsgBody[0].MsgContent.Text, secret, 'queued with its content');
    expectOk(await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: sent.MsgKey }));
    assert.equal(
      await storedAnywhere(s, secret),
      false,
      'the content is gone from the database files, outbox included',
    );
    await r.up();
    s.clock.advance(60_000);
    const [after, withdraw] = await r.waitFor(2);
    assert.deepEqual(after!.body, {
      CallbackCommand: AFTER,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 3,
      MsgRandom: 11,
      MsgTime: T0,
      MsgKey: sent.MsgKey,
      OnlineOnlyFlag: 0,
      MsgBody: [],
      CloudCustomData: '',
      SendMsgResult: 0,
      ErrorInfo: 'send msg succeed',
      UnreadMsgNum: 1,
    });
    assert.equal(withdraw!.command, WITHDRAW);
    assert.equal(withdraw!.body.MsgKey, sent.MsgKey);
    assert.ok(!r.hits.some((h) => h.rawBody.includes(secret)), 'the secret never reached the receiver');
  });
});
