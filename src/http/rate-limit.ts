// Per-app, per-API call limits (Tencent: 200/s for most APIs, 100/s for some account APIs).
// A token bucket per (app, API): up to `limit` calls in any one-second burst, refilled continuously.
import type { Clock } from '../ports/clock.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock) {}

  /** Takes one call from the bucket; false when the limit is reached (the call must not run). */
  take(key: string, limitPerSecond: number): boolean {
    const now = this.clock.nowMs();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: limitPerSecond, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(limitPerSecond, b.tokens + ((now - b.at) * limitPerSecond) / 1000);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
