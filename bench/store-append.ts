// The SQLite store's send alone, without HTTP, authentication or the domain: how much CPU and
// how many WAL bytes one sendmsg's transaction costs. It tells how much of a request's budget
// the durable write takes by itself (docs/performance.md, "Why the write targets are missed").
//
// Three passes over a fresh file each, BATCH sends per commit (as 64 connections give):
//   commit only      no checkpoints during the run, so the WAL's size is every byte committed
//   server defaults  the checkpoint worker on, as createParley runs it (its CPU is counted too)
//   log only         what a design with the derived state in memory would still write per send:
//                    the message and its two event-queue entries (the bulk seeder, bench/seed.ts,
//                    which writes the conversations and accounts once at the end); no checkpoints
// Settings (environment): STORE_SENDS (default 100000), STORE_BATCH (64), BENCH_PAIRS (1000),
// BENCH_DATA_DIR (the OS temp dir).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/adapters/sqlite/sqlite-store.js';
import { SDKAPPID, intEnv, loadPair, pairUsers } from './common.js';
import { sendmsgRow, writeBulk } from './seed.js';
import type { NewMessage } from '../src/ports/store.js';

const SENDS = intEnv('STORE_SENDS', 100_000, 1, 10_000_000);
const BATCH = intEnv('STORE_BATCH', 64, 1, 10_000);
const PAIRS = intEnv('BENCH_PAIRS', 1000, 1, 100_000);

type Mode = 'commit only' | 'server defaults' | 'log only';

interface Pass {
  mode: Mode;
  cpuUsPerSend: number;
  systemUsPerSend: number;
  sendsPerSecond: number;
  walBytesPerSend?: number;
}

/** The i-th send of the load: spread over the pairs in both directions, as the sendmsg scenario's. */
function send(i: number, t0: number): NewMessage {
  const [from, to] = loadPair(i, PAIRS);
  return sendmsgRow(from, to, i + 1, i + 1, t0 + Math.floor(i / 20_000));
}

function* batches(t0: number): Generator<NewMessage[]> {
  for (let i = 0; i < SENDS; i += BATCH) {
    const ms = [];
    for (let j = i; j < Math.min(i + BATCH, SENDS); j++) ms.push(send(j, t0));
    yield ms;
  }
}

async function pass(mode: Mode): Promise<Pass> {
  const dir = mkdtempSync(join(process.env.BENCH_DATA_DIR || tmpdir(), 'parley-store-append-'));
  const file = join(dir, 'parley.db');
  const commitOnly = mode !== 'server defaults';
  const store = new SqliteStore({ filename: file, checkpointWorkerAfter: commitOnly ? -1 : 0 });
  try {
    await store.migrate();
    await store.importAccounts(SDKAPPID, pairUsers(PAIRS), 1);
    store.checkpoint();
    if (commitOnly) store.db.pragma('wal_autocheckpoint = 0');
    const t0 = Math.floor(Date.now() / 1000);
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    if (mode === 'log only') {
      await writeBulk(store.db, SDKAPPID, batches(t0));
    } else {
      for (const ms of batches(t0)) await Promise.all(ms.map((m) => store.appendMessage(SDKAPPID, m)));
    }
    const wallS = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const walBytes = commitOnly ? statSync(`${file}-wal`).size : undefined;
    return {
      mode,
      cpuUsPerSend: (cpu.user + cpu.system) / SENDS,
      systemUsPerSend: cpu.system / SENDS,
      sendsPerSecond: SENDS / wallS,
      ...(walBytes !== undefined ? { walBytesPerSend: walBytes / SENDS } : {}),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [await pass('commit only'), await pass('server defaults'), await pass('log only')];
console.log(
  `\nSQLite store, send transaction alone: ${SENDS.toLocaleString('en')} sends of the sendmsg load's shape, ${BATCH} per commit, ${PAIRS} pairs`,
);
console.log('| pass | CPU µs/send | of it system | sends/s | WAL bytes/send |');
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.mode} | ${r.cpuUsPerSend.toFixed(1)} | ${r.systemUsPerSend.toFixed(1)} | ${Math.round(r.sendsPerSecond).toLocaleString('en')} | ${r.walBytesPerSend === undefined ? '' : Math.round(r.walBytesPerSend).toLocaleString('en')} |`,
  );
}
