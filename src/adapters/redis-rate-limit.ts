// Rate-limit buckets in Redis, shared by every node: one token bucket per key, taken atomically
// by a script (no two nodes can take the same token). The caller's clock gives the time, so a
// frozen test clock freezes the buckets too; a node whose clock is behind refills nothing.
import type { Redis } from 'ioredis';
import type { RateCounter } from '../ports/rate-limit.js';

const TAKE = `
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = limit; at = now end
local elapsed = now - at
if elapsed < 0 then elapsed = 0 end
tokens = math.min(limit, tokens + elapsed * limit / 1000)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], 2000)
return ok
`;

export interface RedisRateCounterOptions {
  /** A connection for commands (not subscribed); the caller owns it. */
  redis: Redis;
  prefix?: string;
}

export class RedisRateCounter implements RateCounter {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(o: RedisRateCounterOptions) {
    this.redis = o.redis;
    this.prefix = o.prefix ?? 'parley';
    this.redis.defineCommand('parleyTakeToken', { numberOfKeys: 1, lua: TAKE });
  }

  async take(key: string, limitPerSecond: number, nowMs: number): Promise<boolean> {
    const cmd = (this.redis as unknown as { parleyTakeToken(k: string, l: number, n: number): Promise<number> })
      .parleyTakeToken;
    return (await cmd.call(this.redis, `${this.prefix}:rate:${key}`, limitPerSecond, nowMs)) === 1;
  }
}
