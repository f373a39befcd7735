// Starts a real Parley server on an ephemeral port for a test, with a frozen clock and a fresh
// SQLite file, and calls its REST API the way a Tencent IM backend would.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createParley, type Parley } from '../../src/app.js';
import type { AppConfig, ServerConfig } from '../../src/config/config.js';
import { ManualClock } from '../../src/ports/clock.js';
import type { Store } from '../../src/ports/store.js';
import type { Bus } from '../../src/ports/bus.js';
import type { GatewayLimits } from '../../src/gateway/gateway.js';
import { generateUserSig } from '../../src/usersig/usersig.js';

export const SDKAPPID = 1400000000;
/** The public sample key of Tencent's READMEs. */
export const SECRET = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
export const ADMIN = 'administrator';
/** 2023-11-14T22:13:20Z */
export const T0 = 1700000000;

export interface TestServer {
  parley: Parley;
  base: string;
  clock: ManualClock;
  app: AppConfig;
  dataDir: string;
  /** Every log line the server wrote. */
  logs: string[];
  /** An admin UserSig valid for a day from T0. */
  adminSig: string;
  sig(identifier: string, opts?: { expire?: number; now?: number; sdkAppId?: number; secretKey?: string }): string;
  /** POST /v4/<api> with the admin's credentials (or the overrides) and a JSON (or raw) body. */
  call(api: string, body: unknown, opts?: CallOptions): Promise<Record<string, any>>;
  /** The same, returning the raw Response. */
  post(api: string, body: unknown, opts?: CallOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface CallOptions {
  identifier?: string;
  usersig?: string;
  sdkappid?: string | number | null;
  /** Extra or replacement query string (replaces the whole query when `rawQuery` is set). */
  rawQuery?: string;
  headers?: Record<string, string>;
  /** Send the body as given (a string), not JSON-encoded. */
  raw?: boolean;
}

export interface TestServerOptions {
  apps?: AppConfig[];
  /** Rate limits off by default in tests, so only the rate-limit tests meet them. */
  rateLimits?: AppConfig['rateLimits'];
  store?: Store;
  /** A shared bus (e.g. RedisBus) for several nodes in one test; the caller closes it. */
  bus?: Bus;
  dataDir?: string;
  now?: number;
  /** The client gateway's limits (pages, send buffer, deadlines). */
  gateway?: Partial<GatewayLimits>;
  /** The callback outbox's idle poll (ms). */
  callbackPollMs?: number;
  /** Extra server settings (e.g. httpLimits, metrics). */
  config?: Partial<ServerConfig>;
}

export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-test-'));
  const clock = new ManualClock((o.now ?? T0) * 1000);
  const app: AppConfig = { sdkAppId: SDKAPPID, secretKey: SECRET, admins: [ADMIN], rateLimits: o.rateLimits ?? false };
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'info',
    apps: o.apps ?? [app],
    devApp: false,
    ...o.config,
  };
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const parley = await createParley(config, {
    clock,
    logStream,
    ...(o.store ? { store: o.store } : {}),
    ...(o.bus ? { bus: o.bus } : {}),
    ...(o.gateway ? { gateway: o.gateway } : {}),
    ...(o.callbackPollMs !== undefined ? { callbackPollMs: o.callbackPollMs } : {}),
  });
  const base = await parley.listen();
  const first = config.apps[0]!;
  const sig: TestServer['sig'] = (identifier, s = {}) =>
    generateUserSig({
      sdkAppId: s.sdkAppId ?? first.sdkAppId,
      secretKey: s.secretKey ?? first.secretKey,
      identifier,
      expire: s.expire ?? 86400,
      now: s.now ?? Math.floor(clock.nowMs() / 1000),
    });
  const adminSig = sig(first.admins[0]!);
  const post: TestServer['post'] = (api, body, c = {}) => {
    const params = new URLSearchParams();
    if (c.sdkappid !== null) params.set('sdkappid', String(c.sdkappid ?? first.sdkAppId));
    params.set('identifier', c.identifier ?? first.admins[0]!);
    params.set('usersig', c.usersig ?? adminSig);
    params.set('random', String(Math.floor(Math.random() * 4294967295)));
    params.set('contenttype', 'json');
    const query = c.rawQuery ?? params.toString();
    return fetch(`${base}/v4/${api}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...c.headers },
      body: c.raw ? (body as string) : JSON.stringify(body),
    });
  };
  return {
    parley,
    base,
    clock,
    app: first,
    dataDir,
    logs,
    adminSig,
    sig,
    post,
    async call(api, body, c) {
      const res = await post(api, body, c);
      if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${api}: ${await res.text()}`);
      return (await res.json()) as Record<string, any>;
    },
    async close() {
      await parley.close();
      if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with a fresh server where these accounts are imported (the admin exists already), and closes it. */
export async function withServer(
  users: string[],
  fn: (s: TestServer) => Promise<void>,
  o: TestServerOptions = {},
): Promise<void> {
  const s = await startTestServer(o);
  try {
    for (let i = 0; i < users.length; i += 100) {
      const r = await s.call('im_open_login_svc/multiaccount_import', { Accounts: users.slice(i, i + 100) });
      assert.equal(r.ErrorCode, 0, r.ErrorInfo);
      assert.deepEqual(r.FailAccounts, []);
    }
    await fn(s);
  } finally {
    await s.close();
  }
}
