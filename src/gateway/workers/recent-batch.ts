// A gateway worker's side of the console's recent requests (docs/console.md "Recent requests"). The ring
// and its watchers are the main thread's; the main thread posts the watched API ids whenever that set
// changes. With none watched, a completed request costs one integer compare, and nothing is posted.
// While an API is watched, its completed requests are kept here in completion order and posted to the
// main thread at most every RECENT_FLUSH_MS (like the access-log lines), which writes them into its ring.
import type { GatewayExchange } from '../pipeline/gateway-exchange.js';
import { type CompletedRequest, describeExchange, RECENT_FLUSH_MS, RECENT_REQUESTS_PER_API, type RequestRecorder } from '../recent-requests.js';

export class RecentBatch implements RequestRecorder {
  /** How many APIs are watched: the one figure a request reads when nobody watches. */
  private watchedCount = 0;
  private watched = new Set<string>();
  private pending = new Map<string, CompletedRequest[]>();
  private timer: NodeJS.Timeout | undefined;

  /** `post` gets each API's records of a batch, oldest first; `counters[slot]` counts the requests recorded (health facts). */
  constructor(
    private readonly post: (batches: Array<[string, CompletedRequest[]]>) => void,
    private readonly counters: Float64Array,
    private readonly slot: number,
  ) {}

  record(x: GatewayExchange): void {
    if (this.watchedCount === 0) return;
    const apiId = x.api.apiId;
    if (!this.watched.has(apiId)) return;
    let list = this.pending.get(apiId);
    if (!list) {
      list = [];
      this.pending.set(apiId, list);
    }
    // The main thread's ring keeps the last RECENT_REQUESTS_PER_API: older ones of a burst would only
    // be overwritten there. Trimmed in chunks so a burst costs no shift per request.
    if (list.length >= 2 * RECENT_REQUESTS_PER_API) list.splice(0, list.length - RECENT_REQUESTS_PER_API);
    const r = {} as CompletedRequest;
    describeExchange(x, r);
    list.push(r);
    this.counters[this.slot]!++;
    // As often as the main thread's watchers hear of new requests, no more.
    this.timer ??= setTimeout(this.flush, RECENT_FLUSH_MS).unref();
  }

  /** The main thread's watched set changed: records of APIs no longer watched are dropped. */
  watch(apiIds: string[]): void {
    this.watched = new Set(apiIds);
    this.watchedCount = this.watched.size;
    for (const id of this.pending.keys()) if (!this.watched.has(id)) this.pending.delete(id);
  }

  /** A reset: what is pending belongs to APIs that are gone. */
  clear(): void {
    this.pending.clear();
  }

  readonly flush = (): void => {
    this.timer = undefined;
    if (!this.pending.size) return;
    const batches: Array<[string, CompletedRequest[]]> = [];
    for (const [id, list] of this.pending) batches.push([id, list.length > RECENT_REQUESTS_PER_API ? list.slice(-RECENT_REQUESTS_PER_API) : list]);
    this.pending = new Map();
    this.post(batches);
  };
}
