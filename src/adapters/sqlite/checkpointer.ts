// The main thread's handle on the checkpoint worker (checkpoint-worker.ts).
import { Worker } from 'node:worker_threads';

export class Checkpointer {
  private readonly worker: Worker;
  private closed = false;

  constructor(filename: string, intervalMs: number) {
    this.worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { filename, intervalMs } });
    // A failed worker only means the writer's own automatic checkpoints take over.
    this.worker.on('error', () => {
      this.closed = true;
    });
    this.worker.unref();
  }

  /** Asks for a TRUNCATE checkpoint; resolves once it has run (or at once if the worker is gone). */
  truncate(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.worker.off('message', done);
        this.worker.off('exit', done);
        resolve();
      };
      this.worker.on('message', done);
      this.worker.on('exit', done);
      this.worker.postMessage('truncate');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    // Unreferenced, the worker would not keep the process alive long enough to be waited for.
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }
}
