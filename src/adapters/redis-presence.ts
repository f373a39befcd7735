// Cluster presence in Redis (as OpenIM keeps its gateways' online state): one hash per user,
// `<prefix>:presence:<app>:<user>`, field `<node>/<serial>` → {deviceId, platform, since}, and one
// liveness key per node, `<prefix>:node:<node>`, with a TTL the node's heartbeat refreshes. Readers
// ignore (and delete) the entries of a node whose liveness key has expired, so a dead node's
// devices leave presence within one TTL. The heartbeat also refreshes the TTL of the hashes this
// node has entries in, so a hash nobody refreshes disappears by itself.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DirectoryEntry, PresenceDirectory } from '../ports/presence.js';

export interface RedisPresenceOptions {
  /** A connection for commands (not subscribed); the caller owns it. */
  redis: Redis;
  /** Key prefix; one per deployment sharing the Redis server. */
  prefix?: string;
  node?: string;
  /** How often liveness is refreshed; entries expire after three missed beats. */
  heartbeatMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;

interface Mine {
  key: string;
  value: string;
}

export class RedisPresence implements PresenceDirectory {
  readonly node: string;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly timer: NodeJS.Timeout;
  /** This node's entries by field, to refresh and to write again after Redis lost them. */
  private readonly mine = new Map<string, Mine>();
  private serial = 0;
  private readonly onReady = () => void this.replay();

  constructor(o: RedisPresenceOptions) {
    this.redis = o.redis;
    this.prefix = o.prefix ?? 'parley';
    this.node = o.node ?? randomUUID();
    const beat = o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.ttlMs = beat * 3;
    // A Redis that restarted (or was flushed) has lost this node's entries: write them again.
    this.redis.on('ready', this.onReady);
    this.timer = setInterval(() => void this.heartbeat(), beat);
    this.timer.unref();
    void this.heartbeat();
  }

  private userKey(app: number, user: string): string {
    return `${this.prefix}:presence:${app}:${user}`;
  }

  private nodeKey(node: string): string {
    return `${this.prefix}:node:${node}`;
  }

  announce(app: number, user: string, device: { deviceId: string; platform: string; since: number }): string {
    const field = `${this.node}/${++this.serial}`;
    const entry: Mine = {
      key: this.userKey(app, user),
      value: JSON.stringify({ d: device.deviceId, p: device.platform, s: device.since }),
    };
    this.mine.set(field, entry);
    this.redis
      .multi()
      .set(this.nodeKey(this.node), '1', 'PX', this.ttlMs)
      .hset(entry.key, field, entry.value)
      .pexpire(entry.key, this.ttlMs)
      .exec()
      .catch(() => {
        /* unreachable: written again by replay() when Redis is back */
      });
    return field;
  }

  withdraw(_app: number, _user: string, id: string): void {
    const entry = this.mine.get(id);
    if (!entry) return;
    this.mine.delete(id);
    this.redis.hdel(entry.key, id).catch(() => {
      /* unreachable: the entry was lost with Redis, or expires with the hash */
    });
  }

  async lookup(app: number, userIds: string[]): Promise<Map<string, DirectoryEntry[]>> {
    const out = new Map<string, DirectoryEntry[]>();
    if (userIds.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const u of userIds) pipe.hgetall(this.userKey(app, u));
    const replies = (await pipe.exec()) ?? [];
    const found: { user: string; field: string; node: string; value: string }[] = [];
    replies.forEach(([err, hash], i) => {
      if (err) throw err;
      for (const [field, value] of Object.entries(hash as Record<string, string>)) {
        const slash = field.indexOf('/');
        if (slash > 0) found.push({ user: userIds[i]!, field, node: field.slice(0, slash), value });
      }
    });
    if (found.length === 0) return out;
    const nodes = [...new Set(found.map((f) => f.node))];
    const alive = await this.redis.mget(nodes.map((n) => this.nodeKey(n)));
    const live = new Set(nodes.filter((_, i) => alive[i] !== null));
    const dead = this.redis.pipeline();
    let deadCount = 0;
    for (const f of found) {
      if (!live.has(f.node)) {
        dead.hdel(this.userKey(app, f.user), f.field);
        deadCount++;
        continue;
      }
      let v: { d?: unknown; p?: unknown; s?: unknown };
      try {
        v = JSON.parse(f.value) as typeof v;
      } catch {
        continue;
      }
      if (typeof v.d !== 'string' || typeof v.p !== 'string' || typeof v.s !== 'number') continue;
      let list = out.get(f.user);
      if (!list) out.set(f.user, (list = []));
      list.push({ node: f.node, deviceId: v.d, platform: v.p, since: v.s });
    }
    // A dead node's entries are removed by whoever reads them first.
    if (deadCount > 0) dead.exec().catch(() => {});
    return out;
  }

  private async heartbeat(): Promise<void> {
    const pipe = this.redis.pipeline().set(this.nodeKey(this.node), '1', 'PX', this.ttlMs);
    for (const key of new Set([...this.mine.values()].map((m) => m.key))) pipe.pexpire(key, this.ttlMs);
    await pipe.exec().catch(() => {});
  }

  private async replay(): Promise<void> {
    const pipe = this.redis.pipeline().set(this.nodeKey(this.node), '1', 'PX', this.ttlMs);
    for (const [field, m] of this.mine) pipe.hset(m.key, field, m.value).pexpire(m.key, this.ttlMs);
    await pipe.exec().catch(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
    // Leave at once rather than after the TTL.
    const pipe = this.redis.pipeline().del(this.nodeKey(this.node));
    for (const [field, m] of this.mine) pipe.hdel(m.key, field);
    this.mine.clear();
    await pipe.exec().catch(() => {});
  }
}
