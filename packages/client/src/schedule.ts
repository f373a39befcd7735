// Small timing helpers: a serial work queue and a leading+trailing throttle.

/** Runs tasks one at a time in the order they were queued. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const p = this.tail.then(task);
    this.tail = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  /** Resolves once everything queued so far has run. */
  drain(): Promise<void> {
    return this.run(() => undefined);
  }
}

/**
 * Calls `fn` at most once per `ms`: the first call runs at once, calls within the window are
 * folded into one trailing call at its end (which reads the latest state when it runs).
 */
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = false;

  constructor(
    private readonly fn: () => void,
    private readonly ms: number,
  ) {}

  call(): void {
    if (this.timer !== undefined) {
      this.pending = true;
      return;
    }
    this.fn();
    this.open();
  }

  private open(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending) {
        this.pending = false;
        this.fn();
        this.open();
      }
    }, this.ms);
    unref(this.timer);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }
}

/** Lets Node exit while only this timer is pending; a no-op in browsers. */
export function unref(timer: unknown): void {
  const t = timer as { unref?: () => void };
  if (typeof t?.unref === 'function') t.unref();
}
