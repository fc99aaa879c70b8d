// One keep-alive undici Pool per upstream origin, created on first use and closed after a minute
// unused (Cloud Map instances come and go). perf/README: keep-alive pools are mandatory, and upstream
// sockets must not be capped below client concurrency.
import { Pool } from 'undici';

const IDLE_CLOSE_MS = 60_000;

interface Entry {
  pool: Pool;
  lastUsed: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Entry>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { connections?: number; connectTimeoutMs?: number } = {}) {}

  get(origin: string, servername?: string): Pool {
    const key = servername ? `${origin}#${servername}` : origin;
    let e = this.pools.get(key);
    if (!e) {
      const pool = new Pool(origin, {
        connections: this.opts.connections ?? 128,
        pipelining: 1,
        connectTimeout: this.opts.connectTimeoutMs ?? 5000,
        // Do not let undici's own request timeouts fire before the integration's (≤ 30 s).
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: servername ? { servername } : undefined,
      });
      e = { pool, lastUsed: 0 };
      this.pools.set(key, e);
      this.sweeper ??= setInterval(() => this.sweep(), IDLE_CLOSE_MS).unref();
    }
    e.lastUsed = Date.now();
    return e.pool;
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_CLOSE_MS;
    for (const [k, e] of this.pools) {
      if (e.lastUsed < cutoff) {
        this.pools.delete(k);
        e.pool.close().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
  }
}
