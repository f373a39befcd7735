// The request-body bytes held at once across all connections, against a cap: many slow or large
// bodies together cannot hold more memory than the operator allows.
export class BodyBudget {
  private held = 0;

  constructor(readonly max: number) {}

  /** Reserves n bytes; false (nothing reserved) when that would pass the cap. */
  take(n: number): boolean {
    if (this.held + n > this.max) return false;
    this.held += n;
    return true;
  }

  release(n: number): void {
    this.held -= n;
  }

  get bytes(): number {
    return this.held;
  }
}
