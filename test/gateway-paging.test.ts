// Paged sync (docs/client-protocol.md § sync): a page is bounded by count and bytes, says whether
// more remain, and the client pages on from its cursor; every event arrives once, in order. A
// second sync while one is answered shares it; live pushes wait while the client is paging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, type TestServer, type TestServerOptions, withServer as withUsers } from './helpers/server.js';
import { text } from './helpers/rest.js';
import { WsClient } from './helpers/ws.js';
import { sleep } from './helpers/wait.js';

/** A server where alice and bob exist. */
const withServer = (fn: (s: TestServer) => Promise<void>, o: TestServerOptions = {}): Promise<void> =>
  withUsers(['alice', 'bob'], fn, o);

/** `n` messages from the admin to alice, each about `bytes` long; each is one event of alice's. */
async function backlog(s: TestServer, n: number, bytes = 10): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await s.call('openim/sendmsg', {
      From_Account: ADMIN,
      To_Account: 'alice',
      MsgRandom: i + 1,
      MsgBody: text(`${i}:`.padEnd(bytes, 'x')),
    });
    assert.equal(r.ErrorCode, 0, r.ErrorInfo);
  }
}

/** Syncs page by page from 0 like a client; returns the answers. */
async function pageThrough(c: WsClient, firstId = 100): Promise<Array<Record<string, any>>> {
  const answers: Array<Record<string, any>> = [];
  let id = firstId;
  for (;;) {
    const seqs = c.eventSeqs();
    const cursor = seqs.length > 0 ? seqs[seqs.length - 1]! : 0;
    const a = await c.request('sync', ++id, { cursor });
    assert.equal(a.code, 0, a.message);
    answers.push(a.data);
    if (!a.data.more) return answers;
    assert.ok(answers.length < 50, 'paging ends');
  }
}

test('sync sends a bounded page with "more", and paging from the cursor delivers every event once', async () => {
  await withServer(
    async (s) => {
      await backlog(s, 25);
      const c = await WsClient.open(s);
      assert.equal((await c.login(s, 'alice')).code, 0);
      const answers = await pageThrough(c);
      const pages = c.frames.filter((f) => f.op === 'events');
      assert.deepEqual(
        pages.map((p) => p.data.events.length),
        [10, 10, 5],
      );
      assert.deepEqual(
        pages.map((p) => p.data.more),
        [true, true, false],
      );
      assert.deepEqual(
        answers.map((a) => a.more),
        [true, true, false],
      );
      assert.deepEqual(
        c.eventSeqs(),
        Array.from({ length: 25 }, (_, i) => i + 1),
        'each event once, in order',
      );
      assert.equal(answers.at(-1)!.lastSeq, 25);
      c.ws.close();
    },
    { gateway: { pageEvents: 10 } },
  );
});

test('a page is cut by bytes too: large events come a few at a time, but at least one per page', async () => {
  await withServer(
    async (s) => {
      await backlog(s, 12, 9000);
      const c = await WsClient.open(s);
      assert.equal((await c.login(s, 'alice')).code, 0);
      await pageThrough(c);
      const pages = c.frames.filter((f) => f.op === 'events');
      assert.ok(pages.length >= 4, `12 events of 9 KB in pages of 20 KB take at least 4 pages, took ${pages.length}`);
      for (const p of pages) {
        assert.ok(p.data.events.length >= 1);
        assert.ok(
          JSON.stringify(p.data.events).length <= 20 * 1024 || p.data.events.length === 1,
          'within the byte bound',
        );
      }
      assert.deepEqual(
        c.eventSeqs(),
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      c.ws.close();
    },
    { gateway: { pageBytes: 20 * 1024 } },
  );
});

test('a second sync while one is answered shares its page and answer', async () => {
  await withServer(async (s) => {
    await backlog(s, 5);
    const c = await WsClient.open(s);
    assert.equal((await c.login(s, 'alice')).code, 0);
    c.ws.send(JSON.stringify({ op: 'sync', id: 2, data: { cursor: 0 } }));
    c.ws.send(JSON.stringify({ op: 'sync', id: 3, data: { cursor: 0 } }));
    const [a, b] = await Promise.all([c.next((f) => f.id === 2), c.next((f) => f.id === 3)]);
    assert.deepEqual(a.data, { lastSeq: 5, more: false });
    assert.deepEqual(b.data, a.data);
    await sleep(100);
    assert.deepEqual(c.eventSeqs(), [1, 2, 3, 4, 5], 'the events went out once');
    c.ws.close();
  });
});

test('after paging, new events are pushed live; while the client pages, live pushes wait for its sync', async () => {
  await withServer(
    async (s) => {
      await backlog(s, 4);
      const c = await WsClient.open(s);
      assert.equal((await c.login(s, 'alice')).code, 0);
      const first = await c.request('sync', 2, { cursor: 0 });
      assert.equal(first.data.more, true, 'a full page');
      // A new event while the client has not asked for the next page: no push yet.
      await backlog(s, 1);
      await sleep(100);
      assert.deepEqual(c.eventSeqs(), [1, 2, 3]);
      await pageThrough(c);
      assert.deepEqual(c.eventSeqs(), [1, 2, 3, 4, 5]);
      // Caught up: the next event is pushed without a sync.
      const before = c.frames.length;
      await backlog(s, 1);
      const push = await c.next((f) => f.op === 'events' && c.frames.indexOf(f) >= before);
      assert.deepEqual(
        push.data.events.map((e: { seq: number }) => e.seq),
        [6],
      );
      assert.equal(push.data.more, false);
      c.ws.close();
    },
    { gateway: { pageEvents: 3 } },
  );
});
