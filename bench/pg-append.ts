// The PostgreSQL store's send, without HTTP: the latency of one send at a time (each statement
// is a round trip, so this is what folding statements buys) and the rate with 64 in flight, as
// one scale-out node's pool sees it. Each run gets a fresh schema, dropped at the end.
// Settings (environment): PARLEY_BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test),
// PG_SENDS (20000 concurrent, after 3000 one at a time), BENCH_PAIRS (1000).
// Without a server it says so and exits 0, so `npm run bench` runs on an embedded-only machine.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../src/adapters/postgres/postgres-store.js';
import type { NewMessage } from '../src/ports/store.js';
import { SDKAPPID, pairUsers, percentile, userA, userB } from './common.js';
import { sendmsgRow } from './seed.js';

const url = process.env.PARLEY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const intEnv = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
};
const SENDS = intEnv('PG_SENDS', 20_000);
const PAIRS = intEnv('BENCH_PAIRS', 1000);
const ONE_AT_A_TIME = 3000;
const WARM_UP = 500;
const IN_FLIGHT = 64;

const admin = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
try {
  await admin.query('SELECT 1');
} catch (e) {
  console.log(`\nPostgreSQL store: skipped, no server at ${url.replace(/:[^:@/]*@/, ':***@')} (${(e as Error).message})`);
  await admin.end();
  process.exit(0);
}

const schema = `parley_bench_${randomBytes(6).toString('hex')}`;
const store = new PostgresStore({ connectionString: url, schema, maxConnections: 16 });
try {
  await store.migrate();
  await store.importAccounts(SDKAPPID, pairUsers(PAIRS), 1);
  const t0 = Math.floor(Date.now() / 1000);
  let n = 0;
  // Spread over the pairs in both directions, as the sendmsg scenario's load is.
  const next = (): NewMessage => {
    const j = n++;
    const p = j % PAIRS;
    const [from, to] = Math.floor(j / PAIRS) % 2 === 0 ? [userA(p), userB(p)] : [userB(p), userA(p)];
    return sendmsgRow(from, to, j + 1, j + 1, t0 + Math.floor(j / 5000));
  };

  const latencies: number[] = [];
  for (let i = 0; i < ONE_AT_A_TIME; i++) {
    const started = performance.now();
    await store.appendMessage(SDKAPPID, next());
    if (i >= WARM_UP) latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);

  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, async (_, lane) => {
    for (let i = lane; i < SENDS; i += IN_FLIGHT) await store.appendMessage(SDKAPPID, next());
  }));
  const wallS = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);

  console.log(`\nPostgreSQL store, send alone (no HTTP): ${PAIRS} pairs, pool of 16 connections, schema ${schema} (dropped)`);
  console.log('| measure | value |');
  console.log('|---|---:|');
  console.log(`| one at a time, p50 | ${percentile(latencies, 0.5).toFixed(3)} ms |`);
  console.log(`| one at a time, p99 | ${percentile(latencies, 0.99).toFixed(3)} ms |`);
  console.log(`| ${IN_FLIGHT} in flight | ${Math.round(SENDS / wallS).toLocaleString('en')} sends/s |`);
  console.log(`| Node CPU per send | ${((cpu.user + cpu.system) / SENDS).toFixed(1)} µs |`);
} finally {
  await store.close();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
}
