// Where a container's followed log stream got to, so that what it missed can be read again.
//
// Docker can end a followed log stream (`/logs?follow=true`) of a container that just exited before
// it has sent the last entries. A final line without a newline is the usual loss (moby/moby#43860):
// here it was lost in most runs when written while the stream was followed. The docker runtime
// therefore follows with `timestamps=true`, notes the engine's timestamp of every entry it passes
// on, and after the exit reads the end of the log once more, passing on only the entries it had not
// delivered.

/** Docker's RFC3339NanoFixed stamp at the start of a `timestamps=true` entry, then one space. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})(Z|[+-]\d\d:\d\d) /;
/** A stamp and its space are 31 bytes in UTC, 36 with an offset. */
const STAMP_MAX = 40;
const NS_PER_S = 1_000_000_000n;

/** A `since` query value for the logs endpoint from epoch milliseconds. */
export const sinceQuery = (ms: number): string => (ms / 1000).toFixed(3);

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
 * How many of the latest delivered stamps a catch-up recognises. The engine stamps stdout and stderr
 * in two readers, and gives every piece of a long line the first piece's stamp, so the log's order
 * is not strictly the stamps' order: the catch-up re-reads the window of recent stamps, not only
 * the last one. A missed entry is lost only when it is stamped at or before a stamp that has left
 * the window, that is, out of order by more than WINDOW stamps.
 */
const WINDOW = 256;

export class LogCursor {
  /** Delivered entries counted per stamp, in the order each stamp was first delivered (at most WINDOW stamps). */
  private readonly seen = new Map<bigint, number>();
  /** The newest stamp pushed out of the window: a catch-up reads only after it, so nothing at or before it is sent twice. */
  private floor: bigint | undefined;

  /** `sinceMs`: where the follow began (a re-adopted container's), where a catch-up starts while no stamp has left the window. */
  constructor(private readonly sinceMs?: number) {}

  /** Records an entry the followed stream delivered. */
  delivered(at: bigint | undefined): void {
    if (at === undefined || (this.floor !== undefined && at <= this.floor)) return;
    this.seen.set(at, (this.seen.get(at) ?? 0) + 1);
    if (this.seen.size <= WINDOW) return;
    const oldest = this.seen.keys().next().value as bigint;
    this.seen.delete(oldest);
    if (this.floor === undefined || oldest > this.floor) this.floor = oldest;
  }

  /** The catch-up read's `since` query value (Docker includes entries stamped exactly then), or undefined for the whole log. */
  catchUpSince(): string | undefined {
    if (this.floor === undefined) return this.sinceMs === undefined ? undefined : sinceQuery(this.sinceMs);
    const from = this.floor + 1n;
    return `${from / NS_PER_S}.${(from % NS_PER_S).toString().padStart(9, '0')}`;
  }

  /** Whether an entry of the catch-up read is one the followed stream did not deliver (each delivered one is recognised once). */
  isNew(at: bigint | undefined): boolean {
    if (at === undefined) return true;
    if (this.floor !== undefined && at <= this.floor) return false;
    const n = this.seen.get(at);
    if (n === undefined) return true;
    if (n === 1) this.seen.delete(at);
    else this.seen.set(at, n - 1);
    return false;
  }
}
