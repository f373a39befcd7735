// Shared by the orchestrator (bench/run.ts) and the two server children: the fixed app, the
// account and conversation naming, the request bodies, the IPC message shapes and a seeded PRNG.

/** The fixed app every benchmark server hosts (Tencent's public sample key, as in the tests). */
export const SDKAPPID = 1400000000;
export const SECRET = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
export const ADMIN = 'administrator';

/** The message text of every load request and seeded message (a short chat line). */
export const TEXT = 'hello from the parley benchmark';

/** Account pair i: bench_a<i> ↔ bench_b<i>. */
export const userA = (pair: number): string => `bench_a${pair}`;
export const userB = (pair: number): string => `bench_b${pair}`;
export const pairUsers = (pairs: number): string[] => {
  const out: string[] = [];
  for (let i = 0; i < pairs; i++) out.push(userA(i), userB(i));
  return out;
};

/** The i-th sendmsg of the load: pair i % pairs, a → b for the first round over the pairs, b → a for the next, and so on. */
export const loadPair = (i: number, pairs: number): [from: string, to: string] => {
  const pair = i % pairs;
  return Math.floor(i / pairs) % 2 === 0 ? [userA(pair), userB(pair)] : [userB(pair), userA(pair)];
};

/** An integer setting from the environment: the default when unset or empty, an error when out of [min, max]. */
export function intEnv(name: string, def: number, min: number, max: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return n;
}

/** The sendmsg body of the load, the same for Parley and the bare server (Tencent's own sample shape). */
export const sendmsgBody = (from: string, to: string, random: number): string =>
  `{"SyncOtherMachine":1,"From_Account":"${from}","To_Account":"${to}","MsgRandom":${random},` +
  `"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"${TEXT}"}}]}`;

/** The deterministic MsgKey numbers of the i-th message prepared for admin_msgwithdraw. */
export const withdrawSeq = (i: number): number => i + 1;
export const withdrawRandom = (i: number): number => 1_000_000_000 + i;

/** The nearest-rank percentile (p in 0..1) of ascending values; NaN for none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** mulberry32: a small seeded PRNG, so runs pick the same conversations and times. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- IPC between run.ts and a server child --------------------------------------------------

/** Parent → child: a command with an id; the child answers with the same id. */
export interface IpcRequest {
  id: number;
  cmd: string;
  args?: Record<string, unknown>;
}

/** Child → parent. */
export type IpcMessage =
  | { type: 'ready'; url: string; pid: number; dataDir?: string }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'progress'; text: string };

/** What a child reports of its own CPU use between two 'cpu' calls. */
export interface CpuSample {
  /** process.cpuUsage() microseconds. */
  user: number;
  system: number;
  /** process.hrtime.bigint() nanoseconds, as a number of milliseconds. */
  wallMs: number;
}

/** Serves IPC commands in a child: each handler's result (or error) goes back under the request id. */
export function serveIpc(handlers: Record<string, (args: Record<string, unknown>) => unknown>): void {
  process.on('message', (raw: IpcRequest) => {
    void (async () => {
      const h = handlers[raw.cmd];
      try {
        if (!h) throw new Error(`unknown command ${raw.cmd}`);
        const result = await h(raw.args ?? {});
        process.send!({ type: 'reply', id: raw.id, ok: true, result: result ?? null } satisfies IpcMessage);
      } catch (e) {
        process.send!({
          type: 'reply',
          id: raw.id,
          ok: false,
          error: (e as Error).stack ?? String(e),
        } satisfies IpcMessage);
      }
    })();
  });
  // The parent going away ends the child too, so no server outlives a crashed run.
  process.on('disconnect', () => process.exit(0));
}

export const cpuNow = (): CpuSample => {
  const c = process.cpuUsage();
  return { user: c.user, system: c.system, wallMs: Number(process.hrtime.bigint()) / 1e6 };
};
