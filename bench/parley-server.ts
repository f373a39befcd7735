// Parley under benchmark, in its own child process: createParley with a SQLite file in a data
// directory on disk (WAL and every other store setting at the server's defaults), rate limits
// off, log level warn and one fixed app. It reports its URL to the parent over IPC and then
// answers the parent's setup commands (accounts, seeding, CPU samples, profiles, stop).
//
// Seeding (bench/seed.ts) goes through the store's own appendMessages or, once 'check-bulk' has
// shown it writes identical rows, a bulk writer on a second connection; 'describe' lets the
// parent compare a seeded row with one written by a real sendmsg over HTTP.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { SQLITE_FILE, createParley, type Parley } from '../src/app.js';
import type { ServerConfig } from '../src/config/config.js';
import { SqliteStore } from '../src/adapters/sqlite/sqlite-store.js';
import { skipMessageWrites } from './skip-writes.js';
import { ADMIN, SDKAPPID, SECRET, cpuNow, pairUsers, serveIpc, type IpcMessage } from './common.js';
import type { NewMessage } from '../src/ports/store.js';
import {
  checkBulkMatchesStore,
  historyBatches,
  historyTimes,
  openBulkConnection,
  withdrawBatches,
  writeBulk,
  writeViaStore,
  type HistorySeed,
  type WriteResult,
} from './seed.js';

const progress = (text: string): void => {
  process.send!({ type: 'progress', text } satisfies IpcMessage);
};

async function main(): Promise<void> {
  const dataDir = process.env.BENCH_DATA_DIR;
  if (!dataDir) throw new Error('BENCH_DATA_DIR is not set');
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'warn',
    apps: [{ sdkAppId: SDKAPPID, secretKey: SECRET, admins: [ADMIN], rateLimits: false }],
    devApp: false,
  };
  const parley: Parley = await createParley(config);
  const url = await parley.listen();
  const store = parley.store;
  if (process.env.BENCH_SKIP_WRITES === '1') skipMessageWrites(store);
  const sqlite = store instanceof SqliteStore ? store : undefined;
  let session: Session | undefined;
  const write = async (
    writer: 'bulk' | 'store',
    batches: Iterable<NewMessage[]>,
    report?: (done: number, ms: number) => void,
  ): Promise<WriteResult> => {
    if (writer === 'store') return writeViaStore(store, SDKAPPID, batches, report);
    const db = openBulkConnection(join(dataDir, SQLITE_FILE));
    try {
      return await writeBulk(db, SDKAPPID, batches, report);
    } finally {
      db.close();
    }
  };

  serveIpc({
    'import-accounts': async (a) => {
      const users = pairUsers(a.pairs as number);
      for (let i = 0; i < users.length; i += 1000)
        await parley.services.accounts.importAccounts(SDKAPPID, users.slice(i, i + 1000));
      return { accounts: users.length };
    },

    /** Whether writeBulk writes exactly the rows appendMessages writes (empty list: yes). */
    'check-bulk': () => checkBulkMatchesStore(SDKAPPID),

    'seed-history': async (a) => {
      const o = a as unknown as HistorySeed & { writer: 'bulk' | 'store' };
      let lastReport = 0;
      const report = (done: number, ms: number): void => {
        if (ms - lastReport < 5000 && done < o.messages) return;
        lastReport = ms;
        progress(
          `seeded ${done.toLocaleString('en')} / ${o.messages.toLocaleString('en')} messages (${(ms / 1000).toFixed(1)} s)`,
        );
      };
      const r = await write(o.writer, historyBatches(o), report);
      return { ...r, ...historyTimes(o) };
    },

    'prepare-withdraw': (a) => {
      const o = a as { pairs: number; from: number; count: number; time: number; writer: 'bulk' | 'store' };
      return write(o.writer, withdrawBatches(o));
    },

    /** The stored form of one message (all columns but id) and its events, to compare seeded with real rows. */
    describe: (a) => {
      if (!sqlite) throw new Error('describe needs the SQLite store');
      const row = sqlite.db
        .prepare(
          'SELECT * FROM messages WHERE app = ? AND sender = ? AND recipient = ? AND seq = ? AND random = ? AND time = ?',
        )
        .get(SDKAPPID, a.from, a.to, a.seq, a.random, a.time) as Record<string, unknown> | undefined;
      if (!row) return null;
      const events = sqlite.db
        .prepare(
          'SELECT user_id, kind, data, at, expires_at, origin_device FROM events WHERE message_id = ? ORDER BY user_id',
        )
        .all(row.id);
      return { row, events };
    },

    'db-stats': () => {
      if (!sqlite) return null;
      const one = (sql: string): unknown => sqlite.db.prepare(sql).pluck().get();
      return {
        messages: one('SELECT COUNT(*) FROM messages'),
        events: one('SELECT COUNT(*) FROM events'),
        conversations: one('SELECT COUNT(*) FROM conversations'),
        pageSize: one('PRAGMA page_size'),
        pages: one('PRAGMA page_count'),
        journalMode: one('PRAGMA journal_mode'),
        synchronous: one('PRAGMA synchronous'),
      };
    },

    /** Moves the WAL into the main file, as an idle server's automatic checkpoints eventually do. */
    checkpoint: () => {
      sqlite?.checkpoint();
    },

    cpu: () => cpuNow(),

    'profile-start': async () => {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },

    'profile-stop': async (a) => {
      if (!session) throw new Error('no profile is running');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      writeFileSync(a.file as string, JSON.stringify(profile));
      return { file: a.file };
    },

    stop: async () => {
      await parley.close();
      setImmediate(() => process.exit(0));
    },
  });
  process.send!({ type: 'ready', url, pid: process.pid, dataDir } satisfies IpcMessage);
}

main().catch((e) => {
  process.stderr.write(`parley-server: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
