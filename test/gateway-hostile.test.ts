// Hostile and careless WebSocket clients (docs/client-protocol.md): op names from Object.prototype,
// oversized or absent logins, malformed login frames, UserIDs with U+0000. Each gets the
// documented code, and an unauthenticated connection does not outlive the login deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestServer, type TestServerOptions, withServer as withUsers } from './helpers/server.js';
import { WsClient } from './helpers/ws.js';

/** A server where alice and bob exist. */
const withServer = (fn: (s: TestServer) => Promise<void>, o: TestServerOptions = {}): Promise<void> =>
  withUsers(['alice', 'bob'], fn, o);

test('op names of Object.prototype are unknown ops (60009), and the session keeps working', async () => {
  await withServer(async (s) => {
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'alice')).code, 0);
    let id = 10;
    for (const op of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf', 'isPrototypeOf']) {
      const a = await c.request(op, ++id, {});
      assert.equal(a.code, 60009, `${op} is an unknown op, got ${a.code} ${a.message}`);
      assert.match(a.message!, /unknown op/);
      assert.deepEqual(a.data, {});
    }
    const ping = await c.request('ping', ++id, {});
    assert.equal(ping.code, 0, 'the session still answers');
    c.ws.close();
  });
});

test('a frame over the size limit before login closes the connection with 4001', async () => {
  await withServer(async (s) => {
    const c = await WsClient.open(s);
    c.ws.send(JSON.stringify({ op: 'login', id: 1, data: { pad: 'x'.repeat(70 * 1024) } }));
    const err = await c.next((f) => f.op === 'error');
    assert.equal(err.data.code, 93000);
    assert.equal((await c.closed).code, 4001);
  });
});

test("a logged-in client's oversized frame is refused (93000) but the session stays", async () => {
  await withServer(async (s) => {
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'alice')).code, 0);
    c.ws.send(JSON.stringify({ op: 'ping', id: 2, data: { pad: 'x'.repeat(70 * 1024) } }));
    assert.equal((await c.next((f) => f.op === 'error')).data.code, 93000);
    assert.equal((await c.request('ping', 3, {})).code, 0);
    c.ws.close();
  });
});

test('a connection that does not log in before the deadline is closed with 4001', async () => {
  await withServer(
    async (s) => {
      const c = await WsClient.open(s);
      const opened = Date.now();
      const { code } = await c.closed;
      assert.equal(code, 4001);
      assert.ok(Date.now() - opened >= 250, 'not before the deadline');
    },
    { gateway: { loginDeadlineMs: 300 } },
  );
});

test('a malformed login frame is answered about the login frame, not a URL', async () => {
  await withServer(async (s) => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{}, 60012, /login frame.*sdkAppId/],
      [{ sdkAppId: { a: 1 }, userId: 'alice' }, 60006, /login frame.*sdkAppId/],
      [{ sdkAppId: s.app.sdkAppId, userId: 'alice' }, 70002, /login frame.*userSig/],
      [{ sdkAppId: s.app.sdkAppId, userId: 7, userSig: 'x' }, 70107, /login frame.*userId/],
      [[1, 2], 90001, /"data" must be an object/],
    ];
    for (const [data, code, message] of cases) {
      const c = await WsClient.open(s);
      const a = await c.request('login', 1, data);
      assert.equal(a.code, code, `login ${JSON.stringify(data)}: ${a.message}`);
      assert.match(a.message!, message);
      assert.doesNotMatch(a.message!, /URL/);
      assert.equal((await c.closed).code, 4001, 'a failed login closes the connection');
    }
  });
});

test('UserIDs with U+0000 are refused by the UserID rule, over WebSocket and REST, and nothing is stored', async () => {
  await withServer(async (s) => {
    const c = await WsClient.open(s);
    const a = await c.login(s, 'al\u0000ice');
    assert.equal(a.code, 70107);
    assert.match(a.message!, /U\+0000/);
    await c.closed;

    const imp = await s.call('im_open_login_svc/account_import', { UserID: 'ev\u0000e' });
    assert.notEqual(imp.ErrorCode, 0, 'account_import refuses it');
    assert.match(imp.ErrorInfo, /U\+0000/);
    const check = await s.call('im_open_login_svc/account_check', { CheckItem: [{ UserID: 'ev' }] });
    assert.equal(check.ResultItem[0].AccountStatus, 'NotImported', 'no truncated account was made');

    const bob = await WsClient.open(s);
    assert.equal((await bob.login(s, 'bob')).code, 0);
    const send = await bob.request('send', 2, {
      to: 'ali\u0000ce',
      random: 1,
      body: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'hi' } }],
    });
    assert.equal(send.code, 90003, 'a recipient with U+0000 is refused as a bad To_Account');
    bob.ws.close();
  });
});
