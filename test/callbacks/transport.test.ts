// Callback transport (spec §6.1–6.2): POST of JSON to the app's URL with the query parameters
// SdkAppid, CallbackCommand, contenttype, ClientIP, OptPlatform (+ Sign and RequestTime with a
// token), keep-alive, and what counts as a reply: HTTP 200 with the JSON envelope, nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { callbackSign } from '../../src/domain/callbacks.js';
import { T0 } from '../helpers/server.js';
import {
  type Receiver,
  assertHealthy,
  baseQuery,
  destroy,
  expectFail,
  garbage,
  hang,
  messageRows,
  ok,
  openim,
  reply,
  failedAttempts,
  outbox,
  sendmsg,
  status500,
  text,
  withCallbacks,
  type Behaviour,
} from './helpers.js';

const BEFORE = 'C2C.CallbackBeforeSendMsg';
const AFTER = 'C2C.CallbackAfterSendMsg';
/** Spec §6.2's vector. */
const VECTOR = {
  token: 'xxxxyyyy',
  requestTime: 1669872112,
  sign: '17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061',
};

test('Sign is the lowercase hex SHA-256 of the token followed by RequestTime (spec vector)', () => {
  assert.equal(callbackSign(VECTOR.token, VECTOR.requestTime), VECTOR.sign);
  assert.equal(callbackSign(VECTOR.token, String(VECTOR.requestTime)), VECTOR.sign);
  // Not an HMAC, not the other order, not the misprinted token of one copy of the doc.
  assert.notEqual(callbackSign('xxxyyy', VECTOR.requestTime), VECTOR.sign);
  assert.notEqual(callbackSign(String(VECTOR.requestTime), VECTOR.token), VECTOR.sign);
});

test('a callback is a POST of JSON to the configured path with exactly the five query parameters when no token is set', async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    await sendmsg(s, { MsgRandom: 5 });
    const [h] = r.of();
    assert.ok(h, 'the before-send callback arrived while sendmsg ran');
    assert.equal(r.hits.length, 1);
    assert.equal(h.method, 'POST');
    assert.equal(h.path, '/im/callback');
    assert.deepEqual(h.query, baseQuery(BEFORE));
    assert.deepEqual(
      [...h.queryKeys].sort(),
      ['CallbackCommand', 'ClientIP', 'OptPlatform', 'SdkAppid', 'contenttype'],
      'no Sign, no RequestTime, nothing twice',
    );
    assert.match(String(h.headers['content-type']), /^application\/json\b/);
    assert.equal(JSON.parse(h.rawBody).CallbackCommand, BEFORE, 'the body is JSON naming the command too');
  });
});

test('with a token every callback carries RequestTime and Sign; the spec vector comes out on the wire', async () => {
  await withCallbacks({ now: VECTOR.requestTime, callback: { token: VECTOR.token } }, async ({ r, s }) => {
    await sendmsg(s, { MsgRandom: 6 });
    const [before] = await r.waitForCommand(BEFORE);
    const [after] = await r.waitForCommand(AFTER);
    for (const h of [before!, after!]) {
      assert.deepEqual(h.query, {
        ...baseQuery(h.command as typeof BEFORE),
        RequestTime: String(VECTOR.requestTime),
        Sign: VECTOR.sign,
      });
      assert.equal(h.queryKeys.length, 7);
    }
    // The token itself never travels.
    for (const h of r.hits) assert.ok(!h.rawQuery.includes(VECTOR.token) && !h.rawBody.includes(VECTOR.token));
  });
});

test('RequestTime and Sign are made fresh for every attempt, so a retry signs its own time', async () => {
  const token = 'retry-token-0123';
  await withCallbacks({ callback: { token, commands: [AFTER] } }, async ({ r, s }) => {
    let first = true;
    r.script = () => (first ? ((first = false), status500) : ok);
    await sendmsg(s, { MsgRandom: 7 });
    const [entry] = await outbox(s);
    // Once the server has booked the failure (retry in 1 s), move its clock past the backoff.
    await failedAttempts(s, entry!.id, 1);
    assert.equal(r.hits.length, 1);
    s.clock.advance(5_000);
    const [a, b] = await r.waitForCommand(AFTER, 2);
    assert.equal(a!.query.RequestTime, String(T0));
    assert.equal(b!.query.RequestTime, String(T0 + 5));
    // Checked against an independent computation, not the server's own helper.
    const sign = (t: number) =>
      createHash('sha256')
        .update(token + String(t))
        .digest('hex');
    assert.equal(a!.query.Sign, sign(T0));
    assert.equal(b!.query.Sign, sign(T0 + 5));
    assert.deepEqual(a!.body, b!.body, 'the retry carries the same body');
  });
});

test('callbacks reuse one kept-alive connection', async () => {
  await withCallbacks({ callback: { commands: [BEFORE] } }, async ({ r, s }) => {
    for (let i = 0; i < 4; i++) await sendmsg(s, { MsgRandom: 10 + i });
    assert.equal(r.hits.length, 4);
    assert.deepEqual(
      r.hits.map((h) => h.socket),
      [1, 1, 1, 1],
      'four sequential callbacks over the first connection',
    );
  });
});

test('a query string in the configured URL is kept, and the callback parameters are added to it', async () => {
  await withCallbacks(
    { callback: (r) => ({ commands: [BEFORE], url: r.url('/hooks/im?route=parley&tenant=7') }) },
    async ({ r, s }) => {
      await sendmsg(s, { MsgRandom: 8 });
      const [h] = r.hits;
      assert.equal(h!.path, '/hooks/im');
      assert.deepEqual(h!.query, { route: 'parley', tenant: '7', ...baseQuery(BEFORE) });
    },
  );
});

// ---- what counts as a reply -------------------------------------------------------------------

/** Receiver behaviours that are not a reply: each must make a rejecting app answer 80003. */
const NOT_A_REPLY: Array<[string, (r: Receiver) => Behaviour]> = [
  ['HTTP 500', () => status500],
  ['HTTP 404', () => ({ kind: 'status', status: 404, text: 'no' })],
  ['HTTP 201 with the OK envelope', () => reply({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }, 201)],
  ['HTTP 204', () => ({ kind: 'status', status: 204 })],
  ['HTTP 500 with the OK envelope', () => reply({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }, 500)],
  ['200 with garbage', () => garbage],
  ['200 with an empty body', () => reply('')],
  ['200 with a JSON array', () => reply([0])],
  ['200 with JSON null', () => reply('null')],
  ['200 with a JSON number', () => reply('0')],
  ['200 without ErrorCode', () => reply({ ActionStatus: 'OK', ErrorInfo: '' })],
  ['200 with ErrorCode as a string', () => reply({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: '0' })],
  ['200 with ErrorCode null', () => reply({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: null })],
  ['the connection destroyed', () => destroy],
  ['a 302 redirect to a URL that would answer OK', (r) => ({ kind: 'redirect', location: r.url('/followed') })],
  [
    'a 307 redirect to a URL that would answer OK',
    (r) => ({ kind: 'redirect', status: 307, location: r.url('/followed') }),
  ],
];

test('only HTTP 200 with a JSON envelope holding a numeric ErrorCode counts as a reply; redirects are not followed', async () => {
  await withCallbacks({ callback: { commands: [BEFORE], beforeSendFailure: 'reject' } }, async ({ r, s }) => {
    let random = 100;
    for (const [what, behaviour] of NOT_A_REPLY) {
      const b = behaviour(r);
      r.script = (h) => (h.path === '/followed' ? ok : b);
      const before = r.hits.length;
      const res = await openim(s, 'sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: random++,
        MsgBody: text(what),
      });
      expectFail(res, 80003, what);
      assert.equal(r.hits.length, before + 1, `${what}: one attempt, not retried, nothing followed`);
      assert.equal(await messageRows(s), 0, `${what}: nothing stored`);
    }
    assert.equal(r.hits.filter((h) => h.path === '/followed').length, 0, 'no redirect was followed');
    // The control: the real envelope is a reply (the same server, the same receiver).
    r.script = () => ok;
    await sendmsg(s, { MsgRandom: random++ });
    assert.equal(await messageRows(s), 1);
    await assertHealthy(s);
  });
});

test('a receiver that hangs is a failed callback after timeoutMs; its late answer changes nothing', async () => {
  await withCallbacks(
    { callback: { commands: [BEFORE], beforeSendFailure: 'reject', timeoutMs: 300 } },
    async ({ r, s }) => {
      r.script = () => hang;
      const res = await openim(s, 'sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: 1,
        MsgBody: text('held'),
      });
      expectFail(res, 80003, 'hanging receiver');
      // The server gave up on the request: the receiver's connection is gone.
      await r.waitUntil(() => (r.hits[0]!.settled ? true : undefined), 'the held request to be abandoned');
      assert.equal(r.hits[0]!.abandoned, true);
      r.release(reply({ ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 }));
      assert.equal(await messageRows(s), 0);
      await assertHealthy(s);
    },
  );
});

test('a URL whose host does not resolve is a failed callback; the server stays healthy', async () => {
  const url = 'http://parley-callback-test.invalid/im';
  await withCallbacks({ callback: { url, commands: [BEFORE], beforeSendFailure: 'reject' } }, async ({ s }) => {
    expectFail(
      await openim(s, 'sendmsg', { From_Account: 'alice', To_Account: 'bob', MsgRandom: 1, MsgBody: text('x') }),
      80003,
      'unresolvable host, policy reject',
    );
    assert.equal(await messageRows(s), 0);
    await assertHealthy(s);
  });
  await withCallbacks({ callback: { url, commands: [BEFORE], beforeSendFailure: 'deliver' } }, async ({ s }) => {
    await sendmsg(s, { MsgRandom: 2 });
    assert.equal(await messageRows(s), 1, 'policy deliver: the message went');
    await assertHealthy(s);
  });
});

test('credentials in the callback URL are sent as Basic authentication and never logged', async () => {
  await withCallbacks(
    {
      callback: (r) => ({
        commands: [BEFORE, AFTER],
        url: r.url('/im').replace('http://', 'http://hook-user:p%40ss-w0rd@'),
      }),
    },
    async ({ r, s }) => {
      r.script = (h) => (h.command === AFTER && r.of(AFTER).length === 1 ? status500 : ok);
      const sent = await sendmsg(s, { MsgRandom: 1 });
      assert.equal(r.of(BEFORE).length, 1, 'the before-send callback reached the receiver');
      const [before] = r.of(BEFORE);
      assert.equal(before!.headers.authorization, `Basic ${Buffer.from('hook-user:p@ss-w0rd').toString('base64')}`);
      assert.equal(before!.path, '/im');
      await failedAttempts(s, (await outbox(s))[0]!.id, 1);
      s.clock.advance(1000);
      const [, after] = await r.waitForCommand(AFTER, 2);
      assert.equal(after!.body.MsgKey, sent.MsgKey);
      assert.equal(after!.headers.authorization, before!.headers.authorization);
      const logs = s.logs.join('');
      assert.match(logs, /callback failed; will retry/);
      for (const secret of ['p%40ss-w0rd', 'p@ss-w0rd', before!.headers.authorization!])
        assert.ok(!logs.includes(secret), `${secret} is not logged`);
    },
  );
});
