// The command connection for state shared through Redis (presence, rate-limit buckets). It never
// queues a command while Redis is down: every call fails at once (or after a short timeout), so
// its callers degrade at once instead of stalling requests; ioredis reconnects by itself.
import { Redis } from 'ioredis';

/** A command that takes longer than this counts as Redis being unreachable. */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

export interface RedisState {
  redis: Redis;
  close(): Promise<void>;
}

/** Connects (waits for the first connection, so a wrong URL fails the start) and returns the connection. */
export async function openRedisState(url: string): Promise<RedisState> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  // Without a listener a connection error would be an unhandled 'error' event.
  redis.on('error', () => {});
  await redis.connect();
  return {
    redis,
    async close() {
      // quit() waits for a reply, which never comes while Redis is down: then just drop the socket.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
