// Call counting shared by every node (scale-out), so N nodes together allow an app's limit once,
// not N times. Rejects when the counter is unreachable; the caller decides how to degrade.
export interface RateCounter {
  /**
   * Takes one call from the token bucket `key` (`limitPerSecond` calls in any one-second burst,
   * refilled continuously, as of `nowMs`); false when the bucket is empty.
   */
  take(key: string, limitPerSecond: number, nowMs: number): Promise<boolean>;
}
