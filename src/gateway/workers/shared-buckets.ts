// Token buckets that every gateway thread shares (--gateway-workers > 1): one bucket per route (and
// per account), whichever thread a request lands on, as on AWS. The buckets live in one
// SharedArrayBuffer, an open-addressing hash table keyed by a 64-bit hash of the bucket's key.
//
// No lock on the request path: a bucket's whole state is one 64-bit word, its "theoretical arrival
// time" (GCRA, the token bucket's exact equivalent: tokens = burst − (tat − now) ÷ interval), which a
// take updates with one compare-exchange. A thread that is terminated mid-take leaves nothing held.
//
// Slots are reused: a slot whose bucket is full again (tat ≤ now) holds nothing a fresh bucket would
// not, so a new key may take it over (a bucket of a route, stage or limit that is gone is full within
// burst ÷ rate seconds). Each takeover bumps the slot's generation; a thread still holding the slot
// under the old generation sees the change on its next take and looks its key up again, which gives
// it the same full bucket it had. Finding a key's slot takes no lock; claiming one for a new key
// (rare: a view rebuild, a route's first request) takes a table-wide lock so a key is never in two
// slots. That lock is bounded: a thread that cannot get it within LOCK_WAIT_MS keeps a bucket of its
// own for a while (`contended` counts it) and does not wait again for RETRY_MS; and the main thread
// releases it when a worker that held it exits (pool.ts). A crash stalls nobody.
// Time is absolute (performance.timeOrigin + now): each thread's performance.now() has its own origin.
//
// Layout: a 24-byte header (int32 [lock = holder + 1 or 0]) then 24-byte slots,
//   int32 [state, generation, hashHi, hashLo], int64 [tat: float64 bits, or TAKING_OVER].

const SLOT_BYTES = 24;
const I32_PER_SLOT = SLOT_BYTES / 4;
const I64_PER_SLOT = SLOT_BYTES / 8;
const FREE = 0;
const READY = 2;
const LOCK = 0;
/** Marks a slot a claimer is taking over (no float64 a take writes has these bits: they are a NaN). */
const TAKING_OVER = -1n;
/** Probes from a key's home slot: the window a key lives in. */
const MAX_PROBES = 64;
/** A bucket of rate 0 never refills: one token per this many ms (≈ 31 years) is the same thing. */
const NEVER_MS = 1e12;
/**
 * Busy spins, then short waits, for the claim lock: a live holder needs a few hundred instructions, but
 * may be descheduled on a loaded machine, so the wait covers a few of the scheduler's time slices.
 */
const LOCK_SPINS = 200;
const LOCK_WAIT_MS = 100;
/** After a failed claim, a bucket stays local this long before it tries again. */
const RETRY_MS = 100;
/** Compare-exchange retries: each failure means another thread's take succeeded (lock-free, not wait-free). */
const MAX_CAS_TRIES = 100_000;

export const DEFAULT_SHARED_BUCKETS = 1 << 16;

const TAKEN = 1;
const DENIED = 0;
const STALE = -1;

const scratch = new Float64Array(1);
const scratchBits = new BigInt64Array(scratch.buffer);
const toFloat = (bits: bigint): number => {
  scratchBits[0] = bits;
  return scratch[0]!;
};
const toBits = (f: number): bigint => {
  scratch[0] = f;
  return scratchBits[0]!;
};
/**
 * Rounding room when comparing times: absolute ms (~1.7e12) carry ~0.0002 ms of float64 error, and a
 * rate-0 bucket's times (n × 1e12 ms) a few ms; a take is allowed that much early (≤ 1 µs at any real rate).
 */
const slack = (interval: number): number => 0.001 + interval * 1e-9;
/** A full bucket's tat, distinct per generation (so a stale compare-exchange cannot match it). */
const freshTat = (gen: number): bigint => toBits(-(gen >>> 0) - 1);

export class SharedBucketTable {
  readonly buffer: SharedArrayBuffer;
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  private readonly slots: number;
  private readonly origin = performance.timeOrigin;
  /** Set when a key found neither a free nor a reusable slot in its window: its bucket stayed local. */
  full = false;
  /** Claims that gave up on the lock (its holder was busy or dead): those buckets stayed local meanwhile. */
  contended = 0;
  /** Until then, a claim that does not get the lock at once gives up without waiting (see lock()). */
  private noWaitUntil = 0;

  /**
   * @param holder this thread's index (0 = main, workers 1…N−1): what the claim lock records, so the
   *   main thread can release it when that worker exits.
   */
  constructor(
    bufferOrSlots: SharedArrayBuffer | number = DEFAULT_SHARED_BUCKETS,
    private readonly holder = 0,
  ) {
    this.buffer = typeof bufferOrSlots === 'number' ? new SharedArrayBuffer((bufferOrSlots + 1) * SLOT_BYTES) : bufferOrSlots;
    this.slots = this.buffer.byteLength / SLOT_BYTES - 1;
    this.i32 = new Int32Array(this.buffer);
    this.i64 = new BigInt64Array(this.buffer);
  }

  /** A bucket named `key` (its limits included), full when new, shared with every thread that names it. */
  bucket(key: string, rate: number, burst: number, now: number): SharedBucket {
    const [hi, lo] = hash64(key);
    const b = new SharedBucket(this, hi, lo, rate, burst, now);
    b.attach(now);
    return b;
  }

  /** Releases the claim lock if thread `holder` holds it (the main thread, when that worker exited). */
  releaseHeldBy(holder: number): void {
    if (Atomics.compareExchange(this.i32, LOCK, holder + 1, 0) === holder + 1) Atomics.notify(this.i32, LOCK);
  }

  /** Test hook (worker-main.ts "crash"): takes the claim lock and never gives it back, as a thread killed inside a claim would. */
  holdClaimLock(): boolean {
    return this.lock();
  }

  /** The slot and generation of the key hi/lo, taking a free or reusable slot if it has none; undefined if none or no lock. */
  claim(hi: number, lo: number, t: number): { index: number; gen: number } | undefined {
    const found = this.find(hi, lo);
    if (found) return found;
    if (!this.lock()) {
      this.contended++;
      return undefined;
    }
    try {
      const home = (lo >>> 0) % this.slots;
      let free = -1;
      let reuse = -1;
      let reuseBits = 0n;
      let reuseTat = Number.POSITIVE_INFINITY;
      for (let probe = 0; probe < Math.min(MAX_PROBES, this.slots); probe++) {
        const i = (home + probe) % this.slots;
        const base = (i + 1) * I32_PER_SLOT;
        if (Atomics.load(this.i32, base) === FREE) {
          if (free < 0) free = i;
          continue;
        }
        const bits = Atomics.load(this.i64, (i + 1) * I64_PER_SLOT + 2);
        if (this.i32[base + 2] === hi && this.i32[base + 3] === lo) {
          // Left mid-takeover by a thread that died: finish it (the key is this one already).
          if (bits === TAKING_OVER) return this.takeOver(i, hi, lo);
          return { index: i, gen: Atomics.load(this.i32, base + 1) };
        }
        // The fullest-for-longest reusable slot: least likely to be someone's busy bucket.
        const tat = bits === TAKING_OVER ? Number.NEGATIVE_INFINITY : toFloat(bits);
        if (tat <= t && tat < reuseTat) {
          reuse = i;
          reuseBits = bits;
          reuseTat = tat;
        }
      }
      if (free >= 0) return this.takeOver(free, hi, lo);
      // A take that lands between the look and this exchange makes the bucket not full: then no reuse.
      if (reuse >= 0 && (reuseBits === TAKING_OVER || Atomics.compareExchange(this.i64, (reuse + 1) * I64_PER_SLOT + 2, reuseBits, TAKING_OVER) === reuseBits)) {
        return this.takeOver(reuse, hi, lo);
      }
      this.full = true;
      return undefined;
    } finally {
      Atomics.store(this.i32, LOCK, 0);
      Atomics.notify(this.i32, LOCK);
    }
  }

  /**
   * The key's slot if it has one, without the lock (most lookups: every thread but the first to name a
   * key). Read like a seqlock: the generation before and after the key, so a takeover running meanwhile
   * (which bumps the generation before it writes the new key) is never mistaken for this key's slot. A
   * slot taken over just after this look is caught by takeAt (STALE).
   */
  private find(hi: number, lo: number): { index: number; gen: number } | undefined {
    const home = (lo >>> 0) % this.slots;
    for (let probe = 0; probe < Math.min(MAX_PROBES, this.slots); probe++) {
      const i = (home + probe) % this.slots;
      const base = (i + 1) * I32_PER_SLOT;
      if (Atomics.load(this.i32, base) !== READY) continue;
      const gen = Atomics.load(this.i32, base + 1);
      if (Atomics.load(this.i64, (i + 1) * I64_PER_SLOT + 2) === TAKING_OVER) continue;
      if (Atomics.load(this.i32, base + 2) !== hi || Atomics.load(this.i32, base + 3) !== lo) continue;
      if (Atomics.load(this.i32, base + 1) === gen) return { index: i, gen };
    }
    return undefined;
  }

  /** GCRA take on a slot of generation `gen`: TAKEN, DENIED, or STALE (the slot holds another key now). */
  takeAt(index: number, gen: number, interval: number, tolerance: number, t: number): number {
    const at = (index + 1) * I64_PER_SLOT + 2;
    const genAt = (index + 1) * I32_PER_SLOT + 1;
    for (let tries = 0; tries < MAX_CAS_TRIES; tries++) {
      const bits = Atomics.load(this.i64, at);
      if (bits === TAKING_OVER || Atomics.load(this.i32, genAt) !== gen) return STALE;
      const tat = toFloat(bits);
      const start = Math.max(tat, t);
      if (start - t > tolerance + slack(interval)) return DENIED;
      if (Atomics.compareExchange(this.i64, at, bits, toBits(start + interval)) === bits) return TAKEN;
    }
    return DENIED;
  }

  absolute(now: number): number {
    return this.origin + now;
  }

  /** Under the lock: slot i becomes key hi/lo's, full, under a new generation. */
  private takeOver(i: number, hi: number, lo: number): { index: number; gen: number } {
    const base = (i + 1) * I32_PER_SLOT;
    const gen = (this.i32[base + 1]! + 1) | 0;
    // The generation first: a lock-free find that reads the new key also reads the new generation.
    Atomics.store(this.i32, base + 1, gen);
    Atomics.store(this.i32, base + 2, hi);
    Atomics.store(this.i32, base + 3, lo);
    Atomics.store(this.i64, (i + 1) * I64_PER_SLOT + 2, freshTat(gen));
    Atomics.store(this.i32, base, READY);
    return { index: i, gen };
  }

  private lock(): boolean {
    const me = this.holder + 1;
    for (let spin = 0; spin < LOCK_SPINS; spin++) {
      const held = Atomics.compareExchange(this.i32, LOCK, 0, me);
      // Held under this thread's index: by a predecessor of this index that died (a thread index has one live thread).
      if (held === 0 || held === me) return true;
    }
    // After a wait that failed, claims do not wait again for a while: a stage of 300 routes rebuilt
    // while a dead thread holds the lock costs one wait, not 300.
    const now = performance.now();
    if (now < this.noWaitUntil) return false;
    const deadline = now + LOCK_WAIT_MS;
    while (performance.now() < deadline) {
      const held = Atomics.compareExchange(this.i32, LOCK, 0, me);
      if (held === 0 || held === me) return true;
      Atomics.wait(this.i32, LOCK, held, 0.5);
    }
    this.noWaitUntil = performance.now() + RETRY_MS;
    return false;
  }
}

/**
 * One bucket as a thread holds it: the slot and generation it found its key in, looked up again when
 * the slot was reused. While no slot can be had (table full in its window, or the lock unavailable)
 * the bucket keeps its own tokens, like a bucket of a single thread, and retries every RETRY_MS.
 */
export class SharedBucket {
  private index = -1;
  private gen = 0;
  private retryAt = 0;
  private readonly interval: number;
  private readonly tolerance: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly table: SharedBucketTable,
    private readonly hi: number,
    private readonly lo: number,
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.interval = rate > 0 ? 1000 / rate : NEVER_MS;
    this.tolerance = (burst - 1) * this.interval;
    this.tokens = burst;
    this.last = now;
  }

  /** Looks the key's slot up (or claims one); false when it stays local for now. */
  attach(now: number): boolean {
    const got = this.table.claim(this.hi, this.lo, this.table.absolute(now));
    if (!got) {
      this.index = -1;
      this.retryAt = now + RETRY_MS;
      return false;
    }
    this.index = got.index;
    this.gen = got.gen;
    return true;
  }

  take(now: number): boolean {
    // No whole token ever: as a local bucket of this burst (rate 0 sets burst 0: the route is blocked).
    if (this.burst < 1) return false;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.index < 0 && (now < this.retryAt || !this.attach(now))) break;
      const r = this.table.takeAt(this.index, this.gen, this.interval, this.tolerance, this.table.absolute(now));
      if (r !== STALE) return r === TAKEN;
      this.index = -1; // its slot holds another key now: look this one up again
    }
    return this.takeLocal(now);
  }

  private takeLocal(now: number): boolean {
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
