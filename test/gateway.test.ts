// The client gateway's protocol edge with a raw WebSocket (docs/client-protocol.md): bad frames,
// unknown ops, oversized frames, bad logins, a client recalling someone else's message. Each gets
// a clear error with the spec's codes, the connection is closed where it must be, and the server
// keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { text } from './helpers/rest.js';
import { withServer, type TestServer } from './helpers/server.js';
import { WsClient } from './helpers/ws.js';

/** Every test's accounts. */
const ACCOUNTS = ['alice', 'bob', 'carol'];

/** The server still logs in a fresh client and answers REST: it was not harmed. */
async function stillServes(s: TestServer): Promise<void> {
  const c = await WsClient.open(s);
  const answer = await c.login(s, 'carol', 99);
  assert.equal(answer.code, 0, 'a fresh login still works');
  c.ws.close();
  const health = await fetch(`${s.base}/healthz`);
  assert.equal(health.status, 200);
}

test('before login: a frame that is not login is refused with 2024 and the connection closed (4001)', () =>
  withServer(ACCOUNTS, async (s) => {
    const c = await WsClient.open(s);
    const answer = await c.request('send', 5, { to: 'bob', random: 1, body: text('x') });
    assert.equal(answer.code, 2024);
    assert.equal((await c.closed).code, 4001);
    await stillServes(s);
  }));

test('malformed JSON before login: an error frame 90001 and the connection closed; after login it stays open', () =>
  withServer(ACCOUNTS, async (s) => {
    const c = await WsClient.open(s);
    c.ws.send('{not json');
    const err = await c.next((f) => f.op === 'error');
    assert.equal(err.data.code, 90001);
    assert.equal((await c.closed).code, 4001);

    const d = await WsClient.open(s);
    assert.equal((await d.login(s, 'alice')).code, 0);
    d.ws.send('[1,2,3]');
    const err2 = await d.next((f) => f.op === 'error');
    assert.equal(err2.data.code, 90001, 'a frame that is not an object with an op');
    const ping = await d.request('ping', 2, {});
    assert.equal(ping.code, 0, 'the logged-in connection is still usable');
    assert.equal(ping.data.serverTime, Math.floor(s.clock.nowMs() / 1000));
    d.ws.close();
    await stillServes(s);
  }));

test('an unknown op is answered 60009 and a non-object data 90001, on the same id; the session goes on', () =>
  withServer(ACCOUNTS, async (s) => {
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'alice')).code, 0);
    const unknown = await c.request('teleport', 7, {});
    assert.equal(unknown.code, 60009);
    assert.match(unknown.message ?? '', /unknown op/);
    const badData = await c.request('send', 8, 'hello');
    assert.equal(badData.code, 90001);
    const ok = await c.request('send', 9, { to: 'bob', random: 3, body: text('still here') });
    assert.equal(ok.code, 0);
    assert.equal(ok.data.message.body[0].MsgContent.Text, 'still here');
    c.ws.close();
  }));

test('frames over 64 KiB get an error 93000 and are ignored; over 1 MiB the connection is closed (1009)', () =>
  withServer(ACCOUNTS, async (s) => {
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'alice')).code, 0);
    c.ws.send(JSON.stringify({ op: 'send', id: 2, data: { to: 'bob', random: 1, body: text('x'.repeat(70 * 1024)) } }));
    const err = await c.next((f) => f.op === 'error');
    assert.equal(err.data.code, 93000);
    assert.equal(
      c.frames.some((f) => f.id === 2),
      false,
      'the oversized request was not executed',
    );
    const roam = await s.call('openim/admin_getroammsg', {
      Operator_Account: 'bob',
      Peer_Account: 'alice',
      MaxCnt: 10,
      MinTime: 0,
      MaxTime: 4294967295,
    });
    assert.equal(roam.MsgCnt, 0, 'nothing was stored');
    // A message within the frame limit but over 12 KB is refused by the message rules.
    const big = await c.request('send', 3, { to: 'bob', random: 2, body: text('y'.repeat(13 * 1024)) });
    assert.equal(big.code, 93000);
    c.ws.send('z'.repeat(1024 * 1024 + 10));
    assert.equal((await c.closed).code, 1009);
    await stillServes(s);
  }));

test('bad logins: wrong key 70009, expired 70001, unknown app 70020, unknown user 70107, then closed', () =>
  withServer(ACCOUNTS, async (s) => {
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ userSig: s.sig('alice', { secretKey: 'another-secret-key' }) }, 70009],
      [{ userSig: s.sig('alice', { expire: 10, now: Math.floor(s.clock.nowMs() / 1000) - 100 }) }, 70001],
      [{ sdkAppId: 1400000999 }, 70020],
      [{ userId: 'nobody', userSig: s.sig('nobody') }, 70107],
      [{ userSig: s.sig('bob') }, 70013],
    ];
    for (const [extra, code] of cases) {
      const c = await WsClient.open(s);
      const answer = await c.login(s, 'alice', 1, extra);
      assert.equal(answer.code, code, JSON.stringify(Object.keys(extra)));
      assert.equal((await c.closed).code, 4001);
    }
    await stillServes(s);
  }));

test('a second login on one connection is refused with 2025', () =>
  withServer(ACCOUNTS, async (s) => {
    const c = await WsClient.open(s);
    c.ws.send(
      JSON.stringify({
        op: 'login',
        id: 1,
        data: { protocol: 1, sdkAppId: s.app.sdkAppId, userId: 'alice', userSig: s.sig('alice'), deviceId: 'a1' },
      }),
    );
    c.ws.send(
      JSON.stringify({
        op: 'login',
        id: 2,
        data: { protocol: 1, sdkAppId: s.app.sdkAppId, userId: 'alice', userSig: s.sig('alice'), deviceId: 'a2' },
      }),
    );
    const second = await c.next((f) => f.id === 2);
    assert.equal(second.code, 2025);
    await stillServes(s);
  }));

test("a client recalling someone else's message gets 20022 and the message stays; its own recall works", () =>
  withServer(ACCOUNTS, async (s) => {
    const sent = await s.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgSeq: 1,
      MsgBody: text('from alice'),
    });
    const bob = await WsClient.open(s);
    assert.equal((await bob.login(s, 'bob')).code, 0);
    const notHis = await bob.request('recall', 2, { to: 'alice', msgKey: sent.MsgKey });
    assert.equal(notHis.code, 20022);
    assert.match(notHis.message ?? '', /only the sender/);
    const badKey = await bob.request('recall', 3, { to: 'alice', msgKey: 'nope' });
    assert.equal(badKey.code, 90054);
    const roam = await s.call('openim/admin_getroammsg', {
      Operator_Account: 'bob',
      Peer_Account: 'alice',
      MaxCnt: 10,
      MinTime: 0,
      MaxTime: 4294967295,
    });
    assert.equal(roam.MsgList[0].MsgFlagBits, 0, 'still there');
    assert.equal(roam.MsgList[0].MsgBody[0].MsgContent.Text, 'from alice');

    const alice = await WsClient.open(s);
    assert.equal((await alice.login(s, 'alice')).code, 0);
    const own = await alice.request('recall', 2, { to: 'bob', msgKey: sent.MsgKey });
    assert.equal(own.code, 0);
    const again = await alice.request('recall', 3, { to: 'bob', msgKey: sent.MsgKey });
    assert.equal(again.code, 20023);
    bob.ws.close();
    alice.ws.close();
  }));

test('sync answers only after the events up to lastSeq were pushed on the connection', () =>
  withServer(ACCOUNTS, async (s) => {
    for (let i = 0; i < 5; i++)
      await s.call('openim/sendmsg', {
        From_Account: 'alice',
        To_Account: 'bob',
        MsgRandom: i,
        MsgBody: text(`m${i}`),
      });
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'bob')).code, 0);
    const answer = await c.request('sync', 2, { cursor: 0 });
    assert.equal(answer.code, 0);
    assert.equal(answer.data.lastSeq, 5);
    const answerAt = c.frames.indexOf(answer);
    const pushed = c.frames
      .slice(0, answerAt)
      .filter((f) => f.op === 'events')
      .flatMap((f) => f.data.events as Array<{ seq: number }>);
    assert.deepEqual(
      pushed.map((e) => e.seq),
      [1, 2, 3, 4, 5],
      'every event came before the answer, in order, once',
    );
    c.ws.close();
  }));
