// GetRoutes pages kept in memory until the API's routes change. Reading a page of 50 routes parsed
// 50 JSON documents from SQLite on every call, a quarter of the call's CPU (issue 16 point 5); routes
// change far less often than tools list them (Terraform refreshes, the console polls). A page is
// dropped when a change to any route of its API is committed (the store's change feed publishes
// only committed changes), and only pages read outside a transaction are kept, so a page never holds
// what a rollback undid.
import type { Change, Store } from '../../store/store.js';
import { GATEWAY_TABLES, type RouteRecord } from '../store.js';

/** Pages kept per API, and APIs kept: beyond either, the cache starts over (bounded memory). */
const MAX_PAGES_PER_API = 64;
const MAX_APIS = 1024;

export class RoutePages {
  /** API key prefix (`<partition>/<apiId>/`) → page (after, size) → the page's records (never mutated). */
  private readonly apis = new Map<string, Map<string, readonly RouteRecord[]>>();

  constructor(private readonly store: Store) {
    store.subscribe((changes) => this.forget(changes));
  }

  /** One page of an API's routes: `read(after, n)` from the store, or the same page read before. */
  page(prefix: string, after: string | undefined, n: number, read: (after: string | undefined, n: number) => RouteRecord[]): readonly RouteRecord[] {
    if (this.store.db.inTransaction) return read(after, n);
    const id = after === undefined ? `${n}` : `${n}/${after}`;
    let pages = this.apis.get(prefix);
    const hit = pages?.get(id);
    if (hit) return hit;
    const records = read(after, n);
    if (!pages) {
      if (this.apis.size >= MAX_APIS) this.apis.clear();
      this.apis.set(prefix, (pages = new Map()));
    }
    if (pages.size >= MAX_PAGES_PER_API) pages.clear();
    pages.set(id, Object.freeze(records));
    return records;
  }

  private forget(changes: readonly Change[]): void {
    for (const c of changes) {
      if (c.table !== GATEWAY_TABLES.routes) continue;
      // Route keys are `<partition>/<apiId>/<routeId>`; a route id has no '/'.
      this.apis.delete(c.key.slice(0, c.key.lastIndexOf('/') + 1));
    }
  }
}
