// What the main thread and the gateway worker threads tell each other (structured clone over the
// worker's port). Requests never cross: workers serve the data plane themselves.
import type { LogTarget } from '../../logs/writer.js';
import type { Change } from '../../store/store.js';
import type { CompletedRequest } from '../recent-requests.js';

export interface WorkerInit {
  /** 1…N-1 (0 is the main thread): the worker's row in the counters. */
  index: number;
  /** The edge port's listening socket, a descriptor of this process (copied per worker: listener-copy.ts). */
  listenFd: number;
  port: number;
  dataDir: string;
  logLevel: string;
  host: string;
  hostnames: string[];
  corsOrigins: string[];
  limits: { rate: number; burst: number };
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
  /** The main thread's private unix socket and the token a forwarded connection opens with. */
  forwardPath: string;
  forwardToken: string;
  /** Shared throttling buckets (shared-buckets.ts). */
  buckets: SharedArrayBuffer;
  /** COUNTER_SLOTS float64 per thread: [requests served, store revision applied, connections forwarded, recent requests recorded] (health facts). */
  counters: SharedArrayBuffer;
  /**
   * The main store's revision when the worker was spawned: what its views, loaded after, are at least up to (its own
   * connection cannot tell: `_meta` holds a ceiling, not the revision, Store.ceiling).
   */
  revision: number;
}

/**
 * `changes`: the committed changes of the followed tables (maybe none), and the store revision after
 * the commit, which the worker reports as applied once it has re-read them.
 * `watch`: the API ids the console watches now (sent when that set changes, and to a new worker): the
 * worker records their completed requests and posts them as `recent`, each API's oldest first.
 * `reload`: a reset wiped the store (views, discovery and keys are read again). `close`: stop.
 * `crash`: a test hook (WAYFINDER_TEST_HOOKS=1, then SIGUSR2 to the process; pool.ts): the worker takes
 * the shared buckets' claim lock and throws, as a thread that fails mid-claim would.
 */
export type ToWorker = { type: 'changes'; changes: Change[]; revision: number } | { type: 'watch'; apiIds: string[] } | { type: 'reload' } | { type: 'close' } | { type: 'crash' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'logs'; entries: Array<[LogTarget, string, number]> }
  | { type: 'recent'; batches: Array<[string, CompletedRequest[]]> }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

/** The counters' layout: four float64 per thread. */
export const COUNTER_SLOTS = 4;
