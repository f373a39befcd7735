// Runs in a worker thread with its own connection to the store's file: copies WAL frames into the
// main file (PASSIVE: never blocks the writer) every interval, and on request truncates the WAL
// (after a recall, so erased content leaves it). The page copies and their fsyncs then happen on
// another core instead of inside a commit on the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { filename, intervalMs } = workerData as { filename: string; intervalMs: number };
const db = new Database(filename);
db.pragma('busy_timeout = 5000');

function checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): void {
  try {
    db.pragma(`wal_checkpoint(${mode})`);
  } catch {
    // Busy or closing: the next round, or the writer's own fallback checkpoint, does it.
  }
}

const timer = setInterval(() => checkpoint('PASSIVE'), intervalMs);
parentPort!.on('message', (m: 'truncate' | 'close') => {
  if (m === 'truncate') {
    checkpoint('TRUNCATE');
    parentPort!.postMessage('truncated');
  } else {
    clearInterval(timer);
    db.close();
    parentPort!.close();
  }
});
