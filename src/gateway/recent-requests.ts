// The last requests of each HTTP API, for the console's topology page (docs/console.md, "Recent
// requests"). Recorded only while a console watches that API: with nobody watching, a completed request
// costs one integer compare. While watched, a request writes the fields of a preallocated slot in a
// fixed ring (RECENT_REQUESTS_PER_API per API, the oldest overwritten): no object per request, no
// closure, no SQL. Watchers are told in batches, at most every RECENT_FLUSH_MS, of what they have not seen.
// With --gateway-workers N > 1, the workers record into batches of their own (workers/recent-batch.ts)
// while the main thread tells them an API is watched (watchHook), and post them here (accept).
import type { GatewayExchange } from './pipeline/gateway-exchange.js';

/** Requests kept per API (the topology page draws these). */
export const RECENT_REQUESTS_PER_API = 50;
/** Watchers hear of new requests at most this often: a burst of requests is one write per watcher. */
export const RECENT_FLUSH_MS = 100;
/** Rings kept for APIs nobody watches any more, so a page opened again shows what it saw. */
const IDLE_RINGS = 64;

/** One completed exchange, as the console's request stream sends it. */
export interface RecentRequest {
  /** 1, 2, 3 … per API: a watcher asks for those after the last one it has. */
  seq: number;
  /** When the request arrived (epoch ms). */
  at: number;
  requestId: string;
  method: string;
  /** The path as the client sent it to the API, stage prefix included, without the query string. */
  path: string;
  stage: string | null;
  /** The route that matched; null when none did (a 404 from the gateway). */
  routeKey: string | null;
  status: number;
  /** From arrival to the last byte of the response. */
  latencyMs: number;
  /** The backend's status and time; -1 when the request never reached one. */
  integrationStatus: number;
  integrationLatencyMs: number;
  /** The Cloud Map instance that served it (private integrations), else null. */
  instanceId: string | null;
  /** Why the integration failed ($context.integrationErrorMessage), else null. */
  integrationError: string | null;
}

/** A record without its place in the ring: what a worker thread posts (seq is given here). */
export type CompletedRequest = Omit<RecentRequest, 'seq'>;

/** What the pipeline calls once per completed exchange (this ring, or a worker's batch). */
export interface RequestRecorder {
  record(x: GatewayExchange): void;
}

/** Fills `s` with what the console shows of a completed exchange (not `seq`). */
export function describeExchange(x: GatewayExchange, s: CompletedRequest): void {
  s.at = x.receivedAt;
  s.requestId = x.requestId;
  s.method = x.method;
  s.path = x.contextPath;
  s.stage = x.stage?.name ?? null;
  s.routeKey = x.route?.routeKey ?? null;
  s.status = x.status;
  s.latencyMs = Math.round((performance.now() - x.t0) * 10) / 10;
  s.integrationStatus = x.integrationStatus;
  s.integrationLatencyMs = x.integrationLatency;
  s.instanceId = x.instanceId ?? null;
  s.integrationError = x.integrationError ?? null;
}

type Listener = (records: RecentRequest[]) => void;

class Ring {
  readonly slots: RecentRequest[] = [];
  /** Requests recorded so far (never reset, so a watcher's `seq` stays meaningful): the newest is `count`. */
  count = 0;
  /** `count` when the ring was last emptied (a reset): older slots are stale. */
  base = 0;
  readonly listeners = new Map<Listener, number>();
  dirty = false;

  write(x: GatewayExchange): void {
    describeExchange(x, this.next());
  }

  /** A record another thread made (already a copy: its fields are taken as they are). */
  put(r: CompletedRequest): void {
    const s = this.next();
    Object.assign(s, r);
  }

  /** The next slot, its seq set (the oldest is overwritten once the ring is full). */
  private next(): RecentRequest {
    const seq = ++this.count;
    const i = (seq - 1) % RECENT_REQUESTS_PER_API;
    let s = this.slots[i];
    if (!s) {
      s = {} as RecentRequest;
      this.slots[i] = s;
    }
    s.seq = seq;
    this.dirty = true;
    return s;
  }

  /** Copies of the records after `seq`, oldest first (the slots are reused). */
  after(seq: number): RecentRequest[] {
    const out: RecentRequest[] = [];
    const from = Math.max(seq + 1, this.base + 1, this.count - RECENT_REQUESTS_PER_API + 1);
    for (let n = from; n <= this.count; n++) out.push({ ...this.slots[(n - 1) % RECENT_REQUESTS_PER_API]! });
    return out;
  }
}

export class RecentRequests implements RequestRecorder {
  readonly capacity = RECENT_REQUESTS_PER_API;
  /** APIs with at least one watcher: the one figure a request reads when nobody watches. */
  private watched = 0;
  private readonly rings = new Map<string, Ring>();
  private timer: NodeJS.Timeout | undefined;
  /** Requests this thread recorded itself (health facts: gatewayWorkers.recorded[0]). */
  recordedHere = 0;
  /** Told the watched API ids whenever that set changes (the gateway workers' pool posts them on). */
  private watchHook: ((apiIds: string[]) => void) | undefined;

  /** Called once per completed exchange (pipeline/index.ts, with the access log). */
  record(x: GatewayExchange): void {
    if (this.watched === 0) return;
    const ring = this.rings.get(x.api.apiId);
    if (!ring || ring.listeners.size === 0) return;
    ring.write(x);
    this.recordedHere++;
    this.timer ??= setTimeout(this.flush, RECENT_FLUSH_MS).unref();
  }

  /**
   * Records a worker thread's completed requests of `apiId`, in the order they completed there. Dropped
   * when nobody watches the API any more (the worker had not heard yet).
   */
  accept(apiId: string, records: CompletedRequest[]): void {
    const ring = this.rings.get(apiId);
    if (!ring || ring.listeners.size === 0) return;
    for (const r of records) ring.put(r);
    this.timer ??= setTimeout(this.flush, RECENT_FLUSH_MS).unref();
  }

  /** The APIs at least one console watches now. */
  watchedApis(): string[] {
    const ids: string[] = [];
    for (const [id, r] of this.rings) if (r.listeners.size > 0) ids.push(id);
    return ids;
  }

  /** Sets (or, with undefined, removes) the hook told of each change of the watched set. */
  onWatchChange(hook: ((apiIds: string[]) => void) | undefined): void {
    this.watchHook = hook;
  }

  /** Starts recording `apiId` for `listener`: it gets what the ring holds now, then each new batch. */
  watch(apiId: string, listener: Listener): () => void {
    let ring = this.rings.get(apiId);
    if (!ring) {
      ring = new Ring();
      this.rings.set(apiId, ring);
    }
    const first = ring.listeners.size === 0;
    if (first) this.watched++;
    ring.listeners.set(listener, ring.count);
    if (first) this.watchHook?.(this.watchedApis());
    listener(ring.after(0));
    const r = ring;
    return () => {
      if (!r.listeners.delete(listener) || r.listeners.size > 0) return;
      this.watched--;
      this.watchHook?.(this.watchedApis());
      this.forgetIdle();
    };
  }

  private readonly flush = (): void => {
    this.timer = undefined;
    for (const ring of this.rings.values()) {
      if (!ring.dirty) continue;
      ring.dirty = false;
      for (const [listener, seen] of ring.listeners) {
        const records = ring.after(seen);
        ring.listeners.set(listener, ring.count);
        if (records.length) listener(records);
      }
    }
  };

  /** Drops the oldest unwatched rings beyond IDLE_RINGS (a Map iterates in insertion order). */
  private forgetIdle(): void {
    let idle = 0;
    for (const r of this.rings.values()) if (r.listeners.size === 0) idle++;
    for (const [id, r] of this.rings) {
      if (idle <= IDLE_RINGS) return;
      if (r.listeners.size > 0) continue;
      this.rings.delete(id);
      idle--;
    }
  }

  /**
   * A reset wiped the APIs: unwatched rings are dropped, watched ones keep their watchers and `count`
   * (so a watcher's `seq` stays valid) but show nothing recorded before now (`base`).
   */
  clear(): void {
    for (const [id, r] of this.rings) if (r.listeners.size === 0) this.rings.delete(id);
    for (const r of this.rings.values()) r.base = r.count;
  }
}
