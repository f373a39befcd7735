// Store.outboxOf: the callback outbox read without claiming anything, the same on both adapters —
// what the callbacks suite asserts through. PostgreSQL is skipped locally without a server and
// fails under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/adapters/sqlite/sqlite-store.js';
import type { CallbackEntry, Store } from '../../src/ports/store.js';
import { freshPostgresStore, probePostgres } from '../helpers/postgres.js';

const APP = 1400000001;
const OTHER_APP = 1400000002;
const MS = 1_700_000_000_000;

const entry = (orderKey: string, n: number): CallbackEntry => ({
  command: 'C2C.CallbackAfterSendMsg',
  orderKey,
  body: { CallbackCommand: 'C2C.CallbackAfterSendMsg', N: n },
  query: { ClientIP: '127.0.0.1', OptPlatform: 'RESTAPI' },
  at: MS,
});

async function outboxContract(open: () => Promise<Store>): Promise<void> {
  const s = await open();
  try {
    assert.deepEqual(await s.outboxOf(APP), [], 'an empty outbox');
    await s.enqueueCallbacks(APP, [entry('c2c:a:b', 1), entry('c2c:a:b', 2), entry('c2c:a:c', 3)]);
    await s.enqueueCallbacks(OTHER_APP, [entry('c2c:x:y', 4)]);
    const queued = await s.outboxOf(APP);
    assert.deepEqual(
      queued.map((o) => [o.orderKey, o.body.N, o.attempts, o.leaseUntil, o.lastError]),
      [
        ['c2c:a:b', 1, 0, 0, null],
        ['c2c:a:b', 2, 0, 0, null],
        ['c2c:a:c', 3, 0, 0, null],
      ],
      'oldest first, this app only',
    );
    assert.ok(queued.every((o) => o.command === 'C2C.CallbackAfterSendMsg' && o.nextAt <= MS));

    // Claiming shows as a lease; reading never claims.
    const claimed = await s.claimCallbacks(MS, 10, 60_000);
    assert.deepEqual(claimed.map((p) => p.body.N).sort(), [1, 3, 4], "each key's head");
    const leased = await s.outboxOf(APP);
    assert.deepEqual(
      leased.map((o) => o.leaseUntil),
      [MS + 60_000, 0, MS + 60_000],
    );

    // A failure: one more attempt, the next one's time, the error; the lease is released.
    const first = claimed.find((p) => p.body.N === 1)!;
    await s.callbackFailed(first.id, MS + 1000, 'HTTP 500');
    const failed = (await s.outboxOf(APP)).find((o) => o.id === first.id)!;
    assert.deepEqual(
      [failed.attempts, failed.nextAt, failed.leaseUntil, failed.lastError],
      [1, MS + 1000, 0, 'HTTP 500'],
    );

    // Delivered and given up entries are gone.
    await s.callbackDelivered(claimed.find((p) => p.body.N === 3)!.id);
    await s.callbackGivenUp(first.id);
    assert.deepEqual(
      (await s.outboxOf(APP)).map((o) => o.body.N),
      [2],
    );
    assert.deepEqual(
      (await s.outboxOf(OTHER_APP)).map((o) => o.body.N),
      [4],
    );
  } finally {
    await s.close();
  }
}

test("sqlite: outboxOf shows each app's queued callbacks with their leases, attempts and errors, and never claims", () =>
  outboxContract(async () => {
    const s = new SqliteStore({ filename: ':memory:' });
    await s.migrate();
    return s;
  }));

const pg = await probePostgres();
if (!('url' in pg) && process.env.CI === 'true') throw new Error(`PostgreSQL is needed under CI: ${pg.reason}`);
test(
  "postgres: outboxOf shows each app's queued callbacks with their leases, attempts and errors, and never claims",
  'url' in pg ? {} : { skip: `no PostgreSQL: ${pg.reason}` },
  () => outboxContract(() => freshPostgresStore((pg as { url: string }).url)),
);
