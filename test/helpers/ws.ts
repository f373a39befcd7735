// A raw WebSocket client of the gateway (/v1/ws, docs/client-protocol.md): every frame it receives,
// requests answered by id, waits for a frame of a kind or for the close. For the client SDK's own
// view, see test/client/helpers.ts instead.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { TestServer } from './server.js';

export interface Frame {
  op: string;
  id?: number;
  code?: number;
  message?: string;
  data?: any;
}

/** How long a wait for a frame may take before it fails the test. */
const SAFETY_MS = 15_000;
/** A runaway server cannot grow a client's memory without bound. */
const MAX_FRAMES = 100_000;

export interface LoginOptions {
  platform?: string;
  deviceId?: string;
  extra?: Record<string, unknown>;
}

export class WsClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 100;
  private waiters = new Set<() => boolean>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      if (this.frames.length >= MAX_FRAMES) throw new Error(`ws: more than ${MAX_FRAMES} frames`);
      this.frames.push(JSON.parse(String(d)) as Frame);
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Connects to the server's gateway (not logged in). */
  static async open(s: Pick<TestServer, 'base'>): Promise<WsClient> {
    const ws = new WebSocket(`${s.base.replace(/^http/, 'ws')}/v1/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WsClient(ws);
  }

  /** Connects and logs in; fails the test unless the login succeeds. */
  static async login(s: TestServer, user: string, o: LoginOptions = {}): Promise<WsClient> {
    const c = await WsClient.open(s);
    const f = await c.login(s, user, undefined, {
      platform: o.platform ?? 'Web',
      deviceId: o.deviceId ?? 'd1',
      ...o.extra,
    });
    assert.equal(f.code, 0, `login of ${user}: ${f.message}`);
    return c;
  }

  /** Sends a login request (deviceId `<user>-d` unless `extra` says otherwise) and resolves with its answer. */
  login(s: TestServer, user: string, id?: number, extra: Record<string, unknown> = {}): Promise<Frame> {
    const data = {
      protocol: 1,
      sdkAppId: s.app.sdkAppId,
      userId: user,
      userSig: s.sig(user),
      platform: 'Web',
      deviceId: `${user}-d`,
      ...extra,
    };
    return id === undefined ? this.request('login', data) : this.request('login', id, data);
  }

  /** Sends one request frame (with the given id, or the next free one) and resolves with its answer. */
  request(op: string, data: unknown): Promise<Frame>;
  request(op: string, id: number, data: unknown): Promise<Frame>;
  request(op: string, ...args: [unknown] | [number, unknown]): Promise<Frame> {
    const [id, data] = args.length === 2 ? args : [this.nextId++, args[0]];
    const answer = this.next((f) => f.id === id, `the answer to ${op} #${id}`);
    this.ws.send(JSON.stringify({ op, id, data }));
    return answer;
  }

  /** The first frame, received so far or later, that matches. */
  next(pred: (f: Frame) => boolean, what = 'a matching frame'): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`ws: timed out waiting for ${what}`));
      }, SAFETY_MS);
      const w = (): boolean => {
        const f = this.frames.find(pred);
        if (!f) return false;
        clearTimeout(timer);
        this.waiters.delete(w);
        resolve(f);
        return true;
      };
      if (!w()) this.waiters.add(w);
    });
  }

  /** The seqs of every event pushed so far, in arrival order. */
  eventSeqs(): number[] {
    return this.events().map((e) => e.seq as number);
  }

  /** Every event pushed so far, in order. */
  events(): Array<Record<string, any>> {
    return this.frames.filter((f) => f.op === 'events').flatMap((f) => f.data.events as Array<Record<string, any>>);
  }

  /** Waits until at least `n` events were pushed; resolves with all of them. */
  async eventsUpTo(n: number): Promise<Array<Record<string, any>>> {
    await this.next(() => this.events().length >= n, `${n} events (got ${this.events().length})`);
    return this.events();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    await this.closed;
  }
}
