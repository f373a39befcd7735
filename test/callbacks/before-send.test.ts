// C2C.CallbackBeforeSendMsg (spec §6.3): its body, every reply code (0 deliver / rewrite, 1 reject
// with 20006, 2 drop silently, 120001–130000 reject with the app's code), the failure policy
// (deliver | reject with 80003), invalid rewrites, ForbidCallbackControl, client sends, and that
// batchsendmsg and importmsg never trigger it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, T0, type TestServer } from '../helpers/server.js';
import {
  WsClient,
  baseQuery,
  counter,
  callbackCounters,
  expectFail,
  expectOk,
  garbage,
  logLines,
  messageRows,
  ok,
  storedAnywhere,
  openim,
  outbox,
  reply,
  sendmsg,
  status500,
  text,
  withCallbacks,
  type Behaviour,
  type Receiver,
} from './helpers.js';

const BEFORE = 'C2C.CallbackBeforeSendMsg';
const AFTER = 'C2C.CallbackAfterSendMsg';

const answer = (ErrorCode: number, extra: Record<string, unknown> = {}): Behaviour =>
  reply({ ActionStatus: ErrorCode === 0 ? 'OK' : 'FAIL', ErrorInfo: '', ErrorCode, ...extra });

/** Everything the recipient could see: stored rows, its events, its history and unread count. */
async function recipientView(s: TestServer, user = 'bob', peer = 'alice') {
  const events = await s.parley.store.eventsAfter(s.app.sdkAppId, user, 0, 1000, T0 + 10_000);
  const roam = await openim(s, 'admin_getroammsg', {
    Operator_Account: user,
    Peer_Account: peer,
    MaxCnt: 100,
    MinTime: 0,
    MaxTime: 4294967295,
  });
  expectOk(roam, 'admin_getroammsg');
  const unread = await openim(s, 'get_c2c_unread_msg_num', { To_Account: user });
  return {
    events: events
      .filter((e) => e.kind === 'message')
      .map((e) => ({ body: e.message!.body, cloud: e.message!.cloudCustomData, from: e.message!.from })),
    history: (roam.MsgList as Array<Record<string, any>>).map((m) => ({
      key: m.MsgKey,
      body: m.MsgBody,
      cloud: m.CloudCustomData,
    })),
    unread: unread.AllC2CUnreadMsgNum as number,
  };
}

const NOTHING = { events: [], history: [], unread: 0 };

// ---- the request ------------------------------------------------------------------------------

test('the before-send body carries the message fields of spec §6.3 with their exact values', async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    const body = [...text('hello'), { MsgType: 'TIMCustomElem', MsgContent: { Data: 'd', Desc: 'x' } }];
    const sent = await sendmsg(s, { MsgSeq: 77, MsgRandom: 12345, MsgBody: body, CloudCustomData: 'ccd-1' });
    assert.equal(sent.MsgKey, `77_12345_${T0}`);
    assert.equal(r.hits.length, 1, 'the callback ran before sendmsg answered');
    assert.deepEqual(r.hits[0]!.body, {
      CallbackCommand: BEFORE,
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 77,
      MsgRandom: 12345,
      MsgTime: T0,
      MsgKey: `77_12345_${T0}`,
      OnlineOnlyFlag: 0,
      MsgBody: body,
      CloudCustomData: 'ccd-1',
    });
    assert.deepEqual(r.hits[0]!.query, baseQuery(BEFORE));

    // Defaults: the admin as sender, no CloudCustomData → "", MsgLifeTime 0 → OnlineOnlyFlag 1.
    s.clock.advance(3000);
    const r2 = await openim(s, 'sendmsg', {
      To_Account: 'bob',
      MsgSeq: 1,
      MsgRandom: 2,
      MsgLifeTime: 0,
      MsgBody: text('online'),
    });
    expectOk(r2);
    assert.deepEqual(r.hits[1]!.body, {
      CallbackCommand: BEFORE,
      From_Account: ADMIN,
      To_Account: 'bob',
      MsgSeq: 1,
      MsgRandom: 2,
      MsgTime: T0 + 3,
      MsgKey: `1_2_${T0 + 3}`,
      OnlineOnlyFlag: 1,
      MsgBody: text('online'),
      CloudCustomData: '',
    });
    assert.equal(r2.MsgKey, r.hits[1]!.body.MsgKey, 'the MsgKey the callback saw is the one the sender gets');
    const c = await callbackCounters(s);
    assert.equal(counter(c, BEFORE, 'sent'), 2);
    assert.equal(counter(c, BEFORE, 'failed'), 0);
  });
});

test("a command left out of the app's list is never sent", async () => {
  await withCallbacks({ callback: { commands: [AFTER] } }, async ({ r, s }) => {
    await sendmsg(s, { MsgRandom: 1 });
    const [after] = await r.waitForCommand(AFTER);
    assert.deepEqual(
      r.hits.map((h) => h.command),
      [AFTER],
      'only the after-send callback',
    );
    assert.equal(after!.body.MsgRandom, 1);
  });
});

// ---- reply codes ------------------------------------------------------------------------------

test('ErrorCode 0 without MsgBody delivers the original message', async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    r.script = () => answer(0);
    const sent = await sendmsg(s, { MsgRandom: 3, MsgBody: text('as written'), CloudCustomData: 'orig' });
    assert.deepEqual(await recipientView(s), {
      events: [{ body: text('as written'), cloud: 'orig', from: 'alice' }],
      history: [{ key: sent.MsgKey, body: text('as written'), cloud: 'orig' }],
      unread: 1,
    });
  });
});

test('ErrorCode 0 with MsgBody and CloudCustomData replaces both; the original is stored nowhere', async () => {
  await withCallbacks({}, async ({ r, s }) => {
    const replacement = [...text('***'), { MsgType: 'TIMFaceElem', MsgContent: { Index: 3 } }];
    r.script = (h) => (h.command === BEFORE ? answer(0, { MsgBody: replacement, CloudCustomData: 'rewritten' }) : ok);
    const original = 'original-text-4f1c9a';
    const sent = await sendmsg(s, { MsgRandom: 4, MsgBody: text(original), CloudCustomData: 'original-cloud-77e2' });
    assert.deepEqual(await recipientView(s), {
      events: [{ body: replacement, cloud: 'rewritten', from: 'alice' }],
      history: [{ key: sent.MsgKey, body: replacement, cloud: 'rewritten' }],
      unread: 1,
    });
    // The after-send callback describes the message as delivered.
    const [after] = await r.waitForCommand(AFTER);
    assert.deepEqual(after!.body.MsgBody, replacement);
    assert.equal(after!.body.CloudCustomData, 'rewritten');
    assert.equal(after!.body.MsgKey, sent.MsgKey);
    assert.equal(await storedAnywhere(s, original), false, 'the replaced text is not in the database');
    assert.equal(
      await storedAnywhere(s, 'original-cloud-77e2'),
      false,
      'the replaced CloudCustomData is not in the database',
    );
  });
});

test('ErrorCode 0 with CloudCustomData alone keeps the body and replaces the custom data', async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    r.script = () => answer(0, { CloudCustomData: '' });
    const sent = await sendmsg(s, { MsgRandom: 5, MsgBody: text('kept'), CloudCustomData: 'dropped' });
    assert.deepEqual((await recipientView(s)).history, [{ key: sent.MsgKey, body: text('kept'), cloud: '' }]);
  });
});

test('ErrorCode 1 rejects: the sender gets 20006, nothing is stored, no after-send callback', async () => {
  await withCallbacks({}, async ({ r, s }) => {
    r.script = (h) => (h.command === BEFORE ? answer(1, { ErrorInfo: 'not allowed' }) : ok);
    const res = await openim(s, 'sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 6,
      MsgBody: text('refused'),
    });
    expectFail(res, 20006, 'ErrorCode 1');
    assert.equal(typeof res.ErrorInfo, 'string');
    assert.ok(res.ErrorInfo.length > 0);
    assert.equal(await messageRows(s), 0);
    assert.deepEqual(await recipientView(s), NOTHING);
    assert.deepEqual(await outbox(s), [], 'no after-send callback is queued for a rejected message');
  });
});

test('ErrorCode 2 drops silently: the sender is told success, nobody receives, nothing is stored', async () => {
  await withCallbacks({}, async ({ r, s }) => {
    r.script = (h) => (h.command === BEFORE ? answer(2) : ok);
    const res = await openim(s, 'sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgSeq: 9,
      MsgRandom: 7,
      MsgBody: text('dropped'),
    });
    expectOk(res, 'ErrorCode 2');
    assert.equal(res.MsgKey, `9_7_${T0}`, 'the sender gets a normal answer');
    assert.equal(res.MsgTime, T0);
    assert.equal(await messageRows(s), 0, 'nothing stored');
    assert.deepEqual(await recipientView(s), NOTHING, 'the recipient sees nothing');
    assert.deepEqual(await recipientView(s, 'alice', 'bob'), NOTHING, "the sender's roaming has nothing either");
    assert.deepEqual(await outbox(s), [], 'no after-send callback for a dropped message');
  });
});

test("ErrorCode 120001–130000 rejects and passes the app's code and ErrorInfo to the sender", async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    let random = 10;
    for (const code of [120001, 125000, 130000]) {
      r.script = () => answer(code, { ErrorInfo: `custom refusal ${code}` });
      const res = await openim(s, 'sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: random++,
        MsgBody: text('no'),
      });
      expectFail(res, code, `ErrorCode ${code}`);
      assert.equal(res.ErrorInfo, `custom refusal ${code}`);
    }
    assert.equal(await messageRows(s), 0);
    assert.deepEqual(await recipientView(s), NOTHING);
    const c = await callbackCounters(s);
    assert.equal(counter(c, BEFORE, 'sent'), 3, 'a refusal is a callback that worked');
    assert.equal(counter(c, BEFORE, 'failed'), 0);
  });
});

test('other ErrorCodes (3, 119999, 120000, 130001, -1, 0.5) are a failed callback and follow the policy', async () => {
  for (const policy of ['deliver', 'reject'] as const) {
    await withCallbacks({ callback: { commands: [BEFORE], beforeSendFailure: policy } }, async ({ r, s }) => {
      let random = 20;
      const codes = [3, 119999, 120000, 130001, -1, 0.5];
      for (const code of codes) {
        r.script = () => answer(code, { ErrorInfo: 'odd' });
        const res = await openim(s, 'sendmsg', {
          From_Account: 'alice',
          To_Account: 'bob',
          MsgRandom: random++,
          MsgBody: text(`code ${code}`),
        });
        if (policy === 'deliver') expectOk(res, `ErrorCode ${code}, policy deliver`);
        else expectFail(res, 80003, `ErrorCode ${code}, policy reject`);
      }
      assert.equal(await messageRows(s), policy === 'deliver' ? codes.length : 0);
      const c = await callbackCounters(s);
      assert.equal(counter(c, BEFORE, 'failed'), codes.length);
      assert.equal(counter(c, BEFORE, 'sent'), 0, 'an unusable reply is a failure, not also a success');
    });
  }
});

// ---- failure policy ---------------------------------------------------------------------------

/** Receiver behaviours that make the before-send callback fail. */
const FAILURES: Array<[string, (r: Receiver) => Behaviour, string]> = [
  ['HTTP 500', () => status500, 'HTTP 500'],
  ['garbage', () => garbage, 'not JSON'],
  ['a redirect', (r) => ({ kind: 'redirect', location: r.url('/elsewhere') }), 'HTTP 302'],
  ['a destroyed connection', () => ({ kind: 'destroy' }), 'request failed'],
];

test('policy "deliver" (the default): a failed before-send callback delivers the original, counted and logged', async () => {
  await withCallbacks({ callback: { commands: [BEFORE], token: 'before-token-secret' } }, async ({ r, s }) => {
    let random = 30;
    for (const [what, behaviour] of FAILURES) {
      r.script = (h) => (h.path === '/elsewhere' ? answer(1) : behaviour(r));
      const sent = await sendmsg(s, { MsgRandom: random++, MsgBody: text(what), CloudCustomData: what });
      const view = await recipientView(s);
      assert.deepEqual(
        view.history.find((m) => m.key === sent.MsgKey),
        { key: sent.MsgKey, body: text(what), cloud: what },
        `${what}: the original was delivered`,
      );
    }
    // Receiver down (closed port): the same.
    await r.down();
    const sent = await sendmsg(s, { MsgRandom: random++, MsgBody: text('down') });
    assert.deepEqual((await recipientView(s)).history.find((m) => m.key === sent.MsgKey)?.body, text('down'));
    assert.equal(await messageRows(s), FAILURES.length + 1);
    assert.equal(counter(await callbackCounters(s), BEFORE, 'failed'), FAILURES.length + 1);
    assert.equal(counter(await callbackCounters(s), BEFORE, 'sent'), 0);
    const lines = logLines(s).filter((l) => l.msg === 'before-send callback failed');
    assert.equal(lines.length, FAILURES.length + 1);
    FAILURES.forEach(([what, , reason], i) => {
      assert.equal(lines[i]!.command, BEFORE, what);
      assert.ok(
        String(lines[i]!.reason).includes(reason),
        `${what}: logged reason ${lines[i]!.reason} names ${reason}`,
      );
    });
    assert.ok(!s.logs.join('').includes('before-token-secret'), 'the token is never logged');
  });
});

test('policy "reject": a failed before-send callback answers 80003 and stores nothing', async () => {
  await withCallbacks({ callback: { commands: [BEFORE], beforeSendFailure: 'reject' } }, async ({ r, s }) => {
    let random = 40;
    for (const [what, behaviour] of FAILURES) {
      r.script = () => behaviour(r);
      expectFail(
        await openim(s, 'sendmsg', {
          From_Account: 'alice',
          To_Account: 'bob',
          MsgRandom: random++,
          MsgBody: text(what),
        }),
        80003,
        what,
      );
    }
    await r.down();
    expectFail(
      await openim(s, 'sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: random++,
        MsgBody: text('down'),
      }),
      80003,
      'receiver down',
    );
    assert.equal(await messageRows(s), 0);
    assert.deepEqual(await recipientView(s), NOTHING);
    assert.deepEqual(await outbox(s), []);
  });
});

test('a hanging receiver follows the policy after timeoutMs (deliver and reject)', async () => {
  for (const policy of ['deliver', 'reject'] as const) {
    await withCallbacks(
      { callback: { commands: [BEFORE], beforeSendFailure: policy, timeoutMs: 300 } },
      async ({ r, s }) => {
        r.script = () => ({ kind: 'hang' });
        const res = await openim(s, 'sendmsg', {
          From_Account: 'alice',
          To_Account: 'bob',
          MsgRandom: 1,
          MsgBody: text('slow'),
        });
        if (policy === 'deliver') expectOk(res, 'hang, deliver');
        else expectFail(res, 80003, 'hang, reject');
        assert.equal(await messageRows(s), policy === 'deliver' ? 1 : 0);
        // A late OK changes nothing, in particular it does not deliver a rejected message.
        r.release();
        expectOk(await openim(s, 'get_c2c_unread_msg_num', { To_Account: 'bob' }));
        assert.equal(await messageRows(s), policy === 'deliver' ? 1 : 0);
      },
    );
  }
});

// ---- invalid rewrites -------------------------------------------------------------------------

const TOO_BIG = 'x'.repeat(13 * 1024);
/** Replies with ErrorCode 0 whose rewrite must not be used. */
const BAD_REWRITES: Array<[string, Record<string, unknown>]> = [
  ['MsgBody a string', { MsgBody: 'hello' }],
  ['MsgBody null', { MsgBody: null }],
  ['MsgBody empty', { MsgBody: [] }],
  ['MsgBody with an unknown MsgType', { MsgBody: [{ MsgType: 'TIMEvilElem', MsgContent: { Text: 'x' } }] }],
  ['MsgBody TIMTextElem without Text', { MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: {} }] }],
  [
    'MsgBody with two TIMCustomElem',
    {
      MsgBody: [
        { MsgType: 'TIMCustomElem', MsgContent: {} },
        { MsgType: 'TIMCustomElem', MsgContent: {} },
      ],
    },
  ],
  ['MsgBody larger than a message may be', { MsgBody: text(TOO_BIG) }],
  ['a valid MsgBody with CloudCustomData a number', { MsgBody: text('half-valid body'), CloudCustomData: 42 }],
  [
    'a valid CloudCustomData with an invalid MsgBody',
    { MsgBody: [{ MsgType: 'TIMTextElem' }], CloudCustomData: 'half-valid cloud' },
  ],
];

test('an invalid rewrite is never used: policy "deliver" delivers the whole original', async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    let random = 50;
    for (const [what, extra] of BAD_REWRITES) {
      r.script = () => answer(0, extra);
      const sent = await sendmsg(s, {
        MsgRandom: random++,
        MsgBody: text(`original: ${what}`),
        CloudCustomData: `cloud: ${what}`,
      });
      const stored = (await recipientView(s)).history.find((m) => m.key === sent.MsgKey);
      assert.deepEqual(stored, { key: sent.MsgKey, body: text(`original: ${what}`), cloud: `cloud: ${what}` }, what);
    }
    const c = await callbackCounters(s);
    assert.equal(counter(c, BEFORE, 'failed'), BAD_REWRITES.length);
    assert.equal(counter(c, BEFORE, 'sent'), 0);
    assert.equal(await storedAnywhere(s, TOO_BIG.slice(0, 2000)), false, 'the oversized rewrite is not stored');
  });
});

test('an invalid rewrite is never used: policy "reject" answers 80003', async () => {
  await withCallbacks({ callback: { commands: [BEFORE], beforeSendFailure: 'reject' } }, async ({ r, s }) => {
    let random = 60;
    for (const [what, extra] of BAD_REWRITES) {
      r.script = () => answer(0, extra);
      expectFail(
        await openim(s, 'sendmsg', {
          From_Account: 'alice',
          To_Account: 'bob',
          MsgRandom: random++,
          MsgBody: text(what),
        }),
        80003,
        what,
      );
    }
    assert.equal(await messageRows(s), 0);
  });
});

// ---- when it is (not) sent --------------------------------------------------------------------

test('ForbidCallbackControl skips the before-send and/or the after-send callback of that message only', async () => {
  await withCallbacks({}, async ({ r, s }) => {
    // A before-send reply that would reject: a forbidden callback cannot reject.
    r.script = (h) => (h.command === BEFORE ? answer(1) : ok);
    const a = await sendmsg(s, { MsgRandom: 1, ForbidCallbackControl: ['ForbidBeforeSendMsgCallback'] });
    assert.equal(r.of(BEFORE).length, 0, 'no before-send callback');
    assert.equal(await messageRows(s), 1, 'delivered although the receiver would have refused');
    const [afterA] = await r.waitForCommand(AFTER);
    assert.equal(afterA!.body.MsgKey, a.MsgKey, 'the after-send callback still comes');

    r.script = () => ok;
    const b = await sendmsg(s, { MsgRandom: 2, ForbidCallbackControl: ['ForbidAfterSendMsgCallback'] });
    assert.equal(r.of(BEFORE).length, 1);
    assert.equal(r.of(BEFORE)[0]!.body.MsgKey, b.MsgKey);
    assert.deepEqual(
      (await outbox(s)).filter((o) => o.body.MsgKey === b.MsgKey),
      [],
      'no after-send callback queued',
    );

    await sendmsg(s, {
      MsgRandom: 3,
      ForbidCallbackControl: ['ForbidBeforeSendMsgCallback', 'ForbidAfterSendMsgCallback'],
    });
    assert.equal(r.of(BEFORE).length, 1, "still only b's before-send");
    // A marker in the same conversation: callbacks arrive in order, so anything queued for b or
    // c would arrive before it.
    const marker = await sendmsg(s, { MsgRandom: 4 });
    const afters = await r.waitForCommand(AFTER, 2);
    assert.deepEqual(
      afters.map((h) => h.body.MsgKey),
      [a.MsgKey, marker.MsgKey],
    );
    assert.deepEqual(
      r.of(BEFORE).map((h) => h.body.MsgRandom),
      [2, 4],
    );
  });
});

test('batchsendmsg and importmsg never trigger callbacks', async () => {
  await withCallbacks({ users: ['alice', 'bob', 'carol'] }, async ({ r, s }) => {
    r.script = (h) => (h.command === BEFORE ? answer(1) : ok);
    const batch = await openim(s, 'batchsendmsg', {
      From_Account: 'alice',
      To_Account: ['bob', 'carol'],
      MsgRandom: 1,
      MsgBody: text('batch'),
    });
    expectOk(batch, 'batchsendmsg is not refused by a before-send callback');
    for (const sync of [2, 5]) {
      expectOk(
        await openim(s, 'importmsg', {
          SyncFromOldSystem: sync,
          From_Account: 'alice',
          To_Account: 'bob',
          MsgRandom: 10 + sync,
          MsgTimeStamp: T0 - 100,
          MsgBody: text('imported'),
        }),
        `importmsg ${sync}`,
      );
    }
    assert.equal(await messageRows(s), 4);
    assert.equal(r.hits.length, 0, 'no before-send callback');
    assert.deepEqual(await outbox(s), [], 'no after-send callback queued');
    r.script = () => ok;
    const marker = await sendmsg(s, { MsgRandom: 99 });
    const [after] = await r.waitForCommand(AFTER);
    assert.equal(after!.body.MsgKey, marker.MsgKey, "the first after-send callback is the marker's");
    assert.deepEqual(
      r.hits.map((h) => h.command),
      [BEFORE, AFTER],
    );
  });
});

// ---- client sends -----------------------------------------------------------------------------

test('client sends run the before-send callback with OptPlatform Web, and its answer decides', async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    const alice = await WsClient.login(s, 'alice');
    try {
      const send = (random: number, t: string) =>
        alice.request('send', { to: 'bob', random, seq: random, body: text(t), cloudCustomData: `c${random}` });

      const plain = await send(1, 'plain');
      assert.equal(plain.code, 0);
      assert.deepEqual(r.hits[0]!.query, baseQuery(BEFORE, 'Web'));
      assert.deepEqual(r.hits[0]!.body, {
        CallbackCommand: BEFORE,
        From_Account: 'alice',
        To_Account: 'bob',
        MsgSeq: 1,
        MsgRandom: 1,
        MsgTime: T0,
        MsgKey: `1_1_${T0}`,
        OnlineOnlyFlag: 0,
        MsgBody: text('plain'),
        CloudCustomData: 'c1',
      });

      r.script = () => answer(0, { MsgBody: text('rewritten'), CloudCustomData: 'new' });
      const rewritten = await send(2, 'original');
      assert.equal(rewritten.code, 0);
      assert.deepEqual(rewritten.data.message.body, text('rewritten'), 'the sender learns what was delivered');
      assert.equal(rewritten.data.message.cloudCustomData, 'new');

      r.script = () => answer(1);
      const refused = await send(3, 'refused');
      assert.equal(refused.code, 20006);

      r.script = () => answer(120099, { ErrorInfo: 'app says no' });
      const custom = await send(4, 'custom');
      assert.equal(custom.code, 120099);
      assert.equal(custom.message, 'app says no');

      r.script = () => answer(2);
      const dropped = await send(5, 'dropped');
      assert.equal(dropped.code, 0, 'a dropped message looks sent');
      assert.equal(dropped.data.message.msgKey, `5_5_${T0}`);

      const history = (await recipientView(s)).history.map((m) => m.body);
      assert.deepEqual(history, [text('plain'), text('rewritten')], 'only the delivered ones are stored');
      assert.equal(
        (await s.parley.store.eventsAfter(s.app.sdkAppId, 'bob', 0, 1000, Math.floor(s.clock.nowMs() / 1000))).length,
        2,
        'bob received two messages',
      );
    } finally {
      await alice.close();
    }
  });
});
