// A raw gateway client for protocol tests: every frame it receives, the next frame of a kind, the
// close. It speaks frames only (no SDK), so tests can misbehave on purpose.
import { WebSocket } from 'ws';
import type { TestServer } from './server.js';

const SAFETY_MS = 15_000;

export interface Frame {
  op: string;
  id?: number;
  code?: number;
  message?: string;
  data: Record<string, any>;
}

export class RawClient {
  readonly frames: Frame[] = [];
  private waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as Frame;
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => (w.match(f) ? (w.resolve(f), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(s: TestServer): Promise<RawClient> {
    const ws = new WebSocket(`${s.base.replace(/^http/, 'ws')}/v1/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  next(match: (f: Frame) => boolean): Promise<Frame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such frame arrived')), SAFETY_MS);
      this.waiters.push({ match, resolve: (f) => { clearTimeout(timer); resolve(f); } });
    });
  }

  request(op: string, id: number, data: unknown): Promise<Frame> {
    this.ws.send(JSON.stringify({ op, id, data }));
    return this.next((f) => f.id === id);
  }

  login(s: TestServer, user: string, id = 1, extra: Record<string, unknown> = {}): Promise<Frame> {
    return this.request('login', id, { protocol: 1, sdkAppId: s.app.sdkAppId, userId: user, userSig: s.sig(user), platform: 'Web', deviceId: `${user}-d`, ...extra });
  }

  /** The seqs of every event pushed so far, in arrival order. */
  eventSeqs(): number[] {
    return this.frames.filter((f) => f.op === 'events').flatMap((f) => (f.data.events as Array<{ seq: number }>).map((e) => e.seq));
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
