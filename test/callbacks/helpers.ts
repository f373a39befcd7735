// Shared helpers of the callback (webhook) tests: a real HTTP receiver on 127.0.0.1 whose
// behaviour each test scripts, a Parley server pointed at it, a WebSocket client, waits on
// conditions (never sleeps) and readers for /metrics, the outbox and the logs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after } from 'node:test';
import { PostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import type { AppConfig, CallbackCommand, CallbackConfig } from '../../src/config/config.js';
import type { OutboxEntry } from '../../src/ports/store.js';
import { CALLBACK_COMMANDS } from '../../src/config/config.js';
import { text } from '../helpers/rest.js';
import { inDatabaseFiles } from '../helpers/files.js';
import { probePostgres } from '../helpers/postgres.js';
import {
  ADMIN,
  SDKAPPID,
  SECRET,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

export { text } from '../helpers/rest.js';
export { WsClient } from '../helpers/ws.js';

/** How long any wait may take before the test fails (a safety net, never an expectation). */
export const SAFETY_MS = 20_000;

export const OK_REPLY = { ActionStatus: 'OK', ErrorInfo: '', ErrorCode: 0 };

/** One request as the receiver saw it. */
export interface Hit {
  /** 0, 1, 2 … in arrival order. */
  n: number;
  method: string;
  path: string;
  /** The query string as written (to check its parameters exactly). */
  rawQuery: string;
  query: Record<string, string>;
  /** Parameter names in order, repeats included. */
  queryKeys: string[];
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: any;
  /** The CallbackCommand query parameter. */
  command: string;
  /** Which TCP connection carried it (1, 2 … per receiver). */
  socket: number;
  /** Set once this receiver has finished answering it (or the connection went away). */
  settled: boolean;
  /** True when the caller went away before the answer was complete. */
  abandoned: boolean;
}

/** What the receiver does with one request. */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'json'; body: unknown; status?: number }
  | { kind: 'status'; status: number; text?: string }
  | { kind: 'garbage' }
  | { kind: 'hang' }
  | { kind: 'destroy' }
  | { kind: 'redirect'; location: string; status?: number };

export const ok: Behaviour = { kind: 'ok' };
export const reply = (body: unknown, status = 200): Behaviour => ({ kind: 'json', body, status });
export const status500: Behaviour = { kind: 'status', status: 500, text: 'Internal Server Error' };
export const garbage: Behaviour = { kind: 'garbage' };
export const hang: Behaviour = { kind: 'hang' };
export const destroy: Behaviour = { kind: 'destroy' };

interface Waiter {
  check(): boolean;
}

/**
 * A webhook receiver: node:http on 127.0.0.1:<ephemeral>. Records every request; `script`
 * decides each answer (default: the OK envelope). `down()` closes the port, `up()` reopens it.
 */
export class Receiver {
  readonly hits: Hit[] = [];
  script: (h: Hit) => Behaviour = () => ok;
  port = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private socketIds = new WeakMap<Socket, number>();
  private nextSocket = 1;
  private held: Array<{ hit: Hit; res: http.ServerResponse }> = [];
  private waiters = new Set<Waiter>();

  constructor() {
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    // Keep idle connections for a minute, so keep-alive reuse does not depend on test speed.
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (sock) => {
      this.socketIds.set(sock, this.nextSocket++);
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
  }

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    await r.up();
    return r;
  }

  /** The URL to configure; `path` may carry its own query string. */
  url(path = '/im/callback'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  get isUp(): boolean {
    return this.server.listening;
  }

  /** Listens again (on the same port once it had one). */
  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Closes the port and every open connection: callers meet "connection refused". */
  async down(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const h of this.held) h.res.destroy();
    this.held = [];
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  async stop(): Promise<void> {
    if (this.server.listening) await this.down();
  }

  /** Answers every held request with the OK envelope (or `b`); returns how many were still open. */
  release(b: Behaviour = ok): number {
    const held = this.held;
    this.held = [];
    let open = 0;
    for (const h of held) {
      if (!h.res.destroyed && !h.res.socket?.destroyed) open++;
      this.answer(h.hit, h.res, b);
    }
    return open;
  }

  /** Requests held right now whose connection is still open. */
  heldOpen(): Hit[] {
    return this.held.filter((h) => !h.res.destroyed && !h.res.socket?.destroyed).map((h) => h.hit);
  }

  /** Requests of one command (all of them by default). */
  of(command?: string): Hit[] {
    return command === undefined ? [...this.hits] : this.hits.filter((h) => h.command === command);
  }

  /**
   * Resolves with the hits matching `pred` once there are at least `count`; fails the test if that
   * does not happen within the safety time.
   */
  waitFor(count: number, pred: (h: Hit) => boolean = () => true, what = ''): Promise<Hit[]> {
    return this.waitUntil(() => {
      const m = this.hits.filter(pred);
      return m.length >= count ? m : undefined;
    }, what || `${count} callback request(s)`);
  }

  /** Waits for `count` requests of `command`. */
  waitForCommand(command: string, count = 1): Promise<Hit[]> {
    return this.waitFor(count, (h) => h.command === command, `${count} × ${command}`);
  }

  /** Resolves once `probe` returns something (checked whenever a request arrives or settles). */
  waitUntil<T>(probe: () => T | undefined, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = probe();
      if (first !== undefined) return resolve(first);
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(
          new Error(
            `receiver: timed out waiting for ${what}; got ${this.hits.length} request(s): ${this.hits.map((h) => h.command).join(', ')}`,
          ),
        );
      }, SAFETY_MS);
      const w: Waiter = {
        check: () => {
          const v = probe();
          if (v === undefined) return false;
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(v);
          return true;
        },
      };
      this.waiters.add(w);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w.check();
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const hit: Hit = {
        n: this.hits.length,
        method: req.method ?? '',
        path: url.pathname,
        rawQuery: url.search.slice(1),
        query: Object.fromEntries(url.searchParams),
        queryKeys: [...url.searchParams.keys()],
        headers: req.headers,
        rawBody,
        body,
        command: url.searchParams.get('CallbackCommand') ?? '',
        socket: this.socketIds.get(req.socket) ?? 0,
        settled: false,
        abandoned: false,
      };
      res.on('close', () => {
        if (!res.writableFinished) hit.abandoned = true;
        hit.settled = true;
        this.notify();
      });
      this.hits.push(hit);
      let b: Behaviour;
      try {
        b = this.script(hit);
      } catch (e) {
        b = { kind: 'status', status: 599, text: String(e) };
      }
      if (b.kind === 'hang') this.held.push({ hit, res });
      else this.answer(hit, res, b);
      this.notify();
    });
  }

  private answer(_hit: Hit, res: http.ServerResponse, b: Behaviour): void {
    if (res.destroyed || res.writableEnded) return;
    res.on('error', () => undefined);
    switch (b.kind) {
      case 'ok':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(OK_REPLY));
      case 'json':
        return void res
          .writeHead(b.status ?? 200, { 'content-type': 'application/json' })
          .end(typeof b.body === 'string' ? b.body : JSON.stringify(b.body));
      case 'status':
        return void res.writeHead(b.status, { 'content-type': 'text/plain' }).end(b.text ?? '');
      case 'garbage':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>\u0000\u00ff not json }{');
      case 'destroy':
        return void res.socket?.destroy();
      case 'redirect':
        return void res.writeHead(b.status ?? 302, { location: b.location }).end();
      case 'hang':
        return;
    }
  }
}

// ---- the server under test --------------------------------------------------------------------

/**
 * The store the suite runs on: SQLite by default; PARLEY_TEST_STORE=postgres runs it on
 * PostgreSQL (test/callbacks/postgres.test.ts does), a schema per data directory so that a
 * restart on the same directory finds its data again.
 */
export const STORE: 'sqlite' | 'postgres' = process.env.PARLEY_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
const pgUrl = STORE === 'postgres' ? await probePostgres() : undefined;
const schemas = new Map<string, string>();
if (pgUrl && 'url' in pgUrl) {
  after(async () => {
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: pgUrl.url });
    await admin.connect();
    for (const schema of schemas.values()) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });
}

/** startTestServer on the suite's store. */
export async function startServer(o: TestServerOptions = {}): Promise<TestServer> {
  if (STORE === 'sqlite') return startTestServer(o);
  if (!pgUrl || !('url' in pgUrl))
    throw new Error(`PARLEY_TEST_STORE=postgres but no PostgreSQL: ${pgUrl && 'reason' in pgUrl ? pgUrl.reason : ''}`);
  const place = o.dataDir ?? `server-${schemas.size}`;
  let schema = schemas.get(place);
  if (!schema) {
    schema = `parley_cb_${randomBytes(6).toString('hex')}`;
    schemas.set(place, schema);
  }
  return startTestServer({ ...o, store: new PostgresStore({ connectionString: pgUrl.url, schema }) });
}

export type CallbackOptions = Partial<Omit<CallbackConfig, 'url'>> & { url?: string };

/** An app whose callbacks go to `url`; long timeout by default so only hang tests meet it. */
export function appWithCallback(url: string, c: CallbackOptions = {}, extra: Partial<AppConfig> = {}): AppConfig {
  return {
    sdkAppId: SDKAPPID,
    secretKey: SECRET,
    admins: [ADMIN],
    rateLimits: false,
    ...extra,
    callback: {
      commands: [...CALLBACK_COMMANDS],
      timeoutMs: 15_000,
      beforeSendFailure: 'deliver',
      maxAgeSeconds: 86400,
      ...c,
      url: c.url ?? url,
    },
  };
}

export interface Setup {
  r: Receiver;
  s: TestServer;
}

export interface SetupOptions {
  /** The app's callback section; a function gets the receiver (to build URLs on its port). */
  callback?: CallbackOptions | ((r: Receiver) => CallbackOptions);
  app?: Partial<AppConfig>;
  users?: string[];
  /** Server clock start (Unix s). */
  now?: number;
  dataDir?: string;
}

/** A receiver, a server calling it, these accounts; everything is closed afterwards. */
export async function withCallbacks(o: SetupOptions, fn: (x: Setup) => Promise<void>): Promise<void> {
  const r = await Receiver.start();
  let s: TestServer | undefined;
  try {
    s = await startServer({
      apps: [appWithCallback(r.url(), typeof o.callback === 'function' ? o.callback(r) : o.callback, o.app)],
      ...(o.now !== undefined ? { now: o.now } : {}),
      ...(o.dataDir ? { dataDir: o.dataDir } : {}),
    });
    await importUsers(s, o.users ?? ['alice', 'bob']);
    await fn({ r, s });
  } finally {
    await s?.close();
    await r.stop();
  }
}

/** The accounts imported into each server, for the readers that walk its conversations. */
const imported = new WeakMap<TestServer, string[]>();

export async function importUsers(s: TestServer, users: string[]): Promise<void> {
  if (users.length === 0) return;
  imported.set(s, [...(imported.get(s) ?? []), ...users]);
  const res = await s.call('im_open_login_svc/multiaccount_import', { Accounts: users }, { usersig: s.sig(ADMIN) });
  assert.equal(res.ErrorCode, 0, res.ErrorInfo);
}

/** POST /v4/openim/<api> as the admin with a UserSig minted at the server clock's time. */
export const openim = (s: TestServer, api: string, body: unknown): Promise<Record<string, any>> =>
  s.call(`openim/${api}`, body, { usersig: s.sig(ADMIN) });

export function expectOk(r: Record<string, any>, what = ''): void {
  assert.equal(r.ErrorCode, 0, `${what}: expected success, got ${r.ErrorCode} ${r.ErrorInfo}`);
  assert.equal(r.ActionStatus, 'OK', what);
}

export function expectFail(r: Record<string, any>, code: number, what = ''): void {
  assert.equal(r.ErrorCode, code, `${what}: expected ErrorCode ${code}, got ${r.ErrorCode} (${r.ErrorInfo})`);
  assert.equal(r.ActionStatus, 'FAIL', what);
  assert.equal(r.MsgKey, undefined, `${what}: a failure carries no MsgKey`);
}

/** sendmsg alice → bob (or as given) that must succeed. */
export async function sendmsg(
  s: TestServer,
  body: Record<string, unknown>,
): Promise<{ MsgKey: string; MsgTime: number }> {
  const r = await openim(s, 'sendmsg', {
    From_Account: 'alice',
    To_Account: 'bob',
    MsgRandom: 1,
    MsgBody: text('hi'),
    ...body,
  });
  expectOk(r, 'sendmsg');
  return r as { MsgKey: string; MsgTime: number };
}

// ---- looking inside ---------------------------------------------------------------------------

/** The app's callback outbox, read through the store port (so it reads the same on every store). */
export const outbox = (s: TestServer): Promise<Array<OutboxEntry & { body: Record<string, any> }>> =>
  s.parley.store.outboxOf(s.app.sdkAppId);

/** Messages stored between the server's accounts (any direction), read through the store port. */
export async function messageRows(s: TestServer): Promise<number> {
  const users = [ADMIN, ...(imported.get(s) ?? [])];
  const ids = new Set<number>();
  for (const owner of users) {
    for (const peer of users) {
      if (owner === peer) continue;
      const page = await s.parley.store.history(s.app.sdkAppId, {
        owner,
        peer,
        minTime: 0,
        maxTime: 4294967295,
        limit: 10_000,
      });
      for (const m of page.messages) ids.add(m.id);
    }
  }
  return ids.size;
}

/**
 * Does `needle` survive in storage? On SQLite, in the bytes of the database files (checkpointed);
 * on PostgreSQL, where old row versions wait for VACUUM (docs/design.md), in what the store port
 * returns: the conversations' history and the callback outbox.
 */
export async function storedAnywhere(s: TestServer, needle: string): Promise<boolean> {
  if (STORE === 'sqlite') return inDatabaseFiles(s, needle);
  const users = [ADMIN, ...(imported.get(s) ?? [])];
  for (const owner of users) {
    for (const peer of users) {
      if (owner === peer) continue;
      const page = await s.parley.store.history(s.app.sdkAppId, {
        owner,
        peer,
        minTime: 0,
        maxTime: 4294967295,
        limit: 10_000,
      });
      if (JSON.stringify(page.messages).includes(needle)) return true;
    }
  }
  return JSON.stringify(await outbox(s)).includes(needle);
}

/** Waits until the server has recorded `attempts` failed attempts of the outbox entry `id`. */
export const failedAttempts = (s: TestServer, id: number, attempts: number): Promise<OutboxEntry> =>
  waitFor(
    async () => (await outbox(s)).find((o) => o.id === id && o.attempts >= attempts && o.leaseUntil === 0),
    `outbox entry ${id} to have ${attempts} failed attempt(s)`,
    SAFETY_MS,
  );

/**
 * Waits until the head of every conversation in the outbox has failed at least once and is not in
 * flight: only then does advancing the clock make all of them due.
 */
export const headsFailed = (s: TestServer): Promise<true> =>
  waitFor(
    async () => {
      const heads = new Map<string, OutboxEntry>();
      for (const o of await outbox(s)) if (!heads.has(o.orderKey)) heads.set(o.orderKey, o);
      return heads.size > 0 && [...heads.values()].every((o) => o.attempts >= 1 && o.leaseUntil === 0);
    },
    'every queued conversation to have failed once',
    SAFETY_MS,
  );

/** Waits until the outbox is empty (everything delivered or given up). */
export const outboxDrained = (s: TestServer): Promise<true> =>
  waitFor(async () => (await outbox(s)).length === 0, 'the outbox to drain', SAFETY_MS);

/** parley_callbacks_total as {"command outcome": value}. */
export async function callbackCounters(s: TestServer): Promise<Record<string, number>> {
  const res = await fetch(`${s.base}/metrics`);
  assert.equal(res.status, 200);
  const out: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    const m = /^parley_callbacks_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    out[`${labels.command} ${labels.outcome}`] = Number(m[2]);
  }
  return out;
}

export const counter = (c: Record<string, number>, command: string, outcome: string): number =>
  c[`${command} ${outcome}`] ?? 0;

/** Parsed JSON log lines. */
export const logLines = (s: TestServer): Array<Record<string, any>> =>
  s.logs
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);

/** The server still answers: health check and an API call. */
export async function assertHealthy(s: TestServer): Promise<void> {
  const h = await fetch(`${s.base}/healthz`);
  assert.equal(h.status, 200);
  assert.deepEqual(await h.json(), { status: 'ok' });
  const r = await openim(s, 'get_c2c_unread_msg_num', { To_Account: 'bob' });
  expectOk(r, 'an API call after the bad receiver');
}

/** The query every callback carries, without Sign/RequestTime. */
export const baseQuery = (
  command: CallbackCommand,
  optPlatform = 'RESTAPI',
  sdkAppId = SDKAPPID,
): Record<string, string> => ({
  SdkAppid: String(sdkAppId),
  CallbackCommand: command,
  contenttype: 'json',
  ClientIP: '127.0.0.1',
  OptPlatform: optPlatform,
});
