// The durable outbox of after-callbacks: retries with exponential backoff while the receiver is
// down or answers wrongly (at least once), delivery surviving a restart on the same data,
// giving up after maxAgeSeconds (logged without the token, counted in /metrics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T0, type TestServer } from '../helpers/server.js';
import {
  Receiver,
  appWithCallback,
  assertHealthy,
  callbackCounters,
  counter,
  destroy,
  expectOk,
  failedAttempts,
  garbage,
  hang,
  headsFailed,
  importUsers,
  logLines,
  ok,
  openim,
  outbox,
  outboxDrained,
  reply,
  sendmsg,
  startServer,
  status500,
  withCallbacks,
  type Behaviour,
} from './helpers.js';

const AFTER = 'C2C.CallbackAfterSendMsg';
const WITHDRAW = 'C2C.CallbackAfterMsgWithDraw';
const REPORT = 'C2C.CallbackAfterMsgReport';
const STATE = 'State.StateChange';

test('a failed after-callback is retried with exponential backoff from 1 s, capped at a minute', async () => {
  await withCallbacks(
    { users: ['alice', 'bob', 'carol', 'dave'], callback: { commands: [AFTER] } },
    async ({ r, s }) => {
      let fail = true;
      r.script = (h) => (fail && h.body.From_Account === 'alice' ? status500 : ok);
      const m = await sendmsg(s, { MsgRandom: 1 });
      const id = (await outbox(s))[0]!.id;
      let row = await failedAttempts(s, id, 1);
      assert.equal(row.nextAt, s.clock.nowMs() + 1000, 'first retry 1 s later');
      assert.match(String(row.lastError), /HTTP 500/);

      // Not due 1 ms early: a later callback of another conversation goes out and the head stays put.
      s.clock.advance(999);
      const marker = await sendmsg(s, { From_Account: 'carol', To_Account: 'dave', MsgRandom: 2 });
      await r.waitFor(1, (h) => h.body.MsgKey === marker.MsgKey);
      assert.equal(r.hits.filter((h) => h.body.MsgKey === m.MsgKey).length, 1, 'not retried before its time');
      s.clock.advance(1);

      const delays = [2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000];
      for (let i = 0; i < delays.length; i++) {
        row = await failedAttempts(s, id, i + 2);
        assert.equal(row.nextAt - s.clock.nowMs(), delays[i], `delay after failure ${i + 2}`);
        assert.equal(r.hits.filter((h) => h.body.MsgKey === m.MsgKey).length, i + 2);
        if (i < delays.length - 1) s.clock.advance(delays[i]!);
      }
      fail = false;
      s.clock.advance(60_000);
      await outboxDrained(s);
      const tries = r.hits.filter((h) => h.body.MsgKey === m.MsgKey);
      assert.equal(tries.length, 9);
      assert.ok(
        tries.every((h) => JSON.stringify(h.body) === JSON.stringify(tries[0]!.body)),
        'every attempt carries the same body',
      );
      const c = await callbackCounters(s);
      assert.equal(counter(c, AFTER, 'failed'), 8);
      assert.equal(counter(c, AFTER, 'retried'), 8);
      assert.equal(counter(c, AFTER, 'sent'), 2);
      assert.equal(counter(c, AFTER, 'given_up'), 0);
    },
  );
});

/** Bad answers of an after-callback receiver; each attempt fails, then a retry goes through. */
const BAD: Array<[string, (r: Receiver) => Behaviour]> = [
  ['HTTP 500', () => status500],
  ['HTTP 404', () => ({ kind: 'status', status: 404 })],
  ['garbage', () => garbage],
  ['JSON without the envelope', () => reply({ ok: true })],
  ['a destroyed connection', () => destroy],
  ['a 302 redirect', (r) => ({ kind: 'redirect', location: r.url('/followed') })],
  ['a hang past timeoutMs', () => hang],
];

test('every wrong answer (500, 404, garbage, no envelope, reset, redirect, hang, port closed) is retried until delivered', async () => {
  await withCallbacks({ callback: { commands: [AFTER], timeoutMs: 1000 } }, async ({ r, s }) => {
    let random = 1;
    const first = new Set<string>();
    for (const [what, behaviour] of [...BAD, ['the port closed', () => ok] as [string, (r: Receiver) => Behaviour]]) {
      const down = what === 'the port closed';
      r.script = (h) => {
        if (h.path === '/followed') return ok;
        if (first.has(h.body.MsgKey)) return ok;
        first.add(h.body.MsgKey);
        return behaviour(r);
      };
      if (down) await r.down();
      const m = await sendmsg(s, { MsgRandom: random++ });
      const entry = (await outbox(s)).find((o) => o.body.MsgKey === m.MsgKey)!;
      await failedAttempts(s, entry.id, 1);
      if (down) await r.up();
      r.release();
      s.clock.advance(1000);
      await outboxDrained(s);
      const tries = r.hits.filter((h) => h.body.MsgKey === m.MsgKey && h.path !== '/followed');
      assert.equal(
        tries.length,
        down ? 1 : 2,
        `${what}: ${down ? 'one request reached the receiver, after it came back' : 'the bad attempt and the good retry'}`,
      );
      await assertHealthy(s);
    }
    assert.equal(r.hits.filter((h) => h.path === '/followed').length, 0, 'the redirect was not followed');
    const c = await callbackCounters(s);
    assert.equal(counter(c, AFTER, 'failed'), BAD.length + 1);
    assert.equal(counter(c, AFTER, 'retried'), BAD.length + 1);
    assert.equal(counter(c, AFTER, 'sent'), BAD.length + 1);
    const reasons = logLines(s).filter((l) => l.msg === 'callback failed; will retry');
    assert.equal(reasons.length, BAD.length + 1);
    assert.ok(
      reasons.every((l) => l.command === AFTER && typeof l.reason === 'string' && l.reason.length > 0),
      'each failure is logged with command and reason',
    );
  });
});

test('queued after-callbacks survive a restart on the same data directory and go out in order', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-callbacks-restart-'));
  const r = await Receiver.start();
  let s: TestServer | undefined;
  try {
    const app = appWithCallback(r.url(), { token: 'restart-token', commands: [AFTER, WITHDRAW, REPORT] });
    s = await startServer({ apps: [app], dataDir });
    await importUsers(s, ['alice', 'bob', 'carol', 'dave']);
    await r.down();
    const m1 = await sendmsg(s, { MsgRandom: 1 });
    const m2 = await sendmsg(s, { From_Account: 'bob', To_Account: 'alice', MsgRandom: 2 });
    const m3 = await sendmsg(s, { MsgRandom: 3 });
    expectOk(await openim(s, 'admin_msgwithdraw', { From_Account: 'alice', To_Account: 'bob', MsgKey: m3.MsgKey }));
    s.clock.advance(500);
    expectOk(await openim(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }));
    await headsFailed(s);
    assert.equal((await outbox(s)).length, 5);
    const retryAt = (await outbox(s))[0]!.nextAt;
    await s.close();
    s = undefined;

    // A new process on the same data, at the time the old one stopped; the receiver is back.
    await r.up();
    s = await startServer({
      apps: [appWithCallback(r.url(), { token: 'restart-token', commands: [AFTER, WITHDRAW, REPORT] })],
      dataDir,
      now: T0,
    });
    s.clock.advance(500);
    // The backoff survived: a new callback of another conversation goes out, the queued ones wait.
    const marker = await sendmsg(s, { From_Account: 'carol', To_Account: 'dave', MsgRandom: 9 });
    await r.waitFor(1);
    assert.deepEqual(
      r.hits.map((h) => h.body.MsgKey),
      [marker.MsgKey],
    );
    assert.deepEqual(
      (await outbox(s)).filter((o) => o.body.MsgKey !== marker.MsgKey).map((o) => [o.command, o.attempts]),
      [
        [AFTER, 1],
        [AFTER, 0],
        [AFTER, 0],
        [WITHDRAW, 0],
        [REPORT, 0],
      ],
      'all five still queued, the head with its failed attempt',
    );
    assert.ok(retryAt > s.clock.nowMs());
    s.clock.set(retryAt);
    const hits = (await r.waitFor(6)).slice(1);
    assert.deepEqual(
      hits.map((h) => [h.command, h.body.MsgKey ?? h.body.Report_Account]),
      [
        [AFTER, m1.MsgKey],
        [AFTER, m2.MsgKey],
        [AFTER, m3.MsgKey],
        [WITHDRAW, m3.MsgKey],
        [REPORT, 'bob'],
      ],
    );
    // Bodies as of their events: unread counts then, the LastReadTime of the report, the erased recall.
    assert.deepEqual(
      hits.map((h) => h.body.UnreadMsgNum),
      [1, 1, 2, 1, 0],
    );
    assert.equal(hits[4]!.body.LastReadTime, T0);
    assert.deepEqual(hits[2]!.body.MsgBody, []);
    // Signed at the time of sending by the new process.
    assert.ok(hits.every((h) => h.query.RequestTime === String(Math.floor(retryAt / 1000))));
    await outboxDrained(s);
    assert.equal(counter(await callbackCounters(s), AFTER, 'sent'), 4);
  } finally {
    await s?.close();
    await r.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('after maxAgeSeconds a callback is given up: logged (without the token) and counted; the next one then goes', async () => {
  const token = 'give-up-token-SECRET-9f';
  await withCallbacks({ callback: { commands: [AFTER], token, maxAgeSeconds: 30 } }, async ({ r, s }) => {
    const doomed = new Set<string>();
    r.script = (h) => (doomed.has(h.body.MsgKey) ? status500 : ok);
    const m1 = await openim(s, 'sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: 'old' } }],
    });
    expectOk(m1);
    doomed.add(m1.MsgKey);
    const id = (await outbox(s))[0]!.id;
    await failedAttempts(s, id, 1);
    s.clock.advance(20_000);
    await failedAttempts(s, id, 2);
    // m2 is queued behind m1 (same conversation) at T0 + 20.
    const m2 = await sendmsg(s, { MsgRandom: 2 });
    s.clock.advance(11_000);
    const [delivered] = await r.waitFor(1, (h) => h.body.MsgKey === m2.MsgKey, 'm2 after m1 was given up');
    assert.equal(delivered!.body.MsgKey, m2.MsgKey);
    await outboxDrained(s);
    assert.equal(
      r.hits.filter((h) => h.body.MsgKey === m1.MsgKey).length,
      2,
      'm1 was tried twice, then given up without another attempt',
    );

    const c = await callbackCounters(s);
    assert.equal(counter(c, AFTER, 'given_up'), 1);
    assert.equal(counter(c, AFTER, 'failed'), 2);
    assert.equal(counter(c, AFTER, 'retried'), 2);
    assert.equal(counter(c, AFTER, 'sent'), 1);
    const text = await (await fetch(`${s.base}/metrics`)).text();
    assert.match(text, /parley_callbacks_total\{command="C2C\.CallbackAfterSendMsg",outcome="given_up"\} 1\b/);

    const gaveUp = logLines(s).filter((l) => l.msg === 'callback given up');
    assert.equal(gaveUp.length, 1);
    assert.equal(gaveUp[0]!.command, AFTER);
    assert.equal(gaveUp[0]!.attempts, 2);
    assert.equal(gaveUp[0]!.ageSeconds, 31);
    assert.ok(gaveUp[0]!.level >= 40, 'at warn level or above');
    const failures = logLines(s).filter((l) => l.msg === 'callback failed; will retry');
    assert.equal(failures.length, 2);
    assert.ok(failures.every((l) => l.command === AFTER && /HTTP 500/.test(l.reason)));
    const all = s.logs.join('');
    assert.ok(!all.includes(token), 'the token is in no log line');
    for (const h of r.hits) assert.ok(!all.includes(h.query.Sign!), 'nor is any Sign');
    await assertHealthy(s);
  });
});

test('a callback URL that does not resolve: after-callbacks retry with the reason logged, the API is unaffected, then give up', async () => {
  await withCallbacks(
    { callback: { url: 'http://parley-after.invalid/cb', commands: [AFTER], maxAgeSeconds: 5 } },
    async ({ s }) => {
      const m = await sendmsg(s, { MsgRandom: 1 });
      const id = (await outbox(s))[0]!.id;
      await failedAttempts(s, id, 1);
      const line = logLines(s).find((l) => l.msg === 'callback failed; will retry')!;
      assert.equal(line.command, AFTER);
      assert.match(line.reason, /ENOTFOUND|EAI_AGAIN/);
      s.clock.advance(6000);
      await outboxDrained(s);
      assert.equal(counter(await callbackCounters(s), AFTER, 'given_up'), 1);
      const roam = await openim(s, 'admin_getroammsg', {
        Operator_Account: 'bob',
        Peer_Account: 'alice',
        MaxCnt: 10,
        MinTime: 0,
        MaxTime: 4294967295,
      });
      assert.deepEqual(
        roam.MsgList.map((x: { MsgKey: string }) => x.MsgKey),
        [m.MsgKey],
        'the message itself was delivered',
      );
      await assertHealthy(s);
    },
  );
});

test('after a restart with a command switched off, its queued callbacks are given up and counted; the others go', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-callbacks-off-'));
  const r = await Receiver.start();
  let s: TestServer | undefined;
  try {
    s = await startServer({ apps: [appWithCallback(r.url())], dataDir });
    await importUsers(s, ['alice', 'bob']);
    await r.down();
    const m = await sendmsg(s, { MsgRandom: 1 });
    expectOk(await openim(s, 'admin_set_msg_read', { Report_Account: 'bob', Peer_Account: 'alice' }));
    await headsFailed(s);
    await s.close();
    s = undefined;
    await r.up();
    s = await startServer({ apps: [appWithCallback(r.url(), { commands: [REPORT, STATE] })], dataDir, now: T0 + 60 });
    const [h] = await r.waitFor(1);
    await outboxDrained(s);
    assert.deepEqual(
      r.hits.map((x) => x.command),
      [REPORT],
    );
    assert.equal(h!.body.Report_Account, 'bob');
    const c = await callbackCounters(s);
    assert.equal(counter(c, AFTER, 'given_up'), 1, `${m.MsgKey}'s after-send was given up`);
    assert.equal(counter(c, REPORT, 'sent'), 1);
  } finally {
    await s?.close();
    await r.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
