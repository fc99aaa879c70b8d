// The one source of "now", so tests and the scheduler can reason about time in one place.
export interface Clock {
  now(): number; // epoch milliseconds
}

export const systemClock: Clock = { now: () => Date.now() };

/** AWS wire form of a timestamp in seconds with millisecond fraction (awsJson / ECS / Cloud Map). */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}
