// Tencent's 23003: at most N extension changes per message per minute. Counted per node, in a
// fixed window per message; the map is bounded, so a flood of distinct messages cannot grow it.

/** Messages tracked at most; the oldest window is dropped first when full. */
const MAX_TRACKED = 10_000;

export class PerMessageRate {
  /** Insertion-ordered: the first entry is the oldest window. */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /** Counts one change of `message` at `nowMs`; false when it is over the limit (not counted). */
  take(message: string, nowMs: number): boolean {
    let w = this.windows.get(message);
    if (!w || nowMs - w.start >= this.windowMs) {
      this.windows.delete(message);
      while (this.windows.size >= this.maxTracked) this.windows.delete(this.windows.keys().next().value!);
      w = { start: nowMs, count: 0 };
      this.windows.set(message, w);
    }
    if (w.count >= this.limit) return false;
    w.count++;
    return true;
  }

  get tracked(): number {
    return this.windows.size;
  }
}
