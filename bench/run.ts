// The benchmark orchestrator (`npm run bench`). For every scenario it runs a bare node:http server
// (bench/bare-server.ts) and Parley (bench/parley-server.ts), each in its own child process,
// under the same autocannon load from this process: same connections, duration, pipelining and
// kind of request stream, one right after the other. It prints a table and writes
// bench/results/<timestamp>.json.
//
// Settings (environment):
//   BENCH_SECONDS         measured seconds per run (default 10)
//   BENCH_WARMUP_SECONDS  unmeasured warm-up before each run (default 2)
//   BENCH_ROUNDS          bare/Parley pairs per scenario; medians are reported (default 1)
//   BENCH_CONNECTIONS     concurrent connections (default 64)
//   BENCH_MESSAGES        messages stored before the admin_getroammsg runs (default 1000000)
//   BENCH_PAIRS           account pairs = conversations the load is spread over (default 1000)
//   BENCH_SCENARIOS       comma-separated subset of sendmsg,admin_msgwithdraw,admin_getroammsg
//   BENCH_PROFILE=1       CPU-profile Parley during its first measured run of each scenario
//   BENCH_SEED_WRITER     bulk (default; used only if it provably writes the store's rows) or store
//   BENCH_DATA_DIR        where the temporary data directories go (default: the OS temp dir)
//   BENCH_KEEP_DATA=1     keep them afterwards
//   BENCH_SKIP_WRITES=1   ceiling experiment: Parley skips the send and recall transactions (no target is judged)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateUserSig } from '../src/usersig/usersig.js';
import { ServerChild } from './child.js';
import {
  ADMIN,
  SDKAPPID,
  SECRET,
  intEnv,
  loadPair,
  prng,
  sendmsgBody,
  userA,
  userB,
  withdrawRandom,
  withdrawSeq,
} from './common.js';
import { runLoad, type LoadResult, type NextRequest } from './load.js';
import { formatSummary, summarizeProfile, type ProfileSummary } from './profile-summary.js';

// ---- settings -------------------------------------------------------------------------------

const ALL_SCENARIOS = ['sendmsg', 'admin_msgwithdraw', 'admin_getroammsg'] as const;
type ScenarioName = (typeof ALL_SCENARIOS)[number];

const skipWrites = process.env.BENCH_SKIP_WRITES === '1';
const settings = {
  seconds: intEnv('BENCH_SECONDS', 10, 1, 600),
  warmupSeconds: intEnv('BENCH_WARMUP_SECONDS', 2, 0, 60),
  rounds: intEnv('BENCH_ROUNDS', 1, 1, 20),
  connections: intEnv('BENCH_CONNECTIONS', 64, 1, 1024),
  pipelining: 1,
  messages: intEnv('BENCH_MESSAGES', 1_000_000, 1000, 20_000_000),
  pairs: intEnv('BENCH_PAIRS', 1000, 1, 100_000),
  /** The seeded history spans this many seconds, ending a minute before the run. */
  historySpanSeconds: 30 * 86400,
  pageSize: 20,
  scenarios: (process.env.BENCH_SCENARIOS
    ? process.env.BENCH_SCENARIOS.split(',').map((s) => s.trim())
    : [...ALL_SCENARIOS]) as ScenarioName[],
  profile: process.env.BENCH_PROFILE === '1',
  seedWriter: (process.env.BENCH_SEED_WRITER === 'store' ? 'store' : 'bulk') as 'bulk' | 'store',
  dataBase: process.env.BENCH_DATA_DIR || tmpdir(),
  keepData: process.env.BENCH_KEEP_DATA === '1',
  skipWrites,
  storage:
    'SQLite file on disk (createParley defaults: WAL, synchronous=NORMAL, secure_delete=ON, 2 KiB pages, mmap, WAL checkpoints on a worker thread once busy)' +
    (skipWrites
      ? '; CEILING EXPERIMENT: the send and recall transactions are skipped (BENCH_SKIP_WRITES=1), so no target is judged'
      : ''),
  rateLimits: 'off',
  logLevel: 'warn',
};
for (const s of settings.scenarios)
  if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; known: ${ALL_SCENARIOS.join(', ')}`);

/** The whole benchmark gives up after this long, whatever happens. */
const WATCHDOG_MS = 60 * 60 * 1000;

const BARE_JS = fileURLToPath(new URL('./bare-server.js', import.meta.url));
const PARLEY_JS = fileURLToPath(new URL('./parley-server.js', import.meta.url));
const RESULTS_DIR = join(process.cwd(), 'bench', 'results');
const STAMP = new Date().toISOString().replace(/[:.]/g, '-');

const adminSig = generateUserSig({ sdkAppId: SDKAPPID, secretKey: SECRET, identifier: ADMIN, expire: 7 * 86400 });
const apiPath = (command: string, random: number): string =>
  `/v4/openim/${command}?sdkappid=${SDKAPPID}&identifier=${ADMIN}&usersig=${adminSig}&random=${random}&contenttype=json`;

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '-');
const fmtMs = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '-');
const pct = (n: number): string => `${Math.round(n * 100)}%`;
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

// ---- measuring ------------------------------------------------------------------------------

/** A request stream: the next request, and whether it has run out (admin_msgwithdraw). */
interface Stream {
  next: () => NextRequest;
  exhausted?: () => boolean;
}

interface Measured extends LoadResult {
  server: 'bare' | 'parley';
  connections: number;
  /** Server process CPU (user + system) over the run's wall time: 1.0 = one core busy. */
  serverCpu: number;
  /** This process's (the load generator's) CPU over the same time. */
  loadgenCpu: number;
  /** Server CPU time per answered request, in microseconds: what a request costs, nearly independent of other load. */
  cpuUsPerRequest: number;
  /** 1-minute load average when the run started. */
  loadavg1: number;
  profile?: { file: string; summary: ProfileSummary };
}

async function measure(
  label: string,
  child: ServerChild,
  server: 'bare' | 'parley',
  connections: number,
  stream: Stream,
  profileName?: string,
): Promise<Measured> {
  const base = { url: child.url, connections, pipelining: settings.pipelining, ...stream };
  if (settings.warmupSeconds > 0) {
    const w = await runLoad({ ...base, seconds: settings.warmupSeconds });
    if (w.failed > 0) log(`  warm-up of ${label}: ${w.failed} failed responses, first: ${w.firstFailure}`);
  }
  const loadavg1 = loadavg()[0]!;
  if (profileName) await child.call('profile-start');
  const c0 = await child.cpu();
  const p0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await runLoad({ ...base, seconds: settings.seconds });
  const wall = performance.now() - t0;
  const p1 = process.cpuUsage(p0);
  const c1 = await child.cpu();
  const out: Measured = {
    ...r,
    server,
    connections,
    loadavg1,
    serverCpu: (c1.user - c0.user + (c1.system - c0.system)) / 1000 / (c1.wallMs - c0.wallMs),
    loadgenCpu: (p1.user + p1.system) / 1000 / wall,
    cpuUsPerRequest: (c1.user - c0.user + (c1.system - c0.system)) / Math.max(1, r.ok + r.failed),
  };
  if (profileName) {
    const file = join(RESULTS_DIR, `${STAMP}-${profileName}.cpuprofile`);
    await child.call('profile-stop', { file });
    out.profile = { file, summary: summarizeProfile(file, 30) };
  }
  log(
    `  ${label}: ${fmtInt(out.rps)} req/s, p50 ${fmtMs(out.latencyMs.p50)} ms, p99 ${fmtMs(out.latencyMs.p99)} ms, ` +
      `server CPU ${pct(out.serverCpu)} (${fmtInt(out.cpuUsPerRequest)} µs/request), load ${loadavg1.toFixed(2)}` +
      `${out.failed ? `, ${out.failed} FAILED (${out.firstFailure})` : ''}${out.errors ? `, ${out.errors} connection errors` : ''}`,
  );
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The median run of several (per figure), with failures summed; the runs themselves are kept too. */
function medianOf(runs: Measured[]): Measured {
  if (runs.length === 1) return runs[0]!;
  const first = runs[0]!;
  const failures = runs.find((r) => r.firstFailure)?.firstFailure;
  return {
    server: first.server,
    connections: first.connections,
    ok: median(runs.map((r) => r.ok)),
    failed: runs.reduce((a, r) => a + r.failed, 0),
    ...(failures !== undefined ? { firstFailure: failures } : {}),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    timeouts: runs.reduce((a, r) => a + r.timeouts, 0),
    durationS: median(runs.map((r) => r.durationS)),
    rps: median(runs.map((r) => r.rps)),
    latencyMs: {
      mean: median(runs.map((r) => r.latencyMs.mean)),
      p50: median(runs.map((r) => r.latencyMs.p50)),
      p90: median(runs.map((r) => r.latencyMs.p90)),
      p99: median(runs.map((r) => r.latencyMs.p99)),
      max: Math.max(...runs.map((r) => r.latencyMs.max)),
    },
    stoppedEarly: runs.some((r) => r.stoppedEarly),
    serverCpu: median(runs.map((r) => r.serverCpu)),
    loadgenCpu: median(runs.map((r) => r.loadgenCpu)),
    cpuUsPerRequest: median(runs.map((r) => r.cpuUsPerRequest)),
    loadavg1: median(runs.map((r) => r.loadavg1)),
    ...(runs.find((r) => r.profile) ? { profile: runs.find((r) => r.profile)!.profile! } : {}),
  };
}

interface Comparison {
  bare: Measured;
  parley: Measured;
  /** Median over rounds of Parley's req/s divided by the bare server's in the same round. */
  ratio: number;
  rounds: Array<{ bare: Measured; parley: Measured; ratio: number }>;
}

function compare(rounds: Array<{ bare: Measured; parley: Measured }>): Comparison {
  const rs = rounds.map((r) => ({ ...r, ratio: r.parley.rps / r.bare.rps }));
  return {
    bare: medianOf(rs.map((r) => r.bare)),
    parley: medianOf(rs.map((r) => r.parley)),
    ratio: median(rs.map((r) => r.ratio)),
    rounds: rs,
  };
}

// ---- scenarios ------------------------------------------------------------------------------

interface ScenarioResult extends Comparison {
  scenario: string;
  connections: number;
  target?: { text: string; met: boolean };
  notes: string[];
  extra?: Record<string, unknown>;
}

/** Starts Parley (with the account pairs imported) and the bare server, runs fn, stops both. */
async function withServers<T>(fn: (parley: ServerChild, bare: ServerChild) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(settings.dataBase, 'parley-bench-'));
  let parley: ServerChild | undefined;
  let bare: ServerChild | undefined;
  try {
    parley = await ServerChild.start('parley', PARLEY_JS, { BENCH_DATA_DIR: dataDir });
    await parley.call('import-accounts', { pairs: settings.pairs });
    bare = await ServerChild.start('bare', BARE_JS);
    return await fn(parley, bare);
  } finally {
    await bare?.stop();
    await parley?.stop();
    if (!settings.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface SeedWriterChoice {
  writer: 'bulk' | 'store';
  /** Differences between the bulk writer's rows and appendMessages' rows (empty: identical). */
  differences: string[];
}

let writerChoice: SeedWriterChoice | undefined;

/** Bulk seeding only when it writes, row for row, what the store's appendMessages writes. */
async function chooseWriter(parley: ServerChild): Promise<SeedWriterChoice> {
  if (settings.seedWriter === 'store') return { writer: 'store', differences: [] };
  if (!writerChoice) {
    const differences = await parley.call<string[]>('check-bulk');
    if (differences.length)
      log(
        `  ! the bulk writer's rows differ from appendMessages' rows; seeding through the store:\n    ${differences.join('\n    ')}`,
      );
    writerChoice = { writer: differences.length ? 'store' : 'bulk', differences };
  }
  return writerChoice;
}

const writerNote = (c: SeedWriterChoice): string =>
  c.writer === 'bulk'
    ? "bulk writer, checked in this run to write the same rows in every table as the store's appendMessages"
    : `the store's appendMessages${c.differences.length ? ` (the bulk writer differed: ${c.differences.join('; ')})` : ''}`;

type Ref = { from: string; to: string; seq: number; random: number; time: number };

/** Compares a seeded message's stored form (row and events) with one a real sendmsg over HTTP wrote. */
async function checkSeedShape(parley: ServerChild, seeded: Ref): Promise<string[]> {
  const from = userA(0);
  const to = userB(0);
  const res = await fetch(parley.url + apiPath('sendmsg', 1), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: sendmsgBody(from, to, 4242),
  });
  const j = (await res.json()) as { ErrorCode: number; MsgKey: string };
  if (j.ErrorCode !== 0) return [`the reference sendmsg failed: ${JSON.stringify(j)}`];
  const [seq, random, time] = j.MsgKey.split('_').map(Number) as [number, number, number];
  type Described = { row: Record<string, unknown>; events: Array<Record<string, unknown>> } | null;
  const real = await parley.call<Described>('describe', { from, to, seq, random, time });
  const mine = await parley.call<Described>('describe', seeded);
  if (!real || !mine) return ['a compared message was not found'];
  const diffs: string[] = [];
  const skip = new Set(['id', 'sender', 'recipient', 'user_lo', 'user_hi', 'seq', 'random', 'time']);
  for (const k of new Set([...Object.keys(real.row), ...Object.keys(mine.row)])) {
    if (skip.has(k)) continue;
    if (JSON.stringify(real.row[k]) !== JSON.stringify(mine.row[k]))
      diffs.push(`messages.${k}: API ${JSON.stringify(real.row[k])} vs seeded ${JSON.stringify(mine.row[k])}`);
  }
  const ev = (d: NonNullable<Described>, m: { from: string; to: string }) =>
    d.events
      .map((e) => ({
        user: e.user_id === m.from ? 'sender' : e.user_id === m.to ? 'recipient' : e.user_id,
        kind: e.kind,
        data: e.data,
        keep: (e.expires_at as number) - (e.at as number),
        device: e.origin_device,
      }))
      .sort((a, b) => String(a.user).localeCompare(String(b.user)));
  const re = JSON.stringify(ev(real, { from, to }));
  const me = JSON.stringify(ev(mine, seeded));
  if (re !== me) diffs.push(`events: API ${re} vs seeded ${me}`);
  if (diffs.length) log(`  ! seeded rows differ from API-written rows:\n    ${diffs.join('\n    ')}`);
  return diffs;
}

/** sendmsg over the account pairs, both directions, a unique MsgRandom per request. */
function sendmsgStream(): Stream {
  let c = 0;
  return {
    next: () => {
      const i = c++;
      return { path: apiPath('sendmsg', i), body: sendmsgBody(...loadPair(i, settings.pairs), i + 1) };
    },
  };
}

async function scenarioSendmsg(): Promise<ScenarioResult> {
  const conns = settings.connections;
  return withServers(async (p, b) => {
    const bareStream = sendmsgStream();
    const parleyStream = sendmsgStream();
    const rounds: Array<{ bare: Measured; parley: Measured }> = [];
    for (let r = 0; r < settings.rounds; r++) {
      const bare = await measure('sendmsg / bare', b, 'bare', conns, bareStream);
      const parley = await measure(
        'sendmsg / parley',
        p,
        'parley',
        conns,
        parleyStream,
        settings.profile && r === 0 ? 'sendmsg' : undefined,
      );
      rounds.push({ bare, parley });
    }
    const stats = await p.call<{ messages: number }>('db-stats');
    const c = compare(rounds);
    return {
      scenario: 'sendmsg',
      connections: conns,
      ...c,
      target: { text: '≥ 0.5× bare req/s', met: c.ratio >= 0.5 },
      notes: [
        `${settings.pairs} account pairs, both directions, unique MsgRandom per request, SyncOtherMachine 1; ` +
          `${stats.messages.toLocaleString('en')} messages stored at the end (warm-ups + runs)`,
      ],
      extra: { storedMessages: stats.messages },
    };
  });
}

async function scenarioWithdraw(): Promise<ScenarioResult> {
  const conns = settings.connections;
  // The i-th prepared message belongs to pair i % pairs (a → b) and was sent at `time`.
  const time = Math.floor(Date.now() / 1000) - 60;
  const withdrawStream = (limit: () => number) => {
    let i = 0;
    return {
      next: (): NextRequest => {
        const k = i++;
        const pair = k % settings.pairs;
        return {
          path: apiPath('admin_msgwithdraw', k),
          body: `{"From_Account":"${userA(pair)}","To_Account":"${userB(pair)}","MsgKey":"${withdrawSeq(k)}_${withdrawRandom(k)}_${time}"}`,
        };
      },
      used: () => i,
      exhausted: () => i >= limit(),
    };
  };
  return withServers(async (p, b) => {
    const bareStream = withdrawStream(() => Infinity);
    let prepared = 0;
    const parleyStream = withdrawStream(() => prepared);
    let prep: { ms: number } | undefined;
    let shape: string[] = [];
    let w: SeedWriterChoice | undefined;
    const rounds: Array<{ bare: Measured; parley: Measured }> = [];
    for (let r = 0; r < settings.rounds; r++) {
      const bare = await measure('admin_msgwithdraw / bare', b, 'bare', conns, { next: bareStream.next });
      if (r === 0) {
        // Enough for every round's warm-up and run at the bare server's rate plus half, which
        // Parley cannot outrun; should it still run out, the run stops and says so.
        prepared = Math.max(
          10_000,
          Math.ceil(bare.rps * (settings.seconds + settings.warmupSeconds) * settings.rounds * 1.5) + 4 * conns,
        );
        w = await chooseWriter(p);
        log(`  preparing ${prepared.toLocaleString('en')} messages to recall (${w.writer} writer)`);
        prep = await p.call<{ ms: number }>('prepare-withdraw', {
          pairs: settings.pairs,
          from: 0,
          count: prepared,
          time,
          writer: w.writer,
        });
        await p.call('checkpoint');
        shape = await checkSeedShape(p, {
          from: userA(0),
          to: userB(0),
          seq: withdrawSeq(0),
          random: withdrawRandom(0),
          time,
        });
      }
      const parley = await measure(
        'admin_msgwithdraw / parley',
        p,
        'parley',
        conns,
        parleyStream,
        settings.profile && r === 0 ? 'admin_msgwithdraw' : undefined,
      );
      rounds.push({ bare, parley });
      if (parleyStream.exhausted()) break;
    }
    const c = compare(rounds);
    const notes = [
      `${prepared.toLocaleString('en')} messages prepared in ${((prep?.ms ?? 0) / 1000).toFixed(1)} s (${writerNote(w!)}); ` +
        `${parleyStream.used().toLocaleString('en')} recall requests built (warm-ups + runs), each for a distinct message`,
    ];
    if (c.parley.stoppedEarly)
      notes.push(
        `RAN OUT of prepared messages: a run stopped early (after ${c.rounds.at(-1)!.parley.durationS.toFixed(1)} s)`,
      );
    if (shape.length) notes.push(`prepared rows differ from API-written rows: ${shape.join('; ')}`);
    return {
      scenario: 'admin_msgwithdraw',
      connections: conns,
      ...c,
      target: { text: '≥ 0.5× bare req/s', met: c.ratio >= 0.5 },
      notes,
      extra: {
        prepared,
        used: parleyStream.used(),
        exhausted: c.parley.stoppedEarly,
        prepareMs: prep?.ms,
        writer: w,
        seedShapeDifferences: shape,
      },
    };
  });
}

async function scenarioGetroammsg(): Promise<ScenarioResult[]> {
  return withServers(async (p, b) => {
    const endTime = Math.floor(Date.now() / 1000) - 60;
    const w = await chooseWriter(p);
    log(
      `  seeding ${settings.messages.toLocaleString('en')} messages over ${settings.pairs} conversations (${w.writer} writer)`,
    );
    const seed = await p.call<{
      messages: number;
      ms: number;
      perSecond: number;
      firstTime: number;
      lastTime: number;
      sample: Ref;
    }>('seed-history', {
      pairs: settings.pairs,
      messages: settings.messages,
      spanSeconds: settings.historySpanSeconds,
      endTime,
      seed: 42,
      writer: w.writer,
    });
    log(`  seeded in ${(seed.ms / 1000).toFixed(1)} s (${fmtInt(seed.perSecond)} messages/s); checkpointing the WAL`);
    const ckpt0 = performance.now();
    await p.call('checkpoint');
    const checkpointMs = performance.now() - ckpt0;
    const shape = await checkSeedShape(p, seed.sample);
    const stats = await p.call<Record<string, number | string>>('db-stats');

    // Pages of MaxCnt 20 ending at a random time of the seeded span, in a random conversation,
    // read by a random side of it.
    const stream = (seedNo: number): Stream => {
      const rnd = prng(seedNo);
      let c = 0;
      return {
        next: () => {
          const pair = Math.floor(rnd() * settings.pairs);
          const aSide = rnd() < 0.5;
          const maxTime = seed.firstTime + Math.floor(rnd() * (seed.lastTime - seed.firstTime + 1));
          return {
            path: apiPath('admin_getroammsg', c++),
            body:
              `{"Operator_Account":"${aSide ? userA(pair) : userB(pair)}","Peer_Account":"${aSide ? userB(pair) : userA(pair)}",` +
              `"MaxCnt":${settings.pageSize},"MinTime":0,"MaxTime":${maxTime}}`,
          };
        },
      };
    };
    // The bare server answers a real page of this store, re-serialized per request.
    const sample = stream(1).next();
    const pageJson = await (
      await fetch(p.url + sample.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: sample.body,
      })
    ).text();
    const page = JSON.parse(pageJson) as { ErrorCode: number; MsgCnt: number };
    if (page.ErrorCode !== 0) throw new Error(`sample admin_getroammsg failed: ${pageJson.slice(0, 300)}`);
    await b.call('set-page', { json: pageJson });

    const conns = settings.connections;
    const many: Array<{ bare: Measured; parley: Measured }> = [];
    const one: Array<{ bare: Measured; parley: Measured }> = [];
    const streams = { bareMany: stream(7), parleyMany: stream(7), bareOne: stream(8), parleyOne: stream(8) };
    for (let r = 0; r < settings.rounds; r++) {
      many.push({
        bare: await measure(`admin_getroammsg ${conns} conn / bare`, b, 'bare', conns, streams.bareMany),
        parley: await measure(
          `admin_getroammsg ${conns} conn / parley`,
          p,
          'parley',
          conns,
          streams.parleyMany,
          settings.profile && r === 0 ? `admin_getroammsg-${conns}` : undefined,
        ),
      });
      one.push({
        bare: await measure('admin_getroammsg 1 conn / bare', b, 'bare', 1, streams.bareOne),
        parley: await measure(
          'admin_getroammsg 1 conn / parley',
          p,
          'parley',
          1,
          streams.parleyOne,
          settings.profile && r === 0 ? 'admin_getroammsg-1' : undefined,
        ),
      });
    }
    const notes = [
      `${Number(stats.messages).toLocaleString('en')} messages in ${settings.pairs} conversations over ${settings.historySpanSeconds / 86400} days, ` +
        `seeded in ${(seed.ms / 1000).toFixed(1)} s (${fmtInt(seed.perSecond)} messages/s; ${writerNote(w)}), WAL checkpointed in ${(checkpointMs / 1000).toFixed(1)} s; ` +
        `database ${((Number(stats.pages) * Number(stats.pageSize)) / 2 ** 20).toFixed(0)} MiB; sample page ${pageJson.length} bytes with MsgCnt ${page.MsgCnt}`,
    ];
    if (shape.length) notes.push(`seeded rows differ from API-written rows: ${shape.join('; ')}`);
    const cMany = compare(many);
    const cOne = compare(one);
    return [
      {
        scenario: 'admin_getroammsg',
        connections: conns,
        ...cMany,
        notes,
        extra: {
          seed,
          writer: w,
          checkpointMs,
          dbStats: stats,
          samplePageBytes: pageJson.length,
          seedShapeDifferences: shape,
        },
      },
      {
        scenario: 'admin_getroammsg',
        connections: 1,
        ...cOne,
        target: {
          text: `page p99 ≤ 5 ms with ${Number(stats.messages).toLocaleString('en')} messages stored`,
          met: cOne.parley.latencyMs.p99 <= 5,
        },
        notes: ['one connection: the latency of a single page request, not queued behind others'],
      },
    ];
  });
}

// ---- reporting ------------------------------------------------------------------------------

function machine() {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    node: process.version,
    os: `${process.platform} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

function uptimeLine(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`;
  }
}

function targetCell(t: { text: string; met: boolean }): string {
  return settings.skipWrites ? `not judged: writes skipped (${t.text})` : `${t.met ? 'MET' : 'MISSED'} (${t.text})`;
}

function table(results: ScenarioResult[]): string {
  const head = [
    'scenario',
    'conns',
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'vs bare',
    'server CPU',
    'CPU µs/req',
    'loadgen CPU',
    'load',
    'target',
  ];
  const rows: string[][] = [];
  for (const r of results) {
    for (const m of [r.bare, r.parley]) {
      rows.push([
        r.scenario,
        String(r.connections),
        m.server,
        fmtInt(m.rps),
        fmtMs(m.latencyMs.p50),
        fmtMs(m.latencyMs.p99),
        m.server === 'parley' ? `${r.ratio.toFixed(2)}×` : '1×',
        pct(m.serverCpu),
        fmtInt(m.cpuUsPerRequest),
        pct(m.loadgenCpu),
        m.loadavg1.toFixed(2),
        m.server === 'parley' && r.target ? targetCell(r.target) : '',
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i <= 2 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    log(`bench: gave up after ${WATCHDOG_MS / 60000} minutes`);
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  mkdirSync(RESULTS_DIR, { recursive: true });

  const m = machine();
  const startedAt = new Date().toISOString();
  const uptimeStart = uptimeLine();
  const loadStart = loadavg();
  const out = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  out(`Parley benchmark ${startedAt}`);
  out(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.os}`);
  out(
    `settings: ${settings.connections} connections, pipelining ${settings.pipelining}, ${settings.seconds} s per run after ${settings.warmupSeconds} s warm-up, ` +
      `${settings.rounds} round(s), ${settings.pairs} account pairs, ${settings.messages.toLocaleString('en')} messages for admin_getroammsg, ` +
      `rate limits ${settings.rateLimits}, log level ${settings.logLevel}`,
  );
  out(`storage: ${settings.storage}, data under ${settings.dataBase}`);
  out(`at start: ${uptimeStart}\n`);

  const results: ScenarioResult[] = [];
  for (const s of settings.scenarios) {
    log(s);
    if (s === 'sendmsg') results.push(await scenarioSendmsg());
    else if (s === 'admin_msgwithdraw') results.push(await scenarioWithdraw());
    else results.push(...(await scenarioGetroammsg()));
  }

  const uptimeEnd = uptimeLine();
  const loadEnd = loadavg();
  out(`\n${table(results)}\n`);
  out(
    '(req/s, p50, p99, CPU: medians over rounds; "vs bare": median of per-round req/s ratios; "CPU µs/req": server CPU time per answered request;',
  );
  out(' "load": 1-minute load average as the run began)');
  for (const r of results) for (const n of r.notes) out(`- ${r.scenario} (${r.connections} conn): ${n}`);
  for (const r of results) {
    for (const x of [r.bare, r.parley]) {
      if (x.failed || x.errors)
        out(
          `! ${r.scenario} ${x.server}: ${x.failed} failed responses, ${x.errors} connection errors${x.firstFailure ? `; first: ${x.firstFailure}` : ''}`,
        );
    }
  }
  out(`\nat start: ${uptimeStart}\nat end:   ${uptimeEnd}`);
  if (settings.profile) {
    for (const r of results) {
      const prof = r.parley.profile;
      if (!prof) continue;
      out(
        `\nprofile of Parley, ${r.scenario} (${r.connections} conn): ${prof.file}\n${formatSummary(prof.summary, 12)}`,
      );
    }
  }

  const file = join(RESULTS_DIR, `${STAMP}.json`);
  const json = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: m,
    load: { start: { loadavg: loadStart, uptime: uptimeStart }, end: { loadavg: loadEnd, uptime: uptimeEnd } },
    settings,
    results,
    targets: settings.skipWrites
      ? []
      : results.filter((r) => r.target).map((r) => ({ scenario: r.scenario, connections: r.connections, ...r.target })),
  };
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  out(`\nresults: ${file}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`bench: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
