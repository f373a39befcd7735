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
    this.pub = new Redis(o.url, { lazyConnect: false, maxRetriesPerRequest: 2 });
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
    this.ready = this.sub.subscribe(this.channel).then(() => undefined);
  }

  /** Resolves once this node receives notices. */
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
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
