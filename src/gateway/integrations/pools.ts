// One keep-alive upstream pool per origin (src/http1/client-pool.ts), created on first use and closed
// after a minute unused (Cloud Map instances come and go). measured (docs/architecture.md §9): keep-alive pools are
// mandatory, and upstream sockets must not be capped below client concurrency.
import { ClientPool } from '../../http1/client-pool.js';

const IDLE_CLOSE_MS = 60_000;

interface Entry {
  pool: ClientPool;
  lastUsed: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Entry>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Coarse clock for lastUsed (set by the sweeper): no Date.now() per request. */
  private now = Date.now();

  constructor(private readonly opts: { connections?: number; connectTimeoutMs?: number; idleCloseMs?: number } = {}) {}

  get(origin: string, servername?: string): ClientPool {
    const key = servername ? `${origin}#${servername}` : origin;
    let e = this.pools.get(key);
    if (!e) {
      const pool = new ClientPool(origin, { connections: this.opts.connections ?? 128, connectTimeoutMs: this.opts.connectTimeoutMs ?? 5000, servername });
      e = { pool, lastUsed: 0 };
      this.pools.set(key, e);
      this.sweeper ??= setInterval(() => this.sweep(), this.opts.idleCloseMs ?? IDLE_CLOSE_MS).unref();
    }
    e.lastUsed = this.now;
    return e.pool;
  }

  private sweep(): void {
    const cutoff = this.now;
    this.now = Date.now();
    for (const [k, e] of this.pools) {
      // Not used since before the previous sweep (at least IDLE_CLOSE_MS without a new request) and
      // nothing in flight: the integration timeout covers only the wait for each chunk, so a streamed
      // response may run for minutes and must not be cut.
      if (e.lastUsed < cutoff && e.pool.busy === 0) {
        this.pools.delete(k);
        e.pool.close();
      }
    }
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    const all = [...this.pools.values()];
    this.pools.clear();
    for (const e of all) e.pool.close();
  }
}
