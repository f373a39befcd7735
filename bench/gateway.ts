// The client gateway benchmark (part of `npm run bench`):
//  1. recall-to-device latency: GATEWAY_DEVICES devices connected (two per user, users in pairs);
//     for each of GATEWAY_RECALLS messages, admin_msgwithdraw is called and the time until every
//     device of both users has the recall event is recorded per device;
//  2. memory per idle connection: GATEWAY_IDLE connections logged in and idle; the server's
//     RSS and heap (after a full GC) are read before and after, over IPC.
// The server runs in its own child process (bench/gateway-server.ts); the devices run here.
//
// Settings (environment): GATEWAY_DEVICES (default 1000), GATEWAY_RECALLS (default 2000),
// GATEWAY_IDLE (default 10000), BENCH_DATA_DIR (temp dirs, default the OS temp dir).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { generateUserSig } from '../src/usersig/usersig.js';
import { ServerChild } from './child.js';
import { ADMIN, SDKAPPID, SECRET, percentile } from './common.js';

const intEnv = (name: string, def: number): number => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
  return v;
};
const DEVICES = intEnv('GATEWAY_DEVICES', 1000);
const RECALLS = intEnv('GATEWAY_RECALLS', 2000);
const IDLE = intEnv('GATEWAY_IDLE', 10_000);
const IN_FLIGHT = 8;
/** The whole run gives up after this long. */
const DEADLINE = Date.now() + 15 * 60_000;

const SERVER = fileURLToPath(new URL('./gateway-server.js', import.meta.url));
const sigNow = Math.floor(Date.now() / 1000);
const sig = (user: string) =>
  generateUserSig({ sdkAppId: SDKAPPID, secretKey: SECRET, identifier: user, expire: 86400, now: sigNow });

interface Device {
  ws: WebSocket;
  user: string;
  /** Resolvers waiting for a recall event of a MsgKey. */
  waiting: Map<string, () => void>;
}

/** Opens a connection and logs in; resolves once the login is answered. */
function connect(
  wsUrl: string,
  user: string,
  deviceId: string,
  onEvent?: (e: { kind: string; data?: { msgKey?: string } }) => void,
): Promise<Device> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const device: Device = { ws, user, waiting: new Map() };
    let lastSeq = 0;
    ws.once('error', reject);
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          op: 'login',
          id: 1,
          data: {
            protocol: 1,
            sdkAppId: SDKAPPID,
            userId: user,
            userSig: sig(user),
            platform: 'Node',
            deviceId,
            cursor: 0,
          },
        }),
      );
    });
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as {
        op: string;
        id?: number;
        code?: number;
        message?: string;
        data: { events?: Array<{ seq: number; kind: string; data?: { msgKey?: string } }>; more?: boolean };
      };
      if (f.op === 'login') {
        if (f.code === 0) resolve(device);
        else reject(new Error(`login ${user}: ${f.code} ${f.message}`));
      } else if (f.op === 'events') {
        for (const e of f.data.events ?? []) {
          lastSeq = Math.max(lastSeq, e.seq);
          onEvent?.(e);
        }
        // A full page: the server pushes nothing more until this device syncs on.
        if (f.data.more) ws.send(JSON.stringify({ op: 'sync', id: 2, data: { cursor: lastSeq } }));
      }
    });
  });
}

async function rest(base: string, api: string, body: unknown): Promise<Record<string, unknown>> {
  const q = `sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${sig(ADMIN)}&random=1&contenttype=json`;
  const res = await fetch(`${base}/v4/${api}?${q}`, { method: 'POST', body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (json.ErrorCode !== 0) throw new Error(`${api}: ${JSON.stringify(json)}`);
  return json;
}

async function inBatches<T>(n: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, j) => make(i + j)))));
    if (Date.now() > DEADLINE) throw new Error('gateway benchmark deadline passed');
  }
  return out;
}

async function recallLatency(dataDir: string) {
  const server = await ServerChild.start('parley-gateway', SERVER, { BENCH_DATA_DIR: dataDir });
  try {
    const users = DEVICES / 2; // two devices per user
    const pairs = Math.floor(users / 2);
    const names = Array.from({ length: pairs * 2 }, (_, i) => `gw_u${i}`);
    await server.call('import-accounts', { users: names });
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/v1/ws`;
    const byUser = new Map<string, Device[]>();
    const devices = await inBatches(names.length * 2, 100, async (i) => {
      const user = names[Math.floor(i / 2)]!;
      const d = await connect(wsUrl, user, `dev${i % 2}`, (e) => {
        if (e.kind === 'recall' && e.data?.msgKey) d.waiting.get(e.data.msgKey)?.();
      });
      return d;
    });
    for (const d of devices) byUser.set(d.user, [...(byUser.get(d.user) ?? []), d]);

    const latencies: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < RECALLS && Date.now() < DEADLINE) {
        const i = next++;
        const pair = i % pairs;
        const from = names[pair * 2]!;
        const to = names[pair * 2 + 1]!;
        const sent = await rest(server.url, 'openim/sendmsg', {
          From_Account: from,
          To_Account: to,
          MsgRandom: i,
          MsgSeq: i,
          MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: `recall me ${i}` } }],
        });
        const key = sent.MsgKey as string;
        const targets = [...byUser.get(from)!, ...byUser.get(to)!];
        const t0 = performance.now();
        const arrivals = targets.map(
          (d) =>
            new Promise<void>((resolve) => {
              d.waiting.set(key, () => {
                d.waiting.delete(key);
                latencies.push(performance.now() - t0);
                resolve();
              });
            }),
        );
        await rest(server.url, 'openim/admin_msgwithdraw', { From_Account: from, To_Account: to, MsgKey: key });
        await Promise.all(arrivals);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    for (const d of devices) d.ws.terminate();
    latencies.sort((a, b) => a - b);
    return {
      devices: devices.length,
      recalls: Math.min(next, RECALLS),
      deliveries: latencies.length,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1],
    };
  } finally {
    await server.stop();
  }
}

async function idleMemory(dataDir: string) {
  const server = await ServerChild.start('parley-gateway', SERVER, { BENCH_DATA_DIR: dataDir });
  try {
    const names = Array.from({ length: IDLE }, (_, i) => `idle_u${i}`);
    await server.call('import-accounts', { users: names });
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/v1/ws`;
    // One connection first, so lazily created server state is in the baseline, not the delta.
    const warm = await connect(wsUrl, names[0]!, 'warm');
    type Mem = { rss: number; heapUsed: number; external: number; connections: number };
    const before = await server.call<Mem>('memory');
    const devices = await inBatches(IDLE, 200, (i) => connect(wsUrl, names[i]!, 'dev0'));
    const after = await server.call<Mem>('memory');
    for (const d of [warm, ...devices]) d.ws.terminate();
    const n = devices.length;
    return {
      connections: after.connections,
      rssPerConnectionKB: (after.rss - before.rss) / n / 1024,
      heapPerConnectionKB: (after.heapUsed + after.external - before.heapUsed - before.external) / n / 1024,
      rssBeforeMB: before.rss / 2 ** 20,
      rssAfterMB: after.rss / 2 ** 20,
    };
  } finally {
    await server.stop();
  }
}

export async function runGatewayBench(): Promise<Record<string, unknown>> {
  const base = mkdtempSync(join(process.env.BENCH_DATA_DIR || tmpdir(), 'parley-gw-bench-'));
  try {
    const load0 = loadavg()[0]!;
    process.stderr.write(`gateway: recall-to-device latency with ${DEVICES} devices, ${RECALLS} recalls\n`);
    const recall = await recallLatency(join(base, 'recall'));
    process.stderr.write(`gateway: memory per idle connection at ${IDLE} connections\n`);
    const idle = await idleMemory(join(base, 'idle'));
    const result = {
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
      loadavgStart: load0,
      loadavgEnd: loadavg()[0],
      recall,
      idle,
    };
    const f = (n: number) => n.toFixed(2);
    console.log('\nClient gateway');
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(
      `| recall → device p50 (${recall.devices} devices, ${recall.recalls} recalls, ${recall.deliveries} deliveries) | ${f(recall.p50)} ms |`,
    );
    console.log(`| recall → device p99 | ${f(recall.p99)} ms |`);
    console.log(`| recall → device max | ${f(recall.max ?? NaN)} ms |`);
    console.log(
      `| server RSS per idle connection (${idle.connections} connections) | ${f(idle.rssPerConnectionKB)} KB |`,
    );
    console.log(`| server heap + external per idle connection | ${f(idle.heapPerConnectionKB)} KB |`);
    console.log(`| load average (1 min) at start / end | ${f(load0)} / ${f(loadavg()[0]!)} |`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      join('bench/results', `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify(result, null, 2),
    );
    return result;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runGatewayBench().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`gateway benchmark failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
