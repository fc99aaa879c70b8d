// Where a container's followed log stream got to, so that what it missed can be read again.
//
// Docker can end a followed log stream (`/logs?follow=true`) of a container that just exited before it
// has sent the last entries: a final line without a newline is the usual loss (moby/moby#43860), seen
// here under load. The docker runtime therefore follows with `timestamps=true`, notes the engine's
// timestamp of every entry it passes on, and after the exit reads the end of the log once more,
// passing on only the entries it had not delivered.

/** Docker's RFC3339NanoFixed stamp at the start of a `timestamps=true` entry, then one space. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})(Z|[+-]\d\d:\d\d) /;
/** A stamp is 31 bytes in UTC, 36 with an offset, plus the space. */
const STAMP_MAX = 40;
const NS_PER_S = 1_000_000_000n;

/**
 * Splits an entry of a `timestamps=true` log read into its stamp (nanoseconds since the epoch) and
 * its payload. An entry without a stamp is returned whole with `at` undefined.
 */
export function splitStamp(entry: Buffer): { at: bigint | undefined; payload: Buffer } {
  const m = STAMP.exec(entry.toString('latin1', 0, Math.min(entry.length, STAMP_MAX)));
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
  if (!m || Number.isNaN(ms)) return { at: undefined, payload: entry };
  return { at: BigInt(ms / 1000) * NS_PER_S + BigInt(m[2]!), payload: entry.subarray(m[0].length) };
}

/**
 * How many of the latest delivered entries a catch-up re-reads and recognises. The engine stamps
 * stdout and stderr in two readers, so the log's order is not strictly the stamps' order: reading
 * again from the last stamp alone could skip a missed entry stamped just before a delivered one.
 */
const WINDOW = 256;

export class LogCursor {
  /** The stamps of the latest delivered entries: a ring of WINDOW, `next` the slot written next. */
  private readonly recent: bigint[] = [];
  private next = 0;
  /** The same stamps counted (entries can share a stamp): what a catch-up skips as delivered. */
  private readonly seen = new Map<bigint, number>();

  /** `sinceMs`: where the follow began (a re-adopted container's), where a catch-up starts while the window is not full. */
  constructor(private readonly sinceMs?: number) {}

  /** Records an entry the followed stream delivered. */
  delivered(at: bigint | undefined): void {
    if (at === undefined) return;
    if (this.recent.length === WINDOW) {
      const old = this.recent[this.next]!;
      const n = this.seen.get(old)! - 1;
      if (n === 0) this.seen.delete(old);
      else this.seen.set(old, n);
      this.recent[this.next] = at;
    } else this.recent.push(at);
    this.next = (this.next + 1) % WINDOW;
    this.seen.set(at, (this.seen.get(at) ?? 0) + 1);
  }

  /**
   * The catch-up read's `since` query value, or undefined for the whole log. Until the window is full
   * every delivered entry is still recognised, so the read starts where the follow began; after that,
   * at the window's oldest stamp (Docker includes the entries stamped exactly then).
   */
  catchUpSince(): string | undefined {
    if (this.recent.length < WINDOW) return this.sinceMs === undefined ? undefined : (this.sinceMs / 1000).toFixed(3);
    let oldest = this.recent[0]!;
    for (const at of this.recent) if (at < oldest) oldest = at;
    return `${oldest / NS_PER_S}.${(oldest % NS_PER_S).toString().padStart(9, '0')}`;
  }

  /** Whether an entry of the catch-up read is one the followed stream did not deliver (each delivered one is recognised once). */
  isNew(at: bigint | undefined): boolean {
    if (at === undefined) return true;
    const n = this.seen.get(at);
    if (n === undefined) return true;
    if (n === 1) this.seen.delete(at);
    else this.seen.set(at, n - 1);
    return false;
  }
}
