// At most `max` of something at once (worker threads parsing or matching off the event loop): the
// others wait their turn in arrival order.

/** A slot taker: `await take()` waits for a free slot and gives back its release. */
export function concurrencyLimit(max: number): () => Promise<() => void> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async () => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    return () => {
      running--;
      waiting.shift()?.();
    };
  };
}
