// Clients that log in, stop reading and spam sync (part of `npm run bench`):
//  1. one such client over SLOW_EVENTS stored events of SLOW_EVENT_BYTES each, sending SLOW_SYNCS
//     syncs from cursor 0: the server's RSS before, at its peak and after (after a full GC);
//  2. SLOW_CLIENTS such clients at once (one user, many devices): the peak of the bytes queued for
//     all of them against the configured total bound, the peak RSS, and how many were closed 4004.
// The server runs in its own child process (bench/gateway-server.ts) with the default
// GatewayLimits except maxQueuedBytes = SLOW_MAX_QUEUED_MB.
//
// Settings (environment): SLOW_EVENTS (2000), SLOW_EVENT_BYTES (10000), SLOW_SYNCS (40),
// SLOW_CLIENTS (1000), SLOW_MAX_QUEUED_MB (64), BENCH_DATA_DIR (temp dirs, default the OS temp dir).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { generateUserSig } from '../src/usersig/usersig.js';
import { ServerChild } from './child.js';
import { ADMIN, SDKAPPID, SECRET, intEnv } from './common.js';

const EVENTS = intEnv('SLOW_EVENTS', 2000, 1, 100_000);
const EVENT_BYTES = intEnv('SLOW_EVENT_BYTES', 10_000, 10, 11_000);
const SYNCS = intEnv('SLOW_SYNCS', 40, 1, 10_000);
const CLIENTS = intEnv('SLOW_CLIENTS', 1000, 1, 20_000);
const MAX_QUEUED_MB = intEnv('SLOW_MAX_QUEUED_MB', 64, 1, 16_384);
const USER = 'slow_reader';
const MB = 2 ** 20;

const SERVER = fileURLToPath(new URL('./gateway-server.js', import.meta.url));
const sigNow = Math.floor(Date.now() / 1000);
const sig = (user: string) =>
  generateUserSig({ sdkAppId: SDKAPPID, secretKey: SECRET, identifier: user, expire: 86400, now: sigNow });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Mem {
  rss: number;
  queuedBytes: number;
  connections: number;
}

async function rest(base: string, api: string, body: unknown): Promise<void> {
  const q = `sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${sig(ADMIN)}&random=1&contenttype=json`;
  const res = await fetch(`${base}/v4/${api}?${q}`, { method: 'POST', body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (json.ErrorCode !== 0) throw new Error(`${api}: ${JSON.stringify(json)}`);
}

/** A client that logs in, then stops reading; `closed` resolves with the close code once it reads again. */
interface SlowClient {
  ws: WebSocket;
  closed: Promise<number>;
}

function slowClient(wsUrl: string, deviceId: string): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.once('error', reject);
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          op: 'login',
          id: 1,
          data: { protocol: 1, sdkAppId: SDKAPPID, userId: USER, userSig: sig(USER), platform: 'Node', deviceId },
        }),
      ),
    );
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as { op: string; code?: number; message?: string };
      if (f.op !== 'login') return;
      if (f.code !== 0) return reject(new Error(`login: ${f.code} ${f.message}`));
      ws.pause();
      resolve({ ws, closed });
    });
  });
}

/** Sends the syncs, a few ms apart (so they are not all shared as one in-flight sync). */
async function spam(clients: SlowClient[]): Promise<void> {
  for (let i = 0; i < SYNCS; i++) {
    for (const c of clients)
      if (c.ws.readyState === WebSocket.OPEN)
        c.ws.send(JSON.stringify({ op: 'sync', id: 10 + i, data: { cursor: 0 } }));
    await sleep(5);
  }
}

/** Samples the server (no GC) every 200 ms while `during` runs and for `settleMs` after; returns the peaks. */
async function peaks(
  server: ServerChild,
  during: Promise<void>,
  settleMs: number,
): Promise<{ rss: number; queuedBytes: number }> {
  let done = false;
  const peak = { rss: 0, queuedBytes: 0 };
  const sampler = (async () => {
    while (!done) {
      const m = await server.call<Mem>('memory-now');
      peak.rss = Math.max(peak.rss, m.rss);
      peak.queuedBytes = Math.max(peak.queuedBytes, m.queuedBytes);
      await sleep(200);
    }
  })();
  await during;
  await sleep(settleMs);
  done = true;
  await sampler;
  return peak;
}

export async function runSlowReaderBench(): Promise<Record<string, unknown>> {
  const base = mkdtempSync(join(process.env.BENCH_DATA_DIR || tmpdir(), 'parley-slow-bench-'));
  const server = await ServerChild.start('parley-slow-reader', SERVER, {
    BENCH_DATA_DIR: base,
    BENCH_MAX_DEVICES: String(CLIENTS + 10),
    BENCH_GATEWAY_LIMITS: JSON.stringify({ maxQueuedBytes: MAX_QUEUED_MB * MB }),
  });
  try {
    await server.call('import-accounts', { users: [USER] });
    process.stderr.write(`slow-reader: storing ${EVENTS} events of ${EVENT_BYTES} bytes\n`);
    const text = 'x'.repeat(EVENT_BYTES);
    for (let i = 0; i < EVENTS; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, EVENTS - i) }, (_, j) =>
          rest(server.url, 'openim/sendmsg', {
            From_Account: ADMIN,
            To_Account: USER,
            MsgRandom: i + j,
            MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text } }],
          }),
        ),
      );
    }
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/v1/ws`;

    process.stderr.write(`slow-reader: one client, ${SYNCS} syncs\n`);
    const before = await server.call<Mem>('memory');
    const one = await slowClient(wsUrl, 'one');
    const onePeak = await peaks(server, spam([one]), 2000);
    const oneAfter = await server.call<Mem>('memory');
    one.ws.terminate();
    await sleep(500);

    process.stderr.write(`slow-reader: ${CLIENTS} clients, ${SYNCS} syncs each\n`);
    const manyBefore = await server.call<Mem>('memory');
    const clients: SlowClient[] = [];
    for (let i = 0; i < CLIENTS; i += 100)
      clients.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(100, CLIENTS - i) }, (_, j) => slowClient(wsUrl, `many${i + j}`)),
        )),
      );
    const manyPeak = await peaks(server, spam(clients), 12_000);
    const manyAfter = await server.call<Mem>('memory');
    // They read again: each finds its close frame (4004) behind what was queued for it.
    for (const c of clients) c.ws.resume();
    const codes = await Promise.all(clients.map((c) => Promise.race([c.closed, sleep(15_000).then(() => 0)])));
    for (const c of clients) c.ws.terminate();
    const closed4004 = codes.filter((c) => c === 4004).length;

    const result = {
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
      settings: { events: EVENTS, eventBytes: EVENT_BYTES, syncs: SYNCS, clients: CLIENTS, maxQueuedMB: MAX_QUEUED_MB },
      one: {
        rssBeforeMB: before.rss / MB,
        rssPeakMB: onePeak.rss / MB,
        rssAfterMB: oneAfter.rss / MB,
        queuedPeakMB: onePeak.queuedBytes / MB,
      },
      many: {
        rssBeforeMB: manyBefore.rss / MB,
        rssPeakMB: manyPeak.rss / MB,
        rssAfterMB: manyAfter.rss / MB,
        queuedPeakMB: manyPeak.queuedBytes / MB,
        closed4004,
      },
    };
    const f = (n: number) => n.toFixed(1);
    console.log('\nSlow readers (log in, never read, spam sync)');
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(
      `| one client: server RSS before / peak / after GC (${EVENTS} × ${EVENT_BYTES} B events, ${SYNCS} syncs) | ${f(result.one.rssBeforeMB)} / ${f(result.one.rssPeakMB)} / ${f(result.one.rssAfterMB)} MB |`,
    );
    console.log(`| one client: peak bytes queued for it | ${f(result.one.queuedPeakMB)} MB |`);
    console.log(
      `| ${CLIENTS} clients: server RSS before / peak / after GC | ${f(result.many.rssBeforeMB)} / ${f(result.many.rssPeakMB)} / ${f(result.many.rssAfterMB)} MB |`,
    );
    console.log(
      `| ${CLIENTS} clients: peak bytes queued in all (bound ${MAX_QUEUED_MB} MB) | ${f(result.many.queuedPeakMB)} MB |`,
    );
    console.log(`| ${CLIENTS} clients: closed with 4004 | ${closed4004} |`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      join('bench/results', `slow-reader-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
      JSON.stringify(result, null, 2),
    );
    return result;
  } finally {
    await server.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runSlowReaderBench().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`slow-reader benchmark failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
