// Per-app, per-API call limits (Tencent: 200/s for most APIs, 100/s for some account APIs).
// A token bucket per (app, API): up to `limit` calls in any one-second burst, refilled continuously.
import type { Clock } from '../ports/clock.js';
import type { RateCounter } from '../ports/rate-limit.js';

/** What the edge asks before running a call. */
export interface Limiter {
  /** Takes one call from the bucket; false when the limit is reached (the call must not run). */
  take(key: string, limitPerSecond: number): boolean | Promise<boolean>;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter implements Limiter {
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

/**
 * Cluster-wide limits: every node takes from the shared counter, so an app's limit holds across
 * nodes. While the counter is unreachable each node counts on its own (the limit per node, as
 * without Redis): calls are never refused, or stalled, because Redis is down.
 */
export class SharedRateLimiter implements Limiter {
  private readonly local: RateLimiter;
  /** Whether the last call fell back, to report each change once. */
  private degraded = false;

  constructor(
    private readonly counter: RateCounter,
    private readonly clock: Clock,
    private readonly onDegraded: (degraded: boolean, err?: unknown) => void = () => {},
  ) {
    this.local = new RateLimiter(clock);
  }

  async take(key: string, limitPerSecond: number): Promise<boolean> {
    try {
      const ok = await this.counter.take(key, limitPerSecond, this.clock.nowMs());
      if (this.degraded) this.report(false);
      return ok;
    } catch (err) {
      if (!this.degraded) this.report(true, err);
      return this.local.take(key, limitPerSecond);
    }
  }

  private report(degraded: boolean, err?: unknown): void {
    this.degraded = degraded;
    this.onDegraded(degraded, err);
  }
}
