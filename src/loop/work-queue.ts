// The reconcile loop: a deduplicating queue of keys. A key is never processed twice at once; a key
// added while it is being processed runs once more afterwards (level-based: the reconciler reads
// the current state, so one extra run covers any number of intermediate events). Failures back off
// exponentially per key; a TerminalError is logged and not retried; `requeueAfter` schedules a re-check.
import type { Logger } from '../kernel/log.js';

export interface ReconcileResult {
  requeueAfter?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void> | ReconcileResult | void;

/** An error retrying cannot fix (bad configuration): logged once, not requeued. */
export class TerminalError extends Error {}

export interface WorkQueueOptions {
  logger: Logger;
  concurrency?: number;
  /**
   * Start each item on a later turn of the event loop (setImmediate), so requests and timers get in
   * between: for reconcilers whose items block the thread (a task start forks a process, ~10 ms on a
   * busy machine), which would otherwise run back to back in microtasks and hold every request until
   * the queue drained (500 task starts after a restart kept /_wayfinder/health waiting for 12 s).
   */
  yieldBetween?: boolean;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private readonly idleWaiters: Array<() => void> = [];
  private active = 0;
  private stopped = false;
  private readonly concurrency: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    readonly name: string,
    private readonly reconcile: Reconciler,
    private readonly opts: WorkQueueOptions,
  ) {
    this.concurrency = opts.concurrency ?? 4;
    this.baseBackoffMs = opts.baseBackoffMs ?? 200;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  }

  add(key: string): void {
    if (this.stopped) return;
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Adds the key after ms, unless it is added sooner (an earlier timer wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (this.queued.has(key) || this.timers.has(key)) return;
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        this.add(key);
      },
      Math.max(0, ms),
    );
    t.unref();
    this.timers.set(key, t);
  }

  get size(): number {
    return this.queue.length + this.active;
  }

  /** Resolves when nothing is queued or running (timers may still be pending). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    await this.idle();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length && !this.stopped) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.running.add(key);
      this.active++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      if (this.opts.yieldBetween) await new Promise<void>((resolve) => setImmediate(resolve));
      const result = this.stopped ? undefined : await this.reconcile(key);
      this.failures.delete(key);
      if (result?.requeueAfter !== undefined && !this.dirty.has(key)) this.addAfterRun(key, result.requeueAfter);
    } catch (e) {
      if (e instanceof TerminalError) {
        this.failures.delete(key);
        this.opts.logger.warn({ queue: this.name, key, err: e.message }, 'reconcile gave up');
      } else {
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const delay = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.min(n - 1, 16));
        this.opts.logger.warn({ queue: this.name, key, attempt: n, retryInMs: delay, err: e instanceof Error ? e.message : String(e) }, 'reconcile failed');
        if (!this.dirty.has(key)) this.addAfterRun(key, delay);
      }
    } finally {
      this.running.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
      if (this.queue.length === 0 && this.active === 0) {
        for (const w of this.idleWaiters.splice(0)) w();
      }
    }
  }

  private addAfterRun(key: string, ms: number): void {
    // Called while the key is still marked running; schedule through a timer so add() sees it idle.
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        this.add(key);
      },
      Math.max(1, ms),
    );
    t.unref();
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    this.timers.set(key, t);
  }
}
