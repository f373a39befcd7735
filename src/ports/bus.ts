// The bus: tells whoever holds a user's live connections that something happened for them.
// In one process it is an EventEmitter; across nodes a Redis adapter carries the same notices.
import { EventEmitter } from 'node:events';
import type { StoredMessage } from './store.js';

export type BusNotice =
  /** New entries in the user's event sequence: connected devices should sync. */
  | { kind: 'events'; app: number; user: string }
  /** A MsgLifeTime 0 message: pushed to online devices only, never queued. */
  | { kind: 'online-message'; app: number; user: string; message: StoredMessage; originDevice?: string }
  /** The user was kicked at `at`: sessions issued before it end. */
  | { kind: 'kick'; app: number; user: string; at: number }
  /** The user's profile changed; `items` is the whole profile as it now stands. */
  | { kind: 'profile'; app: number; user: string; items: Array<{ tag: string; value: string | number }> }
  /** A login on another node replaces this device (same device, or over the platform's limit): the node holding it ends it. */
  | { kind: 'evict'; app: number; user: string; node: string; deviceId: string; since: number }
  /** The bus was cut and is back: notices may have been lost, so every connection syncs. */
  | { kind: 'resume' };

export interface Bus {
  publish(notice: BusNotice): void;
  subscribe(listener: (notice: BusNotice) => void): () => void;
}

export class LocalBus implements Bus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(notice: BusNotice): void {
    this.emitter.emit('notice', notice);
  }

  subscribe(listener: (notice: BusNotice) => void): () => void {
    this.emitter.on('notice', listener);
    return () => this.emitter.off('notice', listener);
  }
}
