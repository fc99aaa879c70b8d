// Token buckets for throttling (docs/aws-behavior.md §3.10): capacity = burst, refilled at `rate` tokens per second.
// A request takes one token from each applicable bucket; rate 0 with burst 0 blocks everything.
// With --gateway-workers > 1 a bucket lives in a table every gateway thread shares (workers/shared-buckets.ts).
import type { SharedBucketTable } from './workers/shared-buckets.js';

/** A bucket whose state lives in the table every gateway thread shares. */
export interface SharedSlot {
  take(now: number): boolean;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number = performance.now(),
    private readonly shared?: SharedSlot,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes a token if one is available. `now` in milliseconds (performance.now()). */
  take(now: number = performance.now()): boolean {
    if (this.shared) return this.shared.take(now);
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

/**
 * A bucket named `key` (unique per route or account): shared between gateway threads when a table
 * is given, else local. Its limits are part of the name, so a changed limit starts a full bucket.
 */
export function makeBucket(table: SharedBucketTable | undefined, key: string, rate: number, burst: number, now: number = performance.now()): TokenBucket {
  if (!table) return new TokenBucket(rate, burst, now);
  return new TokenBucket(rate, burst, now, table.bucket(`${key}\0${rate}\0${burst}`, rate, burst, now));
}
