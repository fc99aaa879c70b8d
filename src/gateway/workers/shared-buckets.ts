// Token buckets that every gateway thread shares (--gateway-workers > 1): one bucket per route (and
// per account), whichever thread a request lands on, as on AWS. The buckets live in one
// SharedArrayBuffer, an open-addressing hash table keyed by a 64-bit hash of the bucket's key; each
// slot is taken under a tiny spinlock (Atomics.compareExchange) held for a few arithmetic steps.
// Time is absolute (performance.timeOrigin + now): each thread's performance.now() has its own origin.
//
// Slot layout (32 bytes): int32 [state, lock, hashHi, hashLo], float64 [tokens, last].
//   state 0 = free, 1 = being claimed, 2 = ready.

const SLOT_BYTES = 32;
const FREE = 0;
const CLAIMING = 1;
const READY = 2;
/** Probes before giving up on a full table: the bucket then stays local to its thread (`full` is set; nothing logs it yet). */
const MAX_PROBES = 64;

export const DEFAULT_SHARED_BUCKETS = 1 << 16;

export class SharedBucketTable {
  readonly buffer: SharedArrayBuffer;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly slots: number;
  private readonly origin = performance.timeOrigin;
  /** Set when a key found no free slot (the table is full); read by the unit test only so far. */
  full = false;

  constructor(bufferOrSlots: SharedArrayBuffer | number = DEFAULT_SHARED_BUCKETS) {
    this.buffer = typeof bufferOrSlots === 'number' ? new SharedArrayBuffer(bufferOrSlots * SLOT_BYTES) : bufferOrSlots;
    this.slots = this.buffer.byteLength / SLOT_BYTES;
    this.i32 = new Int32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
  }

  /** The slot of `key` (made full, `burst` tokens, when new), or -1 when the table is full. */
  slotOf(key: string, burst: number, now: number): number {
    const [hi, lo] = hash64(key);
    const t = this.origin + now;
    let i = (lo >>> 0) % this.slots;
    for (let probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) % this.slots) {
      const base = i * 8;
      let state = Atomics.load(this.i32, base);
      if (state === FREE) {
        state = Atomics.compareExchange(this.i32, base, FREE, CLAIMING);
        if (state === FREE) {
          this.i32[base + 2] = hi;
          this.i32[base + 3] = lo;
          this.f64[i * 4 + 2] = burst;
          this.f64[i * 4 + 3] = t;
          Atomics.store(this.i32, base, READY);
          return i;
        }
      }
      // Another thread is claiming this slot: its key is known within a few instructions.
      while (state === CLAIMING) state = Atomics.load(this.i32, base);
      if (this.i32[base + 2] === hi && this.i32[base + 3] === lo) return i;
    }
    this.full = true;
    return -1;
  }

  /** Takes a token from the slot if one is available (TokenBucket.take's arithmetic, shared). */
  take(slot: number, rate: number, burst: number, now: number): boolean {
    const lock = slot * 8 + 1;
    const at = slot * 4 + 2;
    const t = this.origin + now;
    while (Atomics.compareExchange(this.i32, lock, 0, 1) !== 0) {
      // Held by another thread for a few instructions only.
    }
    let tokens = this.f64[at]!;
    const elapsed = t - this.f64[at + 1]!;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + (elapsed * rate) / 1000);
      this.f64[at + 1] = t;
    }
    let ok = false;
    if (tokens >= 1) {
      tokens -= 1;
      ok = true;
    }
    this.f64[at] = tokens;
    Atomics.store(this.i32, lock, 0);
    return ok;
  }
}

/** Two FNV-1a passes with different offsets: 64 bits, so distinct keys do not share a bucket. */
function hash64(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return [a | 0, b | 0];
}
