// The main thread's handle on the checkpoint worker (checkpoint-worker.ts). The two share three
// counters in a SharedArrayBuffer, so that telling the worker about a commit costs an atomic
// increment, not a message: a message is posted only to wake a worker that went to sleep.
import { Worker } from 'node:worker_threads';

/** Indexes into the shared Int32Array. */
export const COMMITS = 0;
export const ASLEEP = 1;
export const CHECKPOINTS = 2;

export type CheckpointMessage = 'wake' | 'truncate' | 'close';

export class Checkpointer {
  private readonly worker: Worker;
  private readonly state = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  private closed = false;

  constructor(filename: string, intervalMs: number) {
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), {
      workerData: { filename, intervalMs, shared: this.state.buffer },
    });
    // A failed worker only means the writer's own automatic checkpoints take over.
    this.worker.on('error', () => {
      this.closed = true;
    });
    this.worker.unref();
  }

  /** Called after each commit of the writer: counts it, and wakes the worker if it sleeps. */
  committed(): void {
    Atomics.add(this.state, COMMITS, 1);
    if (Atomics.load(this.state, ASLEEP) === 1 && Atomics.compareExchange(this.state, ASLEEP, 1, 0) === 1)
      this.post('wake');
  }

  /** Checkpoints the worker has run so far (PASSIVE and TRUNCATE). */
  get checkpoints(): number {
    return Atomics.load(this.state, CHECKPOINTS);
  }

  /**
   * Asks for a TRUNCATE checkpoint; resolves once it has run with whether it completed (the WAL
   * is empty), or at once with true if the worker is gone (the writer's close checkpoints then).
   */
  truncate(): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (m?: unknown): void => {
        this.worker.off('message', done);
        this.worker.off('exit', exited);
        resolve(m !== 'busy');
      };
      const exited = (): void => done();
      this.worker.on('message', done);
      this.worker.on('exit', exited);
      this.post('truncate');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Unreferenced, the worker would not keep the process alive long enough to be waited for.
    this.worker.ref();
    this.post('close');
    await exited;
  }

  private post(m: CheckpointMessage): void {
    if (!this.closed || m === 'close') this.worker.postMessage(m);
  }
}
