// Two stateless nodes on one PostgreSQL database and one Redis bus: a device connected to node A
// gets, at once, a message sent and recalled through node B's REST API.
// PostgreSQL: PARLEY_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test.
// Redis: PARLEY_TEST_REDIS_URL or redis://127.0.0.1:6379. Without them the test is skipped
// locally; under CI=true it fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { PostgresStore } from '../src/adapters/postgres/postgres-store.js';
import { RedisBus } from '../src/adapters/redis-bus.js';
import { text } from './helpers/rest.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { WsClient } from './helpers/ws.js';

const PG_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.PARLEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function servicesUp(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (e) {
    return `PostgreSQL at ${PG_URL}: ${(e as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    return `Redis at ${REDIS_URL}: ${(e as Error).message}`;
  } finally {
    redis.disconnect();
  }
  return undefined;
}

const missing = await servicesUp();
if (missing && process.env.CI === 'true') throw new Error(`scale-out test needs its services under CI: ${missing}`);

test('a device on node A gets a message sent and recalled through node B, pushed over the Redis bus', {
  ...(missing ? { skip: missing } : {}),
}, async () => {
  const schema = `parley_test_${randomBytes(6).toString('hex')}`;
  const channel = `parley:test:${randomBytes(4).toString('hex')}`;
  const busA = new RedisBus({ url: REDIS_URL, channel });
  const busB = new RedisBus({ url: REDIS_URL, channel });
  await Promise.all([busA.connected(), busB.connected()]);
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    a = await startTestServer({ store: new PostgresStore({ connectionString: PG_URL, schema }), bus: busA });
    b = await startTestServer({ store: new PostgresStore({ connectionString: PG_URL, schema }), bus: busB });
    await b.call('im_open_login_svc/multiaccount_import', { Accounts: ['alice', 'bob'] });

    // bob's device connects to node A.
    const bob = await WsClient.login(a, 'bob', { deviceId: 'bob-1', extra: { cursor: 0 } });

    // Sent through node B: node A learns of it from the bus and pushes it (no reconnect, no poll).
    const sent = await b.call('openim/sendmsg', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgRandom: 1,
      MsgSeq: 1,
      MsgBody: text('across nodes'),
    });
    assert.equal(sent.ErrorCode, 0);
    let events = await bob.eventsUpTo(1);
    assert.equal(events[0]!.kind, 'message');
    assert.deepEqual(events[0]!.message!.body, text('across nodes'));

    // Recalled through node B: the recall reaches the device on node A too.
    const recalled = await b.call('openim/admin_msgwithdraw', {
      From_Account: 'alice',
      To_Account: 'bob',
      MsgKey: sent.MsgKey,
    });
    assert.equal(recalled.ErrorCode, 0);
    events = await bob.eventsUpTo(2);
    assert.equal(events[1]!.kind, 'recall');
    assert.equal(events[1]!.seq, 2);

    // The node holding the connection reports the device online (presence is per node; see docs/deployment.md).
    const onA = await a.call('openim/query_online_status', { To_Account: ['bob'] });
    assert.equal(onA.QueryResult[0].Status, 'Online');
    await bob.close();
  } finally {
    await a?.close();
    await b?.close();
    await busA.close();
    await busB.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  }
});
