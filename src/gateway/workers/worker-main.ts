// A gateway worker thread (--gateway-workers N > 1; docs/gateway.md "Gateway workers"). It accepts
// connections on the edge port's listening socket next to the main thread and serves execute-api
// traffic with the same data-plane code (edge dispatch, lean front, pipeline), from its own read
// model: its own SQLite connection to the data dir's file, re-read on the change notices the main
// thread posts after each commit. Throttling buckets are shared (shared-buckets.ts); access-log lines
// go to the main thread's log writer, and so do the completed requests of the APIs a console watches
// (recent-batch.ts). Any other request on a connection (control plane, registry,
// console, /_wayfinder/*) is forwarded, with the connection, to the main thread (forwarded-connection.ts).
import { maxHeaderSize } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { Discovery } from '../../cloudmap/discovery.js';
import { CloudMapStore } from '../../cloudmap/store.js';
import { Front } from '../../http1/front.js';
import { HostPolicy } from '../../http1/host-policy.js';
import { createLogger } from '../../kernel/log.js';
import type { LogTarget, LogWriter } from '../../logs/writer.js';
import { EdgeDispatch } from '../../server/edge.js';
import { Store } from '../../store/store.js';
import { gatewayEdgeRoute, oversizedHeadAnswer } from '../edge-route.js';
import { UpstreamPools } from '../integrations/pools.js';
import { LocalIssuer } from '../jwt/local-issuer.js';
import { JwtVerifier } from '../jwt/verifier.js';
import type { GatewayServices } from '../pipeline/gateway-exchange.js';
import { GATEWAY_TABLES, GatewayStore } from '../store.js';
import { GatewayView } from '../view.js';
import { forwardToMain } from './forwarded-connection.js';
import { copyListener } from './listener-copy.js';
import { countedGatewayRoute } from './counted-route.js';
import { RecentBatch } from './recent-batch.js';
import { COUNTER_SLOTS, type FromWorker, type ToWorker, type WorkerInit } from './messages.js';
import { SharedBucketTable } from './shared-buckets.js';

/** Access-log lines are posted to the main thread in batches (its writer flushes every 200 ms anyway). */
const LOG_BATCH_MS = 20;
/** Busy connections get this long to finish their answer when the worker stops. */
const CLOSE_GRACE_MS = 2000;

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);
const logger = createLogger(init.logLevel);
const counters = new Float64Array(init.counters);
const row = init.index * COUNTER_SLOTS;

const store = Store.open(init.dataDir, [], logger);
const gw = new GatewayStore(store);
const buckets = new SharedBucketTable(init.buckets, init.index);
const view = new GatewayView(gw, init.limits, logger, buckets);
const cm = new CloudMapStore(store);
let discovery = new Discovery(cm, logger);
const issuer = new LocalIssuer(gw, () => init.port);
const verifier = new JwtVerifier(issuer, logger);
const pools = new UpstreamPools();
const portText = String(init.port);

/** The access-log writer of this thread: lines go to the main thread's LogWriter. */
let pendingLogs: Array<[LogTarget, string, number]> = [];
let logsScheduled = false;
const flushLogs = (): void => {
  logsScheduled = false;
  if (!pendingLogs.length) return;
  post({ type: 'logs', entries: pendingLogs });
  pendingLogs = [];
};
const logs = {
  append(target: LogTarget, message: string, timestamp = Date.now()): void {
    pendingLogs.push([target, message, timestamp]);
    if (logsScheduled) return;
    logsScheduled = true;
    setTimeout(flushLogs, LOG_BATCH_MS).unref();
  },
} as unknown as LogWriter;

// The console's request stream is the main thread's: this thread's requests of the APIs it watches
// are posted there in batches (a no-op while nothing is watched).
const recent = new RecentBatch((batches) => post({ type: 'recent', batches }), counters, row + 3);
const services: GatewayServices = { port: () => init.port, portText: () => portText, logger, view, verifier, logs, pools, discovery, recent };

function follow(): void {
  view.loadAll();
  discovery.attach(store);
  services.discovery = discovery;
}
follow();
store.subscribe((changes) => {
  if (changes.some((c) => c.table === GATEWAY_TABLES.oidcKeys)) {
    issuer.forget();
    verifier.clear();
  }
});
store.subscribe((changes) => view.onChanges(changes));

// Counts what this thread served (health facts show every thread's count).
const counted = countedGatewayRoute(gatewayEdgeRoute(view, services), () => counters[row]!++);
const hosts = new HostPolicy({ bindHost: init.host, hostnames: init.hostnames, corsOrigins: init.corsOrigins });
const edge = new EdgeDispatch([counted], hosts, logger);
const front = new Front(
  {
    route: (x) => edge.frontRoute(x),
    headTooLarge: oversizedHeadAnswer,
    report: (err, what) => logger.error({ err }, what),
    maxHeaderSize,
    headersTimeoutMs: Math.min(init.headersTimeoutMs, init.requestTimeoutMs),
    requestTimeoutMs: init.requestTimeoutMs,
    keepAliveTimeoutMs: 65_000,
  },
  // What this thread does not serve, the main thread does, on the same connection.
  (socket, bytes) => {
    counters[row + 2]!++;
    forwardToMain(init.forwardPath, init.forwardToken, socket, bytes);
  },
);
const server = createServer({ noDelay: true }, (socket: Socket) => front.accept(socket));
server.maxConnections = init.maxConnections;
server.on('error', (err) => logger.error({ err }, 'gateway worker listener failed'));

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'changes':
      if (m.changes.length) store.replay(m.changes);
      counters[row + 1] = m.revision;
      break;
    case 'watch':
      recent.watch(m.apiIds);
      break;
    case 'reload':
      discovery.detach();
      discovery = new Discovery(cm, logger);
      issuer.forget();
      verifier.clear();
      recent.clear();
      follow();
      break;
    case 'close':
      void close();
      break;
    case 'crash':
      // Test hook (pool.ts): dies the worst way, inside a shared-bucket claim, by an uncaught error.
      buckets.holdClaimLock();
      throw new Error(`gateway worker ${init.index} crashed on purpose (WAYFINDER_TEST_HOOKS)`);
  }
});

async function close(): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    front.closeIdle();
    setTimeout(() => front.closeAll(), CLOSE_GRACE_MS).unref();
  });
  front.closeAll();
  flushLogs();
  recent.flush();
  discovery.detach();
  await pools.close();
  store.close();
  post({ type: 'closed' });
}

copyListener(init.listenFd).then(
  (handle) =>
    server.listen(handle, () => {
      // A change message handled meanwhile may have moved it further already.
      counters[row + 1] = Math.max(counters[row + 1]!, init.revision);
      post({ type: 'ready' });
    }),
  (err: unknown) => post({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
);
