// Runs in a worker thread with its own connection to the store's file: copies WAL frames into the
// main file (PASSIVE: never blocks the writer) every interval while the writer commits, and on
// request truncates the WAL (after a recall, so erased content leaves it). The page copies and
// their fsyncs then happen on another core instead of inside a commit on the event loop. An idle
// file costs nothing: after a round with no commit the worker stops its timer until the writer's
// next commit wakes it (see checkpointer.ts for the shared counters).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { ASLEEP, CHECKPOINTS, COMMITS, type CheckpointMessage } from './checkpointer.js';

const { filename, intervalMs, shared } = workerData as {
  filename: string;
  intervalMs: number;
  shared: SharedArrayBuffer;
};
const state = new Int32Array(shared);
const db = new Database(filename);
db.pragma('busy_timeout = 5000');

/** Whether the checkpoint copied every frame (for TRUNCATE: the WAL is now empty). */
function checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): boolean {
  try {
    const [r] = db.pragma(`wal_checkpoint(${mode})`) as Array<{ busy: number; log: number; checkpointed: number }>;
    Atomics.add(state, CHECKPOINTS, 1);
    return r !== undefined && r.busy === 0 && (mode === 'PASSIVE' || r.log <= 0);
  } catch {
    // Busy or closing: the next round, or the writer's own fallback checkpoint, does it.
    return false;
  }
}

let seen = 0;
let timer: NodeJS.Timeout | undefined;

function round(): void {
  const commits = Atomics.load(state, COMMITS);
  if (commits !== seen) {
    seen = commits;
    checkpoint('PASSIVE');
    return;
  }
  // Say "asleep" first, then look again: either this second look sees a commit that raced in,
  // or that commit's writer sees "asleep" and posts 'wake' (it then owns the flag).
  Atomics.store(state, ASLEEP, 1);
  if (Atomics.load(state, COMMITS) !== seen && Atomics.compareExchange(state, ASLEEP, 1, 0) === 1) return;
  clearInterval(timer);
  timer = undefined;
}

const wake = (): void => {
  timer ??= setInterval(round, intervalMs);
};
wake();

parentPort!.on('message', (m: CheckpointMessage) => {
  if (m === 'wake') wake();
  else if (m === 'truncate') {
    parentPort!.postMessage(checkpoint('TRUNCATE') ? 'truncated' : 'busy');
  } else {
    clearInterval(timer);
    db.close();
    parentPort!.close();
  }
});
