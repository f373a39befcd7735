// The PostgreSQL store's send and recall, without HTTP: the latency of one at a time (each
// statement is a round trip, so this is what folding statements buys) and the rate with 64 in
// flight, as one scale-out node's pool sees it. Each run gets a fresh schema, dropped at the end.
// Settings (environment): PARLEY_BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test),
// PG_SENDS (20000 in flight, after 3000 one at a time; recalls: the same counts, of those
// messages), BENCH_PAIRS (1000).
// Without a server it says so and exits 0, so `npm run bench` runs on an embedded-only machine.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../src/adapters/postgres/postgres-store.js';
import type { MessageRef, NewMessage } from '../src/ports/store.js';
import { ADMIN, SDKAPPID, intEnv, loadPair, pairUsers, percentile } from './common.js';
import { sendmsgRow } from './seed.js';
import { recallRequest } from '../src/domain/message-events.js';

const url = process.env.PARLEY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SENDS = intEnv('PG_SENDS', 20_000, 1, 10_000_000);
const PAIRS = intEnv('BENCH_PAIRS', 1000, 1, 100_000);
const ONE_AT_A_TIME = 3000;
const WARM_UP = 500;
const IN_FLIGHT = 64;

const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
try {
  await admin.query('SELECT 1');
} catch (e) {
  console.log(
    `\nPostgreSQL store: skipped, no server at ${url.replace(/:[^:@/]*@/, ':***@')} (${(e as Error).message})`,
  );
  await admin.end();
  process.exit(0);
}

const schema = `parley_bench_${randomBytes(6).toString('hex')}`;
const store = new PostgresStore({ connectionString: url, schema, maxConnections: 16 });
try {
  await store.migrate();
  await store.importAccounts(SDKAPPID, pairUsers(PAIRS), 1);
  const t0 = Math.floor(Date.now() / 1000);
  const sent: MessageRef[] = [];
  // Spread over the pairs in both directions, as the sendmsg scenario's load is.
  const next = (): NewMessage => {
    const j = sent.length;
    const [from, to] = loadPair(j, PAIRS);
    const m = sendmsgRow(from, to, j + 1, j + 1, t0 + Math.floor(j / 5000));
    sent.push({ from, to, seq: m.seq, random: m.random, time: m.time });
    return m;
  };
  let recalled = 0;
  const recallNext = async (): Promise<void> => {
    const r = await store.recallMessage(
      SDKAPPID,
      recallRequest({ ref: sent[recalled++]!, by: ADMIN, via: 'admin', at: t0 + 60 }),
    );
    if (r.outcome !== 'recalled') throw new Error(`recall: ${r.outcome}`);
  };

  const rows: string[] = [];
  for (const [what, op] of [
    [
      'send',
      async () => {
        await store.appendMessage(SDKAPPID, next());
      },
    ],
    ['recall', recallNext],
  ] as const) {
    const latencies: number[] = [];
    for (let i = 0; i < ONE_AT_A_TIME; i++) {
      const started = performance.now();
      await op();
      if (i >= WARM_UP) latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, lane) => {
        for (let i = lane; i < SENDS; i += IN_FLIGHT) await op();
      }),
    );
    const wallS = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    rows.push(
      `| ${what} | ${percentile(latencies, 0.5).toFixed(3)} ms | ${percentile(latencies, 0.99).toFixed(3)} ms | ` +
        `${Math.round(SENDS / wallS).toLocaleString('en')}/s | ${((cpu.user + cpu.system) / SENDS).toFixed(1)} µs |`,
    );
  }

  console.log(`\nPostgreSQL store alone (no HTTP): ${PAIRS} pairs, pool of 16 connections, schema ${schema} (dropped)`);
  console.log(
    `| operation | one at a time p50 | one at a time p99 | ${IN_FLIGHT} in flight | Node CPU per operation |`,
  );
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
