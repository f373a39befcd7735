// The SDK against a server with small sync pages: a backlog spanning several pages, a live burst
// that overflows a page, and a backlog after a relogin all arrive — each message exactly once, in
// order (docs/client-protocol.md § sync).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT, type Message } from '@parley/client';
import type { TestServer } from '../helpers/server.js';
import { text } from '../helpers/rest.js';
import { device, importAccounts, portOf, relogin, Relay, untilEvent, withDevices, type Device } from './helpers.js';

const T = { timeout: 60_000 };
const PAGE = 4;

/** Sends alice → bob over REST, one message per label, in order. */
async function sendAll(s: TestServer, labels: string[]): Promise<void> {
  for (const [i, label] of labels.entries()) {
    const r = await s.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: Math.floor(Math.random() * 2 ** 31) + i,
      MsgBody: text(label),
      SyncOtherMachine: 2,
    });
    assert.equal(r.ErrorCode, 0, r.ErrorInfo);
  }
}

const texts = (d: Device): string[] =>
  d.rec
    .all(EVENT.MESSAGE_RECEIVED)
    .flatMap((e) => (e.data as Message[]).map((m) => (m.payload as { text: string }).text));

const labels = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test(
  'a backlog of several pages, a burst larger than a page and a backlog after relogin arrive once each, in order',
  T,
  () =>
    withDevices(
      async (s, track) => {
        await importAccounts(s, 'alice', 'bob');
        const relay = new Relay(portOf(s.base));
        const url = await relay.start();
        try {
          const b = track(await device(s, 'bob', { serverURL: url }));
          // Offline across a network drop: 3½ pages wait.
          const mark = b.rec.mark();
          relay.cut();
          await b.rec.waitFor(
            EVENT.NET_STATE_CHANGE,
            (e) => (e.data as { state: string }).state === 'disconnected',
            mark,
          );
          const missed = labels('missed', PAGE * 3 + 2);
          await sendAll(s, missed);
          await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => texts(b).length >= missed.length);
          assert.deepEqual(texts(b), missed);

          // Online: a burst whose pushes overflow a page; the SDK pages on when told "more".
          // Sent at once, so several commits land before a page is read.
          const burst = labels('burst', PAGE * 4 + 3);
          await Promise.all(burst.map((label) => sendAll(s, [label])));
          await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => texts(b).length >= missed.length + burst.length);
          const burstSeen = texts(b).slice(missed.length);
          assert.deepEqual(
            [...burstSeen].sort(),
            [...burst].sort(),
            'the burst once each (in commit order, not label order)',
          );

          // Logged out: the cache keeps the cursor; the backlog after relogin comes page by page.
          await b.chat.logout();
          const later = labels('later', PAGE * 2 + 1);
          await sendAll(s, later);
          await relogin(s, b);
          await untilEvent(
            b.rec,
            [EVENT.MESSAGE_RECEIVED],
            () => texts(b).length >= missed.length + burst.length + later.length,
          );
          await new Promise((resolve) => setTimeout(resolve, 200));
          assert.deepEqual(texts(b), [...missed, ...burstSeen, ...later], 'every message once, in order');
          assert.equal(b.chat.getTotalUnreadMessageCount(), missed.length + burst.length + later.length);
        } finally {
          await relay.close();
        }
      },
      { gateway: { pageEvents: PAGE } },
    ),
);

test('a live push that fills its page says "more", and the SDK syncs on until caught up', T, () =>
  withDevices(
    async (s, track) => {
      await importAccounts(s, 'alice', 'bob');
      const b = track(await device(s, 'bob'));
      // With one event per page every push is full: the server pushes nothing more until bob syncs.
      const live = labels('live', 6);
      await sendAll(s, live);
      await untilEvent(b.rec, [EVENT.MESSAGE_RECEIVED], () => texts(b).length >= live.length);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(texts(b), live);
    },
    { gateway: { pageEvents: 1 } },
  ),
);
