// Token buckets for throttling (docs/aws-behavior.md §3.10): capacity = burst, refilled at `rate` tokens per second.
// A request takes one token from each applicable bucket; rate 0 with burst 0 blocks everything.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number = performance.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token if one is available. `now` in milliseconds (performance.now()). */
  take(now: number = performance.now()): boolean {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
      this.last = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}
