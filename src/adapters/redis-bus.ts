// The bus across nodes: every notice is published on one Redis channel and every node delivers
// it to the sessions it holds. Notices only wake connections (the data is in the store), so a
// lost notice delays a push until the device's next sync; it never loses an event.
import { Redis } from 'ioredis';
import type { Bus, BusNotice } from '../ports/bus.js';

export interface RedisBusOptions {
  url: string;
  /** Channel name; one per deployment sharing the Redis server. */
  channel?: string;
}

export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly listeners = new Set<(n: BusNotice) => void>();
  private readonly channel: string;
  private ready: Promise<void>;

  constructor(o: RedisBusOptions) {
    this.channel = o.channel ?? 'parley:bus';
    // A subscribed connection can do nothing else, hence two.
    // No offline queue: while Redis is down a publish fails at once instead of piling up; the
    // 'resume' notice on reconnection makes every connection sync instead.
    this.pub = new Redis(o.url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: false });
    this.sub = new Redis(o.url, { lazyConnect: false });
    // Without listeners, connection errors would be thrown as unhandled 'error' events; ioredis
    // reconnects by itself.
    this.pub.on('error', () => {});
    this.sub.on('error', () => {});
    this.sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let notice: BusNotice;
      try {
        notice = JSON.parse(text) as BusNotice;
      } catch {
        return;
      }
      for (const l of this.listeners) l(notice);
    });
    const pubReady = new Promise<void>((resolve) => this.pub.once('ready', () => resolve()));
    this.ready = Promise.all([this.sub.subscribe(this.channel), pubReady]).then(() => undefined);
    // Back after a cut: notices published meanwhile were lost, so tell this node's listeners to
    // catch up from the store (ioredis resubscribes by itself; subscribing again is harmless).
    let connectedOnce = false;
    this.sub.on('ready', () => {
      if (!connectedOnce) {
        connectedOnce = true;
        return;
      }
      this.sub.subscribe(this.channel).then(
        () => {
          for (const l of this.listeners) l({ kind: 'resume' });
        },
        () => {},
      );
    });
  }

  /** Resolves once this node receives and can publish notices. */
  async connected(): Promise<void> {
    await this.ready;
  }

  publish(notice: BusNotice): void {
    this.pub.publish(this.channel, JSON.stringify(notice)).catch(() => {
      // Redis down: devices catch up at their next sync; nothing is lost from the store.
    });
  }

  subscribe(listener: (notice: BusNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    // quit() waits for a reply, which never comes while Redis is down: then just drop the sockets.
    await Promise.allSettled([this.sub, this.pub].map((r) => (r.status === 'ready' ? r.quit() : r.disconnect())));
  }
}
