// Does a send, a recall or a history page cost more as the store grows? The issue asks that none
// does from 10⁴ to 10⁷ stored messages. For each size, a fresh SQLite file (the server's
// defaults) is seeded with that many messages over 30 days by the bench's bulk writer, then the
// store itself — no HTTP, whose cost does not depend on the store — runs:
//   history   single history pages (MaxCnt 20, as admin_getroammsg asks) at random times in random
//             conversations, from a random side; wall time per page, p50 and p99
//   send      appendMessage of the sendmsg load's shape, 64 per group commit; CPU µs per send
//             (the process's, so the checkpoint worker's share is counted)
//   recall    recallMessage of distinct messages picked at random from the whole history (at most
//             a tenth of it), 64 per group commit; CPU µs per recall
// Settings (environment): SCALING_SIZES (10000,100000,1000000,10000000), SCALING_PAIRS (100:
// every conversation holds ≥ 100 messages even at 10⁴, so every page is full), SCALING_PAGES
// (5000), SCALING_SENDS (20000), SCALING_RECALLS (10000), BENCH_DATA_DIR (the OS temp dir; the
// 10⁷ file takes 4 GB). Run with --expose-gc (npm run bench does) to collect the seeding's garbage.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/adapters/sqlite/sqlite-store.js';
import { SDKAPPID, ADMIN, intEnv, loadPair, pairUsers, percentile, prng, userA, userB } from './common.js';
import { historyBatches, historyTimes, sendmsgRow, writeBulk, type HistorySeed } from './seed.js';
import type { MessageRef } from '../src/ports/store.js';
import { recallRequest } from '../src/domain/message-events.js';

const SIZES = (process.env.SCALING_SIZES ?? '10000,100000,1000000,10000000')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const PAIRS = intEnv('SCALING_PAIRS', 100, 1, 100_000);
const PAGES = intEnv('SCALING_PAGES', 5000, 1, 1_000_000);
const SENDS = intEnv('SCALING_SENDS', 20_000, 1, 10_000_000);
const RECALLS = intEnv('SCALING_RECALLS', 10_000, 1, 10_000_000);
const PER_COMMIT = 64;
const SPAN_SECONDS = 30 * 86400;

interface Row {
  messages: number;
  fileMiB: number;
  seedSeconds: number;
  pageP50Us: number;
  pageP99Us: number;
  sendCpuUs: number;
  recallCpuUs: number;
}

const cpuUs = (): number => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/** Runs n units of work `per` at a time (one group commit each); returns CPU µs per unit. */
async function cpuPerUnit(n: number, per: number, unit: (i: number) => Promise<unknown>): Promise<number> {
  const before = cpuUs();
  for (let i = 0; i < n; i += per) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(i + per, n); j++) batch.push(unit(j));
    await Promise.all(batch);
  }
  return (cpuUs() - before) / n;
}

/** A fresh file with `messages` seeded by the bulk writer, closed and written back to disk. */
async function seeded(file: string, messages: number): Promise<{ seed: HistorySeed; seconds: number }> {
  const store = new SqliteStore({ filename: file });
  try {
    await store.migrate();
    await store.importAccounts(SDKAPPID, pairUsers(PAIRS), 1);
    const seed: HistorySeed = {
      pairs: PAIRS,
      messages,
      spanSeconds: SPAN_SECONDS,
      endTime: Math.floor(Date.now() / 1000) - 60,
      seed: 42,
    };
    const t0 = performance.now();
    await writeBulk(store.db, SDKAPPID, historyBatches(seed));
    return { seed, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await store.close();
  }
}

/**
 * Reads the file once, so it starts in the OS page cache: a server with the memory for its file
 * has it there. Without this the timings depend on what the VM kept of gigabytes just written
 * (here, once, 2.6 GB of a 4 GB file with 21 GB free), i.e. on the disk, not the store.
 */
function readThrough(file: string): void {
  const fd = openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(4 << 20);
  try {
    while (readSync(fd, chunk, 0, chunk.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

async function measure(messages: number): Promise<Row> {
  const dir = mkdtempSync(join(process.env.BENCH_DATA_DIR || tmpdir(), 'parley-scaling-'));
  const file = join(dir, 'parley.db');
  const { seed, seconds: seedSeconds } = await seeded(file, messages);
  // Measured as a server restarted on this file finds it: its own connection, the file written
  // back to disk and cached, and no garbage of the seeding left on the heap (the kernel's
  // writeback of gigabytes and a major GC would otherwise land inside the measurements).
  execFileSync('sync');
  (globalThis as { gc?: () => void }).gc?.();
  readThrough(file);
  const fileMiB = statSync(file).size / 2 ** 20;
  const store = new SqliteStore({ filename: file });
  try {
    await store.migrate();
    const endTime = seed.endTime;
    const { firstTime, lastTime } = historyTimes(seed);
    const rnd = prng(7);
    const pick = (n: number): number => Math.floor(rnd() * n);

    // History: one page at a time, as a single connection asks; a warm-up tenth first.
    const pageUs = new Float64Array(PAGES);
    for (let i = -Math.floor(PAGES / 10); i < PAGES; i++) {
      const pair = pick(PAIRS);
      const [owner, peer] = rnd() < 0.5 ? [userA(pair), userB(pair)] : [userB(pair), userA(pair)];
      const maxTime = firstTime + pick(lastTime - firstTime + 1);
      const started = performance.now();
      const page = await store.history(SDKAPPID, { owner, peer, minTime: 0, maxTime, limit: 20 });
      if (i >= 0) pageUs[i] = (performance.now() - started) * 1000;
      if (page.messages.length === 0 && maxTime > firstTime + SPAN_SECONDS / 100)
        throw new Error(`empty page at ${maxTime} in ${owner}/${peer}`);
    }
    pageUs.sort();

    // Send: after the history, spread over the pairs in both directions.
    const sendCpuUs = await cpuPerUnit(SENDS, PER_COMMIT, (i) => {
      const [from, to] = loadPair(i, PAIRS);
      return store.appendMessage(
        SDKAPPID,
        sendmsgRow(from, to, i + 1, 1_000_000 + i, endTime + 31 + Math.floor(i / 10_000)),
      );
    });

    // Recall: distinct messages from the whole history, their keys read before the clock starts.
    // The sends' WAL is checkpointed first, so neither phase pays for the other's page copies.
    store.checkpoint();
    const ids = new Set<number>();
    while (ids.size < Math.min(RECALLS, messages / 10)) ids.add(1 + pick(messages));
    const byId = store.db.prepare(
      'SELECT sender AS "from", recipient AS "to", seq, random, time FROM messages WHERE id = ?',
    );
    const refs = [...ids].map((id) => byId.get(id) as MessageRef);
    const recallCpuUs = await cpuPerUnit(refs.length, PER_COMMIT, async (i) => {
      const r = await store.recallMessage(
        SDKAPPID,
        recallRequest({ ref: refs[i]!, by: ADMIN, via: 'admin', at: endTime + 30 }),
      );
      if (r.outcome !== 'recalled') throw new Error(`recall ${i}: ${r.outcome}`);
    });

    return {
      messages,
      fileMiB,
      seedSeconds,
      pageP50Us: percentile(pageUs, 0.5),
      pageP99Us: percentile(pageUs, 0.99),
      sendCpuUs,
      recallCpuUs,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const size of SIZES) {
  process.stderr.write(`scaling: ${size.toLocaleString('en')} messages…\n`);
  rows.push(await measure(size));
}
console.log(`\nStore cost by messages stored (SQLite, server defaults, ${PAIRS} conversations over 30 days; no HTTP)`);
console.log(
  `pages: ${PAGES} single MaxCnt-20 pages; sends: ${SENDS}; recalls: ${RECALLS} or a tenth of the history (distinct, random); ${PER_COMMIT} per commit; file size after seeding; the file read once into the OS page cache before timing`,
);
console.log('| messages stored | file MiB | seeded in s | page p50 µs | page p99 µs | send CPU µs | recall CPU µs |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.messages.toLocaleString('en')} | ${r.fileMiB.toFixed(0)} | ${r.seedSeconds.toFixed(1)} | ${r.pageP50Us.toFixed(0)} | ${r.pageP99Us.toFixed(0)} | ${r.sendCpuUs.toFixed(1)} | ${r.recallCpuUs.toFixed(1)} |`,
  );
}
