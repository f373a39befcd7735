// Parent side of a server child: forks it, waits for its URL, sends it commands, stops it.
import { fork, type ChildProcess } from 'node:child_process';
import type { CpuSample, IpcMessage } from './common.js';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export class ServerChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
    readonly url: string,
  ) {
    proc.on('message', (m: IpcMessage) => {
      if (m.type === 'reply') {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${name}: ${m.error}`));
      } else if (m.type === 'progress') {
        process.stderr.write(`  [${name}] ${m.text}\n`);
      }
    });
    proc.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (code ${code}) before answering`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** Forks `script` (a compiled .js file) and resolves once it reports its URL. */
  static async start(name: string, script: string, env: Record<string, string> = {}): Promise<ServerChild> {
    // No inherited flags: each child is a plain `node script` with its own JS thread.
    const proc = fork(script, [], {
      execArgv: [],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (code ${code}) while starting`));
      });
      proc.on('message', (m: IpcMessage) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve(m.url);
        }
      });
    });
    return new ServerChild(name, proc, url);
  }

  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, cmd, args });
    });
  }

  cpu(): Promise<CpuSample> {
    return this.call<CpuSample>('cpu');
  }

  /** Asks the child to close and exit; kills this child (by its pid) if it does not. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.call('stop').catch(() => undefined);
    const timer = setTimeout(() => {
      if (!this.exited) this.proc.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  }
}
