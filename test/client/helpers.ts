// Test helpers for the client SDK: SDK instances ("devices") against a real test server, and an
// event recorder to wait on. Waits never assert durations: a test that waits for something that
// never happens fails by its test timeout.
import TencentCloudChat, {
  type ChatSDK,
  type ChatCache,
  EVENT,
  MemoryCache,
  TYPES,
  type ChatOptions,
  type Message,
} from '@parley/client';
import type { EventEnvelope } from '@parley/client/internal/emitter';
import { SDKAPPID, withServer as withServerOnly, type TestServer, type TestServerOptions } from '../helpers/server.js';

let counter = 0;

export interface Recorded {
  name: string;
  envelope: EventEnvelope;
}

/** Records every event of an instance, from registration on. */
export class Recorder {
  readonly log: Recorded[] = [];
  private waiters: Array<{
    name: string;
    pred: (e: EventEnvelope) => boolean;
    from: number;
    resolve: (e: EventEnvelope) => void;
  }> = [];

  constructor(readonly chat: ChatSDK) {
    for (const name of Object.values(EVENT)) {
      chat.on(name, (envelope: EventEnvelope) => {
        this.log.push({ name, envelope });
        const index = this.log.length - 1;
        this.waiters = this.waiters.filter((w) => {
          if (w.name === name && index >= w.from && w.pred(envelope)) {
            w.resolve(envelope);
            return false;
          }
          return true;
        });
      });
    }
  }

  /** Events of one name so far. */
  all(name: string): EventEnvelope[] {
    return this.log.filter((r) => r.name === name).map((r) => r.envelope);
  }

  /** Position to wait from (events before it are ignored). */
  mark(): number {
    return this.log.length;
  }

  /** The first event of this name (at or after `from`) that matches. */
  waitFor(name: string, pred: (e: EventEnvelope) => boolean = () => true, from = 0): Promise<EventEnvelope> {
    for (let i = from; i < this.log.length; i++) {
      const r = this.log[i]!;
      if (r.name === name && pred(r.envelope)) return Promise.resolve(r.envelope);
    }
    return new Promise((resolve) => this.waiters.push({ name, pred, from, resolve }));
  }

  /** Message IDs received so far, in order. */
  receivedIDs(): string[] {
    return this.all(EVENT.MESSAGE_RECEIVED).flatMap((e) => (e.data as Array<{ ID: string }>).map((m) => m.ID));
  }

  revokedIDs(): string[] {
    return this.all(EVENT.MESSAGE_REVOKED).flatMap((e) => (e.data as Array<{ ID: string }>).map((m) => m.ID));
  }
}

export interface Device {
  chat: ChatSDK;
  rec: Recorder;
  user: string;
  cache: ChatCache;
  /** What the device's cache holds, serialized (MemoryCache) — for "is the content gone" checks. */
  stored(): string;
}

export interface DeviceOptions extends Partial<ChatOptions> {
  cache?: ChatCache;
  /** Log in and wait for SDK_READY (default true). */
  login?: boolean;
  serverURL?: string;
}

/** A new SDK instance for `user`, logged in and ready unless told otherwise. */
export async function device(s: TestServer, user: string, o: DeviceOptions = {}): Promise<Device> {
  const cache = o.cache ?? new MemoryCache();
  const chat = TencentCloudChat.create({
    SDKAppID: SDKAPPID,
    serverURL: o.serverURL ?? s.base,
    instanceName: `t${process.pid}-${++counter}`,
    reconnectBase: 50,
    reconnectMax: 500,
    ...o,
    cache,
  } as ChatOptions);
  chat.setLogLevel(4);
  const rec = new Recorder(chat);
  if (o.login !== false) {
    try {
      await chat.login({ userID: user, userSig: s.sig(user) });
      await rec.waitFor(EVENT.SDK_READY);
    } catch (e) {
      await chat.destroy();
      throw e;
    }
  }
  const stored = (): string => (cache instanceof MemoryCache ? cache.dump({ sdkAppId: SDKAPPID, userId: user }) : '');
  return { chat, rec, user, cache, stored };
}

export async function importAccounts(s: TestServer, ...users: string[]): Promise<void> {
  const r = await s.call('im_open_login_svc/multiaccount_import', { Accounts: users });
  if (r.ErrorCode !== 0) throw new Error(`import failed: ${JSON.stringify(r)}`);
}

export async function destroyAll(devices: Array<Device | undefined>): Promise<void> {
  for (const d of devices) await d?.chat.destroy();
}

/** Waits until `check` holds, re-checking after each SDK event of the given names (for polling, see test/helpers/wait.ts). */
export function untilEvent(rec: Recorder, names: string[], check: () => boolean): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve) => {
    const handler = (): void => {
      if (check()) {
        for (const n of names) rec.chat.off(n, handler);
        resolve();
      }
    };
    for (const n of names) rec.chat.on(n, handler);
  });
}

/** Logs an existing device in again and waits for SDK_READY; returns the recorder mark from before. */
export async function relogin(s: TestServer, d: Device): Promise<number> {
  const from = d.rec.mark();
  await d.chat.login({ userID: d.user, userSig: s.sig(d.user) });
  await d.rec.waitFor(EVENT.SDK_READY, () => true, from);
  return from;
}

/** Creates and sends a text message; resolves to the sent Message. */
export async function sendText(d: Device, to: string, text: string): Promise<Message> {
  const m = d.chat.createTextMessage({ to, conversationType: TYPES.CONV_C2C, payload: { text } });
  await d.chat.sendMessage(m);
  return m;
}

/**
 * The shared withServer (test/helpers/server.ts) plus devices: every device the body registers
 * with `track` is destroyed before the server closes.
 */
export async function withDevices(
  fn: (s: TestServer, track: <T extends Device>(d: T) => T) => Promise<void>,
  opts: TestServerOptions = {},
): Promise<void> {
  await withServerOnly(
    [],
    async (s) => {
      const devices: Device[] = [];
      try {
        await fn(s, (d) => {
          devices.push(d);
          return d;
        });
      } finally {
        await destroyAll(devices);
      }
    },
    opts,
  );
}

/**
 * A TCP relay in front of a server, so a test can cut every connection (a network drop) or point
 * it at a new server (a restart on another port) while the SDK keeps the same URL.
 */
export class Relay {
  private readonly sockets = new Set<import('node:net').Socket>();
  private server: import('node:net').Server | undefined;
  port = 0;

  constructor(private target: number) {}

  async start(): Promise<string> {
    const net = await import('node:net');
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      for (const sock of [client, upstream]) {
        this.sockets.add(sock);
        sock.on('close', () => this.sockets.delete(sock));
        sock.on('error', () => sock.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every open connection (both directions). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  retarget(port: number): void {
    this.target = port;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export const portOf = (base: string): number => Number(new URL(base).port);
