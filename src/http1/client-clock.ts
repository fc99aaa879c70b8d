// Deadlines of upstream connections (connect, integration timeout, idle), checked by one sweeper
// every SWEEP_MS instead of a timer per request: a request costs no timer operation at all, and a
// deadline fires between its time and its time plus two sweeps.
export const SWEEP_MS = 20;

export interface Expiring {
  /** Called on every sweep with the current (monotonic, ms) time. */
  sweep(now: number): void;
}

const live = new Set<Expiring>();
let timer: NodeJS.Timeout | undefined;

/** The sweeper's time: monotonic milliseconds, at most SWEEP_MS old. */
export let clock = performance.now();

function sweepAll(): void {
  clock = performance.now();
  for (const e of live) e.sweep(clock);
}

export function track(e: Expiring): void {
  live.add(e);
  if (!timer) {
    clock = performance.now();
    timer = setInterval(sweepAll, SWEEP_MS).unref();
  }
}

export function untrack(e: Expiring): void {
  live.delete(e);
  if (!live.size && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** A deadline `ms` from now that never fires early despite the coarse clock. */
export function deadlineIn(ms: number): number {
  return clock + ms + SWEEP_MS;
}
