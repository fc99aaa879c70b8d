// The composition root: opens the store, builds the products in dependency order, wires the edge
// listener and drives the products' lifecycle. The only module that imports every product.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { createLogger, type Logger } from '../kernel/log.js';
import { cloudFormationProduct } from '../cloudformation/index.js';
import { cloudMapProduct } from '../cloudmap/index.js';
import { route53Product } from '../route53/index.js';
import { ec2Product } from '../ec2/index.js';
import { ecrProduct } from '../ecr/index.js';
import { ecsProduct } from '../ecs/index.js';
import type { IamApi } from '../iam/api.js';
import { gatewayProduct, oversizedHeadAnswer } from '../gateway/index.js';
import type { RecentRequests } from '../gateway/recent-requests.js';
import { iamProduct } from '../iam/index.js';
import { logsProduct } from '../logs/index.js';
import { ProtocolDispatcher } from '../protocol/dispatch.js';
import type { AnyHandlerTable } from '../protocol/handlers.js';
import { inProcessCaller } from '../protocol/invoke.js';
import type { ServiceName } from '../protocol/model.js';
import type { Product } from '../protocol/product.js';
import { ServiceRegistry } from '../protocol/services.js';
import { SigV4Verifier } from '../protocol/sigv4.js';
import { Store } from '../store/store.js';
import { type Config, isLoopback } from './config.js';
import { attachFront, type Front } from '../http1/front.js';
import type { EdgeRoute } from '../http1/routes.js';
import { HostPolicy } from '../http1/host-policy.js';
import { ControlGuard } from './control-guard.js';
import { EdgeDispatch } from './edge.js';
import { internalRoute } from './internal.js';
import { consoleEndpoints } from '../console/routes.js';
import { lockDataDir } from './lock.js';
import type { LogWriter } from '../logs/writer.js';
import { startGatewayWorkers, type GatewayWorkers } from '../gateway/workers/pool.js';
import { SharedBucketTable } from '../gateway/workers/shared-buckets.js';
import { countedGatewayRoute } from '../gateway/workers/counted-route.js';
import { listeningFd } from '../gateway/workers/listener-copy.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Open connections on the edge port, from the process's descriptor limit (20,000 on CI, often 1,024 on
 * laptops): what is left after the DNS server's TCP cap (128) and a reserve for SQLite, logs and tasks,
 * halved because each proxied connection may hold an upstream one. A flood of idle connections to one
 * listener then cannot starve the others.
 */
const EDGE_MAX_CONNECTIONS = Math.max(64, Math.min(16_384, Math.floor((openFileLimit() - 256) / 2)));

function openFileLimit(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : 1024;
  } catch {
    return 1024; // not Linux: assume the common default
  }
}

/** Every product, in dependency order: the store opens with their migrations, then buildProducts creates them. */
const PRODUCTS = [ec2Product, logsProduct, iamProduct, cloudMapProduct, route53Product, ecrProduct, ecsProduct, gatewayProduct, cloudFormationProduct] as const;

export interface Wayfinder {
  config: Config;
  /** Bound edge port (differs from config.port when that was 0). */
  port: number;
  endpoint: string;
  store: Store;
  logger: Logger;
  /** Facts products report (e.g. dnsPort, runtime), as in /_wayfinder/health. */
  facts(): Record<string, unknown>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The handler table of every service the products answer, as the dispatcher and in-process callers use it. */
function handlerTables(products: Product<unknown>[]): Partial<Record<ServiceName, AnyHandlerTable>> {
  return Object.fromEntries(products.flatMap((p) => p.services).map((s) => [s.service, s.table]));
}

/**
 * Creates every product of PRODUCTS, in that order, each given the APIs of the ones before it; also
 * returns IAM's api, whose keys the SigV4 verifier looks up.
 */
function buildProducts(
  store: Store,
  config: Config,
  logger: Logger,
  hosts: HostPolicy,
  registry: ServiceRegistry,
  sharedBuckets: SharedBucketTable | undefined,
): { products: Product<unknown>[]; iam: IamApi; logs: LogWriter; recentRequests: RecentRequests } {
  const ec2 = ec2Product.create({ store, logger });
  const logs = logsProduct.create({ store, logger });
  const iam = iamProduct.create({ store, logger });
  const cloudmap = cloudMapProduct.create({
    store,
    logger,
    ec2: ec2.api,
    healthDelayMs: config.healthDelayMs,
    operationDelayMs: config.operationDelayMs,
    dns: { host: config.host, port: config.dnsPort },
  });
  const route53 = route53Product.create({ store, logger, hostedZones: cloudmap.api.hostedZones });
  const guard = new ControlGuard(hosts);
  const ecr = ecrProduct.create({
    store,
    logger,
    dataDir: config.dataDir,
    port: config.port,
    admit: (req) => guard.refusal(req),
    uploadIdleMs: config.requestTimeoutMs,
  });
  const ecs = ecsProduct.create({
    store,
    logger,
    ec2: ec2.api,
    iam: iam.api,
    logs: logs.api,
    cloudMap: cloudmap.api.registry,
    runtime: config.runtime,
    dataDir: config.dataDir,
    healthDelayMs: config.healthDelayMs,
    taskStableMs: config.taskStableMs,
    keepTasks: config.keepTasks,
    registryAuth: (image, owner) => ecr.api.pullAuth(image, owner),
  });
  const gateway = gatewayProduct.create({
    store,
    logger,
    ec2: ec2.api,
    logs: logs.api,
    discovery: cloudmap.api.discovery,
    iam: iam.api,
    vpcLinkDelayMs: config.vpcLinkDelayMs,
    rateLimit: config.gatewayRateLimit,
    burstLimit: config.gatewayBurstLimit,
    port: config.port,
    reservedHost: (name) => hosts.reserved(name),
    sharedBuckets,
  });
  // CloudFormation comes last: it makes resources by calling the others' operations in-process (protocol/invoke.ts).
  const services = [ec2, logs, iam, cloudmap, route53, ecr, ecs, gateway];
  const tables = handlerTables(services);
  const cloudformation = cloudFormationProduct.create({ store, logger, call: inProcessCaller(registry, () => tables) });
  return { products: [...services, cloudformation], iam: iam.api, logs: logs.api, recentRequests: gateway.api.recentRequests };
}

export async function startWayfinder(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Wayfinder> {
  const releaseLock = config.dataDir === ':memory:' ? () => {} : lockDataDir(ensureDir(config.dataDir));
  let store: Store | undefined;
  let server: Server | undefined;
  let workers: GatewayWorkers | undefined;
  const started: Product<unknown>[] = [];
  try {
    store = Store.open(
      config.dataDir,
      PRODUCTS.flatMap((p) => p.migrations),
      logger,
    );
    const hosts = new HostPolicy({ bindHost: config.host, hostnames: config.hostnames, corsOrigins: config.corsOrigins });
    const guard = new ControlGuard(hosts);
    const registry = new ServiceRegistry();
    // With gateway worker threads, every thread takes tokens from the same buckets (docs/gateway.md).
    const sharedBuckets = config.gatewayWorkers > 1 ? new SharedBucketTable() : undefined;
    const { products, iam, logs, recentRequests } = buildProducts(store, config, logger, hosts, registry, sharedBuckets);
    const handlers = handlerTables(products);
    const dispatcher = new ProtocolDispatcher({
      registry,
      handlers,
      verifier: new SigV4Verifier({
        credentials: config.credentials,
        unknownKeys: config.auth === 'strict' ? 'refuse' : 'accept',
        defaultAccountId: config.accountId,
        // Keys IAM knows the secrets of, looked up per request: STS session keys and IAM users' access keys.
        issuedKey: (id) => iam.issuedKey(id),
        userKey: (id) => iam.accessKey(id),
      }),
      auth: config.auth,
      defaultRegion: config.region,
      defaultAccountId: config.accountId,
      logger,
      admit: (req) => guard.refusal(req),
      commits: store, // group commit: an answer waits for the fsync it shares with its turn's other writes
    });

    const s = store;
    const facts = () => Object.assign({}, ...products.map((p) => p.health?.() ?? {}), workers ? { gatewayWorkers: workers.facts() } : {}) as Record<string, unknown>;
    const reset = async () => {
      for (const p of [...products].reverse()) await p.beforeReset?.();
      s.wipe();
      for (const p of products) await p.afterReset?.();
      workers?.reload();
    };
    const consoleApi = consoleEndpoints(config, s, recentRequests);
    // An API's routes come first: on its own host every path is the API's (edge.ts).
    const routes: EdgeRoute[] = [
      ...products.flatMap((p) => p.edgeRoutes ?? []).map((r) => (sharedBuckets ? countedGatewayRoute(r, () => workers?.countMain()) : r)),
      internalRoute(
        {
          health: () => ({
            status: 'ok',
            version: VERSION,
            services: Object.fromEntries(registry.all.map((spec) => [spec.name, handlers[spec.name] ? 'running' : 'not implemented'])),
            ...facts(),
          }),
          reset,
          regions: () => s.regionsInUse(),
          extra: [...products.flatMap((p) => p.internalRoutes ?? []), ...consoleApi.routes],
        },
        guard,
        { localWritesOnly: !isLoopback(config.host) },
      ),
      {
        name: 'aws',
        matches: (_req, to) => to.kind !== 'api',
        handle: (req, res) => (guard.cors(req, res) ? undefined : dispatcher.handle(req, res)),
      },
    ];
    const edge = new EdgeDispatch(routes, hosts, logger);

    for (const p of products) {
      await p.start?.();
      started.push(p);
    }
    // node:http wants headersTimeout ≤ requestTimeout (the head is part of the request), and checks
    // both only every connectionsCheckingInterval (30 s by default): a quarter of the shorter keeps
    // a timeout within 25 % of its value, as the front's sweeper does.
    const headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
    server = createServer(
      {
        keepAliveTimeout: 65_000,
        requestTimeout: config.requestTimeoutMs,
        headersTimeout,
        connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(headersTimeout / 4))),
      },
      edge.handler,
    );
    // One listener cannot take the others' file descriptors (nginx's worker_connections, unbound's incoming-num-tcp);
    // gateway threads share the process's descriptors, so each accepting thread gets its share.
    const connectionsPerThread = Math.max(64, Math.floor(EDGE_MAX_CONNECTIONS / config.gatewayWorkers));
    server.maxConnections = connectionsPerThread;
    // The lean HTTP/1.1 front owns every connection and answers data-plane requests itself; the
    // first request it does not serve hands the connection to node:http (docs/gateway.md).
    const front: Front = attachFront(server, {
      route: (x) => edge.frontRoute(x),
      headTooLarge: oversizedHeadAnswer,
      report: (err, what) => logger.error({ err }, what),
    });
    await listen(server, config.port, config.host);
    const port = (server.address() as AddressInfo).port;
    for (const p of products) p.onListening?.({ host: config.host, port });
    if (config.gatewayWorkers > 1 && sharedBuckets) {
      const edgeServer = server;
      workers = await startGatewayWorkers({
        threads: config.gatewayWorkers,
        listenFd: listeningFd(server),
        port,
        store,
        logs,
        logger,
        buckets: sharedBuckets,
        recent: recentRequests,
        accept: (socket) => edgeServer.emit('connection', socket),
        settings: {
          dataDir: config.dataDir,
          logLevel: config.logLevel,
          host: config.host,
          hostnames: config.hostnames,
          corsOrigins: config.corsOrigins,
          limits: { rate: config.gatewayRateLimit, burst: config.gatewayBurstLimit },
          headersTimeoutMs: config.headersTimeoutMs,
          requestTimeoutMs: config.requestTimeoutMs,
          maxConnections: connectionsPerThread,
        },
      });
    }

    let closing: Promise<void> | undefined;
    const srv = server;
    const close = () =>
      (closing ??= (async () => {
        consoleApi.close();
        // Worker threads first: they stop accepting and hand nothing more to this thread.
        await workers?.close();
        await new Promise<void>((resolve) => {
          srv.close(() => resolve());
          front.closeIdle();
          srv.closeIdleConnections();
          setTimeout(() => {
            front.closeAll();
            srv.closeAllConnections();
          }, 2000).unref();
        });
        await stopAll(started, logger);
        s.close();
        releaseLock();
      })());

    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return { config, port, endpoint: `http://${host}:${port}`, store: s, logger, facts, reset, close };
  } catch (e) {
    await workers?.close();
    server?.close();
    await stopAll(started, logger);
    store?.close();
    releaseLock();
    throw e;
  }
}

async function stopAll(products: Product<unknown>[], logger: Logger): Promise<void> {
  for (const p of [...products].reverse()) {
    try {
      await p.stop?.();
    } catch (e) {
      logger.error({ err: e, product: p.name }, 'product failed to stop cleanly');
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
