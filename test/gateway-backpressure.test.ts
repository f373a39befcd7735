// A client that logs in, stops reading and spams sync (docs/client-protocol.md § Flow control):
// the bytes the server queues for it stay near its send-buffer bound, it is closed with 4004, and
// it can come back and sync everything. A client that reads again after a backlog is told to sync.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, startTestServer, type TestServer } from './helpers/server.js';
import { text } from './helpers/rest.js';
import { WsClient } from './helpers/ws.js';
import { sleep } from './helpers/wait.js';

const LIMITS = { sendBufferBytes: 256 * 1024, sendBufferHardBytes: 1024 * 1024, pageBytes: 64 * 1024, backlogMs: 1000 };
/** What may be queued at most: the bound, plus the one page and the small answers that crossed it. */
const CEILING = LIMITS.sendBufferBytes + LIMITS.pageBytes + 64 * 1024;
const EVENTS = 40;

async function withBacklog(fn: (s: TestServer) => Promise<void>): Promise<void> {
  const s = await startTestServer({ gateway: LIMITS });
  try {
    await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice'] });
    for (let i = 0; i < EVENTS; i++) {
      const r = await s.call('openim/sendmsg', {
        From_Account: ADMIN,
        To_Account: 'alice',
        MsgRandom: i + 1,
        MsgBody: text(`${i}:`.padEnd(10_000, 'x')),
      });
      assert.equal(r.ErrorCode, 0, r.ErrorInfo);
    }
    await fn(s);
  } finally {
    await s.close();
  }
}

const closingLogged = (s: TestServer): boolean =>
  s.logs.some((l) => l.includes('closing a connection that does not read'));

test('a client that never reads and spams sync stays under its send-buffer bound and is closed with 4004', async () => {
  await withBacklog(async (s) => {
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'alice')).code, 0);
    c.ws.pause();
    let maxQueued = 0;
    let sent = 0;
    // Far more than the kernel's socket buffers hold: each sync would queue a 64 KB page.
    for (; sent < 2000 && !closingLogged(s); sent++) {
      c.ws.send(JSON.stringify({ op: 'sync', id: 10 + sent, data: { cursor: 0 } }));
      await sleep(2);
      maxQueued = Math.max(maxQueued, s.parley.gateway.queuedBytes);
    }
    assert.ok(closingLogged(s), `the server closed the client after ${sent} syncs`);
    assert.ok(maxQueued > 0, 'the client did fall behind');
    assert.ok(maxQueued <= CEILING, `at most ${CEILING} bytes queued for it, saw ${maxQueued}`);
    // It reads again: it finds the close frame behind what was queued.
    c.ws.resume();
    assert.equal((await c.closed).code, 4004);

    // It can come back and sync everything.
    const again = await WsClient.open(s);
    assert.equal((await again.login(s, 'alice', 1, { deviceId: 'alice-2' })).code, 0);
    for (let id = 2; ; id++) {
      const seqs = again.eventSeqs();
      const a = await again.request('sync', id, { cursor: seqs.at(-1) ?? 0 });
      if (!a.data.more) break;
    }
    assert.deepEqual(
      again.eventSeqs(),
      Array.from({ length: EVENTS }, (_, i) => i + 1),
    );
    again.ws.close();
  });
});

test('a push withheld while a client was behind becomes "sync needed" once it reads again', async () => {
  await withBacklog(async (s) => {
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'alice')).code, 0);
    // Catch up first, so new events are pushed live.
    for (let id = 2; ; id++) {
      const a = await c.request('sync', id, { cursor: c.eventSeqs().at(-1) ?? 0 });
      if (!a.data.more) break;
    }
    c.ws.pause();
    // Fill its queue with live pushes it does not read, until the server stops producing.
    let n = 0;
    for (; n < 3000 && !s.parley.gateway.queuedBytes; n++) {
      const r = await s.call('openim/sendmsg', {
        From_Account: ADMIN,
        To_Account: 'alice',
        MsgRandom: 1000 + n,
        MsgBody: text(`${n}:`.padEnd(10_000, 'x')),
      });
      assert.equal(r.ErrorCode, 0);
    }
    for (; n < 3000 && s.parley.gateway.queuedBytes < LIMITS.sendBufferBytes; n++) {
      const r = await s.call('openim/sendmsg', {
        From_Account: ADMIN,
        To_Account: 'alice',
        MsgRandom: 1000 + n,
        MsgBody: text(`${n}:`.padEnd(10_000, 'x')),
      });
      assert.equal(r.ErrorCode, 0);
    }
    assert.ok(s.parley.gateway.queuedBytes >= LIMITS.sendBufferBytes, 'the client is behind');
    const pushedBefore = c.eventSeqs().length;
    const r = await s.call('openim/sendmsg', {
      From_Account: ADMIN,
      To_Account: 'alice',
      MsgRandom: 999,
      MsgBody: text('while behind'),
    });
    assert.equal(r.ErrorCode, 0);
    const withheld = EVENTS + n + 1;
    await sleep(50);
    const marker = c.frames.length;
    c.ws.resume();
    const told = await c.next(
      (f) => f.op === 'events' && f.data.more === true && f.data.events.length === 0 && c.frames.indexOf(f) >= marker,
    );
    assert.ok(told, 'told to sync');
    const cursor = c.eventSeqs().at(-1)!;
    assert.ok(cursor < withheld, 'the event written while behind was not pushed');
    assert.ok(c.eventSeqs().length >= pushedBefore);
    const a = await c.request('sync', 5000, { cursor });
    assert.equal(a.data.more, false);
    assert.equal(c.eventSeqs().at(-1), withheld, 'the withheld event arrives by sync');
    assert.equal(new Set(c.eventSeqs()).size, c.eventSeqs().length, 'no event twice');
    c.ws.close();
  });
});

test("many non-reading clients together stay under the gateway's total bound", async () => {
  const limits = {
    sendBufferBytes: 8 * 1024 * 1024,
    sendBufferHardBytes: 32 * 1024 * 1024,
    pageBytes: 64 * 1024,
    backlogMs: 60_000,
    maxQueuedBytes: 512 * 1024,
    pressureShareBytes: 32 * 1024,
  };
  const s = await startTestServer({ gateway: limits });
  try {
    await s.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice'] });
    for (let i = 0; i < 20; i++) {
      const r = await s.call('openim/sendmsg', {
        From_Account: ADMIN,
        To_Account: 'alice',
        MsgRandom: i + 1,
        MsgBody: text(`${i}:`.padEnd(10_000, 'x')),
      });
      assert.equal(r.ErrorCode, 0, r.ErrorInfo);
    }
    const clients: WsClient[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await WsClient.open(s);
      assert.equal((await c.login(s, 'alice', 1, { deviceId: `d${i}` })).code, 0);
      c.ws.pause();
      clients.push(c);
    }
    let maxQueued = 0;
    for (let round = 0; round < 300; round++) {
      for (const c of clients) c.ws.send(JSON.stringify({ op: 'sync', id: 10 + round, data: { cursor: 0 } }));
      await sleep(5);
      maxQueued = Math.max(maxQueued, s.parley.gateway.queuedBytes);
    }
    // Each connection may cross its share by one page before the pressure is seen (checked every 50 ms).
    const ceiling = limits.maxQueuedBytes + clients.length * (limits.pageBytes + limits.pressureShareBytes) + 64 * 1024;
    assert.ok(maxQueued > limits.maxQueuedBytes / 2, `the clients did fall behind (${maxQueued})`);
    assert.ok(maxQueued <= ceiling, `at most ${ceiling} bytes queued in all, saw ${maxQueued}`);
    for (const c of clients) c.ws.terminate();
  } finally {
    await s.close();
  }
});
